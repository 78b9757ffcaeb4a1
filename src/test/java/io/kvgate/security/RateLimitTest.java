package io.kvgate.security;

import static io.kvgate.security.AuthCalls.asBearer;
import static io.kvgate.security.AuthCalls.assertError;
import static io.kvgate.security.AuthCalls.bucket;
import static io.kvgate.security.AuthCalls.createBucket;
import static io.kvgate.security.AuthCalls.sleep;
import static io.kvgate.security.AuthCalls.tenant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RawHttp;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Rate limits, switched on by a profile (they are off in %test): 20 requests per principal and 8
 * per bucket in fixed windows of 2 s, synced to Redis every 50 ms. Each test has principals of its
 * own (JWT subjects) and starts its burst at the beginning of a window, so that the window does not
 * turn in the middle of what it counts.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
@TestProfile(RateLimitTest.Limits.class)
class RateLimitTest {
  static final int PER_PRINCIPAL = 20;
  static final int PER_BUCKET = 8;
  static final long WINDOW_MS = 2000;

  /** Limits on, the bucket limit tighter than the principal one. */
  public static class Limits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.rate-limit.enabled", "true",
          "%test.kvgate.rate-limit.enabled", "true",
          "kvgate.rate-limit.per-principal", Integer.toString(PER_PRINCIPAL),
          "kvgate.rate-limit.per-bucket", Integer.toString(PER_BUCKET),
          "kvgate.rate-limit.window", "2s",
          "kvgate.rate-limit.sync-interval", "50ms");
    }
  }

  /** Sleeps until 30 ms into the next window (windows are aligned to the epoch). */
  static void awaitWindowStart() {
    long now = System.currentTimeMillis();
    long next = (now / WINDOW_MS + 1) * WINDOW_MS + 30;
    sleep(next - now);
  }

  static long header(Response r, String name) {
    String value = r.header(name);
    assertNotNull(value, name + " missing on " + r.statusCode() + ": " + r.asString());
    return Long.parseLong(value);
  }

  /** A JWT of its own subject in the tenant: a principal nobody else counts on. */
  static String principal(String tenant, String scope) {
    return Token.valid(tenant).with("scope", scope).rs256();
  }

  static Response list(String jwt) {
    return asBearer(jwt).get("/storage/kv");
  }

  /** Asserts a 429 of the given limit: body, Retry-After, and the rate-limit headers. */
  static long assertLimited(Response r, long limit) {
    assertError(r, 429, "rate_limited");
    long retryAfter = r.jsonPath().getLong("retry_after");
    assertTrue(retryAfter >= 1 && retryAfter <= WINDOW_MS / 1000, "retry_after " + retryAfter);
    assertEquals(Long.toString(retryAfter), r.header("Retry-After"), "Retry-After header");
    assertEquals(limit, header(r, "X-RateLimit-Limit"));
    assertEquals(0, header(r, "X-RateLimit-Remaining"));
    return retryAfter;
  }

  /**
   * Sends requests until the first 429, at most {@code limit + 3}; asserts the first {@code limit}
   * were admitted and returns every answer. The slack of three is the overshoot of the sync race
   * (see {@link RateLimitSyncTest}); without it these tests would fail now and then for that bug.
   */
  static List<Response> untilLimited(java.util.function.Supplier<Response> request, int limit) {
    List<Response> out = new ArrayList<>();
    for (int i = 0; i < limit + 3; i++) {
      Response r = request.get();
      out.add(r);
      if (r.statusCode() == 429) {
        break;
      }
      assertEquals(200, r.statusCode(), "request " + (i + 1) + ": " + r.asString());
    }
    assertTrue(out.size() > limit, "refused before the limit: " + out.size() + " answers");
    assertEquals(429, out.get(out.size() - 1).statusCode(), "no 429 after " + out.size());
    return out;
  }

  /**
   * The profile's limits are in force (kept in the outer class: a profile's first test must not be
   * a nested one, or Quarkus refuses to start the application for it).
   */
  @Test
  void limitsAreOnAndShownOnAnAdmittedAnswer() {
    Response r = list(principal(tenant(), "kv:read"));
    assertEquals(200, r.statusCode(), r.asString());
    assertEquals(PER_PRINCIPAL, header(r, "X-RateLimit-Limit"));
    assertEquals(PER_PRINCIPAL - 1, header(r, "X-RateLimit-Remaining"));
  }

  @Nested
  class PerPrincipal {
    final String tenant = tenant();
    final String jwt = principal(tenant, "kv:read");

    /** The first {@code n} requests of a fresh window, each asserted 200. */
    List<Response> admitted(int n) {
      awaitWindowStart();
      List<Response> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Response r = list(jwt);
        assertEquals(200, r.statusCode(), "request " + (i + 1) + ": " + r.asString());
        out.add(r);
      }
      return out;
    }

    @Test
    void everyAdmittedAnswerCarriesTheLimitAndWhatRemains() {
      List<Response> admitted = admitted(PER_PRINCIPAL);
      for (Response r : admitted) {
        assertEquals(PER_PRINCIPAL, header(r, "X-RateLimit-Limit"));
        long remaining = header(r, "X-RateLimit-Remaining");
        assertTrue(remaining >= 0 && remaining < PER_PRINCIPAL, "remaining " + remaining);
      }
      assertEquals(PER_PRINCIPAL - 1, header(admitted.get(0), "X-RateLimit-Remaining"));
    }

    @Test
    void remainingCountsDownOnePerRequest() {
      List<Long> remaining = new ArrayList<>();
      for (Response r : admitted(PER_PRINCIPAL)) {
        remaining.add(header(r, "X-RateLimit-Remaining"));
      }
      List<Long> expected = new ArrayList<>();
      for (long i = PER_PRINCIPAL - 1; i >= 0; i--) {
        expected.add(i);
      }
      assertEquals(expected, remaining);
    }

    @Test
    void remainingDecreasesOverTheWindow() {
      List<Response> admitted = admitted(PER_PRINCIPAL);
      long first = header(admitted.get(0), "X-RateLimit-Remaining");
      long last = header(admitted.get(admitted.size() - 1), "X-RateLimit-Remaining");
      assertEquals(PER_PRINCIPAL - 1, first);
      assertTrue(last < first, "remaining went from " + first + " to " + last);
    }

    @Test
    void overTheLimitIs429WithRetryAfter() {
      awaitWindowStart();
      List<Response> answers = untilLimited(() -> list(jwt), PER_PRINCIPAL);
      assertLimited(answers.get(answers.size() - 1), PER_PRINCIPAL);
    }

    @Test
    void refusedAgainUntilTheWindowTurns() {
      awaitWindowStart();
      untilLimited(() -> list(jwt), PER_PRINCIPAL);
      for (int i = 0; i < 5; i++) {
        assertLimited(list(jwt), PER_PRINCIPAL);
      }
    }

    @Test
    void admittedAgainWhenTheWindowTurns() {
      awaitWindowStart();
      List<Response> answers = untilLimited(() -> list(jwt), PER_PRINCIPAL);
      long retryAfter = assertLimited(answers.get(answers.size() - 1), PER_PRINCIPAL);
      sleep(retryAfter * 1000 + 50);
      Response r = list(jwt);
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(PER_PRINCIPAL - 1, header(r, "X-RateLimit-Remaining"));
    }

    @Test
    void anotherPrincipalIsCountedApart() {
      awaitWindowStart();
      untilLimited(() -> list(jwt), PER_PRINCIPAL);
      Response other = list(principal(tenant, "kv:read"));
      assertEquals(200, other.statusCode(), other.asString());
      assertEquals(PER_PRINCIPAL - 1, header(other, "X-RateLimit-Remaining"));
    }

    @Test
    void keyManagementCountsForThePrincipalToo() {
      String admin = principal(tenant, "kv:admin");
      awaitWindowStart();
      int[] i = {0};
      List<Response> answers =
          untilLimited(
              () -> i[0]++ % 2 == 0 ? list(admin) : asBearer(admin).get("/auth/api-keys"),
              PER_PRINCIPAL);
      assertEquals(PER_PRINCIPAL, header(answers.get(1), "X-RateLimit-Limit"));
    }

    @Test
    void anErrorAnswerAfterTheCheckCarriesTheHeaders() {
      Response r = asBearer(jwt).get("/storage/kv/" + bucket());
      assertError(r, 404, "not_found");
      assertNotNull(r.header("X-RateLimit-Limit"));
      assertNotNull(r.header("X-RateLimit-Remaining"));
    }

    @Test
    void aForbiddenAnswerCarriesTheHeaders() {
      Response r = asBearer(jwt).delete("/storage/kv/" + bucket());
      assertError(r, 403, "forbidden");
      assertNotNull(r.header("X-RateLimit-Limit"), "X-RateLimit-Limit");
      assertNotNull(r.header("X-RateLimit-Remaining"), "X-RateLimit-Remaining");
    }

    @Test
    void aValidationErrorCarriesTheHeaders() {
      Response r = asBearer(jwt).get("/storage/kv/-not-a-name-");
      assertError(r, 400, "validation_error");
      assertNotNull(r.header("X-RateLimit-Limit"), "X-RateLimit-Limit");
      assertNotNull(r.header("X-RateLimit-Remaining"), "X-RateLimit-Remaining");
    }
  }

  /** Counts go through Redis, so what other replicas admitted is counted here too. */
  @Nested
  class AcrossReplicas {
    final String subject = "replicated-" + AuthCalls.random(8);
    final String jwt = Token.valid(tenant()).with("sub", subject).with("scope", "kv:read").rs256();

    /** The shared counter of this principal in the current window. */
    String counter() {
      long window = System.currentTimeMillis() / WINDOW_MS;
      return "kvg:rl:p:jwt:" + io.kvgate.support.TestAuth.ISSUER + "/" + subject + ":" + window;
    }

    @Test
    void admittedRequestsReachTheSharedCounter() {
      awaitWindowStart();
      for (int i = 0; i < 5; i++) {
        assertEquals(200, list(jwt).statusCode());
      }
      sleep(300); // several sync intervals
      assertEquals("5", RedisResource.server().command("GET", counter()));
    }

    @Test
    void whatAnotherReplicaAdmittedIsCountedHere() {
      awaitWindowStart();
      assertEquals(200, list(jwt).statusCode());
      sleep(200);
      // Another replica admitted 15 of this principal's requests in the same window.
      assertEquals(":16", RedisResource.server().command("INCRBY", counter(), "15"));
      sleep(300);
      Response r = list(jwt);
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(PER_PRINCIPAL - 17, header(r, "X-RateLimit-Remaining"));
      List<Response> answers = untilLimited(() -> list(jwt), PER_PRINCIPAL - 17);
      assertLimited(answers.get(answers.size() - 1), PER_PRINCIPAL);
    }
  }

  @Nested
  class PerBucket {
    final String tenant = tenant();
    final String a = principal(tenant, "kv:admin");
    final String b = principal(tenant, "kv:read");
    final String bucket = bucket();
    final String other = bucket();

    Response details(String jwt, String name) {
      return asBearer(jwt).get("/storage/kv/" + name);
    }

    /** Both buckets made in one window, then the burst alternating A and B from the next. */
    List<Response> admittedAlternately() {
      createBucket(asBearer(a), bucket);
      createBucket(asBearer(a), other);
      awaitWindowStart();
      List<Response> out = new ArrayList<>();
      for (int i = 0; i < PER_BUCKET; i++) {
        Response r = details(i % 2 == 0 ? a : b, bucket);
        assertEquals(200, r.statusCode(), "request " + (i + 1) + ": " + r.asString());
        out.add(r);
      }
      return out;
    }

    /** The admitted burst, then requests (alternating) until the first 429, which is returned. */
    Response limited() {
      admittedAlternately();
      int[] i = {0};
      List<Response> more = untilLimited(() -> details(i[0]++ % 2 == 0 ? b : a, bucket), 0);
      return more.get(more.size() - 1);
    }

    @Test
    void theTighterBucketLimitIsShown() {
      List<Response> admitted = admittedAlternately();
      for (Response r : admitted) {
        assertEquals(PER_BUCKET, header(r, "X-RateLimit-Limit"));
      }
      assertEquals(PER_BUCKET - 1, header(admitted.get(0), "X-RateLimit-Remaining"));
      assertTrue(header(admitted.get(PER_BUCKET - 1), "X-RateLimit-Remaining") < PER_BUCKET - 1);
    }

    @Test
    void theBucketLimitIsSharedByEveryPrincipal() {
      assertLimited(limited(), PER_BUCKET);
      assertLimited(details(a, bucket), PER_BUCKET);
      assertLimited(details(b, bucket), PER_BUCKET);
    }

    @Test
    void anotherBucketIsCountedApart() {
      assertLimited(limited(), PER_BUCKET);
      Response r = details(a, other);
      assertEquals(200, r.statusCode(), r.asString());
    }

    @Test
    void theSameNameInAnotherTenantIsCountedApart() {
      assertLimited(limited(), PER_BUCKET);
      String elsewhere = principal(tenant(), "kv:admin");
      Response created =
          asBearer(elsewhere)
              .contentType(io.restassured.http.ContentType.JSON)
              .body("{\"bucket\":\"" + bucket + "\"}")
              .post("/storage/kv");
      assertEquals(200, created.statusCode(), created.asString());
    }
  }

  /** The /v2 dialect counts against the same limits and reports them the same way. */
  @Nested
  class V2Dialect {
    final String jwt = principal(tenant(), "kv:read");

    Response stores() {
      return asBearer(jwt).get("/v2/key-value-stores");
    }

    @Test
    void anAdmittedAnswerCarriesTheLimitAndWhatRemains() {
      awaitWindowStart();
      Response r = stores();
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(PER_PRINCIPAL, header(r, "X-RateLimit-Limit"));
      assertEquals(PER_PRINCIPAL - 1, header(r, "X-RateLimit-Remaining"));
    }

    @Test
    void overTheLimitIs429RateLimitExceededInTheApifyShape() {
      awaitWindowStart();
      List<Response> answers = untilLimited(this::stores, PER_PRINCIPAL);
      Response r = answers.get(answers.size() - 1);
      assertEquals(429, r.statusCode());
      assertEquals("rate-limit-exceeded", r.jsonPath().getString("error.type"), r.asString());
      assertNotNull(r.jsonPath().getString("error.message"));
      long retryAfter = Long.parseLong(r.header("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= WINDOW_MS / 1000, "Retry-After " + retryAfter);
      assertEquals(PER_PRINCIPAL, header(r, "X-RateLimit-Limit"));
      assertEquals(0, header(r, "X-RateLimit-Remaining"));
    }

    @Test
    void requestsWithoutACredentialAreCountedPerAddressBeforeAnyLookup() {
      awaitWindowStart();
      int answered = 0;
      RawHttp.Reply last = null;
      for (int i = 0; i < PER_PRINCIPAL + 3; i++) {
        last = RawHttp.sendWithoutCredential("GET", "/v2/key-value-stores/NoSuchStore" + i, null);
        if (last.status() == 429) {
          break;
        }
        assertEquals(401, last.status(), last.body());
        answered++;
      }
      assertTrue(answered >= PER_PRINCIPAL, "limited after " + answered);
      assertEquals(429, last.status(), last.body());
      assertTrue(last.body().contains("rate-limit-exceeded"), last.body());
    }

    @Test
    void storeReadsByIdHitThePerBucketLimit() {
      String admin = principal(tenant(), "kv:admin");
      awaitWindowStart();
      Response created = asBearer(admin).post("/v2/key-value-stores?name=" + bucket());
      assertEquals(201, created.statusCode(), created.asString());
      String id = created.jsonPath().getString("data.id");
      List<Response> answers =
          untilLimited(() -> asBearer(admin).get("/v2/key-value-stores/" + id), PER_BUCKET);
      assertEquals(PER_BUCKET, header(answers.get(answers.size() - 1), "X-RateLimit-Limit"));
    }
  }
}
