package io.kvgate.core;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The storage port both dialects use. Every operation runs on a {@link BucketRef}: a bucket of
 * another tenant is indistinguishable from a missing one. Absent things are null items; rule
 * violations fail with a {@link io.kvgate.error.KvException}.
 */
public interface KvStore {

  /**
   * Creates a bucket, unnamed when {@code name} is null; fails with 400 when the tenant already has
   * one of that name.
   */
  Uni<Bucket> createBucket(String tenant, String name, BucketConfig config);

  /** The bucket, or null. Counts reflect expiries up to now. */
  Uni<Bucket> getBucket(BucketRef ref);

  /** Who owns the bucket and how others may read it, or null; no tenant check, no bookkeeping. */
  Uni<Bucket.Owner> owner(BucketRef ref);

  /** All named buckets of a tenant, oldest first. */
  Uni<List<Bucket>> listBuckets(String tenant);

  /** A page of a tenant's buckets by creation time: named only, or with the unnamed ones too. */
  Uni<StorePage> listBuckets(
      String tenant, boolean includeUnnamed, long offset, int limit, boolean newestFirst);

  /**
   * Applies the non-null fields of {@code update}; null item when the bucket is missing. A rename
   * onto a name the tenant uses fails with {@link io.kvgate.error.KvException.BucketExists}.
   */
  Uni<Bucket> updateBucket(BucketRef ref, BucketUpdate update);

  /** Deletes a bucket and everything in it; false when it did not exist. */
  Uni<Boolean> deleteBucket(BucketRef ref);

  /** Removes every entry and all history of a bucket, keeping its settings; false when missing. */
  Uni<Boolean> purgeBucket(BucketRef ref);

  /**
   * The live entry, or the kept revision {@code revision} when it is not null; null item when there
   * is none. Fails with 404 when the bucket is missing.
   */
  Uni<Entry> get(BucketRef ref, String key, Long revision);

  /** The live entry without its value (an empty one): for existence checks. */
  Uni<Entry> head(BucketRef ref, String key);

  /**
   * Writes an entry and returns the new revision. {@code ttlSeconds} null means the bucket default,
   * 0 means no expiry.
   */
  Uni<Long> put(
      BucketRef ref,
      String key,
      byte[] value,
      String contentType,
      String contentEncoding,
      Long ttlSeconds,
      Precondition precondition);

  /**
   * Sets a live entry's expiry anew without rewriting its value: {@code ttlSeconds} null means the
   * bucket default, 0 no expiry. Returns the entry's (unchanged) revision; null item when the key
   * is missing.
   */
  Uni<Long> touch(BucketRef ref, String key, Long ttlSeconds);

  /** The live entries of {@code keys}, in the order asked; null where a key has none. */
  Uni<List<Entry>> getMany(BucketRef ref, List<String> keys);

  /**
   * Applies checks then writes in one atomic step. A failed check fails with {@link
   * io.kvgate.error.KvException.CheckFailed} (its index in {@code checks}); a write over a limit
   * with 400; either way nothing is written.
   */
  Uni<Batch.Result> apply(
      BucketRef ref, List<Batch.Check> checks, List<Batch.Write> writes, String contentType);

  /**
   * Deletes up to {@code max} live entries whose keys start with {@code prefix}, as deletes do
   * (tombstones, counts, bytes): one slice of a delete by prefix, short enough not to hold Redis
   * up.
   */
  Uni<PrefixSlice> deletePrefixSlice(BucketRef ref, String prefix, int max);

  /**
   * Hands the rest of a delete by prefix to the background, which goes on in slices (on one replica
   * at a time) until no entry with the prefix is left.
   */
  Uni<Void> deletePrefixLater(BucketRef ref, String prefix);

  /** Deletes an entry and returns the tombstone's revision; null item when the key is missing. */
  Uni<Long> delete(BucketRef ref, String key, Precondition precondition);

  /**
   * Live entries in key byte order, with {@code prefix}, after key {@code after} (null = start).
   */
  Uni<Page> list(BucketRef ref, String prefix, String after, int limit);

  /** Live keys and their sizes in key byte order, with {@code prefix}, after {@code after}. */
  Uni<KeyPage> listKeys(BucketRef ref, String prefix, String after, int limit);

  /** Live entries whose keys match a glob of {@code *} and {@code ?}, in key order. */
  Uni<List<Entry>> searchKeys(BucketRef ref, String glob, int limit);

  /** The kept revisions of a key, oldest first; empty when none is kept. */
  Uni<List<HistoryItem>> history(BucketRef ref, String key);

  /**
   * Sets a bucket's field-search settings; {@code indexing} without mappings removes them. Changed
   * mappings empty the indexes and, when the bucket holds entries, start a backfill (see {@link
   * #backfillSlice}). Null item when the bucket is missing, else the bucket's id and whether a
   * backfill runs.
   */
  Uni<IndexChange> setIndexing(BucketRef ref, Indexing indexing);

  /** What a change of mappings started: the bucket's id, and whether a backfill runs. */
  record IndexChange(String id, boolean backfilling) {}

  /**
   * Indexes the next {@code max} entries of a bucket's backfill, in one short script; false when
   * the backfill is done (or none runs).
   */
  Uni<Boolean> backfillSlice(String id, int max);

  /** A page of a field search; fails with 400 when the field is not mapped or the search unfit. */
  Uni<Search.Result> search(BucketRef ref, Search.Request request);
}
