package io.kvgate.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
        "quarkus.redis.hosts",
        server().uri(),
        "kvgate.bootstrap-api-key",
        TestAuth.BOOTSTRAP_KEY,
        "mp.jwt.verify.publickey.location",
        "jwt/public-keys.jwks",
        // With no key configured at build time, quarkus-smallrye-jwt generates a dev/test key
        // pair and sets mp.jwt.verify.publickey to it, which wins over any key location: the
        // test keys must be given as the key itself to be the ones trusted.
        "mp.jwt.verify.publickey",
        jwks(),
        "mp.jwt.verify.issuer",
        TestAuth.ISSUER,
        "mp.jwt.verify.audiences",
        TestAuth.AUDIENCE);
  }

  /** The JWKS of the trusted test keys (rsa-1, ec-1). */
  private static String jwks() {
    try (InputStream in =
        RedisResource.class.getClassLoader().getResourceAsStream("jwt/public-keys.jwks")) {
      if (in == null) {
        throw new IllegalStateException("jwt/public-keys.jwks is missing from the test resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
