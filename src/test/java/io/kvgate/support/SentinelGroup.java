package io.kvgate.support;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Sentinel group on loopback: one master, two replicas and three Sentinels (quorum 2) that
 * declare the master down after a second and promote a replica.
 */
public final class SentinelGroup {
  public static final String MASTER_NAME = "kvgate-master";

  private final RedisServer master = new RedisServer();
  private final List<RedisServer> replicas = new ArrayList<>();
  private final List<RedisServer> sentinels = new ArrayList<>();

  public SentinelGroup() {
    for (int i = 0; i < 2; i++) {
      replicas.add(new RedisServer("--replicaof", "127.0.0.1", Integer.toString(master.port())));
    }
    for (int i = 0; i < 3; i++) {
      sentinels.add(RedisServer.sentinel(MASTER_NAME, master.port(), 2));
    }
  }

  public synchronized void start() {
    master.start();
    replicas.forEach(RedisServer::start);
    sentinels.forEach(RedisServer::start);
    long deadline = System.currentTimeMillis() + 30_000;
    while (!ready()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the Sentinel group did not come together");
      }
      sleep(100);
    }
  }

  /** Both replicas in sync and every Sentinel sees the other two and can reach a quorum. */
  private boolean ready() {
    Object info = Resp.call(master.port(), "INFO", "replication");
    if (!(info instanceof String s) || !s.contains("connected_slaves:2")) {
      return false;
    }
    if (s.split("state=online", -1).length - 1 < 2) {
      return false;
    }
    for (RedisServer sentinel : sentinels) {
      Object ok = Resp.call(sentinel.port(), "SENTINEL", "CKQUORUM", MASTER_NAME);
      if (!(ok instanceof String q) || !q.startsWith("OK 3")) {
        return false;
      }
    }
    return true;
  }

  public RedisServer master() {
    return master;
  }

  public List<RedisServer> replicas() {
    return replicas;
  }

  /** The seed list for {@code quarkus.redis.hosts}: the Sentinels. */
  public String hosts() {
    return sentinels.stream().map(RedisServer::uri).collect(Collectors.joining(","));
  }

  /** The port of the master the Sentinels name now (-1 when they cannot say). */
  @SuppressWarnings("unchecked")
  public int masterPort() {
    Object r =
        Resp.call(sentinels.get(0).port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
    if (r instanceof List<?> l && l.size() == 2) {
      return Integer.parseInt((String) ((List<Object>) l).get(1));
    }
    return -1;
  }

  /** Connections the Sentinels (all together) and the master have accepted so far. */
  public long[] connectionsReceived() {
    long sentinelTotal = 0;
    for (RedisServer sentinel : sentinels) {
      sentinelTotal += connections(sentinel.port());
    }
    return new long[] {sentinelTotal, connections(master.port())};
  }

  private static long connections(int port) {
    Object stats = Resp.call(port, "INFO", "stats");
    for (String line : ((String) stats).split("\\r?\\n")) {
      if (line.startsWith("total_connections_received:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return -1;
  }

  public void close() {
    sentinels.forEach(RedisServer::close);
    replicas.forEach(RedisServer::close);
    master.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
