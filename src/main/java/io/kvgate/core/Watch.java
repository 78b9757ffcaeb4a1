package io.kvgate.core;

import io.kvgate.core.WatchItem.End;
import io.kvgate.core.WatchItem.Event;
import io.kvgate.core.WatchItem.KeepAlive;
import io.kvgate.core.WatchItem.ReplayComplete;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client's watch of a bucket. It replays (a snapshot or the kept history, page by page as the
 * client takes them), catches up on kept changes until it reaches the shared live feed, then passes
 * live changes on. Only what the client has not yet taken is queued; a client that falls more than
 * the buffer limit behind the live feed is ended with {@code slow_consumer}, so memory stays
 * bounded. Every change is passed on once, in revision order: a change at or before the last one
 * passed on, or already shown by the replay, is skipped.
 */
public final class Watch implements ChangeFeed.Listener {
  private static final int REPLAY_KEYS = 100;
  private static final int HISTORY_KEYS = 20;
  private static final int CATCH_UP = 500;

  /** Where a watch begins. */
  public enum Mode {
    UPDATES,
    SNAPSHOT,
    HISTORY
  }

  private enum Phase {
    REPLAY,
    CATCH_UP,
    LIVE,
    ENDED
  }

  private final Watches owner;
  private final ChangeFeed feed;
  private final String tenant;
  private final Credentials.Held held;
  private final String id;
  private final String prefix;
  private final boolean history;
  private final int bufferLimit;
  private final long start;
  private final ArrayDeque<WatchItem> queue = new ArrayDeque<>();
  private final AtomicInteger wip = new AtomicInteger();

  /** Keys the replay showed at a revision after {@link #start}, with the newest such revision. */
  private final Map<String, Long> replayed = new HashMap<>();

  private MultiEmitter<? super WatchItem> emitter;
  private Phase phase;
  private String replayAfter;
  private long lastSent;
  private boolean fetching;
  private boolean closed;
  private volatile long lastActivity = System.nanoTime();

  Watch(
      Watches owner,
      ChangeFeed feed,
      String tenant,
      Credentials.Held held,
      ChangeFeed.Start start,
      Mode mode,
      String prefix,
      Long resumeAfter,
      int bufferLimit) {
    this.owner = owner;
    this.feed = feed;
    this.tenant = tenant;
    this.held = held;
    this.id = start.id();
    this.prefix = prefix;
    this.history = mode == Mode.HISTORY;
    this.bufferLimit = bufferLimit;
    this.start = start.revision();
    if (resumeAfter != null) {
      this.lastSent = resumeAfter;
      this.phase = Phase.CATCH_UP;
      if (resumeAfter > start.revision()) {
        end(
            "invalid_resume_point",
            "revision "
                + resumeAfter
                + " is ahead of the bucket (at "
                + start.revision()
                + "); start a new watch with mode=snapshot");
      } else if (resumeAfter < start.revision()
          && (start.oldest() == 0 || start.oldest() > resumeAfter + 1)) {
        end(
            "resume_too_old",
            "changes after revision "
                + resumeAfter
                + " are no longer kept"
                + (start.oldest() == 0 ? "" : " (the oldest kept is " + start.oldest() + ")")
                + "; start a new watch with mode=snapshot");
      }
    } else if (mode == Mode.UPDATES) {
      this.lastSent = start.revision();
      this.phase = Phase.CATCH_UP;
    } else {
      this.lastSent = start.revision();
      this.phase = Phase.REPLAY;
    }
  }

  /** Starts sending to the client's stream. */
  void attach(MultiEmitter<? super WatchItem> emitter) {
    synchronized (this) {
      this.emitter = emitter;
    }
    emitter.onRequest(n -> pump());
    emitter.onTermination(this::close);
    pump();
  }

  @Override
  public void changes(List<Change> changes) {
    synchronized (this) {
      if (phase == Phase.ENDED) {
        return;
      }
      for (Change c : changes) {
        offer(c);
      }
      if (phase != Phase.ENDED && queue.size() > bufferLimit) {
        int dropped = queue.size();
        queue.clear();
        owner.dropped(dropped);
        end(
            "slow_consumer",
            "the client read slower than changes came and fell "
                + bufferLimit
                + " events behind; resume from the last event id received");
      }
    }
    pump();
  }

  @Override
  public void lost() {
    synchronized (this) {
      end(
          "resume_too_old",
          "the live feed lost its place in the bucket's changes; resume from the last event id"
              + " received");
    }
    pump();
  }

  /** The credential the watch was opened with. */
  Credentials.Held held() {
    return held;
  }

  /** Sends a keep-alive when the watch has been silent for {@code idleNanos}. */
  void keepAlive(long idleNanos) {
    if (System.nanoTime() - lastActivity < idleNanos) {
      return;
    }
    synchronized (this) {
      if (phase == Phase.ENDED || !queue.isEmpty()) {
        return;
      }
      queue.add(new KeepAlive());
    }
    pump();
  }

  /** Ends the watch from outside, with a reason (the service is shutting down). */
  void stop(String error, String message) {
    synchronized (this) {
      end(error, message);
    }
    pump();
  }

  /** Queues a change the client has not seen, when its key is watched. Holds the lock. */
  private void offer(Change c) {
    if (c.revision() <= lastSent) {
      return;
    }
    lastSent = c.revision();
    if (c.op() == Change.Op.GONE) {
      end("bucket_deleted", "the bucket was deleted");
      return;
    }
    if (c.op() == Change.Op.PURGE) {
      // Everything the replay showed is gone; later writes must be shown again.
      replayed.clear();
    } else {
      Long shown = replayed.get(c.key());
      if (shown != null && c.revision() <= shown) {
        return;
      }
    }
    if (c.concerns(prefix)) {
      queue.add(new Event(c, false));
    }
  }

  /** Queues the watch's last item and stops taking changes. Holds the lock. */
  private void end(String error, String message) {
    if (phase == Phase.ENDED) {
      return;
    }
    phase = Phase.ENDED;
    queue.add(new End(error, message));
    feed.leave(id, this);
  }

  /**
   * Passes queued items on while the client asks for them, and fetches the next replay or catch-up
   * page when the queue runs dry. One thread at a time drains; a call while another drains makes it
   * loop once more.
   */
  private void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    do {
      while (true) {
        WatchItem next = null;
        boolean fetch = false;
        MultiEmitter<? super WatchItem> out;
        synchronized (this) {
          out = emitter;
          if (out == null || closed) {
            break;
          }
          if (!queue.isEmpty() && out.requested() > 0) {
            next = queue.poll();
          } else if (queue.isEmpty()
              && !fetching
              && (phase == Phase.REPLAY || phase == Phase.CATCH_UP)) {
            fetching = true;
            fetch = true;
          }
        }
        if (fetch) {
          fetchNext();
        }
        if (next == null) {
          break;
        }
        lastActivity = System.nanoTime();
        out.emit(next);
        if (next instanceof Event) {
          owner.sent();
        } else if (next instanceof End) {
          out.complete();
          break;
        }
      }
    } while (wip.decrementAndGet() != 0);
  }

  private void fetchNext() {
    Phase now;
    synchronized (this) {
      now = phase;
    }
    Uni<Void> step = now == Phase.REPLAY ? replayPage() : catchUp();
    step.subscribe()
        .with(
            ok -> fetched(),
            failure -> {
              synchronized (this) {
                end("unavailable", "the storage backend failed; resume from the last event id");
              }
              fetched();
            });
  }

  private void fetched() {
    synchronized (this) {
      fetching = false;
    }
    pump();
  }

  private Uni<Void> replayPage() {
    return feed.replay(
            tenant, id, prefix, replayAfter, history ? HISTORY_KEYS : REPLAY_KEYS, history)
        .invoke(
            page -> {
              synchronized (this) {
                if (phase != Phase.REPLAY) {
                  return;
                }
                if (page == null) {
                  end("bucket_deleted", "the bucket was deleted");
                  return;
                }
                for (Change c : page.changes()) {
                  queue.add(new Event(c, true));
                  if (c.revision() > start) {
                    replayed.merge(c.key(), c.revision(), Math::max);
                  }
                }
                replayAfter = page.next();
                if (page.next() == null) {
                  queue.add(new ReplayComplete(start));
                  phase = Phase.CATCH_UP;
                }
              }
            })
        .replaceWithVoid();
  }

  private Uni<Void> catchUp() {
    long after;
    synchronized (this) {
      if (phase != Phase.CATCH_UP) {
        return Uni.createFrom().voidItem();
      }
      after = lastSent;
    }
    if (feed.join(id, after, this) < 0) {
      synchronized (this) {
        if (phase == Phase.CATCH_UP) {
          phase = Phase.LIVE;
        }
      }
      return Uni.createFrom().voidItem();
    }
    return feed.changes(id, after, CATCH_UP)
        .invoke(
            kept -> {
              synchronized (this) {
                if (phase != Phase.CATCH_UP) {
                  return;
                }
                if (kept.isEmpty() || kept.get(0).revision() > after + 1) {
                  end(
                      "resume_too_old",
                      "changes after revision "
                          + after
                          + " are no longer kept; start a new watch with mode=snapshot");
                  return;
                }
                for (Change c : kept) {
                  offer(c);
                }
              }
            })
        .replaceWithVoid();
  }

  private void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      phase = Phase.ENDED;
      queue.clear();
    }
    feed.leave(id, this);
    owner.closed(this);
  }
}
