package io.kvgate.core;

import java.math.BigDecimal;
import java.util.List;

/**
 * An atomic batch: checks that must all hold, then mutations applied in order, all or nothing. A
 * check's {@code revision} is null when the key must be absent.
 */
public record Batch(List<Check> checks, List<Mutation> mutations) {

  /** The most checks and mutations one batch may hold together. */
  public static final int MAX_OPERATIONS = 1000;

  public record Check(String key, Long revision) {}

  /** What a mutation does. */
  public enum Op {
    PUT,
    DELETE,
    INCREMENT
  }

  /**
   * One mutation: a put of {@code value} (a JSON object) with an optional TTL, a delete, or an
   * increment of the number at {@code field} (a dotted path into the entry's JSON object) by {@code
   * by}.
   */
  public record Mutation(
      Op op, String key, byte[] value, Long ttlSeconds, String field, BigDecimal by) {}

  /**
   * A put or a delete as the store applies it: {@code value} null for a delete; {@code ttlMs} -1
   * for the bucket default, -2 to keep the entry's expiry, 0 for none.
   */
  public record Write(String key, byte[] value, long ttlMs) {}

  /** The bucket's revision after the batch, and each mutation's (null: nothing to delete). */
  public record Result(long revision, List<Long> revisions) {}
}
