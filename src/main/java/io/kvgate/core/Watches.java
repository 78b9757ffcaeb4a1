package io.kvgate.core;

import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens watches and keeps the ones this replica serves: their number bounded, keep-alives sent to
 * the silent ones, and their metrics ({@code kvgate_watch_open}, {@code
 * kvgate_watch_events_sent_total}, {@code kvgate_watch_events_dropped_total}).
 */
// Started eagerly so that its meters are there before the first watch.
@Startup
@ApplicationScoped
public class Watches {
  /** How often credentials are checked: within the contract's one second for a revoked key. */
  private static final Duration CREDENTIAL_CHECK = Duration.ofMillis(600);

  private final ChangeFeed feed;
  private final Credentials credentials;
  private volatile Instant nextCredentialCheck = Instant.EPOCH;
  private final int bufferLimit;
  private final int maxWatchers;
  private final long keepAliveNanos;
  private final Set<Watch> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger count = new AtomicInteger();
  private final Counter sent;
  private final Counter dropped;
  private final Vertx vertx;
  private long timer = -1;
  private volatile boolean stopping;

  Watches(
      ChangeFeed feed,
      Credentials credentials,
      KvgateConfig config,
      MeterRegistry registry,
      Vertx vertx) {
    this.feed = feed;
    this.credentials = credentials;
    this.bufferLimit = config.watch().bufferEvents();
    this.maxWatchers = config.watch().maxWatchers();
    this.keepAliveNanos = config.watch().keepAlive().toNanos();
    this.vertx = vertx;
    Gauge.builder("kvgate.watch.open", count, AtomicInteger::get)
        .description("Watch streams this replica serves now")
        .register(registry);
    this.sent =
        Counter.builder("kvgate.watch.events.sent")
            .description("Change events passed on to watchers")
            .register(registry);
    this.dropped =
        Counter.builder("kvgate.watch.events.dropped")
            .description("Change events dropped because their watcher read too slowly")
            .register(registry);
  }

  /**
   * Opens a watch of a bucket: fails with 404 when the bucket is missing and 503 when this replica
   * serves its most watchers; otherwise the stream of what the watch sends, which ends with an
   * {@link WatchItem.End} or when the client goes.
   */
  public Uni<Multi<WatchItem>> open(
      BucketRef ref, Credentials.Held held, Watch.Mode mode, String prefix, Long resumeAfter) {
    if (count.get() >= maxWatchers) {
      return Uni.createFrom()
          .failure(
              new KvException(
                  ErrorCode.UNAVAILABLE,
                  "this replica serves its most watchers (" + maxWatchers + "); try again later"));
    }
    return feed.open(ref)
        .onItem()
        .ifNull()
        .failWith(() -> new KvException.BucketMissing(ref.label()))
        .map(
            start ->
                Multi.createFrom()
                    .emitter(
                        emitter -> {
                          Watch w =
                              new Watch(
                                  this,
                                  feed,
                                  ref.tenant(),
                                  held,
                                  start,
                                  mode,
                                  prefix,
                                  resumeAfter,
                                  bufferLimit);
                          opened(w);
                          w.attach(emitter);
                          if (stopping) {
                            // Opened while the replica stops: it ends at once, like the others.
                            stopForShutdown(w);
                          }
                        }));
  }

  void sent() {
    sent.increment();
  }

  void dropped(int events) {
    dropped.increment(events);
  }

  private synchronized void opened(Watch w) {
    open.add(w);
    count.incrementAndGet();
    if (timer < 0) {
      long every = Math.max(100, Math.min(300, keepAliveNanos / 1_000_000 / 2));
      timer = vertx.setPeriodic(every, t -> tick());
    }
  }

  /**
   * Sends keep-alives and ends the watches whose credential no longer holds: a token past its
   * expiry, or an API key revoked or expired (each key checked once, however many watches use it).
   */
  private void tick() {
    Instant now = Instant.now();
    if (now.isBefore(nextCredentialCheck)) {
      open.forEach(w -> w.keepAlive(keepAliveNanos));
      return;
    }
    nextCredentialCheck = now.plus(CREDENTIAL_CHECK);
    Map<String, List<Watch>> byKey = new HashMap<>();
    for (Watch w : open) {
      w.keepAlive(keepAliveNanos);
      Credentials.Held h = w.held();
      if (h.expiresAt() != null && !now.isBefore(h.expiresAt())) {
        w.stop("credential_expired", "the credential this watch was opened with has expired");
      } else if (h.apiKeyHash() != null) {
        byKey.computeIfAbsent(h.apiKeyHash(), k -> new ArrayList<>()).add(w);
      }
    }
    byKey.forEach(
        (hash, watches) ->
            credentials
                .stillValid(hash)
                .subscribe()
                .with(
                    valid -> {
                      if (!valid) {
                        watches.forEach(
                            w ->
                                w.stop(
                                    "credential_revoked",
                                    "the API key this watch was opened with is revoked or"
                                        + " expired"));
                      }
                    },
                    failure -> {
                      // Redis is unreachable: the next check decides.
                    }));
  }

  synchronized void closed(Watch w) {
    if (open.remove(w)) {
      count.decrementAndGet();
    }
    if (open.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /**
   * Ends the watches when the shutdown delay begins: a watch is a request in flight, so the HTTP
   * server's graceful shutdown would otherwise wait its whole timeout for it.
   */
  void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
    stopAll();
  }

  void onStop(@Observes ShutdownEvent event) {
    stopAll();
  }

  private void stopAll() {
    stopping = true;
    for (Watch w : open) {
      stopForShutdown(w);
    }
  }

  private static void stopForShutdown(Watch w) {
    w.stop("shutting_down", "this replica is shutting down; resume from the last event id");
  }
}
