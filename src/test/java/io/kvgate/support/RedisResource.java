package io.kvgate.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts one real redis-server for the test run and points the service at it. {@link #server()}
 * gives tests the server itself (for outages and direct checks).
 */
public class RedisResource implements QuarkusTestResourceLifecycleManager {
  private static RedisServer server;

  public static synchronized RedisServer server() {
    if (server == null) {
      server = new RedisServer();
      server.start();
    }
    return server;
  }

  @Override
  public Map<String, String> start() {
    return Map.of("quarkus.redis.hosts", server().uri());
  }

  @Override
  public void stop() {
    // The server lives for the whole JVM; a shutdown hook removes it.
  }

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (server != null) {
                    server.close();
                  }
                }));
  }
}
