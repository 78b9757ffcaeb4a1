package io.kvgate.quiva;

import io.kvgate.core.BucketRef;
import io.kvgate.core.Entry;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.Search;
import io.kvgate.error.KvException;
import io.kvgate.security.Access;
import io.kvgate.security.Permission;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** K11 of the {@code /storage/kv} dialect: search of the fields a bucket's mappings index. */
@Path("/storage/kv/{bucket}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "KV Search")
@Authenticated
public class SearchResource {
  private static final Base64.Encoder CURSOR_OUT = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder CURSOR_IN = Base64.getUrlDecoder();

  private final KvStore store;
  private final Access access;

  SearchResource(KvStore store, Access access) {
    this.store = store;
    this.access = access;
  }

  @GET
  @Path("/search")
  @Operation(
      operationId = "searchKVEntries",
      summary = "Search entries by a mapped field",
      description =
          "number and date: exact or range (inclusive min and max); keyword: exact or prefix;"
              + " text: one word, exact, prefix or fuzzy (edit distance up to 2); boolean: exact."
              + " Results in index order (by term, then key; fuzzy by key), each entry once.")
  @APIResponse(
      responseCode = "200",
      description = "A page of matching entries",
      content = @Content(schema = @Schema(implementation = QuivaDtos.FieldSearchResponse.class)))
  @APIResponse(
      responseCode = "400",
      description = "An unmapped field (the message lists the mapped ones) or bad parameters")
  @APIResponse(responseCode = "404", description = "No such bucket")
  public Uni<Response> search(
      @PathParam("bucket") String bucket,
      @QueryParam("field") @Parameter(description = "a mapped field", required = true) String field,
      @QueryParam("search") @Parameter(description = "the term (not needed for range)")
          String search,
      @QueryParam("search_type")
          @Parameter(
              description =
                  "exact, fuzzy, prefix or range; default exact, or range when min or max is given",
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      enumeration = {"exact", "fuzzy", "prefix", "range"}))
          String searchType,
      @QueryParam("min")
          @Parameter(description = "range: lowest value (number, or a date as ISO-8601 or ms)")
          String min,
      @QueryParam("max") @Parameter(description = "range: highest value") String max,
      @QueryParam("limit") @Parameter(description = "1-1000, default 10") String limit,
      @QueryParam("cursor") @Parameter(description = "next_cursor of the previous page")
          String cursor) {
    long start = System.nanoTime();
    String tenant = access.require(Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    int n = Requests.intParam("limit", limit, 1, Limits.MAX_LIMIT, Limits.DEFAULT_LIMIT);
    Search.Request request =
        new Search.Request(field, search, searchType, min, max, n, decodeCursor(cursor));
    return store
        .search(BucketRef.named(tenant, bucket), request)
        .map(
            r ->
                Response.ok(render(bucket, request, r, start), MediaType.APPLICATION_JSON_TYPE)
                    .build());
  }

  private static byte[] render(String bucket, Search.Request q, Search.Result r, long start) {
    JsonOut out = new JsonOut(256);
    out.raw("{\"body\":{\"results\":[");
    List<Entry> entries = r.entries();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      out.raw(i == 0 ? "{\"key\":" : ",{\"key\":").string(e.key()).raw(",\"value\":");
      Values.writeLenient(out, e);
      out.raw("}");
    }
    out.raw("],\"results_total\":").number(r.total() == null ? r.indexHits() : r.total());
    out.raw(",\"next_cursor\":")
        .string(r.nextCursor() == null ? null : CURSOR_OUT.encodeToString(r.nextCursor()));
    out.raw("},\"metadata\":{\"bucket\":").string(bucket);
    out.raw(",\"field\":").string(q.field());
    if (q.search() != null) {
      out.raw(",\"search\":").string(q.search());
    }
    out.raw(",\"index_duration\":").string(Durations.since(start));
    out.raw(",\"index_hits\":").number(r.indexHits());
    out.raw(",\"limit\":").number(q.limit());
    if (r.total() == null) {
      out.raw(",\"results_total_estimated\":true");
    }
    if (r.truncated()) {
      out.raw(",\"fuzzy_truncated\":true");
    }
    if (r.backfilled() != null) {
      out.raw(",\"backfilling\":true,\"backfill_done\":").number(r.backfilled());
    }
    out.raw("}}");
    return out.bytes();
  }

  private static byte[] decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      byte[] raw = CURSOR_IN.decode(cursor);
      if (raw.length > 0) {
        return raw;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw KvException.validation("cursor is not one this service issued");
  }
}
