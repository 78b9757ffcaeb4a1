package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.future.FutureInternal;
import io.vertx.core.impl.future.PromiseInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one way the service talks to Redis: scripts by SHA (sent whole after a NOSCRIPT, so a Cluster
 * master or a promoted replica that never saw the script still runs it), plain commands, a deadline
 * on each call, and Redis failures turned into 503 {@code unavailable}. With {@code
 * kvgate.storage.wait-replicas} set, an acknowledged write is followed by {@code WAIT} on the same
 * connection, and one the replicas do not confirm in time answers 503.
 */
@Singleton
public class RedisCalls {
  private static final List<String> UNAVAILABLE_REPLIES =
      List.of(
          "OOM",
          "LOADING",
          "BUSY",
          "MASTERDOWN",
          "READONLY",
          "CLUSTERDOWN",
          "TRYAGAIN",
          // A slot moved (Cluster failover or resharding): the client's slot map catches up.
          "MOVED",
          "NOREPLICAS");

  private final Redis redis;
  private final SharedConnections shared;
  private final Duration timeout;
  private final int waitReplicas;
  private final long waitMs;

  private final boolean cluster;

  RedisCalls(
      ReactiveRedisDataSource dataSource,
      Vertx vertx,
      RedisOptionsCapture options,
      KvgateConfig config,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
          String clientType) {
    this.redis = dataSource.getRedis().getDelegate();
    this.shared = new SharedConnections(redis, vertx, options);
    this.cluster = "cluster".equalsIgnoreCase(clientType);
    this.timeout = config.storage().timeout();
    this.waitReplicas = Math.max(0, config.storage().waitReplicas());
    // WAIT 0 would block for ever.
    this.waitMs = Math.max(1, config.storage().waitTimeout().toMillis());
  }

  void stop(@Observes ShutdownEvent event) {
    shared.close();
  }

  /** Whether the service talks to a Redis Cluster, where no command may span slots. */
  boolean cluster() {
    return cluster;
  }

  /** Runs a script on {@code keys} with arguments that are each a String, byte[] or long. */
  Uni<Response> script(Script script, List<String> keys, Object... args) {
    boolean acknowledged = script.writes() && waitReplicas > 0;
    Future<Response> reply =
        send(scriptRequest(Command.EVALSHA, script.sha(), keys, args), acknowledged)
            .recover(
                t ->
                    isNoScript(t)
                        ? send(
                            scriptRequest(Command.EVAL, script.source(), keys, args), acknowledged)
                        : Future.failedFuture(t));
    return deadline(reply, script.name());
  }

  /**
   * Runs read-only commands together in one round trip; their replies in order. A command Redis
   * refuses fails them all.
   */
  Uni<List<Response>> pipeline(List<Request> requests) {
    // Sent one by one on the same connection, they leave together and are answered in order;
    // each keeps its own failure (a batch would fold them into one message).
    List<Future<Response>> replies = new ArrayList<>(requests.size());
    for (Request r : requests) {
      replies.add(shared.send(r));
    }
    Future<List<Response>> all = Future.all(replies).map(CompositeFuture::list);
    return deadline(all, requests.get(0).command().toString());
  }

  /** Runs one command. */
  Uni<Response> command(Command command, String... args) {
    return command(command, false, args);
  }

  /** Runs one command whose effect the client is told about (it waits for replicas if set). */
  Uni<Response> write(Command command, String... args) {
    return command(command, waitReplicas > 0, args);
  }

  private Uni<Response> command(Command command, boolean acknowledged, String... args) {
    Request request = Request.cmd(command);
    for (String a : args) {
      request.arg(a);
    }
    return deadline(send(request, acknowledged), command.toString());
  }

  /**
   * The reply as a Uni, failed with 503 when it takes longer than the storage timeout and with the
   * translated error when Redis refuses. The deadline is a timer on the caller's event loop, and
   * the calls above stay in Vert.x futures up to this one Uni: each Mutiny operator on the way
   * would capture and restore the request's context again.
   */
  private <T> Uni<T> deadline(Future<T> reply, String what) {
    Future<T> bounded = onCallersContext(reply).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return Uni.createFrom()
        .emitter(
            emitter ->
                bounded.onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        emitter.complete(ar.result());
                      } else {
                        if (ar.cause() instanceof TimeoutException) {
                          shared.overdue();
                        }
                        emitter.fail(failure(what, ar.cause()));
                      }
                    }));
  }

  /**
   * The reply as a future of the caller's context, when it has none of its own (Future.all and what
   * maps it have none). Future.timeout schedules its timer on the future's event loop; a future
   * without a context schedules it, and cancels it, on Netty's one global executor thread, and that
   * hand-off, a thread woken twice per call, took a sixth of the service's CPU per GET
   * (async-profiler, W1).
   */
  private static <T> Future<T> onCallersContext(Future<T> reply) {
    if (reply instanceof FutureInternal<T> internal && internal.context() != null) {
      return reply;
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      return reply;
    }
    PromiseInternal<T> promise = ((ContextInternal) context).promise();
    reply.onComplete(promise);
    return promise.future();
  }

  private static Throwable failure(String what, Throwable t) {
    if (t instanceof KvException) {
      return t;
    }
    if (t instanceof TimeoutException) {
      return timedOut();
    }
    return translate(what, t);
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

  /**
   * Sends a request; an acknowledged one goes in one batch with {@code WAIT}, so both use the same
   * connection (on Cluster, the one to the master of the request's slot) and WAIT counts the
   * replicas that have this write.
   */
  private Future<Response> send(Request request, boolean acknowledged) {
    if (!acknowledged) {
      return shared.send(request);
    }
    Request wait = Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitMs);
    return redis
        .batch(List.of(request, wait))
        .map(
            replies -> {
              long confirmed = replies.get(1).toLong();
              if (confirmed < waitReplicas) {
                Log.warnf(
                    "a write was confirmed by %d of %d replicas within %d ms: answered 503",
                    confirmed, waitReplicas, waitMs);
                throw KvException.unavailable(
                    "the write was not confirmed by enough replicas in time; it may or may not"
                        + " have been kept: read it back, or repeat it with If-Match");
              }
              return replies.get(0);
            });
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
    return "NOSCRIPT".equals(replyCode(t));
  }

  /**
   * The code of a Redis error reply ({@code NOSCRIPT}, {@code READONLY}, ...), or null for another
   * failure. An error inside a batch (a write with its WAIT) comes as {@code ERR [index] CODE ...}.
   */
  private static String replyCode(Throwable t) {
    if (!(t instanceof ErrorType e) || e.getMessage() == null) {
      return null;
    }
    String m = e.getMessage();
    if (m.startsWith("ERR [")) {
      int close = m.indexOf("] ");
      if (close > 0) {
        m = m.substring(close + 2);
      }
    }
    int space = m.indexOf(' ');
    return space < 0 ? m : m.substring(0, space);
  }

  /**
   * Whether a failure is the client's for a command whose connection closed under it, alone or
   * within a batch (whose failure lists each command's: {@code ERR [i] CONNECTION_CLOSED ...}).
   */
  static boolean connectionClosed(Throwable t) {
    return t instanceof ErrorType e && refusedWith(e, "CONNECTION_CLOSED");
  }

  /** Whether an error reply, or one command's within a failed batch, has this code. */
  static boolean refusedWith(ErrorType e, String code) {
    String m = e.getMessage();
    return e.is(code) || (m != null && m.startsWith("ERR [") && m.contains("] " + code));
  }

  /**
   * Whether a batch (a write with its WAIT) failed because Redis refused one of its commands as
   * unavailable or the connection failed under it (the client folds an I/O failure into the batch's
   * message as {@code ERR [i] java.net.SocketException: ...}).
   */
  private static boolean batchRefusal(ErrorType e) {
    String m = e.getMessage();
    if (m != null && m.startsWith("ERR [") && (m.contains("] java.") || m.contains("] io."))) {
      return true;
    }
    for (String code : UNAVAILABLE_REPLIES) {
      if (refusedWith(e, code)) {
        return true;
      }
    }
    return false;
  }

  private static KvException timedOut() {
    return KvException.unavailable("the storage backend did not answer in time, try again later");
  }

  private static Throwable translate(String what, Throwable t) {
    // The client's own error for the commands in flight when the connection drops (Redis stopped
    // or restarted): an outage like any other, not a bug.
    if (connectionClosed(t)) {
      Log.debugf("Redis connection closed during %s", what);
      return KvException.unavailable(null);
    }
    if (t instanceof ErrorType e) {
      if (UNAVAILABLE_REPLIES.contains(replyCode(e)) || batchRefusal(e)) {
        Log.warnf("Redis refused %s: %s", what, e.getMessage());
        return KvException.unavailable(null);
      }
      Log.errorf(t, "Redis error in %s", what);
      return new KvException(ErrorCode.INTERNAL_ERROR, null);
    }
    Log.debugf("Redis unreachable in %s: %s", what, t.toString());
    return KvException.unavailable(null);
  }
}
