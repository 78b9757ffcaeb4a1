package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one way the service talks to Redis: scripts by SHA (sent whole after a NOSCRIPT), plain
 * commands, a deadline on each call, and Redis failures turned into 503 {@code unavailable}. A call
 * stays in Vert.x futures up to one Uni at the end, with its deadline a timer on the caller's event
 * loop: each Mutiny operator on this path cost every request a context capture, and Mutiny's
 * timeouts a hand-off to its scheduler thread (seen in the JFR profile of GETs).
 */
@Singleton
public class RedisCalls {
  private static final List<String> UNAVAILABLE_REPLIES =
      List.of("OOM", "LOADING", "BUSY", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "TRYAGAIN");

  private final Redis redis;
  private final Vertx vertx;
  private final long timeoutMs;

  RedisCalls(ReactiveRedisDataSource dataSource, Vertx vertx, KvgateConfig config) {
    this.redis = dataSource.getRedis().getDelegate();
    this.vertx = vertx;
    Duration timeout = config.storage().timeout();
    this.timeoutMs = Math.max(1, timeout.toMillis());
  }

  /** Runs a script on {@code keys} with arguments that are each a String, byte[] or long. */
  Uni<Response> script(Script script, List<String> keys, Object... args) {
    return call(
        script.name(),
        () ->
            redis
                .send(scriptRequest(Command.EVALSHA, script.sha(), keys, args))
                .recover(
                    t ->
                        isNoScript(t)
                            ? redis.send(scriptRequest(Command.EVAL, script.source(), keys, args))
                            : Future.failedFuture(t)));
  }

  /** Runs one command. */
  Uni<Response> command(Command command, String... args) {
    Request request = Request.cmd(command);
    for (String a : args) {
      request.arg(a);
    }
    return call(command.toString(), () -> redis.send(request));
  }

  /**
   * Sends when subscribed; fails with 503 after the deadline, or with the Redis failure turned into
   * a KvException. The deadline is a timer on the current event loop, else a Vert.x timer.
   */
  private Uni<Response> call(String what, Supplier<Future<Response>> send) {
    return Uni.createFrom()
        .emitter(
            em -> {
              Context context = Vertx.currentContext();
              Runnable expire = () -> em.fail(timedOut());
              ScheduledFuture<?> onLoop = null;
              long timer = -1;
              if (context instanceof ContextInternal internal && context.isEventLoopContext()) {
                onLoop =
                    internal
                        .nettyEventLoop()
                        .schedule(
                            () -> internal.runOnContext(v -> expire.run()),
                            timeoutMs,
                            TimeUnit.MILLISECONDS);
              } else {
                timer = vertx.setTimer(timeoutMs, id -> expire.run());
              }
              ScheduledFuture<?> scheduled = onLoop;
              long timerId = timer;
              send.get()
                  .onComplete(
                      ar -> {
                        if (scheduled != null) {
                          scheduled.cancel(false);
                        } else {
                          vertx.cancelTimer(timerId);
                        }
                        if (ar.succeeded()) {
                          em.complete(ar.result());
                        } else {
                          Throwable t = ar.cause();
                          em.fail(t instanceof KvException ? t : translate(what, t));
                        }
                      });
            });
  }

  /** A hash reply as a map, whether Redis answered in RESP3 (a map) or RESP2 (a flat list). */
  static Map<String, String> hash(Response r) {
    Map<String, String> m = new HashMap<>();
    if (r == null) {
      return m;
    }
    if (r.isMap()) {
      for (String k : r.getKeys()) {
        m.put(k, r.get(k).toString());
      }
      return m;
    }
    for (int i = 0; i + 1 < r.size(); i += 2) {
      m.put(r.get(i).toString(), r.get(i + 1).toString());
    }
    return m;
  }

  private static Request scriptRequest(
      Command command, String script, List<String> keys, Object... args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    for (String k : keys) {
      request.arg(k);
    }
    for (Object a : args) {
      if (a instanceof byte[] bytes) {
        request.arg(bytes);
      } else if (a instanceof Long n) {
        request.arg(n);
      } else if (a instanceof Integer n) {
        request.arg(n);
      } else {
        request.arg(String.valueOf(a));
      }
    }
    return request;
  }

  private static boolean isNoScript(Throwable t) {
    return t instanceof ErrorType e && e.is("NOSCRIPT");
  }

  private static KvException timedOut() {
    return KvException.unavailable("the storage backend did not answer in time, try again later");
  }

  private static Throwable translate(String what, Throwable t) {
    if (t instanceof ErrorType e) {
      for (String reply : UNAVAILABLE_REPLIES) {
        if (e.is(reply)) {
          Log.warnf("Redis refused %s: %s", what, e.getMessage());
          return KvException.unavailable(null);
        }
      }
      Log.errorf(t, "Redis error in %s", what);
      return new KvException(ErrorCode.INTERNAL_ERROR, null);
    }
    Log.debugf("Redis unreachable in %s: %s", what, t.toString());
    return KvException.unavailable(null);
  }
}
