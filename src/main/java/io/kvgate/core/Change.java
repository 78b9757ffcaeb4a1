package io.kvgate.core;

import java.time.Instant;

/**
 * One change of a bucket as a watch sees it. {@code entry} is the written entry of a put (its value
 * empty when {@code valueOmitted}: a value too large for the change stream, read by revision), and
 * null for the other operations; {@code key} is null for a purge.
 */
public record Change(
    Op op, String key, long revision, Instant time, Entry entry, boolean valueOmitted) {

  /** What happened. {@link #GONE} ends a watch: the bucket was deleted. */
  public enum Op {
    PUT("put"),
    DELETE("delete"),
    EXPIRE("expire"),
    PURGE("purge"),
    GONE("gone");

    private final String wire;

    Op(String wire) {
      this.wire = wire;
    }

    /** The operation's name in events. */
    public String wire() {
      return wire;
    }
  }

  /** Whether a watch filtered by {@code prefix} shows this change (a purge concerns every key). */
  public boolean concerns(String prefix) {
    return key == null || key.startsWith(prefix);
  }
}
