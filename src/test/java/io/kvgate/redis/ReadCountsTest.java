package io.kvgate.redis;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reads a replica counts, added to their bucket's stats (against a real Redis). */
@QuarkusTest
@WithTestResource(RedisResource.class)
class ReadCountsTest {

  @Inject ReadCounts counts;

  /**
   * Fuzz seed 20261204, #3851 and #19833: a stats read whose client went away cancelled the
   * addition that other stats reads of the same bucket were waiting on, and they answered 500.
   */
  @Test
  void aWaiterThatGoesAwayLeavesTheOthersWaitingOnTheSameAdditionUnharmed() {
    String id =
        given().post("/v2/key-value-stores").then().statusCode(201).extract().path("data.id");
    int rounds = 20;
    for (int i = 0; i < rounds; i++) {
      counts.count(id, System.currentTimeMillis());
      // The first flush sends the addition; the second has nothing new and waits on the same one.
      Uni<Void> leaving = counts.flush(id);
      Uni<Void> staying = counts.flush(id);
      leaving.subscribe().with(v -> {}, t -> {}).cancel();
      staying.await().atMost(Duration.ofSeconds(5));
    }
    long reads =
        given()
            .get("/v2/key-value-stores/" + id)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getLong("data.stats.readCount");
    assertEquals(rounds, reads);
  }
}
