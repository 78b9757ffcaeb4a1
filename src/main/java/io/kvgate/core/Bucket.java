package io.kvgate.core;

import java.time.Instant;
import java.util.Map;

/**
 * A bucket as stored: identity, settings, times, counters and live totals. {@code name} is null for
 * an unnamed store (made through /v2); {@code generalAccess} and {@code signingSecret} serve the
 * /v2 dialect's public reads and signed URLs.
 */
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
    Stats stats,
    String generalAccess,
    String signingSecret,
    Map<String, Long> pendingDeletes,
    IndexStatus index) {

  /**
   * The state of a bucket's field indexes: entries holding a mapped value that could not be indexed
   * (a wrong type), and the entries a backfill passed so far (null when none runs).
   */
  public record IndexStatus(long unindexed, Long backfilled) {}

  /** Operation counters of a bucket. */
  public record Stats(long reads, long writes, long deletes, long lists) {}

  /** Who owns a bucket and how it may be read by others: what an access decision needs. */
  public record Owner(String id, String tenant, String name, String generalAccess, String secret) {}
}
