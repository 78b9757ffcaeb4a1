package io.kvgate.security;

import static io.kvgate.security.AuthCalls.anonymous;
import static io.kvgate.security.AuthCalls.asBearer;
import static io.kvgate.security.AuthCalls.asBootstrap;
import static io.kvgate.security.AuthCalls.asKey;
import static io.kvgate.security.AuthCalls.bucket;
import static io.kvgate.security.AuthCalls.createBucket;
import static io.kvgate.security.AuthCalls.createKey;
import static io.kvgate.security.AuthCalls.sleep;
import static io.kvgate.security.AuthCalls.tenant;
import static io.kvgate.security.AuthCalls.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.security.AuthCalls.Key;
import io.kvgate.support.RedisResource;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * No key, token or signature in the service's log. A profile writes the log to a file of its own at
 * the most talkative levels the security path has (DEBUG everywhere, TRACE for kvgate, Quarkus
 * security, SmallRye JWT and jose4j), and the tests read that file: what an operator would see.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
@TestProfile(SecretsInLogsTest.VerboseLog.class)
class SecretsInLogsTest {

  /** Everything logged to target/secrets-in-logs-*.log. */
  public static class VerboseLog implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> c = new LinkedHashMap<>();
      c.put("quarkus.log.file.enabled", "true");
      c.put("quarkus.log.file.path", "target/secrets-in-logs-" + System.nanoTime() + ".log");
      c.put("quarkus.log.file.level", "ALL");
      c.put("quarkus.log.console.level", "INFO");
      c.put("quarkus.log.min-level", "TRACE");
      c.put("quarkus.log.level", "DEBUG");
      for (String category :
          List.of(
              "io.kvgate",
              "io.quarkus.security",
              "io.quarkus.vertx.http.runtime.security",
              "io.quarkus.smallrye.jwt",
              "io.smallrye.jwt",
              "org.jose4j")) {
        c.put("quarkus.log.category.\"" + category + "\".level", "TRACE");
      }
      // The test's own HTTP client runs in the same JVM: its wire log is not the service's.
      c.put("quarkus.log.category.\"org.apache.http\".level", "INFO");
      c.put("quarkus.log.category.\"io.restassured\".level", "INFO");
      c.put("quarkus.log.file.format", "%d{HH:mm:ss,SSS} %-5p [%c] (%t) %s%e%n");
      return c;
    }
  }

  /** The service's log so far. */
  static String log() {
    sleep(200); // background work (last-use touch, failures) may log just after the answer
    String path = ConfigProvider.getConfig().getValue("quarkus.log.file.path", String.class);
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The secrets of a credential worth looking for: the whole, and the parts an attacker needs. */
  static List<String> secretParts(String credential) {
    List<String> out = new ArrayList<>();
    out.add(credential);
    if (credential.startsWith("kvg_")) {
      out.add(credential.substring(4));
    }
    String[] parts = credential.split("\\.");
    if (parts.length == 3 && parts[2].length() >= 16) {
      out.add(parts[2]); // a JWT's signature
    }
    return out;
  }

  static void assertNotLogged(Map<String, String> credentials) {
    String log = log();
    assertTrue(log.length() > 0, "the log file is empty");
    List<String> found = new ArrayList<>();
    credentials.forEach(
        (what, credential) -> {
          for (String part : secretParts(credential)) {
            if (log.contains(part)) {
              found.add(what);
            }
          }
        });
    assertEquals(List.of(), found, "secrets in the log");
  }

  /**
   * The file really holds the service's own lines (kept in the outer class: a profile's first test
   * must not be a nested one, or Quarkus refuses to start the application for it).
   */
  @Test
  void theLogFileHoldsTheServicesOwnDebugLines() {
    asKey("kvg_" + "0".repeat(40)).get("/storage/kv").then().statusCode(401);
    String log = log();
    assertTrue(
        log.contains("ErrorMappers") && log.contains("unauthorized: unknown or revoked API key"),
        "the service's DEBUG lines are not in the log file");
  }

  @Nested
  class NoSecret {
    @Test
    void ofApiKeys() {
      Map<String, String> used = new LinkedHashMap<>();
      used.put("bootstrap key", TestAuth.BOOTSTRAP_KEY);
      asBootstrap().get("/storage/kv").then().statusCode(200);
      asBearer(TestAuth.BOOTSTRAP_KEY).get("/storage/kv").then().statusCode(200);

      Key k = createKey("{\"name\":\"logged?\",\"permissions\":[\"kv:admin\"]}");
      used.put("created key", k.secret());
      asKey(k.secret()).get("/storage/kv"); // 200, or 500 while the RESP3 bug stands
      asBearer(k.secret()).get("/storage/kv");
      asBootstrap().delete("/auth/api-keys/" + k.id()).then().statusCode(204);
      asKey(k.secret()).get("/storage/kv").then().statusCode(401);

      String changed = TestAuth.BOOTSTRAP_KEY.substring(0, TestAuth.BOOTSTRAP_KEY.length() - 2);
      used.put("bootstrap key with a change", changed + "zz");
      asKey(changed + "zz").get("/storage/kv").then().statusCode(401);
      String unknown = "kvg_" + AuthCalls.random(20) + AuthCalls.random(20);
      used.put("unknown key", unknown);
      asKey(unknown).get("/storage/kv").then().statusCode(401);
      String malformed = "not-a-key-but-secret-" + AuthCalls.random(16);
      used.put("malformed key", malformed);
      asKey(malformed).get("/storage/kv").then().statusCode(401);

      assertNotLogged(used);
    }

    @Test
    void ofJwts() {
      String tenant = tenant();
      Token base = Token.valid(tenant);
      long now = Instant.now().getEpochSecond();
      Map<String, String> used = new LinkedHashMap<>();
      used.put("valid RS256", base.rs256());
      used.put("valid ES256", base.copy().with("scope", "kv:read").es256());
      used.put("expired", base.copy().with("iat", now - 1200).with("exp", now - 600).rs256());
      used.put("wrong issuer", base.copy().with("iss", "https://evil.test").rs256());
      used.put("wrong audience", base.copy().with("aud", "other").rs256());
      used.put("alg none", base.unsigned("none"));
      used.put("HS256", base.hs256(Token.resource("jwt/rsa-public.pem"), "rsa-1"));
      used.put("no tenant", base.copy().without("tenant").rs256());
      used.put("not yet valid", base.copy().with("nbf", now + 600).with("exp", now + 900).rs256());
      for (String jwt : used.values()) {
        asBearer(jwt).get("/storage/kv");
      }
      assertNotLogged(used);
    }

    @Test
    void ofAJwtWithAnUntrustedSignature() {
      String jwt = Token.valid(tenant()).signed(Token.OTHER_RSA, "rsa-1");
      asBearer(jwt).get("/storage/kv").then().statusCode(401);
      assertNotLogged(Map.of("JWT signed by an untrusted key", jwt));
    }

    @Test
    void ofCredentialsInTheQuery() {
      String jwt = Token.valid(tenant()).rs256();
      String bucket = bucket();
      createBucket(asBearer(jwt), bucket);
      write(asBearer(jwt), bucket, "watch", 1);
      // Routes where ?token= is read (paths ending in /watch) and where it is not.
      anonymous("GET", "/storage/kv/" + bucket + "/entries/watch?token=" + jwt);
      anonymous("GET", "/storage/kv/" + bucket + "/watch?token=" + TestAuth.BOOTSTRAP_KEY);
      anonymous("GET", "/storage/kv?token=" + TestAuth.BOOTSTRAP_KEY);
      assertNotLogged(Map.of("JWT in the query", jwt, "key in the query", TestAuth.BOOTSTRAP_KEY));
    }
  }
}
