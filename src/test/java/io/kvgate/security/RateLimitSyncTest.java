package io.kvgate.security;

import static io.kvgate.security.AuthCalls.asBearer;
import static io.kvgate.security.AuthCalls.sleep;
import static io.kvgate.security.AuthCalls.tenant;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The count of one replica while it syncs with Redis: a window long enough for hundreds of requests
 * and dozens of syncs, so that a request landing in a sync's round trip is near certain.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
@TestProfile(RateLimitSyncTest.LongWindow.class)
class RateLimitSyncTest {
  static final long LIMIT = 1_000_000;
  static final long WINDOW_MS = 600_000;

  /** A high limit in a ten-minute window, synced every 50 ms. */
  public static class LongWindow implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.rate-limit.enabled", "true",
          "%test.kvgate.rate-limit.enabled", "true",
          "kvgate.rate-limit.per-principal", Long.toString(LIMIT),
          "kvgate.rate-limit.per-bucket", Long.toString(LIMIT),
          "kvgate.rate-limit.window", "600s",
          "kvgate.rate-limit.sync-interval", "50ms");
    }
  }

  @Test
  void remainingGoesDownByOneWithEveryRequestAcrossSyncs() {
    if (System.currentTimeMillis() % WINDOW_MS > WINDOW_MS - 20_000) {
      sleep(WINDOW_MS - System.currentTimeMillis() % WINDOW_MS + 100);
    }
    String jwt = Token.valid(tenant()).with("scope", "kv:read").rs256();
    List<Long> remaining = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Response r = asBearer(jwt).get("/storage/kv");
      assertEquals(200, r.statusCode());
      remaining.add(Long.parseLong(r.header("X-RateLimit-Remaining")));
    }
    List<String> jumps = new ArrayList<>();
    for (int i = 1; i < remaining.size(); i++) {
      if (remaining.get(i) != remaining.get(i - 1) - 1) {
        jumps.add("#" + i + ": " + remaining.get(i - 1) + " -> " + remaining.get(i));
      }
    }
    System.out.printf(
        "MEASURED rate-limit count jumps in 400 requests: %d %s%n", jumps.size(), jumps);
    assertEquals(List.of(), jumps, "remaining did not go down by one");
  }
}
