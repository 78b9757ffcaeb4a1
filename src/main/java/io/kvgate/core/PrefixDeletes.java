package io.kvgate.core;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * Deletes by prefix of any size without holding Redis up: slices of {@link #SLICE} entries, one
 * script each; what a request cannot finish within {@link #REQUEST_BUDGET_MS} goes on in the
 * background, with its progress in the bucket's details.
 */
@Singleton
public class PrefixDeletes {
  /**
   * Entries one script deletes: a few milliseconds of Redis time, so other requests keep flowing.
   */
  public static final int SLICE = 100;

  /** How long a request deletes before it hands the rest to the background. */
  static final long REQUEST_BUDGET_MS = 1000;

  private final KvStore store;

  PrefixDeletes(KvStore store) {
    this.store = store;
  }

  /** What a delete by prefix did: entries deleted so far, and whether it goes on. */
  public record Outcome(long deleted, boolean continuing) {}

  public Uni<Outcome> run(BucketRef ref, String prefix) {
    return slices(ref, prefix, System.currentTimeMillis() + REQUEST_BUDGET_MS);
  }

  private Uni<Outcome> slices(BucketRef ref, String prefix, long until) {
    return store
        .deletePrefixSlice(ref, prefix, SLICE)
        .chain(
            s -> {
              if (!s.more()) {
                return Uni.createFrom().item(new Outcome(s.deletedInAll(), false));
              }
              if (System.currentTimeMillis() < until) {
                return slices(ref, prefix, until);
              }
              return store
                  .deletePrefixLater(ref, prefix)
                  .replaceWith(new Outcome(s.deletedInAll(), true));
            });
  }
}
