package io.kvgate.core;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The storage port both dialects use. Every operation runs for a tenant; a bucket of another tenant
 * is indistinguishable from a missing one. Absent things are null items; rule violations fail with
 * a {@link io.kvgate.error.KvException}.
 */
public interface KvStore {

  /** Creates a bucket; fails with 400 when the tenant already has one of that name. */
  Uni<Bucket> createBucket(String tenant, String name, BucketConfig config);

  /** The bucket, or null. Counts reflect expiries up to now. */
  Uni<Bucket> getBucket(String tenant, String name);

  /** All buckets of a tenant, oldest first. */
  Uni<List<Bucket>> listBuckets(String tenant);

  /** Applies the non-null fields of {@code update}; null item when the bucket is missing. */
  Uni<Bucket> updateBucket(String tenant, String name, BucketUpdate update);

  /** Deletes a bucket and everything in it; false when it did not exist. */
  Uni<Boolean> deleteBucket(String tenant, String name);

  /** Removes every entry and all history of a bucket, keeping its settings; false when missing. */
  Uni<Boolean> purgeBucket(String tenant, String name);

  /**
   * The live entry, or the kept revision {@code revision} when it is not null; null item when there
   * is none. Fails with 404 when the bucket is missing.
   */
  Uni<Entry> get(String tenant, String bucket, String key, Long revision);

  /**
   * Writes an entry and returns the new revision. {@code ttlSeconds} null means the bucket default,
   * 0 means no expiry.
   */
  Uni<Long> put(
      String tenant,
      String bucket,
      String key,
      byte[] value,
      String contentType,
      String contentEncoding,
      Long ttlSeconds,
      Precondition precondition);

  /** Deletes an entry and returns the tombstone's revision; null item when the key is missing. */
  Uni<Long> delete(String tenant, String bucket, String key, Precondition precondition);

  /**
   * Live entries in key byte order, with {@code prefix}, after key {@code after} (null = start).
   */
  Uni<Page> list(String tenant, String bucket, String prefix, String after, int limit);

  /** Live entries whose keys match a glob of {@code *} and {@code ?}, in key order. */
  Uni<List<Entry>> searchKeys(String tenant, String bucket, String glob, int limit);

  /** The kept revisions of a key, oldest first; empty when none is kept. */
  Uni<List<HistoryItem>> history(String tenant, String bucket, String key);
}
