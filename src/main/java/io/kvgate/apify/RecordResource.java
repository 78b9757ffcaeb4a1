package io.kvgate.apify;

import io.kvgate.apify.StoreAccess.Proof;
import io.kvgate.apify.StoreAccess.Target;
import io.kvgate.core.Bucket;
import io.kvgate.core.BucketRef;
import io.kvgate.core.Encodings;
import io.kvgate.core.KeyPage;
import io.kvgate.core.KvStore;
import io.kvgate.core.Page;
import io.kvgate.core.Precondition;
import io.kvgate.core.RecordBodies;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.kvgate.http.Reply;
import io.kvgate.security.Access;
import io.kvgate.security.Permission;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

/** Endpoints 6-12 of the /v2 dialect: keys, the ZIP of all records, and one record. */
@Path("/v2/key-value-stores")
@Tag(name = "Key-value stores (Apify API v2)")
@PermitAll
public class RecordResource {
  private static final int MAX_KEYS = 1000;
  private static final int ZIP_PAGE = 100;
  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  private final KvStore store;
  private final StoreAccess stores;
  private final StoreView view;
  private final RecordBodies bodies;
  private final long maxDecoded;
  private final RecordHandlers handlers;
  private final Access access;

  RecordResource(
      KvStore store,
      StoreAccess stores,
      StoreView view,
      RecordBodies bodies,
      RecordHandlers handlers,
      Access access) {
    this.handlers = handlers;
    this.access = access;
    this.store = store;
    this.stores = stores;
    this.view = view;
    this.bodies = bodies;
    this.maxDecoded = bodies.maxDecoded();
  }

  @GET
  @Path("/{storeId}/keys")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "keyValueStore_keys_get",
      description =
          "Lists a store's keys in UTF-8 byte order from exclusiveStartKey, filtered by prefix, with each record's size and public URL.",
      summary = "Get list of keys")
  @APIResponse(responseCode = "200", description = "A page of keys in UTF-8 byte order")
  @APIResponse(responseCode = "404", description = "No such store")
  public Uni<ApifyDtos.Data<ApifyDtos.KeyList>> keys(
      @PathParam("storeId") String storeId,
      @QueryParam("exclusiveStartKey")
          @Parameter(description = "list the keys after this one (it need not exist)")
          String exclusiveStartKey,
      @QueryParam("limit") String limit,
      @QueryParam("prefix") String prefix,
      @QueryParam("collection") String collection,
      @QueryParam("signature") String signature,
      @Context UriInfo uri) {
    int n = (int) Params.number("limit", limit, MAX_KEYS, 1, MAX_KEYS);
    noCollections(collection);
    String after =
        exclusiveStartKey == null || exclusiveStartKey.isEmpty() ? null : exclusiveStartKey;
    return stores.run(
        storeId,
        Permission.READ,
        Proof.store(signature),
        t ->
            // The page and the store's id and secret (for the records' URLs) are read together.
            Uni.combine()
                .all()
                .unis(store.listKeys(t.ref(), prefix == null ? "" : prefix, after, n), owner(t))
                .asTuple()
                .map(both -> keyList(both.getItem1(), both.getItem2(), view.base(uri), n, after)));
  }

  private ApifyDtos.Data<ApifyDtos.KeyList> keyList(
      KeyPage page, Bucket.Owner owner, String base, int limit, String after) {
    Signatures.Signer signer =
        owner.secret() == null ? null : new Signatures.Signer(owner.secret());
    List<ApifyDtos.KeyItem> items = new ArrayList<>(page.keys().size());
    for (KeyPage.Key k : page.keys()) {
      items.add(
          new ApifyDtos.KeyItem(
              k.key(), k.size(), view.recordUrl(base, owner.id(), k.key(), signer)));
    }
    return new ApifyDtos.Data<>(
        new ApifyDtos.KeyList(
            items, items.size(), limit, after, page.nextAfter() != null, page.nextAfter()));
  }

  @GET
  @Path("/{storeId}/records")
  @Produces("application/zip")
  @Operation(
      operationId = "keyValueStore_records_get",
      description = "Streams a ZIP archive with one file per record of the store.",
      summary = "Download all records as ZIP")
  @APIResponse(responseCode = "200", description = "A ZIP archive, one file per record")
  @APIResponse(responseCode = "404", description = "No such store")
  public Multi<byte[]> zip(
      @PathParam("storeId") String storeId,
      @QueryParam("prefix") String prefix,
      @QueryParam("collection") String collection,
      @QueryParam("signature") String signature) {
    noCollections(collection);
    String p = prefix == null ? "" : prefix;
    Uni<Target> target =
        stores.run(
            storeId,
            Permission.READ,
            Proof.store(signature),
            t ->
                store
                    .getBucket(t.ref())
                    .map(
                        b -> {
                          if (b == null) {
                            throw new KvException.BucketMissing(storeId);
                          }
                          return t;
                        }));
    String file = storeId.replaceAll("[^A-Za-z0-9_-]", "_") + ".zip";
    return RestMulti.fromUniResponse(
        target,
        t -> archive(t.ref(), p),
        t -> Map.of("Content-Disposition", List.of("attachment; filename=\"" + file + "\"")));
  }

  /** The archive, page by page: only one page of records is held at a time. */
  private Multi<byte[]> archive(BucketRef ref, String prefix) {
    ZipWriter zip = new ZipWriter(maxDecoded);
    String[] after = {null};
    boolean[] done = {false};
    Multi<byte[]> pages =
        Multi.createBy()
            .repeating()
            .uni(
                () ->
                    store
                        .list(ref, prefix, after[0], ZIP_PAGE)
                        .invoke(
                            page -> {
                              after[0] = page.nextAfter();
                              done[0] = page.nextAfter() == null;
                            }))
            .whilst(page -> !done[0])
            .emitOn(Infrastructure.getDefaultWorkerPool())
            .map((Page page) -> zip.add(page.entries()));
    return Multi.createBy()
        .concatenating()
        .streams(pages, Multi.createFrom().item(zip::finish))
        .filter(bytes -> bytes.length > 0);
  }

  @GET
  @Path("/{storeId}/records/{key: .+}")
  @Operation(
      operationId = "keyValueStore_record_get",
      description =
          "Answers a record's bytes with the Content-Type it was stored with, decompressed unless the client accepts its encoding.",
      summary = "Get record")
  @APIResponse(responseCode = "200", description = "The record's bytes with its Content-Type")
  @APIResponse(responseCode = "404", description = "No such store or record")
  public Uni<Response> get(
      @PathParam("storeId") String storeId,
      @PathParam("key") String key,
      @QueryParam("attachment") String attachment,
      @QueryParam("signature") String signature,
      @Context HttpHeaders headers) {
    return handlers
        .get(
            access.callerIfAny(),
            storeId,
            key,
            attachment,
            signature,
            headers.getHeaderString(HttpHeaders.ACCEPT_ENCODING))
        .map(Reply::response);
  }

  @HEAD
  @Path("/{storeId}/records/{key: .+}")
  @Operation(
      operationId = "keyValueStore_record_head",
      description = "Answers whether a record exists, with its headers and without its body.",
      summary = "Check if a record exists")
  @APIResponse(responseCode = "200", description = "It exists")
  @APIResponse(responseCode = "404", description = "No such store or record")
  public Uni<Response> head(
      @PathParam("storeId") String storeId,
      @PathParam("key") String key,
      @QueryParam("signature") String signature) {
    RecordHandlers.requireKey(key);
    return stores
        .run(storeId, Permission.READ, Proof.record(key, signature), t -> store.head(t.ref(), key))
        .map(
            e -> {
              if (e == null) {
                throw RecordHandlers.recordNotFound();
              }
              return Response.ok()
                  .header(HttpHeaders.CONTENT_TYPE, RecordHandlers.contentType(e))
                  .header(HttpHeaders.ETAG, "\"" + e.revision() + "\"")
                  .build();
            });
  }

  @PUT
  @Path("/{storeId}/records/{key: .+}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "keyValueStore_record_put",
      description =
          "Stores a record's bytes with their Content-Type (and Content-Encoding), replacing any record of that key.",
      summary = "Store record")
  @APIResponse(responseCode = "201", description = "Stored; Location names the record")
  @APIResponse(responseCode = "404", description = "No such store")
  @APIResponse(responseCode = "413", description = "Body over the server's cap")
  @APIResponse(responseCode = "415", description = "Content-Encoding not gzip, deflate, br")
  public Uni<Response> put(
      @PathParam("storeId") String storeId,
      @PathParam("key") String key,
      @Context HttpHeaders headers,
      @Context UriInfo uri,
      byte[] body) {
    RecordHandlers.requireKey(key);
    String coding = Encodings.require(headers.getHeaderString("Content-Encoding"));
    String type = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
    String contentType = type == null || type.isBlank() ? RecordHandlers.DEFAULT_TYPE : type.trim();
    byte[] value = body == null ? new byte[0] : body;
    return stores.run(
        storeId,
        Permission.WRITE,
        Proof.NONE,
        t ->
            bodies
                .check(contentType, coding, value)
                .chain(
                    checked ->
                        store.put(
                            t.ref(), key, value, contentType, coding, null, Precondition.NONE))
                .chain(
                    rev ->
                        t.ref().id() != null
                            ? Uni.createFrom().item(t.ref().id())
                            : owner(t).map(Bucket.Owner::id))
                .map(
                    id ->
                        Response.created(URI.create(view.recordUrl(view.base(uri), id, key, null)))
                            .entity(EMPTY_OBJECT)
                            .type(MediaType.APPLICATION_JSON_TYPE)
                            .build()));
  }

  @POST
  @Path("/{storeId}/records/{key: .+}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "keyValueStore_record_post",
      description = "Stores a record exactly as PUT does, for clients that can only POST.",
      summary = "Store record (alias of PUT)")
  @APIResponse(responseCode = "201", description = "Stored; Location names the record")
  public Uni<Response> post(
      @PathParam("storeId") String storeId,
      @PathParam("key") String key,
      @Context HttpHeaders headers,
      @Context UriInfo uri,
      byte[] body) {
    return put(storeId, key, headers, uri, body);
  }

  @DELETE
  @Path("/{storeId}/records/{key: .+}")
  @Operation(
      operationId = "keyValueStore_record_delete",
      description = "Deletes a record; deleting a record that does not exist also answers 204.",
      summary = "Delete record")
  @APIResponse(responseCode = "204", description = "Deleted, or there was no such record")
  @APIResponse(responseCode = "404", description = "No such store")
  public Uni<Response> delete(@PathParam("storeId") String storeId, @PathParam("key") String key) {
    RecordHandlers.requireKey(key);
    return stores.run(
        storeId,
        Permission.WRITE,
        Proof.NONE,
        t ->
            store.delete(t.ref(), key, Precondition.NONE).map(rev -> Response.noContent().build()));
  }

  /** Who owns the store: its id and signing secret, for public URLs. */
  private Uni<Bucket.Owner> owner(Target t) {
    if (t.owner() != null) {
      return Uni.createFrom().item(t.owner());
    }
    return store
        .owner(t.ref())
        .map(
            o -> {
              if (o == null) {
                throw new KvException.BucketMissing(t.ref().label());
              }
              return o;
            });
  }

  private static void noCollections(String collection) {
    if (collection != null && !collection.isEmpty()) {
      throw new KvException(
          ErrorCode.VALIDATION_ERROR,
          "this service does not support store schemas, so a store has no collections",
          "invalid-collection");
    }
  }
}
