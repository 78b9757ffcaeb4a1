package io.kvgate.topology;

import io.kvgate.support.RedisCluster;
import io.kvgate.support.RedisResource;
import io.kvgate.support.RedisServer;
import io.kvgate.support.SentinelGroup;
import io.kvgate.support.ThrowAwayCert;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis topologies the topology tests run the service on, each started once per test JVM from
 * real {@code redis-server} processes on loopback, and the test profiles that point the service at
 * them with quarkus-redis-client's own settings.
 */
final class Topologies {
  static final String ACL_USER = "kvgate-app";
  // A test-only password for a throw-away server.
  static final String ACL_PASSWORD = "test-only-acl-password";
  // The test's own look at the server (CLIENT LIST is beyond the service's user).
  static final String ADMIN_USER = "test-admin";
  static final String ADMIN_PASSWORD = "test-only-admin-password";

  private static RedisCluster cluster;
  private static SentinelGroup sentinels;
  private static RedisServer primary;
  private static RedisServer replica;
  private static RedisServer tls;
  private static RedisServer tlsFiles;
  private static int tlsPort;
  private static ThrowAwayCert cert;

  private Topologies() {}

  static synchronized RedisCluster cluster() {
    if (cluster == null) {
      cluster = new RedisCluster();
      cluster.start();
    }
    return cluster;
  }

  static synchronized SentinelGroup sentinels() {
    if (sentinels == null) {
      sentinels = new SentinelGroup();
      sentinels.start();
    }
    return sentinels;
  }

  /** A standalone master with one replica, for writes that wait for it. */
  static synchronized RedisServer primary() {
    if (primary == null) {
      primary = new RedisServer();
      primary.start();
      replica = new RedisServer("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
      replica.start();
    }
    return primary;
  }

  static synchronized RedisServer replica() {
    primary();
    return replica;
  }

  /**
   * A server that speaks TLS only to the service (its plain port is for the test's own look), with
   * the default user switched off and one ACL user.
   */
  static synchronized RedisServer tls() {
    if (tls == null) {
      // Never started: it lends a free port (the TLS one) and a throw-away dir for the cert.
      tlsFiles = new RedisServer();
      cert = ThrowAwayCert.create(tlsFiles.dir());
      tlsPort = tlsFiles.port();
      tls =
          new RedisServer(
              "--tls-port",
              Integer.toString(tlsPort),
              "--tls-cert-file",
              cert.certPem().toString(),
              "--tls-key-file",
              cert.keyPem().toString(),
              "--tls-ca-cert-file",
              cert.certPem().toString(),
              "--tls-auth-clients",
              "no",
              "--user",
              "default",
              "off",
              // The least the README says the service needs, so the test holds it to that.
              "--user",
              ACL_USER,
              "on",
              ">" + ACL_PASSWORD,
              "~kvg:*",
              "+@all",
              "-@dangerous",
              "+client|id",
              "+client|unblock",
              "--user",
              ADMIN_USER,
              "on",
              ">" + ADMIN_PASSWORD,
              "~*",
              "&*",
              "+@all");
      tls.start();
    }
    return tls;
  }

  static synchronized int tlsPort() {
    tls();
    return tlsPort;
  }

  static synchronized ThrowAwayCert cert() {
    tls();
    return cert;
  }

  /** The test settings (bootstrap key, JWT keys) with the given Redis settings over them. */
  static Map<String, String> withRedis(Map<String, String> redis) {
    Map<String, String> all = new HashMap<>(new RedisResource().start());
    all.putAll(redis);
    return all;
  }

  /** The service on a 3-master Redis Cluster, the background reaper every 200 ms. */
  public static class ClusterProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ClusterResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("kvgate.storage.reaper-interval", "200ms");
    }
  }

  public static class ClusterResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      return withRedis(
          Map.of("quarkus.redis.client-type", "cluster", "quarkus.redis.hosts", cluster().hosts()));
    }

    @Override
    public void stop() {}
  }

  /** The service on a Sentinel group, every write waiting for one replica. */
  public static class SentinelProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(SentinelResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.storage.wait-replicas", "1",
          "kvgate.storage.wait-timeout", "500ms");
    }
  }

  public static class SentinelResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      return withRedis(
          Map.of(
              "quarkus.redis.client-type",
              "sentinel",
              "quarkus.redis.hosts",
              sentinels().hosts(),
              "quarkus.redis.master-name",
              SentinelGroup.MASTER_NAME,
              "quarkus.redis.role",
              "master"));
    }

    @Override
    public void stop() {}
  }

  /** The service on a standalone master with one replica, every write waiting for it. */
  public static class WaitProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(WaitResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.storage.wait-replicas", "1",
          "kvgate.storage.wait-timeout", "1s");
    }
  }

  public static class WaitResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      return withRedis(Map.of("quarkus.redis.hosts", primary().uri()));
    }

    @Override
    public void stop() {}
  }

  /** The service over TLS with an ACL user and password in the URI. */
  public static class TlsProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(TlsResource.class));
    }
  }

  public static class TlsResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      return withRedis(
          Map.of(
              "quarkus.redis.hosts",
              "rediss://" + ACL_USER + ":" + ACL_PASSWORD + "@127.0.0.1:" + tlsPort(),
              "quarkus.redis.tls.enabled",
              "true",
              "quarkus.redis.tls.trust-certificate-pem",
              "true",
              "quarkus.redis.tls.trust-certificate-pem.certs",
              cert().certPem().toString(),
              "quarkus.redis.tls.hostname-verification-algorithm",
              "HTTPS"));
    }

    @Override
    public void stop() {}
  }

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (cluster != null) {
                    cluster.close();
                  }
                  if (sentinels != null) {
                    sentinels.close();
                  }
                  if (primary != null) {
                    replica.close();
                    primary.close();
                  }
                  if (tls != null) {
                    tls.close();
                    tlsFiles.close();
                  }
                }));
  }
}
