package io.kvgate.core;

import java.time.Instant;

/** One kept revision of a key: a put with its entry, or a delete (tombstone, entry null). */
public record HistoryItem(long revision, Operation operation, Instant time, Entry entry) {

  /** What a revision did to its key. */
  public enum Operation {
    PUT("put"),
    DELETE("delete");

    private final String wire;

    Operation(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }
}
