package io.kvgate.topology;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisServer;
import io.kvgate.support.Resp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code kvgate.storage.wait-replicas=1}: a write is acknowledged once its replica has it; with the
 * replica gone it answers 503 {@code unavailable} after the wait timeout (the write may have been
 * kept by the master: the outcome is unknown), reads still answer, and writes are acknowledged
 * again once the replica is back, without a restart.
 */
@QuarkusTest
@TestProfile(Topologies.WaitProfile.class)
class WaitForReplicasTest {

  static Response put(String bucket, String key, String json) {
    return given()
        .contentType(ContentType.JSON)
        .body(json)
        .put("/storage/kv/" + bucket + "/entries/" + key);
  }

  @Test
  void writesWaitForTheReplicaAndAnswer503WithoutIt() {
    RedisServer replica = Topologies.replica();
    // The replica must be in sync before a write can be acknowledged (on a loaded machine it may
    // still be loading the master's snapshot when the test starts).
    long synced = System.currentTimeMillis() + 15_000;
    while (!Resp.call(Topologies.primary().port(), "INFO", "replication")
            .toString()
            .contains("state=online")
        && System.currentTimeMillis() < synced) {
      sleepMs(50);
    }
    String b = "w" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + b + "\"}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    assertEquals(200, put(b, "k", "{\"v\":1}").statusCode());
    // Acknowledged means on the replica already: read there, not on the master.
    String dataKey = "kvg:{" + idOf(b) + "}:d";
    assertEquals(1L, Resp.call(replica.port(), "HEXISTS", dataKey, "k"));

    replica.stop();
    long started = System.currentTimeMillis();
    Response refused = put(b, "k", "{\"v\":2}");
    long took = System.currentTimeMillis() - started;
    assertEquals(503, refused.statusCode(), refused.asString());
    assertEquals("unavailable", refused.jsonPath().getString("error"));
    assertTrue(took >= 1000 && took < 4000, "answered after " + took + " ms");
    // The master kept it (WAIT does not undo a write): a 503 write's outcome is unknown.
    assertEquals(200, given().get("/storage/kv/" + b + "/entries/k").statusCode());
    Response other =
        given()
            .contentType(ContentType.JSON)
            .body("{\"bucket\":\"x" + b + "\"}")
            .post("/storage/kv");
    assertEquals(503, other.statusCode(), "a bucket create waits too: " + other.asString());

    replica.start();
    long deadline = System.currentTimeMillis() + 15_000;
    int status;
    do {
      status = put(b, "after", "{\"v\":3}").statusCode();
    } while (status != 200 && System.currentTimeMillis() < deadline);
    assertEquals(200, status, "writes are acknowledged again once the replica is back");
  }

  static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String idOf(String bucket) {
    return given()
        .get("/storage/kv/" + bucket)
        .then()
        .statusCode(200)
        .extract()
        .path("body.stream_info.config.metadata.bucket_id");
  }
}
