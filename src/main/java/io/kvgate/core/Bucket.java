package io.kvgate.core;

import java.time.Instant;

/** A bucket as stored: identity, settings, times, counters and live totals. */
public record Bucket(
    String id,
    String tenant,
    String name,
    BucketConfig config,
    Instant createdAt,
    Instant modifiedAt,
    Instant accessedAt,
    long revision,
    long entryCount,
    long bytes,
    Stats stats) {

  /** Operation counters of a bucket. */
  public record Stats(long reads, long writes, long deletes, long lists) {}
}
