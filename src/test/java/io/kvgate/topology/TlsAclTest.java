package io.kvgate.topology;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.Resp;
import io.kvgate.support.SseStream;
import io.kvgate.support.TestAuth;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The service on a Redis it reaches over TLS only ({@code rediss://}, a certificate made for the
 * test and trusted by {@code quarkus.redis.tls.*}) as an ACL user with a password, the default user
 * switched off: every operation, the watch reader included, goes that way.
 */
@QuarkusTest
@TestProfile(Topologies.TlsProfile.class)
class TlsAclTest {

  @Test
  void everyConnectionIsTlsAsTheAclUserAndServes() {
    given().get("/q/health/ready").then().statusCode(200);
    String b = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + b + "\"}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    try (SseStream watch =
        SseStream.open(
            URI.create("http://localhost:" + RestAssured.port + "/storage/kv/" + b + "/watch"),
            "X-Api-Key",
            TestAuth.BOOTSTRAP_KEY)) {
      assertEquals(200, watch.status());
      given()
          .contentType(ContentType.JSON)
          .body("{\"v\":1}")
          .put("/storage/kv/" + b + "/entries/k")
          .then()
          .statusCode(200);
      assertEquals("k", watch.next("put").json().get("key").asText());
      given().get("/storage/kv/" + b + "/entries/k").then().statusCode(200).header("ETag", "\"1\"");

      // The test looks through the plain port as an admin user; the service only knows TLS.
      String clients =
          Resp.text(
              Resp.callAs(
                  Topologies.tls().port(),
                  Topologies.ADMIN_USER,
                  Topologies.ADMIN_PASSWORD,
                  "CLIENT",
                  "LIST"));
      List<String> service =
          clients.lines().filter(l -> !l.contains(" user=" + Topologies.ADMIN_USER + " ")).toList();
      assertFalse(service.isEmpty(), clients);
      for (String c : service) {
        assertTrue(c.contains(" laddr=127.0.0.1:" + Topologies.tlsPort() + " "), c);
        assertTrue(c.contains(" user=" + Topologies.ACL_USER + " "), c);
      }
    }
    // Nothing the service sent was beyond its user's rights (a refusal would be in the ACL log).
    Object denied =
        Resp.callAs(
            Topologies.tls().port(),
            Topologies.ADMIN_USER,
            Topologies.ADMIN_PASSWORD,
            "ACL",
            "LOG");
    assertEquals(List.of(), denied, "commands refused to the service's user");
    // The default user is off: without the ACL user nothing gets in.
    Object refused = Resp.call(Topologies.tls().port(), "GET", "x");
    assertTrue(refused instanceof Resp.Error e && e.message().startsWith("NOAUTH"), "" + refused);
  }
}
