package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.kvgate.core.BucketRef;
import io.kvgate.core.Change;
import io.kvgate.core.ChangeFeed;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.ZModem;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The change feed on Redis. Each bucket's changes are a capped stream whose ids are revisions,
 * appended by the same script as the change. One reader per replica follows the streams of every
 * bucket watched here with a blocking XREAD on a connection of its own, and passes each batch to
 * that bucket's listeners: one Redis read serves all watchers of a bucket, however many. When the
 * watched set grows, the blocked read is cut short (CLIENT UNBLOCK) so the new stream joins it.
 *
 * <p>On Redis Cluster one command cannot read streams of different slots, and a blocked read would
 * hold a connection per slot; there the reader polls instead: every {@code
 * kvgate.watch.cluster-poll-interval} it sends one non-blocking XREAD per slot of the watched
 * streams (each to that slot's master), and reads again at once while any of them had changes.
 */
@Singleton
public class RedisChangeFeed implements ChangeFeed {
  private static final long BLOCK_MS = 2000;
  private static final int READ_COUNT = 1000;
  private static final long RECONNECT_MS = 1000;
  private static final int UNBLOCK_TRIES = 20;
  private static final int POLL_CONCURRENCY = 16;

  private final RedisKvStore store;
  private final KeySpace keys;
  private final RedisCalls calls;
  private final Redis client;
  private final Vertx vertx;
  private final Duration timeout;
  private final boolean cluster;
  private final long pollMs;
  private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong reads = new AtomicLong();
  private volatile RedisConnection connection;
  private volatile long clientId = -1;
  private volatile boolean blocked;
  private volatile boolean stopped;

  RedisChangeFeed(
      RedisKvStore store,
      KeySpace keys,
      RedisCalls calls,
      ReactiveRedisDataSource dataSource,
      Vertx vertx,
      KvgateConfig config) {
    this.store = store;
    this.keys = keys;
    this.calls = calls;
    this.client = dataSource.getRedis().getDelegate();
    this.vertx = vertx;
    this.timeout = config.storage().timeout();
    this.cluster = calls.cluster();
    this.pollMs = Math.max(1, config.watch().clusterPollInterval().toMillis());
  }

  /** One watched bucket: where the reader is in its stream, and who listens. */
  private static final class Feed {
    final String id;
    final String key;
    final Set<Listener> listeners = new LinkedHashSet<>();
    long position;
    boolean closed;

    Feed(String id, String key, long position) {
      this.id = id;
      this.key = key;
      this.position = position;
    }
  }

  @Override
  public Uni<Start> open(BucketRef ref) {
    return store.watchStart(ref);
  }

  @Override
  public Uni<Replay> replay(
      String tenant, String id, String prefix, String after, int limit, boolean history) {
    return store.watchReplay(tenant, id, prefix, after, limit, history);
  }

  @Override
  public Uni<List<Change>> changes(String id, long after, int count) {
    return store.changes(id, after, count);
  }

  @Override
  public long join(String id, long after, Listener listener) {
    while (true) {
      boolean[] created = {false};
      Feed f =
          feeds.computeIfAbsent(
              id,
              k -> {
                created[0] = true;
                return new Feed(k, keys.changes(k), after);
              });
      synchronized (f) {
        if (f.closed) {
          continue;
        }
        if (after < f.position) {
          return f.position;
        }
        f.listeners.add(listener);
      }
      if (created[0]) {
        wake();
      }
      return -1;
    }
  }

  @Override
  public void leave(String id, Listener listener) {
    Feed f = feeds.get(id);
    if (f == null) {
      return;
    }
    synchronized (f) {
      f.listeners.remove(listener);
      if (f.listeners.isEmpty() && !f.closed) {
        f.closed = true;
        feeds.remove(id, f);
      }
    }
  }

  /** Starts the reader, or cuts its blocked read short so that it reads a new stream too. */
  private void wake() {
    if (running.compareAndSet(false, true)) {
      if (cluster) {
        poll();
      } else {
        run();
      }
    } else if (!cluster) {
      unblock(reads.get(), UNBLOCK_TRIES);
    }
  }

  /** Cluster: one non-blocking read per slot of the watched streams, then a pause if all idle. */
  private void poll() {
    if (stopped || feeds.isEmpty()) {
      running.set(false);
      if (!stopped && !feeds.isEmpty() && running.compareAndSet(false, true)) {
        poll();
      }
      return;
    }
    Map<Integer, List<Feed>> bySlot = new HashMap<>();
    for (Feed f : feeds.values()) {
      bySlot.computeIfAbsent(ZModem.generate(f.key), slot -> new ArrayList<>()).add(f);
    }
    List<Uni<Boolean>> polls = new ArrayList<>(bySlot.size());
    for (List<Feed> group : bySlot.values()) {
      Map<String, Feed> byKey = new HashMap<>();
      Request request = xread(group, byKey, false);
      polls.add(
          UniHelper.toUni(client.send(request))
              .ifNoItem()
              .after(timeout)
              .fail()
              .map(
                  reply -> {
                    dispatch(reply, byKey);
                    return reply != null;
                  })
              .onFailure()
              .recoverWithItem(
                  failure -> {
                    Log.debugf("polling change streams failed: %s", failure.toString());
                    return false;
                  }));
    }
    Uni.join()
        .all(polls)
        .usingConcurrencyOf(POLL_CONCURRENCY)
        .andFailFast()
        .subscribe()
        .with(
            found -> vertx.setTimer(found.contains(true) ? 1 : pollMs, t -> poll()),
            failure -> vertx.setTimer(pollMs, t -> poll()));
  }

  /** An XREAD of the given feeds from their positions, blocking or not. */
  private Request xread(List<Feed> watched, Map<String, Feed> byKey, boolean block) {
    Request request = Request.cmd(Command.XREAD).arg("COUNT").arg(READ_COUNT);
    if (block) {
      request.arg("BLOCK").arg(BLOCK_MS);
    }
    request.arg("STREAMS");
    for (Feed f : watched) {
      request.arg(f.key);
      byKey.put(f.key, f);
    }
    for (Feed f : watched) {
      synchronized (f) {
        request.arg(f.position + "-0");
      }
    }
    return request;
  }

  /**
   * Cuts short the read numbered {@code read} when it is still blocked. The unblock may reach Redis
   * before that read does (they go on different connections), so it is tried again shortly.
   */
  private void unblock(long read, int tries) {
    long id = clientId;
    if (id < 0 || !blocked || reads.get() != read || tries == 0) {
      return;
    }
    calls
        .command(Command.CLIENT, "UNBLOCK", Long.toString(id))
        .subscribe()
        .with(
            r -> {
              if (r != null && r.toInteger() == 0) {
                vertx.setTimer(5, t -> unblock(read, tries - 1));
              }
            },
            failure -> Log.debugf("unblocking the change reader failed: %s", failure.toString()));
  }

  private void run() {
    if (connection != null) {
      read();
      return;
    }
    UniHelper.toUni(client.connect())
        .chain(
            c -> {
              connection = c;
              c.exceptionHandler(e -> Log.debugf("change reader connection: %s", e.toString()));
              return UniHelper.toUni(c.send(Request.cmd(Command.CLIENT).arg("ID")));
            })
        .subscribe()
        .with(
            id -> {
              clientId = id.toLong();
              read();
            },
            this::failed);
  }

  private void read() {
    if (stopped || feeds.isEmpty()) {
      running.set(false);
      // A watcher may have joined between the check and the flag.
      if (!stopped && !feeds.isEmpty() && running.compareAndSet(false, true)) {
        read();
      }
      return;
    }
    Map<String, Feed> byKey = new HashMap<>();
    Request request = xread(new ArrayList<>(feeds.values()), byKey, true);
    reads.incrementAndGet();
    blocked = true;
    UniHelper.toUni(connection.send(request))
        .ifNoItem()
        .after(Duration.ofMillis(BLOCK_MS).plus(timeout))
        .fail()
        .subscribe()
        .with(
            reply -> {
              blocked = false;
              dispatch(reply, byKey);
              read();
            },
            this::failed);
  }

  /** Passes each stream's new changes to its bucket's listeners, in order. */
  private void dispatch(Response reply, Map<String, Feed> byKey) {
    if (reply == null) {
      return;
    }
    if (reply.isMap()) {
      for (String key : reply.getKeys()) {
        deliver(byKey.get(key), Records.changes(reply.get(key)));
      }
      return;
    }
    for (Response stream : reply) {
      deliver(byKey.get(stream.get(0).toString()), Records.changes(stream.get(1)));
    }
  }

  private void deliver(Feed f, List<Change> changes) {
    if (f == null || changes.isEmpty()) {
      return;
    }
    List<Listener> targets;
    boolean gap;
    synchronized (f) {
      if (f.closed) {
        return;
      }
      gap = changes.get(0).revision() > f.position + 1;
      f.position = changes.get(changes.size() - 1).revision();
      targets = new ArrayList<>(f.listeners);
      if (gap) {
        f.closed = true;
        feeds.remove(f.id, f);
      }
    }
    for (Listener l : targets) {
      if (gap) {
        l.lost();
      } else {
        l.changes(changes);
      }
    }
  }

  /** The reader lost Redis: it reconnects after a pause and reads on from each feed's position. */
  private void failed(Throwable failure) {
    blocked = false;
    Log.debugf("the change reader lost Redis, reconnecting: %s", failure.toString());
    RedisConnection c = connection;
    connection = null;
    clientId = -1;
    if (c != null) {
      c.close();
    }
    if (!stopped) {
      vertx.setTimer(RECONNECT_MS, t -> run());
    } else {
      running.set(false);
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    stopped = true;
    RedisConnection c = connection;
    if (c != null) {
      c.close();
    }
  }
}
