package io.kvgate.core;

import io.kvgate.config.KvgateConfig;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * Fills a bucket's field indexes after its mappings changed, in slices of {@link #SLICE} entries
 * (one short script each, so Redis keeps serving); what a request cannot finish within its budget
 * ({@code kvgate.search.backfill-request-budget}) the background reaper goes on with, with its
 * progress in the bucket's details.
 */
@Singleton
public class IndexBackfills {
  /** Entries one slice indexes: a few milliseconds of Redis time. */
  public static final int SLICE = 200;

  private final KvStore store;
  private final long requestBudgetMs;

  IndexBackfills(KvStore store, KvgateConfig config) {
    this.store = store;
    this.requestBudgetMs = config.search().backfillRequestBudget().toMillis();
  }

  /** Backfills for up to the request budget (one slice at least); true when it is done. */
  public Uni<Boolean> run(String id) {
    return slices(id, System.currentTimeMillis() + requestBudgetMs);
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
