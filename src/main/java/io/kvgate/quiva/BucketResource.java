package io.kvgate.quiva;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.core.Bucket;
import io.kvgate.core.BucketConfig;
import io.kvgate.core.BucketRef;
import io.kvgate.core.BucketUpdate;
import io.kvgate.core.IndexBackfills;
import io.kvgate.core.Indexing;
import io.kvgate.core.JsonValues;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.Times;
import io.kvgate.error.KvException;
import io.kvgate.quiva.QuivaDtos.BucketConfigView;
import io.kvgate.quiva.QuivaDtos.BucketDetail;
import io.kvgate.quiva.QuivaDtos.BucketList;
import io.kvgate.quiva.QuivaDtos.BucketListItem;
import io.kvgate.quiva.QuivaDtos.BucketListResponse;
import io.kvgate.quiva.QuivaDtos.BucketResponse;
import io.kvgate.quiva.QuivaDtos.BucketStatus;
import io.kvgate.quiva.QuivaDtos.Metadata;
import io.kvgate.quiva.QuivaDtos.StreamConfig;
import io.kvgate.quiva.QuivaDtos.StreamInfo;
import io.kvgate.quiva.QuivaDtos.StreamState;
import io.kvgate.quiva.QuivaDtos.Success;
import io.kvgate.security.Access;
import io.kvgate.security.Caller;
import io.kvgate.security.Permission;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** K1-K6 of the {@code /storage/kv} dialect: buckets. */
@Path("/storage/kv")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "KV Buckets")
@Authenticated
public class BucketResource {
  private final KvStore store;
  private final JsonValues json;
  private final ObjectMapper mapper;
  private final Access access;
  private final IndexBackfills backfills;

  BucketResource(
      KvStore store,
      JsonValues json,
      ObjectMapper mapper,
      Access access,
      IndexBackfills backfills) {
    this.backfills = backfills;
    this.store = store;
    this.json = json;
    this.mapper = mapper;
    this.access = access;
  }

  @GET
  @Operation(
      operationId = "getKVBucketList",
      description =
          "Lists the caller's tenant's buckets, oldest first, with their entry counts. Needs kv:read.",
      summary = "List all KV buckets")
  @APIResponse(responseCode = "200", description = "The tenant's buckets, oldest first")
  public Uni<BucketListResponse> list() {
    long start = System.nanoTime();
    Caller caller = access.require(Permission.READ, null);
    return store
        .listBuckets(caller.tenant())
        .map(
            buckets -> {
              List<BucketListItem> items =
                  buckets.stream()
                      .filter(b -> caller.mayUse(b.name()))
                      .map(
                          b ->
                              new BucketListItem(
                                  b.name(),
                                  b.config().description(),
                                  b.entryCount(),
                                  Times.rfc3339(b.createdAt())))
                      .toList();
              return new BucketListResponse(
                  new BucketList(items, items.size()), durationOnly(start));
            });
  }

  @POST
  @Operation(
      operationId = "createKVBucket",
      description =
          "Creates a bucket with its description, history depth, TTL and size limits. Needs kv:admin.",
      summary = "Create a new KV bucket")
  @RequestBody(
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QuivaDtos.CreateBucketRequest.class)))
  @APIResponse(
      responseCode = "200",
      description = "Created",
      content = @Content(schema = @Schema(implementation = Success.class)))
  @APIResponse(responseCode = "400", description = "Invalid settings, or the name exists")
  public Uni<Success> create(HttpHeaders headers, byte[] body) {
    JsonNode req = parse(headers, body);
    String name = Names.requireBucketName(Fields.string(req, "bucket"));
    BucketConfig config = configFrom(req);
    String tenant = access.require(Permission.ADMIN, name).tenant();
    return store.createBucket(tenant, name, config).replaceWith(Success.OK);
  }

  @GET
  @Path("/{bucket}")
  @Operation(
      operationId = "getKVBucket",
      description =
          "Reads a bucket's status (entries, bytes, pending prefix deletes), configuration and change-stream state. Needs kv:read.",
      summary = "Get KV bucket details")
  @APIResponse(responseCode = "200", description = "Status, config and stream info")
  @APIResponse(responseCode = "404", description = "No such bucket")
  public Uni<BucketResponse> get(@PathParam("bucket") String bucket) {
    long start = System.nanoTime();
    String tenant = access.require(Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    return store
        .getBucket(BucketRef.named(tenant, bucket))
        .map(b -> detail(required(b, bucket), start));
  }

  @PUT
  @Path("/{bucket}")
  @Operation(
      operationId = "createOrUpdateKVBucket",
      description =
          "Sets a bucket's description, limits and field mappings, creating the bucket when it"
              + " does not exist. Needs kv:admin.",
      summary =
          "Update a KV bucket's description, limits and field mappings, creating it when missing")
  @RequestBody(
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QuivaDtos.UpdateBucketRequest.class)))
  @APIResponse(responseCode = "200", description = "Updated or created")
  public Uni<Success> update(@PathParam("bucket") String bucket, HttpHeaders headers, byte[] body) {
    String tenant = access.require(Permission.ADMIN, bucket).tenant();
    Names.requireBucketName(bucket);
    JsonNode req = parse(headers, body);
    for (String fixed : List.of("history", "compression", "replicas", "storage", "bucket")) {
      if (req.has(fixed) && !(fixed.equals("bucket") && bucket.equals(req.get(fixed).asText()))) {
        throw KvException.validation(
            fixed
                + " cannot be changed after creation; only description, max_bytes,"
                + " max_value_size and ttl can");
      }
    }
    Indexing indexing = indexing(req);
    BucketUpdate update =
        BucketUpdate.settings(
            Fields.string(req, "description"),
            Fields.limit(req, "max_bytes", Long.MAX_VALUE),
            Fields.limit(req, "max_value_size", Integer.MAX_VALUE),
            Fields.integer(req, "ttl", 0, Limits.MAX_TTL_SECONDS));
    return store
        .updateBucket(BucketRef.named(tenant, bucket), update)
        .chain(
            updated -> {
              if (updated != null) {
                return reindex(tenant, bucket, updated, indexing);
              }
              BucketConfig d = BucketConfig.defaults();
              BucketConfig config =
                  new BucketConfig(
                      orElse(update.description(), d.description()),
                      d.history(),
                      orElse(update.ttlSeconds(), d.ttlSeconds()),
                      orElse(update.maxBytes(), d.maxBytes()),
                      orElse(update.maxValueSize(), d.maxValueSize()),
                      d.compression(),
                      d.storage(),
                      d.replicas(),
                      indexing == null || indexing.isEmpty() ? null : indexing);
              // Another request may create it first; then this one is an update after all.
              return store
                  .createBucket(tenant, bucket, config)
                  .replaceWith(Success.OK)
                  .onFailure(KvException.BucketExists.class)
                  .recoverWithUni(
                      () ->
                          store
                              .updateBucket(BucketRef.named(tenant, bucket), update)
                              .chain(again -> reindex(tenant, bucket, again, indexing)));
            });
  }

  /**
   * Applies new mappings after an update: a change empties the indexes and backfills them from the
   * entries, for up to a second in this request and then in the background.
   */
  private Uni<Success> reindex(String tenant, String bucket, Bucket updated, Indexing indexing) {
    if (updated == null) {
      throw KvException.notFound("bucket '" + bucket + "' not found");
    }
    Indexing current = updated.config().indexing();
    if (indexing == null
        || (indexing.isEmpty() && current == null)
        || (current != null && indexing.equals(current))) {
      return Uni.createFrom().item(Success.OK);
    }
    return store
        .setIndexing(BucketRef.named(tenant, bucket), indexing)
        .chain(
            change -> {
              if (change == null) {
                throw KvException.notFound("bucket '" + bucket + "' not found");
              }
              return change.backfilling()
                  ? backfills.run(change.id()).replaceWith(Success.OK)
                  : Uni.createFrom().item(Success.OK);
            });
  }

  @DELETE
  @Path("/{bucket}")
  @Operation(
      operationId = "deleteKVBucket",
      description =
          "Deletes a bucket with every entry, revision and its change stream; watchers get bucket_deleted. Needs kv:admin.",
      summary = "Delete a KV bucket and all it holds")
  @APIResponse(responseCode = "200", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No such bucket")
  public Uni<Success> delete(@PathParam("bucket") String bucket) {
    String tenant = access.require(Permission.ADMIN, bucket).tenant();
    Names.requireBucketName(bucket);
    return store.deleteBucket(BucketRef.named(tenant, bucket)).map(done -> succeeded(done, bucket));
  }

  @DELETE
  @Path("/{bucket}/purge")
  @Operation(
      operationId = "purgeKVBucket",
      description =
          "Removes every entry and its history but keeps the bucket and its configuration. Needs kv:admin.",
      summary = "Remove every entry, keeping the settings")
  @APIResponse(responseCode = "200", description = "Purged")
  @APIResponse(responseCode = "404", description = "No such bucket")
  public Uni<Success> purge(@PathParam("bucket") String bucket) {
    String tenant = access.require(Permission.ADMIN, bucket).tenant();
    Names.requireBucketName(bucket);
    return store.purgeBucket(BucketRef.named(tenant, bucket)).map(done -> succeeded(done, bucket));
  }

  private JsonNode parse(HttpHeaders headers, byte[] body) {
    Requests.requireJsonContentType(headers);
    json.requireObject(body);
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw KvException.validation("malformed JSON");
    }
  }

  private static BucketConfig configFrom(JsonNode req) {
    Indexing indexing = indexing(req);
    BucketConfig d = BucketConfig.defaults();
    return new BucketConfig(
        orElse(Fields.string(req, "description"), d.description()),
        orElse(Fields.integer(req, "history", 1, BucketConfig.MAX_HISTORY), (long) d.history())
            .intValue(),
        orElse(Fields.integer(req, "ttl", 0, Limits.MAX_TTL_SECONDS), d.ttlSeconds()),
        orElse(Fields.limit(req, "max_bytes", Long.MAX_VALUE), d.maxBytes()),
        orElse(Fields.limit(req, "max_value_size", Integer.MAX_VALUE), d.maxValueSize()),
        orElse(Fields.bool(req, "compression"), d.compression()),
        storage(req.get("storage"), d.storage()),
        orElse(Fields.integer(req, "replicas", 1, BucketConfig.MAX_REPLICAS), (long) d.replicas())
            .intValue(),
        indexing == null || indexing.isEmpty() ? null : indexing);
  }

  /**
   * The IndexRequest of a body ({@code indexing}), or null when absent. Mappings are required;
   * partitions, replicas and storage_type default to 1, 1 and file when left out.
   */
  static Indexing indexing(JsonNode req) {
    JsonNode v = req.get("indexing");
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw KvException.validation("indexing must be an object with mappings");
    }
    JsonNode maps = v.get("mappings");
    if (maps == null || !maps.isArray()) {
      throw KvException.validation("indexing.mappings must be an array of {field, field_type}");
    }
    if (maps.size() > Indexing.MAX_MAPPINGS) {
      throw KvException.validation(
          "indexing.mappings holds at most " + Indexing.MAX_MAPPINGS + " fields");
    }
    List<Indexing.Mapping> mappings = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (JsonNode m : maps) {
      if (!m.isObject()) {
        throw KvException.validation("each of indexing.mappings is an object {field, field_type}");
      }
      String field = Fields.string(m, "field");
      String problem = Indexing.pathProblem(field);
      if (problem != null) {
        throw KvException.validation(
            "indexing.mappings: " + (field == null ? "field is required" : problem));
      }
      String type = Fields.string(m, "field_type");
      Indexing.Type t = Indexing.Type.of(type);
      if (t == null) {
        throw KvException.validation(
            "indexing.mappings: field_type of '"
                + field
                + "' must be text, number, date, boolean or keyword");
      }
      if (!seen.add(field)) {
        throw KvException.validation("indexing.mappings: field '" + field + "' is mapped twice");
      }
      mappings.add(new Indexing.Mapping(field, t));
    }
    Long partitions = Fields.integer(v, "partitions", 1, 1024);
    Long replicas = Fields.integer(v, "replicas", 1, BucketConfig.MAX_REPLICAS);
    String stream = Fields.string(v, "stream");
    return new Indexing(
        mappings,
        partitions == null ? 1 : partitions.intValue(),
        replicas == null ? 1 : replicas.intValue(),
        storage(v.get("storage_type"), "file", "indexing.storage_type"),
        stream);
  }

  private static String storage(JsonNode v, String fallback) {
    return storage(v, fallback, "storage");
  }

  /** Storage as "file"/"memory" or the older integers 0/1. */
  private static String storage(JsonNode v, String fallback, String name) {
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (v.isTextual() && (v.asText().equals("file") || v.asText().equals("memory"))) {
      return v.asText();
    }
    if (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)) {
      return v.asInt() == 0 ? "file" : "memory";
    }
    throw KvException.validation(name + " must be \"file\" or \"memory\" (or 0 or 1)");
  }

  private static BucketResponse detail(Bucket b, long start) {
    BucketConfig c = b.config();
    String created = Times.rfc3339(b.createdAt());
    BucketStatus status =
        new BucketStatus(
            "redis",
            b.name(),
            c.description(),
            b.bytes(),
            c.history(),
            c.ttlSeconds(),
            c.compression(),
            b.entryCount(),
            b.revision(),
            created,
            Times.rfc3339(b.modifiedAt()),
            b.pendingDeletes().entrySet().stream()
                .map(p -> new QuivaDtos.PendingDelete(p.getKey(), p.getValue()))
                .toList(),
            c.indexing() == null
                ? null
                : new QuivaDtos.IndexState(
                    b.index().backfilled() != null,
                    b.index().backfilled(),
                    b.entryCount(),
                    b.index().unindexed()));
    BucketConfigView config =
        new BucketConfigView(
            b.name(),
            c.description(),
            c.maxBytes(),
            c.maxValueSize(),
            c.history(),
            c.ttlSeconds(),
            c.replicas(),
            c.storage(),
            c.compression(),
            indexingView(c.indexing()));
    StreamConfig stream =
        new StreamConfig(
            "KV_" + b.name(),
            List.of("$KV." + b.name() + ".>"),
            "Limits",
            c.storage(),
            c.replicas(),
            "new",
            c.ttlSeconds() * 1_000_000_000L,
            c.maxBytes(),
            c.maxValueSize(),
            c.history(),
            c.compression() ? "s2" : "none",
            false,
            true,
            Map.of("bucket_id", b.id()),
            c.indexing() == null
                ? null
                : new QuivaDtos.IndexConfig("redis", "key", c.indexing().partitions()));
    StreamState state =
        new StreamState(
            b.entryCount(),
            b.bytes(),
            b.revision(),
            Times.rfc3339(b.modifiedAt()),
            b.entryCount(),
            0);
    return new BucketResponse(
        new BucketDetail(status, config, new StreamInfo(stream, created, state)),
        new Metadata(b.name(), null, Durations.since(start), null, null, null));
  }

  private static QuivaDtos.IndexingView indexingView(Indexing i) {
    if (i == null) {
      return null;
    }
    return new QuivaDtos.IndexingView(
        i.mappings().stream()
            .map(m -> new QuivaDtos.IndexMappingView(m.field(), m.type().wire()))
            .toList(),
        i.partitions(),
        i.replicas(),
        i.storageType(),
        i.stream());
  }

  private static Metadata durationOnly(long start) {
    return new Metadata(null, null, Durations.since(start), null, null, null);
  }

  private static Bucket required(Bucket b, String name) {
    if (b == null) {
      throw KvException.notFound("bucket '" + name + "' not found");
    }
    return b;
  }

  private static Success succeeded(boolean done, String name) {
    if (!done) {
      throw KvException.notFound("bucket '" + name + "' not found");
    }
    return Success.OK;
  }

  private static <T> T orElse(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
