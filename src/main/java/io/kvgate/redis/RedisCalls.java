package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
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

/**
 * The one way the service talks to Redis: scripts by SHA (sent whole after a NOSCRIPT), plain
 * commands, a deadline on each call, and Redis failures turned into 503 {@code unavailable}.
 */
@Singleton
public class RedisCalls {
  private static final List<String> UNAVAILABLE_REPLIES =
      List.of("OOM", "LOADING", "BUSY", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "TRYAGAIN");

  private final Redis redis;
  private final Duration timeout;

  RedisCalls(ReactiveRedisDataSource dataSource, KvgateConfig config) {
    this.redis = dataSource.getRedis().getDelegate();
    this.timeout = config.storage().timeout();
  }

  /** Runs a script on {@code keys} with arguments that are each a String, byte[] or long. */
  Uni<Response> script(Script script, List<String> keys, Object... args) {
    return send(scriptRequest(Command.EVALSHA, script.sha(), keys, args))
        .onFailure(RedisCalls::isNoScript)
        .recoverWithUni(() -> send(scriptRequest(Command.EVAL, script.source(), keys, args)))
        .ifNoItem()
        .after(timeout)
        .failWith(RedisCalls::timedOut)
        .onFailure(t -> !(t instanceof KvException))
        .transform(t -> translate(script.name(), t));
  }

  /** Runs one command. */
  Uni<Response> command(Command command, String... args) {
    Request request = Request.cmd(command);
    for (String a : args) {
      request.arg(a);
    }
    return send(request)
        .ifNoItem()
        .after(timeout)
        .failWith(RedisCalls::timedOut)
        .onFailure(t -> !(t instanceof KvException))
        .transform(t -> translate(command.toString(), t));
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

  private Uni<Response> send(Request request) {
    return UniHelper.toUni(redis.send(request));
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
