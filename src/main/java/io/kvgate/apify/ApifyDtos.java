package io.kvgate.apify;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The JSON shapes of the /v2/key-value-stores dialect (Apify API v2). */
public final class ApifyDtos {
  private ApifyDtos() {}

  /** The envelope of every JSON answer. */
  @RegisterForReflection
  public record Data<T>(@Schema(required = true) T data) {}

  /** A key-value store (seed 002), every field present. */
  @Schema(name = "KeyValueStore")
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @RegisterForReflection
  public record Store(
      @Schema(required = true, examples = "WkzbQMuFYuamGv3YF") String id,
      @Schema(nullable = true) String name,
      String userId,
      String username,
      @Schema(required = true) String createdAt,
      @Schema(required = true) String modifiedAt,
      @Schema(required = true) String accessedAt,
      @Schema(nullable = true) String actId,
      @Schema(nullable = true) String actRunId,
      @Schema(nullable = true) String consoleUrl,
      String keysPublicUrl,
      @Schema(nullable = true, description = "only for callers who may write to the store")
          String urlSigningSecretKey,
      @Schema(
              enumeration = {
                "ANYONE_WITH_ID_CAN_READ",
                "ANYONE_WITH_NAME_CAN_READ",
                "FOLLOW_USER_SETTING",
                "RESTRICTED"
              })
          String generalAccess,
      Stats stats) {}

  /** Operation counters and stored bytes of a store. */
  @Schema(name = "KeyValueStoreStats")
  @RegisterForReflection
  public record Stats(
      long readCount,
      long writeCount,
      long deleteCount,
      long listCount,
      long s3StorageBytes,
      long storageBytes) {}

  /** A page of stores. */
  @Schema(name = "KeyValueStoreList")
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @RegisterForReflection
  public record StoreList(
      long total,
      long offset,
      int limit,
      boolean desc,
      int count,
      boolean unnamed,
      List<Store> items) {}

  /** A page of keys. */
  @Schema(name = "KeyValueStoreKeys")
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @RegisterForReflection
  public record KeyList(
      List<KeyItem> items,
      int count,
      int limit,
      @Schema(nullable = true) String exclusiveStartKey,
      boolean isTruncated,
      @Schema(nullable = true) String nextExclusiveStartKey) {}

  /** One key of a store. */
  @Schema(name = "KeyValueStoreKey")
  @RegisterForReflection
  public record KeyItem(String key, long size, String recordPublicUrl) {}

  /** The body of PUT /v2/key-value-stores/{storeId}. */
  @Schema(name = "UpdateStoreRequest")
  @RegisterForReflection
  public record UpdateStore(
      @Schema(nullable = true) String name,
      @Schema(
              enumeration = {
                "ANYONE_WITH_ID_CAN_READ",
                "ANYONE_WITH_NAME_CAN_READ",
                "FOLLOW_USER_SETTING",
                "RESTRICTED"
              })
          String generalAccess) {}

  /** The body of a /v2 error. */
  @Schema(name = "ApifyError")
  @RegisterForReflection
  public record ErrorBody(@Schema(required = true) Detail error) {}

  /** What went wrong. */
  @Schema(name = "ApifyErrorDetail")
  @RegisterForReflection
  public record Detail(
      @Schema(required = true, examples = "record-not-found") String type,
      @Schema(required = true) String message) {}
}
