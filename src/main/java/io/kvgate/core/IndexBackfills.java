package io.kvgate.core;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * Fills a bucket's field indexes after its mappings changed, in slices of {@link #SLICE} entries
 * (one short script each, so Redis keeps serving); what a request cannot finish within {@link
 * #REQUEST_BUDGET_MS} the background reaper goes on with, with its progress in the bucket's
 * details.
 */
@Singleton
public class IndexBackfills {
  /** Entries one slice indexes: a few milliseconds of Redis time. */
  public static final int SLICE = 200;

  /** How long a request backfills before it leaves the rest to the background. */
  static final long REQUEST_BUDGET_MS = 1000;

  private final KvStore store;

  IndexBackfills(KvStore store) {
    this.store = store;
  }

  /** Backfills for up to the request budget; true when it is done. */
  public Uni<Boolean> run(String id) {
    return slices(id, System.currentTimeMillis() + REQUEST_BUDGET_MS);
  }

  private Uni<Boolean> slices(String id, long until) {
    return store
        .backfillSlice(id, SLICE)
        .chain(
            more -> {
              if (!more) {
                return Uni.createFrom().item(true);
              }
              if (System.currentTimeMillis() < until) {
                return slices(id, until);
              }
              return Uni.createFrom().item(false);
            });
  }
}
