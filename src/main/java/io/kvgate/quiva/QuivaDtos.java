package io.kvgate.quiva;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The response shapes of the {@code /storage/kv} dialect, as the public OpenAPI document has them.
 */
public final class QuivaDtos {
  private QuivaDtos() {}

  /** {@code {"message":"success"}}, the answer to every write. */
  @Schema(name = "SuccessMessage")
  @RegisterForReflection
  public record Success(@Schema(examples = "success") String message) {
    public static final Success OK = new Success("success");
  }

  /** Every error: a code and a human message. */
  @Schema(name = "ErrorResponse")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @RegisterForReflection
  public record ErrorBody(
      @Schema(examples = "validation_error", required = true) String error,
      String message,
      @JsonProperty("retry_after") Long retryAfter,
      @JsonProperty("failed_check") @Schema(description = "a batch's failed check (0-based)")
          Integer failedCheck,
      @Schema(description = "the key of a batch's failed check") String key) {

    public ErrorBody(String error, String message, Long retryAfter) {
      this(error, message, retryAfter, null, null);
    }
  }

  /** Metadata of a read; only the fields a call uses are present. */
  @Schema(name = "Metadata")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @RegisterForReflection
  public record Metadata(
      String bucket, String key, String duration, Integer limit, String search, Integer hits) {}

  /** K1 item. */
  @Schema(name = "BucketListItem")
  @RegisterForReflection
  public record BucketListItem(
      String name,
      String description,
      @JsonProperty("entry_total") long entryTotal,
      @Schema(format = "date-time") String created) {}

  /** K1 body. */
  @RegisterForReflection
  public record BucketList(
      List<BucketListItem> results, @JsonProperty("results_total") int resultsTotal) {}

  /** K1. */
  @Schema(name = "BucketListResponse")
  @RegisterForReflection
  public record BucketListResponse(BucketList body, Metadata metadata) {}

  /** K3 status. */
  @RegisterForReflection
  public record BucketStatus(
      @JsonProperty("backing_store") String backingStore,
      String bucket,
      String description,
      long bytes,
      long history,
      long ttl,
      @JsonProperty("is_compressed") boolean compressed,
      long entries,
      long revision,
      @Schema(format = "date-time") String created,
      @Schema(format = "date-time") String modified,
      @JsonProperty("pending_delete")
          @Schema(description = "deletes by prefix still going on (extension)")
          List<PendingDelete> pendingDelete,
      @JsonInclude(JsonInclude.Include.NON_NULL)
          @Schema(description = "the field indexes' state, when fields are mapped (extension)")
          IndexState indexing) {}

  /** The state of a bucket's field indexes. */
  @Schema(name = "KVIndexState")
  @RegisterForReflection
  public record IndexState(
      @Schema(description = "true while existing entries are being indexed after a mapping change")
          boolean backfilling,
      @JsonProperty("backfill_done")
          @JsonInclude(JsonInclude.Include.NON_NULL)
          @Schema(description = "entries the running backfill has passed so far")
          Long backfillDone,
      @JsonProperty("entries_total") long entriesTotal,
      @JsonProperty("not_indexed")
          @Schema(
              description =
                  "entries holding a mapped field whose value is not of the mapped type: stored,"
                      + " not indexed")
          long notIndexed) {}

  /** An IndexMapping as K2 and K4 take it. */
  @Schema(name = "IndexMapping")
  @RegisterForReflection
  public record IndexMappingView(
      @Schema(required = true, description = "a dotted path into the value, e.g. address.city")
          String field,
      @JsonProperty("field_type")
          @Schema(
              required = true,
              enumeration = {"text", "number", "date", "boolean", "keyword"})
          String fieldType) {}

  /** An IndexRequest as K2 and K4 take it and K3 shows it. */
  @Schema(name = "IndexRequest")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @RegisterForReflection
  public record IndexingView(
      @Schema(required = true) List<IndexMappingView> mappings,
      @Schema(minimum = "1", defaultValue = "1") Integer partitions,
      @Schema(minimum = "1", defaultValue = "1") Integer replicas,
      @JsonProperty("storage_type")
          @Schema(
              enumeration = {"file", "memory"},
              defaultValue = "file")
          String storageType,
      String stream) {}

  /** A delete by prefix still going on: its prefix and the entries it deleted so far. */
  @Schema(name = "PendingDelete")
  @RegisterForReflection
  public record PendingDelete(String prefix, long deleted) {}

  /** The answer of a delete by prefix. */
  @Schema(name = "PrefixDeleteResult")
  @RegisterForReflection
  public record PrefixDeleteResult(
      @Schema(examples = {"success", "accepted"}) String message, long deleted) {}

  /** K3 config. */
  @RegisterForReflection
  public record BucketConfigView(
      String bucket,
      String description,
      @JsonProperty("max_bytes") long maxBytes,
      @JsonProperty("max_value_size") long maxValueSize,
      long history,
      long ttl,
      @JsonProperty("num_replicas") int replicas,
      String storage,
      boolean compression,
      @JsonInclude(JsonInclude.Include.NON_NULL)
          @Schema(description = "the mapped fields of field search (K11), when any")
          IndexingView indexing) {}

  /** K3 stream_info.config, the NATS-style view of the bucket's limits. */
  @RegisterForReflection
  public record StreamConfig(
      String name,
      List<String> subjects,
      String retention,
      String storage,
      @JsonProperty("num_replicas") int replicas,
      String discard,
      @JsonProperty("max_age") long maxAge,
      @JsonProperty("max_bytes") long maxBytes,
      @JsonProperty("max_msg_size") long maxMsgSize,
      @JsonProperty("max_msgs_per_subject") long maxMsgsPerSubject,
      String compression,
      @JsonProperty("deny_delete") boolean denyDelete,
      @JsonProperty("allow_direct") boolean allowDirect,
      Map<String, String> metadata,
      @JsonProperty("index_config") @JsonInclude(JsonInclude.Include.NON_NULL)
          IndexConfig indexConfig) {}

  /** K3 stream_info.config.index_config: how the field indexes are kept. */
  @RegisterForReflection
  public record IndexConfig(String engine, String idBy, int partitions) {}

  /** K3 stream_info.state. */
  @RegisterForReflection
  public record StreamState(
      long messages,
      long bytes,
      @JsonProperty("last_seq") long lastSeq,
      @JsonProperty("last_ts") @Schema(format = "date-time") String lastTs,
      @JsonProperty("num_subjects") long numSubjects,
      @JsonProperty("consumer_count") int consumerCount) {}

  /** K3 stream_info. */
  @RegisterForReflection
  public record StreamInfo(
      StreamConfig config, @Schema(format = "date-time") String created, StreamState state) {}

  /** K3 body. */
  @RegisterForReflection
  public record BucketDetail(
      BucketStatus status,
      BucketConfigView config,
      @JsonProperty("stream_info") StreamInfo streamInfo) {}

  /** K3. */
  @Schema(name = "KVBucketResponse")
  @RegisterForReflection
  public record BucketResponse(BucketDetail body, Metadata metadata) {}

  /** K2 request (read field by field, so that each bad field gets its own message). */
  @Schema(name = "CreateKVBucketRequest")
  @RegisterForReflection
  public record CreateBucketRequest(
      @Schema(required = true, pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$") String bucket,
      String description,
      @Schema(defaultValue = "false") Boolean compression,
      @Schema(minimum = "1", maximum = "64", defaultValue = "1") Integer history,
      @Schema(description = "seconds until entries expire by default; 0 = never", minimum = "0")
          Long ttl,
      @JsonProperty("max_bytes") @Schema(minimum = "-1", description = "-1 = unlimited")
          Long maxBytes,
      @JsonProperty("max_value_size") @Schema(minimum = "-1", description = "-1 = unlimited")
          Long maxValueSize,
      @Schema(minimum = "1", maximum = "5", defaultValue = "1") Integer replicas,
      @Schema(
              enumeration = {"file", "memory"},
              defaultValue = "file")
          String storage,
      @Schema(description = "mapped fields, which turn on field search (K11)")
          IndexingView indexing) {}

  /** K4 request. */
  @Schema(name = "UpdateKVBucketRequest")
  @RegisterForReflection
  public record UpdateBucketRequest(
      @Schema(
              description =
                  "new mappings: a change re-indexes the entries in the background; no mappings"
                      + " turn field search off")
          IndexingView indexing,
      String description,
      @Schema(minimum = "0") Long ttl,
      @JsonProperty("max_bytes") @Schema(minimum = "-1") Long maxBytes,
      @JsonProperty("max_value_size") @Schema(minimum = "-1") Long maxValueSize) {}

  /** K9 request: any JSON object. */
  @Schema(
      name = "KVEntryValue",
      type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT,
      description = "Value to store in the entry: any JSON object")
  @RegisterForReflection
  public record EntryValue() {}

  // Documentation-only shapes of the responses that are written as bytes (values spliced in).

  /** K8 body. */
  @RegisterForReflection
  public record EntryBody(
      String key,
      @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT)
          Object value) {}

  /** K8. */
  @Schema(name = "KVEntryResponse")
  @RegisterForReflection
  public record EntryResponse(EntryBody body, Metadata metadata) {}

  /** K7 body. */
  @RegisterForReflection
  public record EntryList(
      List<EntryBody> results,
      @JsonProperty("results_total") long resultsTotal,
      @JsonProperty("next_cursor") String nextCursor) {}

  /** K7. */
  @Schema(name = "KVEntriesResponse")
  @RegisterForReflection
  public record EntryListResponse(EntryList body, Metadata metadata) {}

  /** K12 body. */
  @RegisterForReflection
  public record KeySearchList(
      List<EntryBody> results, @JsonProperty("results_total") long resultsTotal) {}

  /** K12. */
  @Schema(name = "SearchByKeyResponse")
  @RegisterForReflection
  public record KeySearchResponse(KeySearchList body, Metadata metadata) {}

  /** K11 body. */
  @RegisterForReflection
  public record FieldSearchList(
      List<EntryBody> results,
      @JsonProperty("results_total") @Schema(description = "entries that match (each once)")
          long resultsTotal,
      @JsonProperty("next_cursor") @Schema(description = "null on the last page")
          String nextCursor) {}

  /** K11 metadata. */
  @RegisterForReflection
  public record FieldSearchMetadata(
      String bucket,
      String field,
      String search,
      @JsonProperty("index_duration") String indexDuration,
      @JsonProperty("index_hits") @Schema(description = "index members that matched")
          long indexHits,
      Integer limit,
      @JsonProperty("results_total_estimated")
          @Schema(description = "present (true) when results_total is index_hits, an upper bound")
          Boolean resultsTotalEstimated,
      @JsonProperty("fuzzy_truncated")
          @Schema(description = "present (true) when a fuzzy search's work bound cut it short")
          Boolean fuzzyTruncated,
      @Schema(description = "present (true) while existing entries are still being indexed")
          Boolean backfilling,
      @JsonProperty("backfill_done") Long backfillDone) {}

  /** K11. */
  @Schema(name = "SearchResponse")
  @RegisterForReflection
  public record FieldSearchResponse(FieldSearchList body, FieldSearchMetadata metadata) {}

  /** One kept revision. */
  @RegisterForReflection
  public record HistoryEntry(
      long revision,
      @Schema(enumeration = {"put", "delete"}) String operation,
      @Schema(
              type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT,
              nullable = true)
          Object value,
      @Schema(format = "date-time") String time) {}

  /** History body. */
  @RegisterForReflection
  public record HistoryList(
      List<HistoryEntry> results, @JsonProperty("results_total") long resultsTotal) {}

  /** GET .../entries/{key}/history. */
  @Schema(name = "KVHistoryResponse")
  @RegisterForReflection
  public record HistoryResponse(HistoryList body, Metadata metadata) {}

  /** The body of an atomic batch. */
  @Schema(name = "BatchRequest")
  @RegisterForReflection
  public record BatchRequest(List<BatchCheck> checks, List<BatchMutation> mutations) {}

  /** A check: the key is absent, or at a revision. */
  @Schema(name = "BatchCheck")
  @RegisterForReflection
  public record BatchCheck(@Schema(required = true) String key, Boolean absent, Long revision) {}

  /** A mutation: put (value, ttl?), delete, or increment (field, by). */
  @Schema(name = "BatchMutation")
  @RegisterForReflection
  public record BatchMutation(
      @Schema(
              required = true,
              enumeration = {"put", "delete", "increment"})
          String op,
      @Schema(required = true) String key,
      Object value,
      Long ttl,
      String field,
      Double by) {}

  /** The answer of a batch. */
  @Schema(name = "BatchResponse")
  @RegisterForReflection
  public record BatchResponse(BatchBody body, Metadata metadata) {}

  /** The bucket's revision after the batch and each mutation's own. */
  @Schema(name = "BatchBody")
  @RegisterForReflection
  public record BatchBody(long revision, List<BatchResult> results) {}

  /** What one mutation did; revision null for a delete of a missing key. */
  @Schema(name = "BatchResult")
  @RegisterForReflection
  public record BatchResult(String op, String key, Long revision) {}

  /** The body of a bulk get. */
  @Schema(name = "BulkGetRequest")
  @RegisterForReflection
  public record BulkGetRequest(
      @Schema(required = true, description = "1 to 1000 keys") List<String> keys) {}

  /** The answer of a bulk get. */
  @Schema(name = "BulkGetResponse")
  @RegisterForReflection
  public record BulkGetResponse(BulkGetResults body, Metadata metadata) {}

  /** The entries of a bulk get, in the order asked. */
  @Schema(name = "BulkGetResults")
  @RegisterForReflection
  public record BulkGetResults(List<EntryBody> results) {}
}
