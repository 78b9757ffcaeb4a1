package io.kvgate.apify;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code ?method=} on a GET, for clients that can only send GET (Apify API conventions). */
@QuarkusTest
@WithTestResource(RedisResource.class)
class MethodOverrideTest {

  static String newStore() {
    String name = "mo-" + UUID.randomUUID().toString().substring(0, 8);
    return given()
        .post("/v2/key-value-stores?name=" + name)
        .then()
        .statusCode(201)
        .extract()
        .path("data.id");
  }

  @Test
  void aGetWithMethodPostCreatesAStore() {
    String name = "mo-" + UUID.randomUUID().toString().substring(0, 8);
    Response r = given().get("/v2/key-value-stores?method=POST&name=" + name);
    assertEquals(201, r.statusCode(), r.asString());
    assertEquals(name, r.jsonPath().getString("data.name"));
  }

  @Test
  void aGetWithMethodDeleteDeletesARecord() {
    String id = newStore();
    given()
        .contentType("text/plain")
        .body("x")
        .put("/v2/key-value-stores/" + id + "/records/k")
        .then()
        .statusCode(201);
    assertEquals(
        204, given().get("/v2/key-value-stores/" + id + "/records/k?method=delete").statusCode());
    assertEquals(404, given().get("/v2/key-value-stores/" + id + "/records/k").statusCode());
  }

  @Test
  void aGetWithMethodGetIsAGet() {
    String id = newStore();
    assertEquals(200, given().get("/v2/key-value-stores/" + id + "?method=GET").statusCode());
  }

  @Test
  void anUnknownMethodIs405InTheApifyShape() {
    String id = newStore();
    Response r = given().get("/v2/key-value-stores/" + id + "?method=PATCH");
    assertEquals(405, r.statusCode());
    assertEquals("method-not-allowed", r.jsonPath().getString("error.type"));
    assertEquals(200, given().get("/v2/key-value-stores/" + id).statusCode());
  }

  @Test
  void theOverrideIsOnlyForV2() {
    String bucket = "mo-" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .contentType("application/json")
        .body("{\"bucket\":\"" + bucket + "\"}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    assertEquals(200, given().get("/storage/kv/" + bucket + "?method=DELETE").statusCode());
    assertEquals(200, given().get("/storage/kv/" + bucket).statusCode());
  }
}
