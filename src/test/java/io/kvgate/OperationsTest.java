package io.kvgate;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Health, metrics, OpenAPI, Swagger UI, the JSON 404/405 answers and a Redis outage. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class OperationsTest {

  private static void assertJsonError(Response r, int status, String code) {
    r.then()
        .statusCode(status)
        .contentType(startsWith("application/json"))
        .body("error", equalTo(code))
        .body("message", not(emptyOrNullString()));
    QuivaOpenApi.assertMatches("ErrorResponse", r.asString());
  }

  @Nested
  class Health {
    @Test
    void liveIsUp() {
      given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readyIsUpWithARedisCheck() {
      given()
          .get("/q/health/ready")
          .then()
          .statusCode(200)
          .body("status", equalTo("UP"))
          .body("checks.find { it.name.contains('Redis') }.status", equalTo("UP"));
    }

    @Test
    void startedIsUp() {
      given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }
  }

  @Nested
  class Metrics {
    @Test
    void arePrometheusTextWithHttpServerRequests() {
      given().get("/storage/kv").then().statusCode(200);
      String text =
          given()
              .get("/q/metrics")
              .then()
              .statusCode(200)
              .contentType(
                  org.hamcrest.Matchers.anyOf(
                      startsWith("text/plain"), startsWith("application/openmetrics-text")))
              .extract()
              .asString();
      assertThat(text, containsString("http_server_requests"));
    }

    @Test
    void countRequestsByRouteTemplate() {
      given().get("/storage/kv/" + "m-" + UUID.randomUUID().toString().substring(0, 8));
      String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
      assertThat(text, containsString("uri=\"/storage/kv/{bucket}\""));
    }
  }

  @Nested
  class OpenApi {
    private JsonNode document() throws Exception {
      String json =
          given()
              .accept(ContentType.JSON)
              .get("/q/openapi?format=json")
              .then()
              .statusCode(200)
              .extract()
              .asString();
      return new ObjectMapper().readTree(json);
    }

    @Test
    void isServedAsYamlByDefault() {
      given()
          .get("/q/openapi")
          .then()
          .statusCode(200)
          .body(containsString("openapi: 3"))
          .body(containsString("/storage/kv"));
    }

    @Test
    void coversTheBucketPaths() throws Exception {
      List<String> paths = new ArrayList<>();
      document().get("paths").fieldNames().forEachRemaining(paths::add);
      assertThat(
          paths,
          hasItems(
              "/storage/kv",
              "/storage/kv/{bucket}",
              "/storage/kv/{bucket}/purge",
              "/storage/kv/{bucket}/entries",
              "/storage/kv/{bucket}/entries/{key}",
              "/storage/kv/{bucket}/search-by-key",
              "/storage/kv/{bucket}/search"));
    }

    @Test
    void hasTheSchemasOfThePublicApi() throws Exception {
      List<String> schemas = new ArrayList<>();
      document().get("components").get("schemas").fieldNames().forEachRemaining(schemas::add);
      assertThat(
          schemas,
          hasItems(
              "BucketListResponse",
              "KVBucketResponse",
              "ErrorResponse",
              "SuccessMessage",
              "Metadata"));
    }

    @Test
    void usesTheOperationIdsOfThePublicApi() throws Exception {
      JsonNode paths = document().get("paths");
      assertEquals("getKVBucketList", paths.at("/~1storage~1kv/get/operationId").asText());
      assertEquals("createKVBucket", paths.at("/~1storage~1kv/post/operationId").asText());
      assertEquals("getKVBucket", paths.at("/~1storage~1kv~1{bucket}/get/operationId").asText());
      assertEquals(
          "createOrUpdateKVBucket", paths.at("/~1storage~1kv~1{bucket}/put/operationId").asText());
      assertEquals(
          "deleteKVBucket", paths.at("/~1storage~1kv~1{bucket}/delete/operationId").asText());
      assertEquals(
          "purgeKVBucket", paths.at("/~1storage~1kv~1{bucket}~1purge/delete/operationId").asText());
    }

    @Test
    void everySchemaReferenceResolves() throws Exception {
      JsonNode doc = document();
      TreeSet<String> refs = new TreeSet<>();
      collectRefs(doc, refs);
      TreeSet<String> missing = new TreeSet<>();
      for (String ref : refs) {
        if (doc.at(ref.substring(1)).isMissingNode()) {
          missing.add(ref);
        }
      }
      assertTrue(missing.isEmpty(), "unresolved: " + missing);
    }

    private void collectRefs(JsonNode node, TreeSet<String> into) {
      if (node.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> f = fields.next();
          if (f.getKey().equals("$ref") && f.getValue().isTextual()) {
            into.add(f.getValue().asText());
          } else {
            collectRefs(f.getValue(), into);
          }
        }
      } else if (node.isArray()) {
        node.forEach(n -> collectRefs(n, into));
      }
    }
  }

  @Nested
  class SwaggerUi {
    @Test
    void isServed() {
      given()
          .get("/q/swagger-ui")
          .then()
          .statusCode(200)
          .contentType(startsWith("text/html"))
          .body(containsString("swagger"));
    }
  }

  @Nested
  class RoutingErrors {
    @Test
    void unknownRouteIs404NotFoundJson() {
      assertJsonError(given().get("/no/such/route"), 404, "not_found");
    }

    @Test
    void unknownRouteUnderABucketIs404NotFoundJson() {
      assertJsonError(given().get("/storage/kv/some-bucket/nothing-here"), 404, "not_found");
    }

    @Test
    void patchOfABucketIs405MethodNotAllowedJson() {
      assertJsonError(
          given().contentType(ContentType.JSON).body("{}").patch("/storage/kv/x"),
          405,
          "method_not_allowed");
    }

    @Test
    void deleteOfTheBucketListIs405Json() {
      assertJsonError(given().delete("/storage/kv"), 405, "method_not_allowed");
    }

    @Test
    void postToABucketIs405Json() {
      assertJsonError(
          given().contentType(ContentType.JSON).body("{}").post("/storage/kv/x"),
          405,
          "method_not_allowed");
    }

    @Test
    void getOfPurgeIs405Json() {
      assertJsonError(given().get("/storage/kv/x/purge"), 405, "method_not_allowed");
    }

    @Test
    void unacceptableAcceptIs406Json() {
      Response r = given().accept("text/xml").get("/storage/kv");
      r.then().statusCode(406).body("error", equalTo("not_acceptable"));
    }
  }

  /** Each test stops the shared redis-server and always starts it again on the same port. */
  @Nested
  class RedisOutage {
    private void withRedisDown(Runnable check) {
      RedisResource.server().stop();
      try {
        check.run();
      } finally {
        RedisResource.server().start();
      }
    }

    @Test
    void requestsFailFastWith503Unavailable() {
      withRedisDown(
          () -> {
            long start = System.nanoTime();
            Response r = given().get("/storage/kv");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertJsonError(r, 503, "unavailable");
            assertThat(millis, lessThan(3_000L));
          });
    }

    @Test
    void createFailsWith503Unavailable() {
      withRedisDown(
          () ->
              assertJsonError(
                  given()
                      .contentType(ContentType.JSON)
                      .body(
                          "{\"bucket\":\"o-" + UUID.randomUUID().toString().substring(0, 8) + "\"}")
                      .post("/storage/kv"),
                  503,
                  "unavailable"));
    }

    @Test
    void readinessIsDown() {
      withRedisDown(
          () ->
              given()
                  .get("/q/health/ready")
                  .then()
                  .statusCode(503)
                  .body("status", equalTo("DOWN")));
    }

    @Test
    void livenessStaysUp() {
      withRedisDown(
          () -> given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP")));
    }

    @Test
    void serviceRecoversByItselfWhenRedisReturns() throws InterruptedException {
      withRedisDown(() -> given().get("/storage/kv").then().statusCode(503));
      long deadline = System.currentTimeMillis() + 10_000;
      int status = 0;
      while (System.currentTimeMillis() < deadline) {
        status = given().get("/storage/kv").statusCode();
        if (status == 200) {
          break;
        }
        Thread.sleep(100);
      }
      assertEquals(200, status);
      given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
  }
}
