package io.kvgate.core;

/**
 * A partial change of a bucket's mutable settings; null fields stay as they are. A rename is given
 * by {@code rename} true with {@code name} the new name, null making the bucket unnamed.
 */
public record BucketUpdate(
    String description,
    Long maxBytes,
    Long maxValueSize,
    Long ttlSeconds,
    boolean rename,
    String name,
    String generalAccess) {

  /** A change of the settings of the /storage/kv dialect. */
  public static BucketUpdate settings(
      String description, Long maxBytes, Long maxValueSize, Long ttlSeconds) {
    return new BucketUpdate(description, maxBytes, maxValueSize, ttlSeconds, false, null, null);
  }
}
