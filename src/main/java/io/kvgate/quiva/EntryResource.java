package io.kvgate.quiva;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.core.BucketRef;
import io.kvgate.core.Entry;
import io.kvgate.core.HistoryItem;
import io.kvgate.core.JsonValues;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.Page;
import io.kvgate.core.Precondition;
import io.kvgate.core.PrefixDeletes;
import io.kvgate.core.Times;
import io.kvgate.error.KvException;
import io.kvgate.http.Reply;
import io.kvgate.quiva.QuivaDtos.EntryListResponse;
import io.kvgate.quiva.QuivaDtos.EntryResponse;
import io.kvgate.quiva.QuivaDtos.HistoryResponse;
import io.kvgate.quiva.QuivaDtos.KeySearchResponse;
import io.kvgate.quiva.QuivaDtos.Success;
import io.kvgate.security.Access;
import io.kvgate.security.Permission;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** K7-K10, K12 and the history extension of the {@code /storage/kv} dialect: entries. */
@Path("/storage/kv/{bucket}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "KV Entries")
@Authenticated
public class EntryResource {
  private static final Base64.Encoder CURSOR_OUT = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder CURSOR_IN = Base64.getUrlDecoder();

  private final KvStore store;
  private final JsonValues json;
  private final Access access;
  private final ObjectMapper mapper;
  private final PrefixDeletes prefixDeletes;
  private final EntryHandlers handlers;

  EntryResource(
      KvStore store,
      JsonValues json,
      Access access,
      ObjectMapper mapper,
      PrefixDeletes prefixDeletes,
      EntryHandlers handlers) {
    this.handlers = handlers;
    this.store = store;
    this.json = json;
    this.access = access;
    this.mapper = mapper;
    this.prefixDeletes = prefixDeletes;
  }

  @GET
  @Path("/entries")
  @Operation(
      operationId = "getKVLatestEntries",
      description =
          "Lists a bucket's current entries in key byte order, filtered by prefix, a page at a time with a cursor. Needs kv:read.",
      summary = "List entries in key byte order, with prefix and cursor paging")
  @APIResponse(
      responseCode = "200",
      description = "A page of entries",
      content = @Content(schema = @Schema(implementation = EntryListResponse.class)))
  public Uni<Response> list(
      @PathParam("bucket") String bucket,
      @QueryParam("limit") @Parameter(description = "1-1000, default 10") String limit,
      @QueryParam("prefix") @Parameter(description = "only keys starting with this") String prefix,
      @QueryParam("cursor") @Parameter(description = "next_cursor of the previous page")
          String cursor) {
    String tenant = access.require(Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    int n = Requests.intParam("limit", limit, 1, Limits.MAX_LIMIT, Limits.DEFAULT_LIMIT);
    String p = Names.requirePrefix(prefix);
    String after = decodeCursor(cursor);
    return store
        .list(BucketRef.named(tenant, bucket), p, after, n)
        .map(page -> json(renderPage(bucket, n, page)));
  }

  @GET
  @Path("/entries/{key: .+}")
  @Operation(
      operationId = "getKVEntry",
      description =
          "Reads an entry's current value, revision and timestamps, or a kept earlier revision with ?revision=; ETag and If-None-Match give conditional reads. Needs kv:read.",
      summary = "Get a KV entry, or a kept revision of it")
  @APIResponse(
      responseCode = "200",
      description = "The entry",
      headers = {
        @Header(
            name = "ETag",
            description = "the entry's revision, quoted",
            schema = @Schema(type = SchemaType.STRING)),
        @Header(
            name = "Last-Modified",
            description = "when the entry was written, as an HTTP date",
            schema = @Schema(type = SchemaType.STRING))
      },
      content = @Content(schema = @Schema(implementation = EntryResponse.class)))
  @APIResponse(responseCode = "304", description = "If-None-Match matched the current revision")
  @APIResponse(responseCode = "404", description = "No such bucket, key or kept revision")
  @APIResponse(responseCode = "415", description = "The stored value is binary")
  public Uni<Response> get(
      @PathParam("bucket") String bucket,
      @PathParam("key") String key,
      @QueryParam("revision") @Parameter(description = "a kept revision to read") String revision,
      @HeaderParam("If-None-Match") String ifNoneMatch) {
    return handlers.get(access.caller(), bucket, key, revision, ifNoneMatch).map(Reply::response);
  }

  @PUT
  @Path("/entries/{key: .+}")
  @Operation(
      operationId = "putKVEntry",
      description =
          "Writes a JSON value to a key and answers its new revision; If-Match and If-None-Match make the write conditional (compare-and-set), ?ttl= gives it an expiry. Needs kv:write.",
      summary = "Create or update a KV entry")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QuivaDtos.EntryValue.class)))
  @APIResponse(
      responseCode = "200",
      description = "Written",
      headers =
          @Header(
              name = "ETag",
              description = "the new revision, quoted",
              schema = @Schema(type = SchemaType.STRING)),
      content = @Content(schema = @Schema(implementation = Success.class)))
  @APIResponse(responseCode = "400", description = "Not a JSON object, bad key, over a limit")
  @APIResponse(responseCode = "404", description = "No such bucket")
  @APIResponse(responseCode = "412", description = "If-Match or If-None-Match failed")
  @APIResponse(responseCode = "413", description = "Body over the server's cap")
  public Uni<Response> put(
      @PathParam("bucket") String bucket,
      @PathParam("key") String key,
      @QueryParam("ttl") @Parameter(description = "seconds until the entry expires; 0 = never")
          String ttl,
      @HeaderParam("If-Match") String ifMatch,
      @HeaderParam("If-None-Match") String ifNoneMatch,
      HttpHeaders headers,
      byte[] body) {
    return handlers
        .put(
            access.caller(),
            bucket,
            key,
            ttl,
            ifMatch,
            ifNoneMatch,
            headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
            body)
        .map(Reply::response);
  }

  @POST
  @Path("/entries/{key: .+}/touch")
  @Operation(
      operationId = "touchKVEntry",
      description =
          "Gives an entry a new expiry (or none) while keeping its value and revision. Needs kv:write.",
      summary = "Set an entry's expiry anew without rewriting it (extension)")
  @APIResponse(
      responseCode = "200",
      description = "The expiry is set; the revision and ETag are unchanged",
      headers =
          @Header(
              name = "ETag",
              description = "the entry's revision, quoted",
              schema = @Schema(type = SchemaType.STRING)),
      content = @Content(schema = @Schema(implementation = Success.class)))
  @APIResponse(responseCode = "404", description = "No such bucket or key")
  public Uni<Response> touch(
      @PathParam("bucket") String bucket,
      @PathParam("key") String key,
      @QueryParam("ttl")
          @Parameter(description = "seconds from now until it expires; 0 = never; none = bucket's")
          String ttl) {
    String tenant = access.require(Permission.WRITE, bucket).tenant();
    Names.requireBucketName(bucket);
    Names.requireKey(key);
    Long ttlSeconds = Requests.longParam("ttl", ttl, 0, Limits.MAX_TTL_SECONDS);
    return store
        .touch(BucketRef.named(tenant, bucket), key, ttlSeconds)
        .map(
            rev -> {
              if (rev == null) {
                throw KvException.notFound("key '" + key + "' not found");
              }
              return Response.ok(Success.OK, MediaType.APPLICATION_JSON_TYPE)
                  .header(HttpHeaders.ETAG, Requests.etag(rev))
                  .build();
            });
  }

  @POST
  @Path("/bulk-get")
  @Operation(
      operationId = "bulkGetKVEntries",
      description =
          "Reads up to 1000 keys in one request, answered in the order asked (a missing key's value is null). Needs kv:read.",
      summary = "Get many entries at once (extension)")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QuivaDtos.BulkGetRequest.class)))
  @APIResponse(
      responseCode = "200",
      description = "The entries in the order asked; value null where a key has none",
      content = @Content(schema = @Schema(implementation = QuivaDtos.BulkGetResponse.class)))
  @APIResponse(responseCode = "400", description = "Not {keys: [...]}, a bad key, over 1000 keys")
  @APIResponse(responseCode = "404", description = "No such bucket")
  public Uni<Response> bulkGet(
      @PathParam("bucket") String bucket, HttpHeaders headers, byte[] body) {
    String tenant = access.require(Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    Requests.requireJsonContentType(headers);
    List<String> keys = bulkKeys(json.requireObject(body));
    return store
        .getMany(BucketRef.named(tenant, bucket), keys)
        .map(
            entries -> {
              JsonOut out = new JsonOut(256);
              out.raw("{\"body\":{\"results\":[");
              for (int i = 0; i < keys.size(); i++) {
                out.raw(i == 0 ? "{\"key\":" : ",{\"key\":").string(keys.get(i));
                out.raw(",\"value\":");
                Entry e = entries.get(i);
                if (e == null) {
                  out.raw("null");
                } else {
                  Values.writeLenient(out, e);
                }
                out.raw("}");
              }
              out.raw("]},\"metadata\":{\"bucket\":").string(bucket).raw("}}");
              return json(out.bytes());
            });
  }

  /** The keys of a bulk get: 1 to {@link Limits#MAX_LIMIT} valid keys, in the order given. */
  private List<String> bulkKeys(byte[] body) {
    JsonNode keys;
    try {
      keys = mapper.readTree(body).get("keys");
    } catch (IOException e) {
      throw KvException.validation("malformed JSON");
    }
    if (keys == null || !keys.isArray()) {
      throw KvException.validation("the body must be {\"keys\": [...]} with a list of keys");
    }
    if (keys.isEmpty() || keys.size() > Limits.MAX_LIMIT) {
      throw KvException.validation(
          "'keys' must hold 1 to " + Limits.MAX_LIMIT + " keys, not " + keys.size());
    }
    List<String> out = new ArrayList<>(keys.size());
    for (JsonNode k : keys) {
      if (!k.isTextual()) {
        throw KvException.validation("every key must be a string");
      }
      out.add(Names.requireKey(k.asText()));
    }
    return out;
  }

  @DELETE
  @Path("/entries")
  @Operation(
      operationId = "deleteKVEntriesByPrefix",
      description =
          "Deletes every entry whose key starts with the prefix: 200 when done within a second, else 202 while the rest is deleted in the background. Needs kv:write.",
      summary = "Delete every entry whose key starts with a prefix (extension)")
  @APIResponse(
      responseCode = "200",
      description = "Done: every entry with the prefix is deleted (tombstones kept)",
      content = @Content(schema = @Schema(implementation = QuivaDtos.PrefixDeleteResult.class)))
  @APIResponse(
      responseCode = "202",
      description = "Going on in the background; progress in the bucket's status.pending_delete",
      content = @Content(schema = @Schema(implementation = QuivaDtos.PrefixDeleteResult.class)))
  @APIResponse(responseCode = "400", description = "No or a bad prefix")
  @APIResponse(responseCode = "404", description = "No such bucket")
  public Uni<Response> deleteByPrefix(
      @PathParam("bucket") String bucket,
      @QueryParam("prefix") @Parameter(description = "the key prefix; required, not empty")
          String prefix) {
    String tenant = access.require(Permission.WRITE, bucket).tenant();
    Names.requireBucketName(bucket);
    if (prefix == null || prefix.isEmpty()) {
      throw KvException.validation(
          "a delete of entries needs a non-empty ?prefix= (DELETE .../purge empties the bucket)");
    }
    Names.requirePrefix(prefix);
    return prefixDeletes
        .run(BucketRef.named(tenant, bucket), prefix)
        .map(
            o ->
                Response.status(o.continuing() ? 202 : 200)
                    .entity(
                        new QuivaDtos.PrefixDeleteResult(
                            o.continuing() ? "accepted" : "success", o.deleted()))
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .build());
  }

  @DELETE
  @Path("/entries/{key: .+}")
  @Operation(
      operationId = "deleteKVEntry",
      description =
          "Deletes a key, keeping a tombstone revision in its history; If-Match makes the delete conditional. Needs kv:write.",
      summary = "Delete a KV entry")
  @APIResponse(
      responseCode = "200",
      description = "Deleted (a tombstone is kept in the history)",
      content = @Content(schema = @Schema(implementation = Success.class)))
  @APIResponse(responseCode = "404", description = "No such bucket or key")
  @APIResponse(responseCode = "412", description = "If-Match failed")
  public Uni<Success> delete(
      @PathParam("bucket") String bucket,
      @PathParam("key") String key,
      @HeaderParam("If-Match") String ifMatch) {
    String tenant = access.require(Permission.WRITE, bucket).tenant();
    Names.requireBucketName(bucket);
    Names.requireKey(key);
    Precondition pre = Requests.precondition(ifMatch, null);
    return store
        .delete(BucketRef.named(tenant, bucket), key, pre)
        .map(
            rev -> {
              if (rev == null) {
                throw KvException.notFound("key '" + key + "' not found");
              }
              return Success.OK;
            });
  }

  @GET
  @Path("/entries/{key: .+}/history")
  @Operation(
      operationId = "getKVEntryHistory",
      description =
          "Lists the kept revisions of a key, oldest first, deletes included, up to the bucket's history depth. Needs kv:read.",
      summary = "The kept revisions of a key, oldest first, deletes included")
  @APIResponse(
      responseCode = "200",
      description = "Kept revisions",
      content = @Content(schema = @Schema(implementation = HistoryResponse.class)))
  @APIResponse(responseCode = "404", description = "No such bucket, or nothing kept for the key")
  public Uni<Response> history(@PathParam("bucket") String bucket, @PathParam("key") String key) {
    String tenant = access.require(Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    Names.requireKey(key);
    return store
        .history(BucketRef.named(tenant, bucket), key)
        .map(
            items -> {
              if (items.isEmpty()) {
                throw KvException.notFound("no history is kept for key '" + key + "'");
              }
              JsonOut out = new JsonOut(256);
              out.raw("{\"body\":{\"results\":[");
              for (int i = 0; i < items.size(); i++) {
                HistoryItem h = items.get(i);
                out.raw(i == 0 ? "{" : ",{").field("revision").number(h.revision());
                out.raw(",").field("operation").string(h.operation().wire());
                out.raw(",").field("value");
                if (h.entry() == null) {
                  out.raw("null");
                } else {
                  Values.writeLenient(out, h.entry());
                }
                out.raw(",").field("time").string(Times.rfc3339(h.time())).raw("}");
              }
              out.raw("],\"results_total\":").number(items.size());
              out.raw("},\"metadata\":{\"bucket\":").string(bucket);
              out.raw(",\"key\":").string(key).raw("}}");
              return json(out.bytes());
            });
  }

  @GET
  @Path("/search-by-key")
  @Operation(
      operationId = "searchKVByKey",
      description =
          "Lists the entries whose keys match a glob of * and ?, in key order, a page at a time. Needs kv:read.",
      summary = "Entries whose keys match a pattern of * and ?, in key order")
  @APIResponse(
      responseCode = "200",
      description = "Matching entries",
      content = @Content(schema = @Schema(implementation = KeySearchResponse.class)))
  public Uni<Response> searchByKey(
      @PathParam("bucket") String bucket,
      @QueryParam("search") @Parameter(description = "key pattern, e.g. user*", required = true)
          String search,
      @QueryParam("limit") @Parameter(description = "1-1000, default 10") String limit) {
    String tenant = access.require(Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    String glob = Names.requireGlob(search);
    int n = Requests.intParam("limit", limit, 1, Limits.MAX_LIMIT, Limits.DEFAULT_LIMIT);
    return store
        .searchKeys(BucketRef.named(tenant, bucket), glob, n)
        .map(
            entries -> {
              JsonOut out = new JsonOut(256);
              out.raw("{\"body\":{\"results\":");
              writeEntries(out, entries);
              out.raw(",\"results_total\":").number(entries.size());
              out.raw("},\"metadata\":{\"bucket\":").string(bucket);
              out.raw(",\"search\":").string(search);
              out.raw(",\"hits\":").number(entries.size()).raw("}}");
              return json(out.bytes());
            });
  }

  private static byte[] renderPage(String bucket, int limit, Page page) {
    JsonOut out = new JsonOut(256);
    out.raw("{\"body\":{\"results\":");
    writeEntries(out, page.entries());
    out.raw(",\"results_total\":").number(page.total());
    out.raw(",\"next_cursor\":")
        .string(
            page.nextAfter() == null
                ? null
                : CURSOR_OUT.encodeToString(page.nextAfter().getBytes(StandardCharsets.UTF_8)));
    out.raw("},\"metadata\":{\"bucket\":").string(bucket);
    out.raw(",\"limit\":").number(limit).raw("}}");
    return out.bytes();
  }

  private static void writeEntries(JsonOut out, List<Entry> entries) {
    out.raw("[");
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      out.raw(i == 0 ? "{\"key\":" : ",{\"key\":").string(e.key()).raw(",\"value\":");
      Values.writeLenient(out, e);
      out.raw("}");
    }
    out.raw("]");
  }

  private static String decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String key = new String(CURSOR_IN.decode(cursor), StandardCharsets.UTF_8);
      if (Names.keyProblem(key) == null) {
        return key;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw KvException.validation("cursor is not one this service issued");
  }

  private static Response json(byte[] bytes) {
    return Response.ok(bytes, MediaType.APPLICATION_JSON_TYPE).build();
  }
}
