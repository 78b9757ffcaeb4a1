package io.kvgate.security;

import static io.kvgate.security.AuthCalls.asBearer;
import static io.kvgate.security.AuthCalls.asBootstrap;
import static io.kvgate.security.AuthCalls.asKey;
import static io.kvgate.security.AuthCalls.assertForbidden;
import static io.kvgate.security.AuthCalls.assertNotFound;
import static io.kvgate.security.AuthCalls.bucket;
import static io.kvgate.security.AuthCalls.createBucket;
import static io.kvgate.security.AuthCalls.createKey;
import static io.kvgate.security.AuthCalls.tenant;
import static io.kvgate.security.AuthCalls.write;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an authenticated caller may do: each 403 on its own (permission, bucket globs, key
 * management), and 404 for the buckets of another tenant. The permission and glob rules are run
 * twice, with API keys and with JWTs, since they reach {@code Access} by different ways.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class AuthorizationTest {

  /** Where a test gets its credentials: an admin of one tenant, and narrower ones of the same. */
  interface Credentials {
    /** An unrestricted kv:admin of the tenant. */
    RequestSpecification admin();

    /** A credential of the same tenant with these permissions, limited to globs (null = none). */
    RequestSpecification with(List<String> globs, String... permissions);
  }

  /** API keys made by the bootstrap key: tenant "default". */
  static final class ApiKeys implements Credentials {
    @Override
    public RequestSpecification admin() {
      return asBootstrap();
    }

    @Override
    public RequestSpecification with(List<String> globs, String... permissions) {
      String body =
          "{\"name\":\"authz\",\"permissions\":"
              + AuthCalls.array(List.of(permissions))
              + (globs == null ? "" : ",\"buckets\":" + AuthCalls.array(globs))
              + "}";
      return asKey(createKey(body).secret());
    }
  }

  /** JWTs of a tenant of their own. */
  static final class Jwts implements Credentials {
    final String tenant = tenant();

    @Override
    public RequestSpecification admin() {
      return asBearer(Token.valid(tenant).rs256());
    }

    @Override
    public RequestSpecification with(List<String> globs, String... permissions) {
      Token t = Token.valid(tenant).with("scope", String.join(" ", permissions));
      if (globs != null) {
        t.with("buckets", globs);
      }
      return asBearer(t.rs256());
    }
  }

  private static Response putEntry(RequestSpecification as, String bucket, String key) {
    return as.contentType(ContentType.JSON)
        .body("{\"v\":2}")
        .put("/storage/kv/" + bucket + "/entries/" + key);
  }

  private static Response postBucket(RequestSpecification as, String bucket) {
    return as.contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + bucket + "\"}")
        .post("/storage/kv");
  }

  /** One request on a bucket holding entry "k", by name (for parameterized tests). */
  private static Response operation(RequestSpecification as, String op, String bucket) {
    String base = "/storage/kv/" + bucket;
    return switch (op) {
      case "K3" -> as.get(base);
      case "K4" -> as.contentType(ContentType.JSON).body("{\"description\":\"x\"}").put(base);
      case "K5" -> as.delete(base);
      case "K6" -> as.delete(base + "/purge");
      case "K7" -> as.get(base + "/entries");
      case "K8" -> as.get(base + "/entries/k");
      case "K9" -> putEntry(as, bucket, "k");
      case "K10" -> as.delete(base + "/entries/k");
      case "K12" -> as.get(base + "/search-by-key?search=*");
      case "history" -> as.get(base + "/entries/k/history");
      default -> throw new IllegalArgumentException(op);
    };
  }

  /** The names K1 lists for a credential. */
  private static List<String> listed(RequestSpecification as) {
    return as.get("/storage/kv")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("body.results.name");
  }

  /** The entry's value field {@code v}, read by an admin. */
  private static int value(Credentials c, String bucket, String key) {
    return c.admin()
        .get("/storage/kv/" + bucket + "/entries/" + key)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getInt("body.value.v");
  }

  abstract class Permissions {
    final Credentials as;
    final String bucket = bucket();

    Permissions(Credentials as) {
      this.as = as;
    }

    /** The test bucket, made by the tenant's admin, holding {@code k = {"v":1}}. */
    String filledBucket() {
      createBucket(as.admin(), bucket);
      write(as.admin(), bucket, "k", 1);
      return bucket;
    }

    @ParameterizedTest
    @ValueSource(strings = {"K3", "K7", "K8", "K12", "history"})
    void readCredentialReads(String op) {
      filledBucket();
      operation(as.with(null, "kv:read"), op, bucket).then().statusCode(200);
    }

    @Test
    void readCredentialListsBuckets() {
      filledBucket();
      assertTrue(listed(as.with(null, "kv:read")).contains(bucket));
    }

    @Test
    void readCredentialCannotWriteAnEntry() {
      filledBucket();
      assertForbidden(putEntry(as.with(null, "kv:read"), bucket, "k"));
      assertEquals(1, value(as, bucket, "k"), "the entry was written");
    }

    @Test
    void readCredentialCannotDeleteAnEntry() {
      filledBucket();
      assertForbidden(as.with(null, "kv:read").delete("/storage/kv/" + bucket + "/entries/k"));
      assertEquals(1, value(as, bucket, "k"), "the entry was deleted");
    }

    @Test
    void readCredentialCannotCreateABucket() {
      assertForbidden(postBucket(as.with(null, "kv:read"), bucket));
      assertNotFound(as.admin().get("/storage/kv/" + bucket));
    }

    @Test
    void writeCredentialWritesAndDeletesEntries() {
      filledBucket();
      RequestSpecification writer = as.with(null, "kv:write");
      putEntry(writer, bucket, "k").then().statusCode(200);
      assertEquals(2, value(as, bucket, "k"));
      as.with(null, "kv:write")
          .delete("/storage/kv/" + bucket + "/entries/k")
          .then()
          .statusCode(200);
    }

    @Test
    void writeCredentialAlsoReads() {
      filledBucket();
      operation(as.with(null, "kv:write"), "K8", bucket).then().statusCode(200);
    }

    @Test
    void writeCredentialCannotCreateABucket() {
      assertForbidden(postBucket(as.with(null, "kv:write"), bucket));
      assertNotFound(as.admin().get("/storage/kv/" + bucket));
    }

    @Test
    void writeCredentialCannotUpdateABucket() {
      filledBucket();
      assertForbidden(operation(as.with(null, "kv:write"), "K4", bucket));
    }

    @Test
    void writeCredentialCannotCreateABucketThroughUpdate() {
      assertForbidden(operation(as.with(null, "kv:write"), "K4", bucket));
      assertNotFound(as.admin().get("/storage/kv/" + bucket));
    }

    @Test
    void writeCredentialCannotDeleteABucket() {
      filledBucket();
      assertForbidden(operation(as.with(null, "kv:write"), "K5", bucket));
      as.admin().get("/storage/kv/" + bucket).then().statusCode(200);
    }

    @Test
    void writeCredentialCannotPurgeABucket() {
      filledBucket();
      assertForbidden(operation(as.with(null, "kv:write"), "K6", bucket));
      assertEquals(1, value(as, bucket, "k"), "the bucket was purged");
    }

    @Test
    void adminCredentialDoesEverything() {
      filledBucket();
      RequestSpecification admin = as.with(null, "kv:admin");
      for (String op : List.of("K3", "K4", "K7", "K8", "K9", "K12", "history", "K10", "K6", "K5")) {
        operation(admin, op, bucket).then().statusCode(200);
      }
    }
  }

  @Nested
  class PermissionsOfApiKeys extends Permissions {
    PermissionsOfApiKeys() {
      super(new ApiKeys());
    }
  }

  @Nested
  class PermissionsOfJwts extends Permissions {
    PermissionsOfJwts() {
      super(new Jwts());
    }
  }

  abstract class BucketGlobs {
    final Credentials as;
    final String orders = bucket("orders-");
    final String users = bucket("users-");

    BucketGlobs(Credentials as) {
      this.as = as;
    }

    void fill(String bucket) {
      createBucket(as.admin(), bucket);
      write(as.admin(), bucket, "k", 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"K3", "K7", "K8", "K9", "K12", "history", "K10"})
    void limitedCredentialWorksOnAMatchingBucket(String op) {
      fill(orders);
      operation(as.with(List.of("orders-*"), "kv:write"), op, orders).then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"K3", "K7", "K8", "K9", "K12", "history", "K10"})
    void limitedCredentialIsForbiddenOnAnotherBucket(String op) {
      fill(users);
      assertForbidden(operation(as.with(List.of("orders-*"), "kv:write"), op, users));
      assertEquals(1, value(as, users, "k"), "the entry changed");
    }

    @Test
    void limitedAdminCreatesAMatchingBucket() {
      postBucket(as.with(List.of("orders-*"), "kv:admin"), orders).then().statusCode(200);
    }

    @Test
    void limitedAdminCannotCreateAnotherBucket() {
      assertForbidden(postBucket(as.with(List.of("orders-*"), "kv:admin"), users));
      assertNotFound(as.admin().get("/storage/kv/" + users));
    }

    @ParameterizedTest
    @ValueSource(strings = {"K4", "K5", "K6"})
    void limitedAdminCannotChangeAnotherBucket(String op) {
      fill(users);
      assertForbidden(operation(as.with(List.of("orders-*"), "kv:admin"), op, users));
      assertEquals(1, value(as, users, "k"), "the bucket changed");
    }

    @Test
    void listShowsOnlyMatchingBuckets() {
      fill(orders);
      fill(users);
      List<String> names = listed(as.with(List.of("orders-*"), "kv:read"));
      assertTrue(names.contains(orders), orders + " not in " + names);
      assertFalse(names.contains(users), users + " in " + names);
      List<String> strays = new ArrayList<>();
      for (String n : names) {
        if (!n.startsWith("orders-")) {
          strays.add(n);
        }
      }
      assertEquals(List.of(), strays, "listed beyond orders-*");
    }

    @Test
    void listResultsTotalCountsOnlyMatchingBuckets() {
      fill(orders);
      fill(users);
      RequestSpecification limited = as.with(List.of("orders-*"), "kv:read");
      var list = limited.get("/storage/kv").then().statusCode(200).extract().jsonPath();
      assertEquals(list.getList("body.results").size(), list.getInt("body.results_total"));
    }

    @Test
    void everyGlobOfACredentialCounts() {
      fill(orders);
      fill(users);
      RequestSpecification both = as.with(List.of("nothing-*", users, "orders-*"), "kv:read");
      operation(both, "K8", orders).then().statusCode(200);
      operation(as.with(List.of("nothing-*", users, "orders-*"), "kv:read"), "K8", users)
          .then()
          .statusCode(200);
    }

    @Test
    void globsAreCaseSensitive() {
      fill(orders);
      assertForbidden(operation(as.with(List.of("ORDERS-*"), "kv:read"), "K8", orders));
    }

    @Test
    void questionMarkMatchesOneCharacter() {
      fill(orders);
      String glob = orders.substring(0, orders.length() - 1) + "?";
      operation(as.with(List.of(glob), "kv:read"), "K8", orders).then().statusCode(200);
      assertForbidden(
          operation(as.with(List.of(orders + "?"), "kv:read"), "K8", orders)); // one too many
    }
  }

  @Nested
  class BucketGlobsOfApiKeys extends BucketGlobs {
    BucketGlobsOfApiKeys() {
      super(new ApiKeys());
    }
  }

  @Nested
  class BucketGlobsOfJwts extends BucketGlobs {
    BucketGlobsOfJwts() {
      super(new Jwts());
    }
  }

  /** What only JWTs can say: no permission at all, odd scopes, an empty buckets claim. */
  @Nested
  class JwtClaims {
    final String tenant = tenant();
    final String bucket = bucket();

    void fill() {
      createBucket(asBearer(Token.valid(tenant).rs256()), bucket);
      write(asBearer(Token.valid(tenant).rs256()), bucket, "k", 1);
    }

    @Test
    void jwtWithoutAnyPermissionCannotList() {
      assertForbidden(asBearer(Token.valid(tenant).without("scope").rs256()).get("/storage/kv"));
    }

    @Test
    void jwtWithOnlyUnknownScopesCannotRead() {
      fill();
      String jwt = Token.valid(tenant).with("scope", "openid profile kv:superuser").rs256();
      assertForbidden(operation(asBearer(jwt), "K8", bucket));
    }

    @Test
    void scopesAreCaseSensitive() {
      fill();
      String jwt = Token.valid(tenant).with("scope", "KV:READ").rs256();
      assertForbidden(operation(asBearer(jwt), "K8", bucket));
    }

    @Test
    void scopeAndGroupsAddUp() {
      fill();
      String jwt =
          Token.valid(tenant).with("scope", "kv:read").with("groups", List.of("kv:write")).rs256();
      putEntry(asBearer(jwt), bucket, "k").then().statusCode(200);
    }

    @Test
    void readGroupCannotWrite() {
      fill();
      String jwt = Token.valid(tenant).without("scope").with("groups", List.of("kv:read")).rs256();
      operation(asBearer(jwt), "K8", bucket).then().statusCode(200);
      assertForbidden(putEntry(asBearer(jwt), bucket, "k"));
    }

    @Test
    void emptyBucketsClaimAllowsNoBucket() {
      fill();
      String jwt = Token.valid(tenant).with("buckets", List.of()).rs256();
      assertForbidden(operation(asBearer(jwt), "K8", bucket));
    }

    @Test
    void bucketsClaimMayBeASingleString() {
      fill();
      String jwt = Token.valid(tenant).with("buckets", "nothing-*").rs256();
      assertForbidden(operation(asBearer(jwt), "K8", bucket));
      String own = Token.valid(tenant).with("buckets", bucket).rs256();
      operation(asBearer(own), "K8", bucket).then().statusCode(200);
    }
  }

  abstract class KeyManagement {
    final Credentials as;

    KeyManagement(Credentials as) {
      this.as = as;
    }

    private Response createWith(RequestSpecification who) {
      return who.contentType(ContentType.JSON)
          .body("{\"name\":\"by-test\",\"permissions\":[\"kv:read\"]}")
          .post("/auth/api-keys");
    }

    @Test
    void unrestrictedAdminCreatesAndRevokesKeys() {
      String id = createWith(as.with(null, "kv:admin")).then().statusCode(201).extract().path("id");
      as.with(null, "kv:admin").delete("/auth/api-keys/" + id).then().statusCode(204);
    }

    @Test
    void unrestrictedAdminListsKeys() {
      as.with(null, "kv:admin").get("/auth/api-keys").then().statusCode(200);
    }

    @Test
    void limitedAdminCannotCreateKeys() {
      assertForbidden(createWith(as.with(List.of("*"), "kv:admin")));
    }

    @Test
    void limitedAdminCannotListKeys() {
      assertForbidden(as.with(List.of("orders-*"), "kv:admin").get("/auth/api-keys"));
    }

    @Test
    void limitedAdminCannotRevokeKeys() {
      String id = createWith(as.admin()).then().statusCode(201).extract().path("id");
      assertForbidden(as.with(List.of("orders-*"), "kv:admin").delete("/auth/api-keys/" + id));
      as.admin().delete("/auth/api-keys/" + id).then().statusCode(204); // it was still there
    }

    @Test
    void writeCredentialCannotCreateKeys() {
      assertForbidden(createWith(as.with(null, "kv:write")));
    }

    @Test
    void readCredentialCannotListKeys() {
      assertForbidden(as.with(null, "kv:read").get("/auth/api-keys"));
    }

    @Test
    void writeCredentialCannotRevokeKeys() {
      String id = createWith(as.admin()).then().statusCode(201).extract().path("id");
      assertForbidden(as.with(null, "kv:write").delete("/auth/api-keys/" + id));
      as.admin().delete("/auth/api-keys/" + id).then().statusCode(204);
    }
  }

  @Nested
  class KeyManagementByApiKeys extends KeyManagement {
    KeyManagementByApiKeys() {
      super(new ApiKeys());
    }
  }

  @Nested
  class KeyManagementByJwts extends KeyManagement {
    KeyManagementByJwts() {
      super(new Jwts());
    }
  }

  /** Tenant A's bucket X, seen by tenant B: absent, never forbidden. */
  @Nested
  class Tenants {
    final Jwts a = new Jwts();
    final Jwts b = new Jwts();
    final String x = bucket();

    @org.junit.jupiter.api.BeforeEach
    void bucketOfTenantA() {
      createBucket(a.admin(), x);
      write(a.admin(), x, "k", 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"K3", "K5", "K6", "K7", "K8", "K9", "K10", "K12", "history"})
    void otherTenantsBucketIsNotFound(String op) {
      assertNotFound(operation(b.admin(), op, x));
      assertEquals(1, value(a, x, "k"), "tenant A's entry changed");
    }

    @Test
    void otherTenantsBucketIsNotFoundForItsReaders() {
      assertNotFound(operation(b.with(null, "kv:read"), "K8", x));
    }

    @Test
    void otherTenantsBucketIsNotFoundForTheBootstrapKey() {
      assertNotFound(operation(asBootstrap(), "K3", x));
    }

    @Test
    void otherTenantsBucketIsNotListed() {
      assertTrue(listed(a.admin()).contains(x));
      assertFalse(listed(b.admin()).contains(x));
    }

    @Test
    void bothTenantsMayHaveABucketOfTheSameName() {
      postBucket(b.admin(), x).then().statusCode(200);
      assertEquals(1, value(a, x, "k"));
      b.admin()
          .get("/storage/kv/" + x + "/entries")
          .then()
          .statusCode(200)
          .body("body.results_total", equalTo(0));
      write(b.admin(), x, "k", 7);
      assertEquals(1, value(a, x, "k"), "tenant B wrote into tenant A's bucket");
      assertEquals(7, value(b, x, "k"));
    }

    @Test
    void updateOfAnotherTenantsNameCreatesTheCallersOwn() {
      operation(b.admin(), "K4", x).then().statusCode(200);
      assertEquals(
          "x",
          b.admin()
              .get("/storage/kv/" + x)
              .then()
              .statusCode(200)
              .extract()
              .path("body.config.description"));
      assertFalse(
          "x"
              .equals(
                  a.admin()
                      .get("/storage/kv/" + x)
                      .then()
                      .statusCode(200)
                      .extract()
                      .path("body.config.description")),
          "tenant B updated tenant A's bucket");
    }

    @Test
    void tenantClaimIsTheNamespace() {
      Supplier<RequestSpecification> sameTenantOtherSubject =
          () -> asBearer(Token.valid(a.tenant).with("sub", "someone-else").rs256());
      operation(sameTenantOtherSubject.get(), "K8", x).then().statusCode(200);
    }
  }
}
