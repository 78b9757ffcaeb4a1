package io.kvgate.redis;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import io.vertx.redis.client.impl.types.ErrorType;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One Redis connection per event loop, shared by every request that loop serves: their commands go
 * out pipelined and their replies come back in the same reads. Redis then answers many commands per
 * system call instead of one, which is most of its cost per command at this size, and the reply
 * arrives on the loop that asked (a pooled connection may live on another). A connection that
 * fails, or whose reply is overdue, is dropped and the next call opens another, so an outage or a
 * failover heals without a restart.
 *
 * <p>The connections come from a client of their own, built from the options Quarkus built for its
 * default client ({@link RedisOptionsCapture}), so that a connection is opened on the loop that
 * will use it. Calls from other threads (workers), and commands that hold their connection (WAIT,
 * blocking reads), keep using Quarkus' pool.
 */
@RegisterForReflection(targets = RedisStandaloneConnection.class)
final class SharedConnections {
  /** How the client fails a call on a connection it already knows is closed. */
  private static final String NOT_SENT = "Connection is closed";

  private final Redis pool;
  private final Vertx vertx;
  private final RedisOptionsCapture options;
  private final Map<Object, Slot> slots = new ConcurrentHashMap<>();
  private volatile Redis client;

  SharedConnections(Redis pool, Vertx vertx, RedisOptionsCapture options) {
    this.pool = pool;
    this.vertx = vertx;
    this.options = options;
  }

  /** Sends a request on the caller's event loop's connection, or through the pool off a loop. */
  Future<Response> send(Request request) {
    Slot slot = slot();
    return slot == null ? pool.send(request) : slot.send(request);
  }

  /**
   * Drops the caller's event loop's connection after a reply did not come in time: a connection
   * that stopped answering (a peer gone without a reset) would otherwise hold every later call.
   */
  void overdue() {
    Slot slot = slot();
    if (slot != null) {
      slot.drop(slot.connection, "a reply is overdue");
    }
  }

  private Slot slot() {
    Context context = Vertx.currentContext();
    if (!(context instanceof ContextInternal internal) || !context.isEventLoopContext()) {
      return null;
    }
    return slots.computeIfAbsent(internal.nettyEventLoop(), loop -> new Slot());
  }

  /** Closes the shared connections' own client (at shutdown). */
  void close() {
    Redis c = client;
    if (c != null && c != pool) {
      c.close();
    }
  }

  private Redis client() {
    Redis c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          RedisOptions o = options.options();
          c = o == null ? pool : Redis.createClient(vertx, o.setPoolName("kvgate-shared"));
          client = c;
        }
      }
    }
    return c;
  }

  /** The connection of one event loop. */
  private final class Slot {
    // Touched by its loop, and by a closing connection's handlers (on the loop that opened it).
    private volatile Future<RedisConnection> connection;

    Future<Response> send(Request request) {
      return on(c -> c.send(request), () -> pool.send(request), true);
    }

    /**
     * Runs a call on this loop's connection; a full pipeline (thousands waiting on this loop)
     * spills over to the pool. A connection found closed before the call was written is replaced
     * and the call made once more: nothing of it reached Redis.
     */
    private <T> Future<T> on(
        Function<RedisConnection, Future<T>> call, Supplier<Future<T>> spill, boolean retry) {
      Future<RedisConnection> used = connect();
      Future<T> reply;
      if (used.succeeded()) {
        RedisConnection c = used.result();
        reply = c.pendingQueueFull() ? spill.get() : call.apply(c);
      } else {
        // Made on the caller's context: a reply handed over from the connect's (another
        // request's) context would run this request's continuation outside its own request scope.
        Promise<T> handover = ((ContextInternal) Vertx.currentContext()).promise();
        used.onComplete(
            ar -> {
              if (ar.failed()) {
                handover.fail(ar.cause());
              } else {
                call.apply(ar.result()).onComplete(handover);
              }
            });
        reply = handover.future();
      }
      return reply.recover(
          t -> {
            if (!broken(t)) {
              return Future.failedFuture(t);
            }
            drop(used, t.getMessage());
            if (!retry || !NOT_SENT.equals(t.getMessage())) {
              return Future.failedFuture(t);
            }
            // Once more, on this request's context (recover runs there), on a fresh connection.
            return on(call, spill, false);
          });
    }

    private Future<RedisConnection> connect() {
      Future<RedisConnection> held = connection;
      if (held == null || held.failed()) {
        Future<RedisConnection> fresh =
            client().connect().map(SharedConnections::consolidateFlushes);
        // A connection that closes (Redis stopped, a failover) is let go at once, not at its
        // next call.
        fresh.onSuccess(
            c -> {
              c.endHandler(end -> drop(fresh, "closed"));
              c.exceptionHandler(t -> drop(fresh, t.getMessage()));
            });
        held = fresh;
        connection = held;
      }
      return held;
    }

    void drop(Future<RedisConnection> which, String why) {
      if (which == null || connection != which) {
        return;
      }
      connection = null;
      if (which.succeeded()) {
        Log.debugf("shared Redis connection dropped: %s", why);
        RedisConnection c = which.result();
        if (c instanceof PooledRedisConnection pooled) {
          // The socket itself: a pooled connection's close() would only return it to the pool.
          pooled.actual().forceClose();
        } else {
          c.close();
        }
      }
    }
  }

  /**
   * Lets the commands a loop sends while it handles a batch of requests leave in one write: each
   * command's flush would otherwise be a system call of its own, which costs the service as much as
   * its whole share of the reply. Netty's {@link FlushConsolidationHandler} holds the flushes until
   * the loop has run its current tasks (or 256 of them pile up), so no command waits longer than
   * the loop's turn. The socket is not part of the client's API: if it cannot be reached (a Cluster
   * or Sentinel connection, another client version), the connection works as it is.
   */
  private static RedisConnection consolidateFlushes(RedisConnection c) {
    try {
      if (c instanceof PooledRedisConnection pooled
          && pooled.actual() instanceof RedisStandaloneConnection standalone) {
        Field f = RedisStandaloneConnection.class.getDeclaredField("netSocket");
        f.setAccessible(true);
        if (f.get(standalone) instanceof NetSocketInternal socket) {
          ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
          if (pipeline.get(FlushConsolidationHandler.class) == null) {
            pipeline.addFirst(new FlushConsolidationHandler(256, true));
          }
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      Log.debugf("Redis flushes not consolidated: %s", e.toString());
    }
    return c;
  }

  /**
   * Whether a failure says the connection itself is gone or points at a server that is no longer
   * the right one, rather than a refusal of this one command.
   */
  private static boolean broken(Throwable t) {
    if (!(t instanceof ErrorType e)) {
      return true;
    }
    return RedisCalls.connectionClosed(e)
        || RedisCalls.refusedWith(e, "READONLY")
        || RedisCalls.refusedWith(e, "MASTERDOWN")
        || RedisCalls.refusedWith(e, "MOVED")
        || RedisCalls.refusedWith(e, "CLUSTERDOWN");
  }
}
