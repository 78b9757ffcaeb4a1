package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.STORES;
import static io.kvgate.apify.V2Calls.anonymous;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.data;
import static io.kvgate.apify.V2Calls.getStore;
import static io.kvgate.apify.V2Calls.keysPage;
import static io.kvgate.apify.V2Calls.newName;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.setAccess;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two settings of the dialect: {@code kvgate.apify.user-general-access} (what
 * FOLLOW_USER_SETTING follows) and {@code kvgate.apify.public-url} (the base of every URL the
 * service hands out).
 */
@QuarkusTest
@TestProfile(ApifySettingsTest.PublicByDefault.class)
@WithTestResource(RedisResource.class)
class ApifySettingsTest {
  static final String PUBLIC_URL = "https://kv.example.test";

  public static class PublicByDefault implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.apify.user-general-access",
          "ANYONE_WITH_ID_CAN_READ",
          "kvgate.apify.public-url",
          PUBLIC_URL);
    }
  }

  @Test
  void followUserSettingFollowsTheConfiguredSetting() {
    String id = createStore().path("id").asText();
    writeText(id, "k", "open");
    assertEquals("FOLLOW_USER_SETTING", getStore(id).path("generalAccess").asText());
    V2Calls.Reply r = anonymous("GET", record(id, "k"));
    assertEquals(200, r.status(), r.toString());
    assertEquals("open", r.text());
  }

  @Test
  void anExplicitRestrictedStillRestricts() {
    String id = createStore().path("id").asText();
    writeText(id, "k", "closed");
    setAccess(id, "RESTRICTED");
    assertError(anonymous("GET", record(id, "k")), 401, "token-not-provided");
  }

  @Test
  void theUserSettingIsNotANameSetting() {
    String name = newName();
    String id = createStore(name).path("id").asText();
    writeText(id, "k", "open");
    assertError(
        anonymous("GET", record(V2Calls.BOOTSTRAP_TENANT + "~" + name, "k")),
        401,
        "token-not-provided");
  }

  @Test
  void urlsHandedOutStartWithThePublicUrl() {
    String name = newName();
    Response created = v2().post(STORES + "?name=" + name);
    assertEquals(201, created.statusCode());
    String id = data(created).path("id").asText();
    assertEquals(PUBLIC_URL + STORES + "/" + id, created.header("Location"));
    String keysUrl = data(created).path("keysPublicUrl").asText();
    assertTrue(keysUrl.startsWith(PUBLIC_URL + STORES + "/" + id + "/keys?signature="), keysUrl);
    Response put = v2().contentType("text/plain").body("x").put(record(id, "k"));
    assertEquals(PUBLIC_URL + record(id, "k"), put.header("Location"));
    String recordUrl = keysPage(id, "").path("items").get(0).path("recordPublicUrl").asText();
    assertTrue(recordUrl.startsWith(PUBLIC_URL + record(id, "k") + "?signature="), recordUrl);
  }
}
