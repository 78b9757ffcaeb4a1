package io.kvgate.core;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The port watches read changes through: a bucket's starting point, its opening replay, the changes
 * it keeps, and a live feed shared by every watcher of the bucket on this replica.
 */
public interface ChangeFeed {

  /** Where a watch of a bucket starts; null item when the bucket is missing. */
  Uni<Start> open(BucketRef ref);

  /**
   * A page of the opening replay of the bucket {@code id}: the live entries with keys under {@code
   * prefix} after {@code after} (null: from the first), or with {@code history} every kept revision
   * of each key, oldest first. Null item when the bucket is gone.
   */
  Uni<Replay> replay(
      String tenant, String id, String prefix, String after, int keys, boolean history);

  /** The kept changes after revision {@code after}, oldest first, at most {@code count}. */
  Uni<List<Change>> changes(String id, long after, int count);

  /**
   * Adds a listener to the bucket's live feed when it has seen every change the feed has passed on
   * ({@code after} at or beyond the feed's position) and answers -1; otherwise answers the feed's
   * position, which the listener catches up to with {@link #changes} before it asks again. A joined
   * listener may still get changes up to {@code after}, which it has seen.
   */
  long join(String id, long after, Listener listener);

  /** Removes a listener; the feed stops reading a bucket nobody here watches. */
  void leave(String id, Listener listener);

  /** Where a watch starts: the bucket's id, its revision now, the oldest change kept (0: none). */
  record Start(String id, long revision, long oldest) {}

  /** A page of a replay; {@code next} is where the next page starts, null after the last. */
  record Replay(List<Change> changes, String next) {}

  /** Receives a bucket's changes in revision order, on the feed's thread. */
  interface Listener {
    void changes(List<Change> changes);

    /** The feed cannot go on without a gap (its position is no longer kept): the watch must end. */
    void lost();
  }
}
