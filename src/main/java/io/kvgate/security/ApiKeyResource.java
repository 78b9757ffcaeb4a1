package io.kvgate.security;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.core.JsonValues;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** API-key management: create (the secret is shown once), list (never secrets), revoke. */
@Path("/auth/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "API keys")
public class ApiKeyResource {
  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_*?-]{1,63}");
  private static final long MAX_EXPIRES_IN = 315_360_000L;

  private final ApiKeyStore store;
  private final Access access;
  private final JsonValues json;
  private final ObjectMapper mapper;
  private final ApiKeyIdentityProvider provider;

  ApiKeyResource(
      ApiKeyStore store,
      Access access,
      JsonValues json,
      ObjectMapper mapper,
      ApiKeyIdentityProvider provider) {
    this.store = store;
    this.access = access;
    this.json = json;
    this.mapper = mapper;
    this.provider = provider;
  }

  /** A key as listed (no secret). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @RegisterForReflection
  public record KeyView(
      String id,
      String name,
      List<String> permissions,
      List<String> buckets,
      String created,
      @JsonProperty("expires_at") String expiresAt,
      @JsonProperty("last_used_at") String lastUsedAt) {}

  /** A key just made: the only answer that carries the secret. */
  @RegisterForReflection
  public record CreatedKey(
      String id,
      @Schema(description = "the secret; shown only here") String key,
      String name,
      List<String> permissions,
      List<String> buckets,
      String created,
      @JsonProperty("expires_at") String expiresAt) {}

  /** A permission's name, for the OpenAPI document (items of {@code permissions}). */
  @Schema(
      name = "Permission",
      type = SchemaType.STRING,
      enumeration = {"kv:read", "kv:write", "kv:admin"})
  private static final class PermissionName {}

  /** The request of POST /auth/api-keys. */
  @Schema(name = "CreateApiKeyRequest")
  @RegisterForReflection
  public record CreateRequest(
      @Schema(required = true) String name,
      @Schema(required = true, type = SchemaType.ARRAY, implementation = PermissionName.class)
          List<String> permissions,
      @Schema(description = "bucket-name globs this key is limited to") List<String> buckets,
      @JsonProperty("expires_in") @Schema(description = "seconds until the key expires")
          Long expiresIn) {}

  /** The list. */
  @RegisterForReflection
  public record KeyList(List<KeyView> results, @JsonProperty("results_total") int total) {}

  @POST
  @Operation(
      operationId = "createApiKey",
      description =
          "Creates an API key with permissions and optional bucket globs and expiry; the secret is in this answer only and is stored as a hash. Needs kv:admin.",
      summary = "Create an API key; its secret is shown once")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = CreateRequest.class)))
  @APIResponse(
      responseCode = "201",
      description = "Created",
      content = @Content(schema = @Schema(implementation = CreatedKey.class)))
  @APIResponse(responseCode = "403", description = "Not an unrestricted kv:admin credential")
  public Uni<RestResponse<CreatedKey>> create(byte[] body) {
    Caller caller = manager();
    JsonNode req = parse(body);
    String name = text(req, "name");
    if (name == null || name.isBlank() || name.length() > 100) {
      throw KvException.validation("name is required: 1 to 100 characters");
    }
    Set<Permission> permissions = permissions(req.get("permissions"));
    List<String> buckets = globs(req.get("buckets"));
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant expires = null;
    JsonNode expiresIn = req.get("expires_in");
    if (expiresIn != null && !expiresIn.isNull()) {
      if (!expiresIn.isIntegralNumber()
          || expiresIn.asLong() < 1
          || expiresIn.asLong() > MAX_EXPIRES_IN) {
        throw KvException.validation("expires_in must be seconds from 1 to " + MAX_EXPIRES_IN);
      }
      expires = now.plusSeconds(expiresIn.asLong());
    }
    String secret = Secrets.newKey();
    ApiKey key =
        new ApiKey(
            Secrets.random(16), caller.tenant(), name, permissions, buckets, now, expires, null);
    return store
        .save(key, Secrets.hex(Secrets.sha256(secret)))
        .map(
            ok ->
                RestResponse.status(
                    RestResponse.Status.CREATED,
                    new CreatedKey(
                        key.id(),
                        secret,
                        key.name(),
                        scopes(key.permissions()),
                        key.buckets(),
                        time(key.created()),
                        time(key.expiresAt()))));
  }

  @GET
  @Operation(
      operationId = "listApiKeys",
      description =
          "Lists the tenant's API keys with their permissions, buckets and expiry, never their secrets. Needs kv:admin.",
      summary = "The tenant's API keys, without secrets")
  @APIResponse(
      responseCode = "200",
      description = "Keys",
      content = @Content(schema = @Schema(implementation = KeyList.class)))
  public Uni<KeyList> list() {
    Caller caller = manager();
    return store
        .list(caller.tenant())
        .map(
            keys -> {
              List<KeyView> views =
                  keys.stream()
                      .map(
                          k ->
                              new KeyView(
                                  k.id(),
                                  k.name(),
                                  scopes(k.permissions()),
                                  k.buckets(),
                                  time(k.created()),
                                  time(k.expiresAt()),
                                  time(k.lastUsedAt())))
                      .toList();
              return new KeyList(views, views.size());
            });
  }

  @DELETE
  @Path("/{id}")
  @Operation(
      operationId = "deleteApiKey",
      description =
          "Revokes an API key: requests with it fail from then on, and its open watch streams end. Needs kv:admin.",
      summary = "Revoke an API key")
  @APIResponse(responseCode = "204", description = "Revoked")
  @APIResponse(responseCode = "404", description = "No such key")
  public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
    Caller caller = manager();
    return store
        .delete(caller.tenant(), id)
        .map(
            deleted -> {
              if (!deleted) {
                throw KvException.notFound("API key '" + id + "' not found");
              }
              provider.forget(caller.tenant(), id);
              return RestResponse.noContent();
            });
  }

  /** Keys are managed by kv:admin credentials that are not narrowed to some buckets. */
  private Caller manager() {
    Caller caller = access.require(Permission.ADMIN, null);
    if (caller.bucketGlobs() != null) {
      throw new KvException(
          ErrorCode.FORBIDDEN, "a credential limited to some buckets cannot manage API keys");
    }
    return caller;
  }

  private JsonNode parse(byte[] body) {
    json.requireObject(body);
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw KvException.validation("malformed JSON");
    }
  }

  private static String text(JsonNode req, String field) {
    JsonNode v = req.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw KvException.validation(field + " must be a string");
    }
    return v.asText();
  }

  private static Set<Permission> permissions(JsonNode v) {
    if (v == null || !v.isArray() || v.isEmpty()) {
      throw KvException.validation(
          "permissions is required: a list of kv:read, kv:write and kv:admin");
    }
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    for (JsonNode p : v) {
      Permission permission = p.isTextual() ? Permission.of(p.asText()) : null;
      if (permission == null) {
        throw KvException.validation("unknown permission; use kv:read, kv:write or kv:admin");
      }
      out.add(permission);
    }
    return out;
  }

  private static List<String> globs(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray() || v.isEmpty() || v.size() > 100) {
      throw KvException.validation("buckets must be a list of 1 to 100 bucket-name globs");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode g : v) {
      if (!g.isTextual() || !GLOB.matcher(g.asText()).matches()) {
        throw KvException.validation(
            "each of buckets must be a bucket name, with * and ? as wildcards");
      }
      out.add(g.asText());
    }
    return out;
  }

  private static List<String> scopes(Set<Permission> permissions) {
    return permissions.stream().map(Permission::scope).toList();
  }

  private static String time(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
