package io.kvgate.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of three masters (no replicas) from {@code redis-server} processes on
 * loopback, joined with {@code redis-cli --cluster create}, each with its own throw-away dir.
 */
public final class RedisCluster {
  private final List<RedisServer> masters = new ArrayList<>();

  public RedisCluster() {
    for (int i = 0; i < 3; i++) {
      masters.add(
          new RedisServer(
              "--cluster-enabled", "yes",
              "--cluster-config-file", "nodes.conf",
              "--cluster-node-timeout", "2000"));
    }
  }

  public synchronized void start() {
    masters.forEach(RedisServer::start);
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (RedisServer m : masters) {
      cmd.add("127.0.0.1:" + m.port());
    }
    cmd.add("--cluster-yes");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(masters.get(0).dir().resolve("cluster-create.log").toFile())
              .start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + cmd);
      }
    } catch (IOException e) {
      throw new IllegalStateException("redis-cli is not on the PATH", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    long deadline = System.currentTimeMillis() + 20_000;
    while (!allOk()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the cluster did not reach cluster_state:ok");
      }
      sleep(100);
    }
  }

  private boolean allOk() {
    for (RedisServer m : masters) {
      Object info = Resp.call(m.port(), "CLUSTER", "INFO");
      if (!(info instanceof String s) || !s.contains("cluster_state:ok")) {
        return false;
      }
    }
    return true;
  }

  public List<RedisServer> masters() {
    return masters;
  }

  /** The seed list for {@code quarkus.redis.hosts}. */
  public String hosts() {
    return masters.stream().map(RedisServer::uri).collect(Collectors.joining(","));
  }

  /** The hash slot of a key, as the cluster computes it. */
  public long keySlot(String key) {
    return (Long) Resp.call(masters.get(0).port(), "CLUSTER", "KEYSLOT", key);
  }

  /** Every key the cluster holds in one slot (asked of each master; only its owner has any). */
  @SuppressWarnings("unchecked")
  public List<String> keysInSlot(long slot) {
    List<String> keys = new ArrayList<>();
    for (RedisServer m : masters) {
      Object r = Resp.call(m.port(), "CLUSTER", "GETKEYSINSLOT", Long.toString(slot), "100000");
      if (r instanceof List<?> l) {
        keys.addAll((List<String>) l);
      }
    }
    return keys;
  }

  /** Every key on every master that matches a glob (SCAN: a test's look, never the service's). */
  @SuppressWarnings("unchecked")
  public List<String> scan(String glob) {
    List<String> keys = new ArrayList<>();
    for (RedisServer m : masters) {
      String cursor = "0";
      do {
        List<Object> r =
            (List<Object>) Resp.call(m.port(), "SCAN", cursor, "MATCH", glob, "COUNT", "1000");
        cursor = (String) r.get(0);
        keys.addAll((List<String>) r.get(1));
      } while (!cursor.equals("0"));
    }
    return keys;
  }

  public void close() {
    masters.forEach(RedisServer::close);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
