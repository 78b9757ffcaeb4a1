package io.kvgate.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
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
    // Every RestAssured request carries the bootstrap key unless it brings its own credential.
    RestAssured.filters(
        (request, response, context) -> {
          if (!request.getHeaders().hasHeaderWithName("X-Api-Key")
              && !request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
          }
          return context.next(request, response);
        });
    return Map.of(
        "quarkus.redis.hosts", server().uri(),
        "kvgate.auth.bootstrap-api-key", TestAuth.BOOTSTRAP_KEY,
        "mp.jwt.verify.publickey.location", "jwt/public-keys.jwks",
        "mp.jwt.verify.issuer", TestAuth.ISSUER,
        "mp.jwt.verify.audiences", TestAuth.AUDIENCE);
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
