package io.kvgate.apify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.apify.StoreAccess.Proof;
import io.kvgate.apify.StoreAccess.Target;
import io.kvgate.core.Bucket;
import io.kvgate.core.BucketConfig;
import io.kvgate.core.BucketRef;
import io.kvgate.core.BucketUpdate;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.StorePage;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.kvgate.security.Access;
import io.kvgate.security.Caller;
import io.kvgate.security.Permission;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Endpoints 1-5 of the /v2 dialect: the store collection and one store. */
@Path("/v2/key-value-stores")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Key-value stores (Apify API v2)")
@PermitAll
public class StoreResource {
  private static final int MAX_LIMIT = 1000;
  private static final Set<String> GENERAL_ACCESS =
      Set.of(
          StoreAccess.ANYONE_WITH_ID,
          StoreAccess.ANYONE_WITH_NAME,
          StoreAccess.FOLLOW_USER_SETTING,
          StoreAccess.RESTRICTED);

  private final KvStore store;
  private final StoreAccess stores;
  private final StoreView view;
  private final Access access;
  private final ObjectMapper mapper;

  StoreResource(
      KvStore store, StoreAccess stores, StoreView view, Access access, ObjectMapper mapper) {
    this.store = store;
    this.stores = stores;
    this.view = view;
    this.access = access;
    this.mapper = mapper;
  }

  @GET
  @Operation(
      operationId = "keyValueStores_get",
      description =
          "Lists the caller's key-value stores by creation time, with offset and limit paging, optionally the unnamed ones only.",
      summary = "Get list of key-value stores")
  @APIResponse(responseCode = "200", description = "The caller's stores by creation time")
  public Uni<ApifyDtos.Data<ApifyDtos.StoreList>> list(
      @QueryParam("offset") String offset,
      @QueryParam("limit") String limit,
      @QueryParam("desc") String desc,
      @QueryParam("unnamed") String unnamed,
      @Context UriInfo uri) {
    long from = Params.number("offset", offset, 0, 0, Long.MAX_VALUE / 2);
    int n = (int) Params.number("limit", limit, MAX_LIMIT, 1, MAX_LIMIT);
    boolean newestFirst = Params.bool("desc", desc);
    boolean withUnnamed = Params.bool("unnamed", unnamed);
    return access
        .requireAsync(Permission.READ, null)
        .chain(
            caller -> {
              return page(caller, withUnnamed, from, n, newestFirst)
                  .map(
                      p -> {
                        String base = view.base(uri);
                        List<ApifyDtos.Store> items =
                            p.buckets().stream()
                                .map(b -> view.store(b, mayWrite(caller, b), base))
                                .toList();
                        return new ApifyDtos.Data<>(
                            new ApifyDtos.StoreList(
                                p.total(), from, n, newestFirst, items.size(), withUnnamed, items));
                      });
            });
  }

  /** A page of the caller's stores; a caller narrowed to some buckets sees only those. */
  private Uni<StorePage> page(
      Caller caller, boolean withUnnamed, long from, int n, boolean newestFirst) {
    if (caller.bucketGlobs() == null) {
      return store.listBuckets(caller.tenant(), withUnnamed, from, n, newestFirst);
    }
    return store
        .listBuckets(caller.tenant())
        .map(
            all -> {
              List<Bucket> visible =
                  new ArrayList<>(all.stream().filter(b -> caller.mayUse(b.name())).toList());
              if (newestFirst) {
                Collections.reverse(visible);
              }
              int start = (int) Math.min(from, visible.size());
              int end = (int) Math.min((long) start + n, visible.size());
              return new StorePage(visible.subList(start, end), visible.size());
            });
  }

  @POST
  @Operation(
      operationId = "keyValueStores_post",
      description =
          "Creates a store with the given name, or answers the caller's existing store of that name; without a name it creates an unnamed store.",
      summary = "Create a key-value store, or get the one with this name")
  @APIResponse(responseCode = "200", description = "A store of this name exists: it")
  @APIResponse(responseCode = "201", description = "Created")
  public Uni<Response> create(
      @QueryParam("name") @Parameter(description = "unique per account; none = an unnamed store")
          String name,
      @Context UriInfo uri,
      byte[] body) {
    rejectSchema(body);
    String wanted = name == null || name.isEmpty() ? null : name;
    if (wanted != null && !Names.isBucketName(wanted)) {
      throw Params.invalid(
          "a store name is 1-63 letters, digits, '-' and '_', starting with a letter or digit");
    }
    return access
        .requireAsync(Permission.ADMIN, wanted)
        .chain(
            caller -> {
              if (wanted == null && caller.bucketGlobs() != null) {
                throw new KvException(
                    ErrorCode.FORBIDDEN,
                    "this credential is limited to named buckets",
                    "insufficient-permissions");
              }
              String base = view.base(uri);
              if (wanted == null) {
                return created(caller, null, base);
              }
              return store
                  .getBucket(BucketRef.named(caller.tenant(), wanted))
                  .chain(
                      existing ->
                          existing != null
                              ? Uni.createFrom().item(ok(caller, existing, base))
                              : created(caller, wanted, base)
                                  .onFailure(KvException.BucketExists.class)
                                  .recoverWithUni(
                                      () ->
                                          store
                                              .getBucket(BucketRef.named(caller.tenant(), wanted))
                                              .map(b -> ok(caller, required(b, wanted), base))));
            });
  }

  private Uni<Response> created(Caller caller, String name, String base) {
    return store
        .createBucket(caller.tenant(), name, BucketConfig.defaults())
        .map(
            b ->
                Response.created(URI.create(view.storeUrl(base, b.id())))
                    .entity(new ApifyDtos.Data<>(view.store(b, mayWrite(caller, b), base)))
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .build());
  }

  private Response ok(Caller caller, Bucket b, String base) {
    return Response.ok(new ApifyDtos.Data<>(view.store(b, mayWrite(caller, b), base)))
        .type(MediaType.APPLICATION_JSON_TYPE)
        .build();
  }

  @GET
  @Path("/{storeId}")
  @Operation(
      operationId = "keyValueStore_get",
      description = "Reads a store by id or by name, with its statistics and signed keys URL.",
      summary = "Get store")
  @APIResponse(responseCode = "200", description = "The store")
  @APIResponse(responseCode = "404", description = "No such store")
  public Uni<ApifyDtos.Data<ApifyDtos.Store>> get(
      @PathParam("storeId") @Parameter(description = "id, ~name or username~name") String storeId,
      @Context UriInfo uri) {
    return stores.run(
        storeId,
        Permission.READ,
        Proof.NONE,
        t ->
            store
                .getBucket(t.ref())
                .map(
                    b ->
                        new ApifyDtos.Data<>(
                            view.store(required(b, storeId), mayWrite(t, b), view.base(uri)))));
  }

  @PUT
  @Path("/{storeId}")
  @Operation(
      operationId = "keyValueStore_put",
      description = "Renames a store or changes its general access. Needs kv:admin.",
      summary = "Update store")
  @RequestBody(
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ApifyDtos.UpdateStore.class)))
  @APIResponse(responseCode = "200", description = "The updated store")
  @APIResponse(responseCode = "404", description = "No such store")
  public Uni<ApifyDtos.Data<ApifyDtos.Store>> update(
      @PathParam("storeId") String storeId, @Context UriInfo uri, byte[] body) {
    JsonNode req = object(body);
    boolean rename = req.has("name");
    String newName = rename && !req.get("name").isNull() ? text(req, "name") : null;
    if (newName != null && !Names.isBucketName(newName)) {
      throw Params.invalid(
          "a store name is 1-63 letters, digits, '-' and '_', starting with a letter or digit");
    }
    String general = null;
    if (req.has("generalAccess") && !req.get("generalAccess").isNull()) {
      general = text(req, "generalAccess");
      if (!GENERAL_ACCESS.contains(general)) {
        throw Params.invalid("'generalAccess' must be one of " + String.join(", ", GENERAL_ACCESS));
      }
    }
    BucketUpdate update = new BucketUpdate(null, null, null, null, rename, newName, general);
    return stores.run(
        storeId,
        Permission.ADMIN,
        Proof.NONE,
        t -> {
          if (newName != null) {
            access.authorize(t.caller(), Permission.ADMIN, newName);
          }
          return store
              .updateBucket(t.ref(), update)
              .map(
                  b ->
                      new ApifyDtos.Data<>(
                          view.store(required(b, storeId), mayWrite(t, b), view.base(uri))));
        });
  }

  @DELETE
  @Path("/{storeId}")
  @Operation(
      operationId = "keyValueStore_delete",
      description = "Deletes a store with every record in it. Needs kv:admin.",
      summary = "Delete store")
  @APIResponse(responseCode = "204", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No such store")
  public Uni<Response> delete(@PathParam("storeId") String storeId) {
    return stores.run(
        storeId,
        Permission.ADMIN,
        Proof.NONE,
        t ->
            store
                .deleteBucket(t.ref())
                .map(
                    done -> {
                      if (!done) {
                        throw StoreAccess.notFound();
                      }
                      return Response.noContent().build();
                    }));
  }

  /** The store; a missing one lets {@link StoreAccess} look for another tenant's public store. */
  private static Bucket required(Bucket b, String storeId) {
    if (b == null) {
      throw new KvException.BucketMissing(storeId);
    }
    return b;
  }

  private static boolean mayWrite(Target t, Bucket b) {
    return t.owned() && mayWrite(t.caller(), b);
  }

  private static boolean mayWrite(Caller caller, Bucket b) {
    return caller != null
        && caller.tenant().equals(b.tenant())
        && caller.has(Permission.WRITE)
        && (caller.bucketGlobs() == null || (b.name() != null && caller.mayUse(b.name())));
  }

  private void rejectSchema(byte[] body) {
    if (body == null || body.length == 0) {
      return;
    }
    JsonNode req = object(body);
    if (req.has("schema") && !req.get("schema").isNull()) {
      throw KvException.validation(
          "store schemas are not supported by this service: create the store without one");
    }
  }

  private JsonNode object(byte[] body) {
    if (body == null || body.length == 0) {
      throw KvException.validation("a JSON object body is required");
    }
    try {
      JsonNode node = mapper.readTree(body);
      if (node == null || !node.isObject()) {
        throw KvException.validation("the body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw KvException.validation("the body is not valid JSON");
    }
  }

  private static String text(JsonNode req, String field) {
    JsonNode v = req.get(field);
    if (!v.isTextual()) {
      throw Params.invalid("'" + field + "' must be a string");
    }
    return v.asText();
  }
}
