package io.kvgate.core;

/**
 * The settings of a bucket. {@code maxBytes} and {@code maxValueSize} are -1 when unlimited; {@code
 * ttlSeconds} is 0 when entries do not expire by default; {@code indexing} is null when no field is
 * mapped for search.
 */
public record BucketConfig(
    String description,
    int history,
    long ttlSeconds,
    long maxBytes,
    long maxValueSize,
    boolean compression,
    String storage,
    int replicas,
    Indexing indexing) {

  public static final int MAX_HISTORY = 64;
  public static final int MAX_REPLICAS = 5;

  public static BucketConfig defaults() {
    return new BucketConfig("", 1, 0, -1, -1, false, "file", 1, null);
  }
}
