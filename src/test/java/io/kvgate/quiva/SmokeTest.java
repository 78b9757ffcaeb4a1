package io.kvgate.quiva;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(RedisResource.class)
class SmokeTest {

  @Test
  void createsWritesAndReadsAnEntry() {
    String bucket = "smoke-" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + bucket + "\"}")
        .post("/storage/kv")
        .then()
        .statusCode(200)
        .body("message", equalTo("success"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"name\":\"John Doe\",\"age\":30}")
        .put("/storage/kv/" + bucket + "/entries/my-key")
        .then()
        .statusCode(200)
        .header("ETag", "\"1\"");
    String body =
        given()
            .get("/storage/kv/" + bucket + "/entries/my-key")
            .then()
            .statusCode(200)
            .body("body.value.name", equalTo("John Doe"))
            .body("metadata.bucket", equalTo(bucket))
            .extract()
            .asString();
    QuivaOpenApi.assertMatches("KVEntryResponse", body);
  }
}
