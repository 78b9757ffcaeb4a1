package io.kvgate.fuzz;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Regression tests for the 5xx the fuzzer ({@link FuzzTest}) found, one per finding. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class FuzzFindingsTest {

  private static String newBucket(String settings) {
    String name = "ff-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + name + "\"" + settings + "}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    return name;
  }

  private static void putEmptyRecord(String bucket, String key) {
    given()
        .contentType("application/octet-stream")
        .body(new byte[0])
        .put("/v2/key-value-stores/~" + bucket + "/records/" + key)
        .then()
        .statusCode(201);
  }

  private static JsonPath status(String bucket) {
    return given().get("/storage/kv/" + bucket).then().statusCode(200).extract().jsonPath();
  }

  /**
   * Fuzz seed 20261204 #1458: deleting a zero-byte record was a 500, since the script subtracted
   * its size as -0, which Redis refuses as an integer.
   */
  @Test
  void deletingAZeroByteRecordIs204AndKeepsTheCounts() {
    String bucket = newBucket("");
    putEmptyRecord(bucket, "empty");
    given().delete("/v2/key-value-stores/~" + bucket + "/records/empty").then().statusCode(204);
    given().get("/v2/key-value-stores/~" + bucket + "/records/empty").then().statusCode(404);
    putEmptyRecord(bucket, "again");
    given().delete("/storage/kv/" + bucket + "/entries/again").then().statusCode(200);
    JsonPath s = status(bucket);
    assertEquals(0, s.getInt("body.status.entries"), s.prettify());
  }

  /** The same -0 in the expiry of a zero-byte record failed every script that reaps. */
  @Test
  void aZeroByteRecordExpiresWithoutBreakingTheBucket() throws InterruptedException {
    String bucket = newBucket(",\"ttl\":1");
    putEmptyRecord(bucket, "empty");
    Thread.sleep(1_500);
    given().get("/storage/kv/" + bucket + "/entries").then().statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body("{\"v\":1}")
        .put("/storage/kv/" + bucket + "/entries/k")
        .then()
        .statusCode(200);
    given().get("/v2/key-value-stores/~" + bucket + "/records/empty").then().statusCode(404);
  }
}
