package io.kvgate.redis;

import io.kvgate.core.Bucket;
import io.kvgate.core.BucketConfig;
import io.kvgate.core.BucketUpdate;
import io.kvgate.core.Entry;
import io.kvgate.core.HistoryItem;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.Page;
import io.kvgate.core.Precondition;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Redis implementation of the storage port: every operation is one Lua script on the bucket's
 * keys. Bucket names resolve to ids through the tenant's name index; resolved ids are cached, and a
 * script that finds its bucket gone or renamed makes the name resolve afresh.
 */
@Singleton
public class RedisKvStore implements KvStore {
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final int ID_LENGTH = 17;
  private static final int NAME_CACHE_MAX = 100_000;
  private static final int KEY_SEARCH_SLICE = 2_000;

  private final RedisCalls redis;
  private final Scripts scripts;
  private final KeySpace keys;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, String> ids = new ConcurrentHashMap<>();
  private final Set<String> expiringKnown = ConcurrentHashMap.newKeySet();

  RedisKvStore(RedisCalls redis, Scripts scripts, KeySpace keys) {
    this.redis = redis;
    this.scripts = scripts;
    this.keys = keys;
  }

  // ---- buckets ----

  @Override
  public Uni<Bucket> createBucket(String tenant, String name, BucketConfig config) {
    String id = newId();
    long now = System.currentTimeMillis();
    List<Object> fields = new ArrayList<>();
    addField(fields, "id", id);
    addField(fields, "tenant", tenant);
    addField(fields, "name", name);
    addConfig(fields, config);
    for (String f : List.of("created", "modified", "accessed")) {
      addField(fields, f, now);
    }
    for (String f : List.of("rev", "count", "bytes", "reads", "writes", "deletes", "lists")) {
      addField(fields, f, 0L);
    }
    // The bucket's keys first, then the name: a crash in between leaves only an unreachable id.
    return redis
        .script(scripts.bucketCreate, keys.bucket(id), fields.toArray())
        .chain(
            created -> {
              if (created.toInteger() != 1) {
                return Uni.createFrom().failure(new KvException(ErrorCode.INTERNAL_ERROR));
              }
              return redis.script(scripts.tenantClaim, keys.tenant(tenant), name, id, now);
            })
        .chain(
            holder -> {
              if (!holder.toString().equals(id)) {
                return redis
                    .script(scripts.bucketDrop, keys.bucket(id), tenant, "")
                    .chain(
                        dropped ->
                            Uni.createFrom().<Bucket>failure(new KvException.BucketExists(name)));
              }
              ids.put(cacheKey(tenant, name), id);
              return getBucket(tenant, name);
            });
  }

  @Override
  public Uni<Bucket> getBucket(String tenant, String name) {
    return onBucket(
            tenant, name, id -> redis.script(scripts.bucketInfo, keys.bucket(id), tenant, name))
        .map(r -> r == null ? null : toBucket(r));
  }

  @Override
  public Uni<List<Bucket>> listBuckets(String tenant) {
    return redis
        .command(Command.ZRANGE, keys.tenant(tenant).get(1), "0", "-1")
        .chain(
            idList -> {
              List<Uni<Bucket>> infos = new ArrayList<>();
              for (Response id : idList) {
                infos.add(
                    redis
                        .script(scripts.bucketInfo, keys.bucket(id.toString()), tenant, "")
                        .map(r -> r.get(0).toInteger() == 1 ? toBucket(r) : null));
              }
              if (infos.isEmpty()) {
                return Uni.createFrom().item(List.<Bucket>of());
              }
              return Uni.join()
                  .all(infos)
                  .andFailFast()
                  .map(all -> all.stream().filter(b -> b != null).collect(Collectors.toList()));
            });
  }

  @Override
  public Uni<Bucket> updateBucket(String tenant, String name, BucketUpdate update) {
    List<Object> args = new ArrayList<>(List.of(tenant, name));
    if (update.description() != null) {
      addField(args, "desc", update.description());
    }
    if (update.maxBytes() != null) {
      addField(args, "maxb", update.maxBytes());
    }
    if (update.maxValueSize() != null) {
      addField(args, "maxv", update.maxValueSize());
    }
    if (update.ttlSeconds() != null) {
      addField(args, "ttl", update.ttlSeconds());
    }
    return onBucket(
            tenant, name, id -> redis.script(scripts.bucketUpdate, keys.bucket(id), args.toArray()))
        .map(r -> r == null ? null : toBucket(r));
  }

  @Override
  public Uni<Boolean> deleteBucket(String tenant, String name) {
    return resolve(tenant, name)
        .chain(
            id -> {
              if (id == null) {
                return Uni.createFrom().item(false);
              }
              // The name goes first, so no new request reaches the bucket while its keys go.
              return redis
                  .script(scripts.tenantRelease, keys.tenant(tenant), name, id)
                  .chain(
                      released -> {
                        ids.remove(cacheKey(tenant, name));
                        return redis.script(scripts.bucketDrop, keys.bucket(id), tenant, "");
                      })
                  .map(dropped -> dropped.get(0).toInteger() == 1);
            });
  }

  @Override
  public Uni<Boolean> purgeBucket(String tenant, String name) {
    return onBucket(
            tenant, name, id -> redis.script(scripts.bucketPurge, keys.bucket(id), tenant, name))
        .map(r -> r != null);
  }

  // ---- entries ----

  @Override
  public Uni<Entry> get(String tenant, String bucket, String key, Long revision) {
    String rev = revision == null ? "" : revision.toString();
    return onExistingBucket(
            tenant,
            bucket,
            id -> redis.script(scripts.get, keys.bucket(id), tenant, bucket, key, rev))
        .map(r -> r.get(0).toInteger() == 1 ? Records.parse(key, r.get(1).toBytes()) : null);
  }

  @Override
  public Uni<Long> put(
      String tenant,
      String bucket,
      String key,
      byte[] value,
      String contentType,
      String contentEncoding,
      Long ttlSeconds,
      Precondition precondition) {
    long ttlMs = ttlSeconds == null ? -1 : ttlSeconds * 1000;
    String[] ids = new String[1];
    return onExistingBucket(
            tenant,
            bucket,
            id -> {
              ids[0] = id;
              return redis.script(
                  scripts.put,
                  keys.bucket(id),
                  tenant,
                  bucket,
                  key,
                  value,
                  nullToEmpty(contentType),
                  nullToEmpty(contentEncoding),
                  ttlMs,
                  ifMatch(precondition),
                  ifNoneMatch(precondition));
            })
        .chain(
            r -> {
              int status = r.get(0).toInteger();
              switch (status) {
                case -2 -> throw preconditionFailed(r.get(1).toLong());
                case -3 ->
                    throw KvException.validation(
                        "value is "
                            + value.length
                            + " bytes, over the bucket's max_value_size of "
                            + r.get(1).toLong());
                case -4 ->
                    throw KvException.validation(
                        "the write would take the bucket over its max_bytes of "
                            + r.get(1).toLong());
                default -> {}
              }
              long rev = r.get(1).toLong();
              if (r.get(2).toLong() > 0 && expiringKnown.add(ids[0])) {
                return redis
                    .command(Command.SADD, keys.expiringBuckets(), ids[0])
                    .onFailure()
                    .invoke(() -> expiringKnown.remove(ids[0]))
                    .onFailure()
                    .recoverWithNull()
                    .replaceWith(rev);
              }
              return Uni.createFrom().item(rev);
            });
  }

  @Override
  public Uni<Long> delete(String tenant, String bucket, String key, Precondition precondition) {
    return onExistingBucket(
            tenant,
            bucket,
            id ->
                redis.script(
                    scripts.delete,
                    keys.bucket(id),
                    tenant,
                    bucket,
                    key,
                    ifMatch(precondition),
                    ifNoneMatch(precondition)))
        .map(
            r -> {
              int status = r.get(0).toInteger();
              if (status == -2) {
                throw preconditionFailed(r.get(1).toLong());
              }
              return status == 1 ? r.get(1).toLong() : null;
            });
  }

  @Override
  public Uni<Page> list(String tenant, String bucket, String prefix, String after, int limit) {
    return onExistingBucket(
            tenant,
            bucket,
            id ->
                redis.script(
                    scripts.list,
                    keys.bucket(id),
                    tenant,
                    bucket,
                    prefix,
                    nullToEmpty(after),
                    limit))
        .map(
            r -> {
              long total = r.get(1).toLong();
              String next = r.get(2).toString();
              return new Page(entries(r, 3), next.isEmpty() ? null : next, total);
            });
  }

  @Override
  public Uni<List<Entry>> searchKeys(String tenant, String bucket, String glob, int limit) {
    String prefix = Names.globPrefix(glob);
    List<Entry> found = new ArrayList<>();
    return searchSlice(tenant, bucket, prefix, glob, "", limit, found);
  }

  private Uni<List<Entry>> searchSlice(
      String tenant,
      String bucket,
      String prefix,
      String glob,
      String after,
      int limit,
      List<Entry> found) {
    return onExistingBucket(
            tenant,
            bucket,
            id ->
                redis.script(
                    scripts.searchKeys,
                    keys.bucket(id),
                    tenant,
                    bucket,
                    prefix,
                    glob,
                    after,
                    limit - found.size(),
                    KEY_SEARCH_SLICE))
        .chain(
            r -> {
              found.addAll(entries(r, 2));
              String next = r.get(1).toString();
              if (next.isEmpty() || found.size() >= limit) {
                return Uni.createFrom().item(found);
              }
              return searchSlice(tenant, bucket, prefix, glob, next, limit, found);
            });
  }

  @Override
  public Uni<List<HistoryItem>> history(String tenant, String bucket, String key) {
    return onExistingBucket(
            tenant,
            bucket,
            id -> redis.script(scripts.history, keys.bucket(id), tenant, bucket, key))
        .map(
            r -> {
              List<HistoryItem> items = new ArrayList<>();
              int prefixLength = key.length() + 1;
              for (int i = 2; i < r.size(); i++) {
                byte[] member = r.get(i).toBytes();
                long rev =
                    Long.parseLong(
                        new String(member, prefixLength, 16, StandardCharsets.US_ASCII), 16);
                byte op = member[prefixLength + 16];
                byte[] rec = java.util.Arrays.copyOfRange(member, prefixLength + 17, member.length);
                Entry entry = Records.parse(key, rec);
                items.add(
                    op == 'p'
                        ? new HistoryItem(rev, HistoryItem.Operation.PUT, entry.updated(), entry)
                        : new HistoryItem(
                            rev, HistoryItem.Operation.DELETE, entry.updated(), null));
              }
              byte[] live = r.get(1).toBytes();
              if (live.length > 0) {
                Entry entry = Records.parse(key, live);
                items.add(
                    new HistoryItem(
                        entry.revision(), HistoryItem.Operation.PUT, entry.updated(), entry));
              }
              return items;
            });
  }

  // ---- background expiry ----

  /** Removes due entries of every bucket that has expiring entries; returns how many. */
  public Uni<Long> reapAll(int batch) {
    return redis
        .command(Command.SMEMBERS, keys.expiringBuckets())
        .chain(
            members -> {
              List<Uni<Long>> passes = new ArrayList<>();
              for (Response m : members) {
                String id = m.toString();
                passes.add(
                    redis
                        .script(scripts.reap, keys.bucket(id), batch)
                        .chain(
                            r -> {
                              long removed = r.get(0).toLong();
                              if (removed < 0) {
                                expiringKnown.remove(id);
                                return redis
                                    .command(Command.SREM, keys.expiringBuckets(), id)
                                    .replaceWith(0L);
                              }
                              return Uni.createFrom().item(removed);
                            }));
              }
              if (passes.isEmpty()) {
                return Uni.createFrom().item(0L);
              }
              return Uni.join()
                  .all(passes)
                  .usingConcurrencyOf(4)
                  .andCollectFailures()
                  .map(all -> all.stream().mapToLong(Long::longValue).sum());
            });
  }

  /** Takes the reaper lock for {@code millis} when no other replica holds it. */
  public Uni<Boolean> tryReaperLock(String owner, long millis) {
    return redis
        .command(Command.SET, keys.reaperLock(), owner, "NX", "PX", Long.toString(millis))
        .map(r -> r != null && "OK".equals(r.toString()));
  }

  // ---- helpers ----

  private Uni<String> resolve(String tenant, String name) {
    return redis
        .command(Command.HGET, keys.tenant(tenant).get(0), name)
        .map(r -> r == null ? null : r.toString());
  }

  /**
   * Runs a bucket script by name. Every bucket script answers {@code {-1}} when the bucket is not
   * there for this tenant and name; then a cached id is dropped and the name resolved once more. A
   * null item means no such bucket.
   */
  private Uni<Response> onBucket(
      String tenant, String name, Function<String, Uni<Response>> script) {
    String cacheKey = cacheKey(tenant, name);
    String cached = ids.get(cacheKey);
    if (cached == null) {
      return fresh(tenant, name, cacheKey, script);
    }
    return script
        .apply(cached)
        .chain(
            r -> {
              if (!isMissing(r)) {
                return Uni.createFrom().item(r);
              }
              ids.remove(cacheKey, cached);
              return fresh(tenant, name, cacheKey, script);
            });
  }

  private Uni<Response> fresh(
      String tenant, String name, String cacheKey, Function<String, Uni<Response>> script) {
    return resolve(tenant, name)
        .chain(
            id -> {
              if (id == null) {
                return Uni.createFrom().nullItem();
              }
              return script
                  .apply(id)
                  .map(
                      r -> {
                        if (isMissing(r)) {
                          return null;
                        }
                        if (ids.size() >= NAME_CACHE_MAX) {
                          ids.clear();
                        }
                        ids.put(cacheKey, id);
                        return r;
                      });
            });
  }

  private Uni<Response> onExistingBucket(
      String tenant, String name, Function<String, Uni<Response>> script) {
    return onBucket(tenant, name, script)
        .onItem()
        .ifNull()
        .failWith(() -> KvException.notFound("bucket '" + name + "' not found"));
  }

  private static boolean isMissing(Response r) {
    return r == null || r.get(0).toInteger() == -1;
  }

  private static List<Entry> entries(Response r, int from) {
    List<Entry> out = new ArrayList<>((r.size() - from) / 2);
    for (int i = from; i + 1 < r.size(); i += 2) {
      out.add(Records.parse(r.get(i).toString(), r.get(i + 1).toBytes()));
    }
    return out;
  }

  private static Bucket toBucket(Response r) {
    long liveCount = r.get(1).toLong();
    Map<String, String> m = new HashMap<>();
    for (int i = 2; i + 1 < r.size(); i += 2) {
      m.put(r.get(i).toString(), r.get(i + 1).toString());
    }
    BucketConfig config =
        new BucketConfig(
            m.getOrDefault("desc", ""),
            (int) num(m, "history", 1),
            num(m, "ttl", 0),
            num(m, "maxb", -1),
            num(m, "maxv", -1),
            num(m, "comp", 0) == 1,
            m.getOrDefault("stor", "file"),
            (int) num(m, "repl", 1));
    return new Bucket(
        m.get("id"),
        m.get("tenant"),
        m.get("name"),
        config,
        Instant.ofEpochMilli(num(m, "created", 0)),
        Instant.ofEpochMilli(num(m, "modified", 0)),
        Instant.ofEpochMilli(num(m, "accessed", 0)),
        num(m, "rev", 0),
        Math.max(0, liveCount),
        Math.max(0, num(m, "bytes", 0)),
        new Bucket.Stats(
            num(m, "reads", 0), num(m, "writes", 0), num(m, "deletes", 0), num(m, "lists", 0)));
  }

  private static long num(Map<String, String> m, String field, long fallback) {
    String v = m.get(field);
    return v == null || v.isEmpty() ? fallback : Long.parseLong(v);
  }

  private static void addConfig(List<Object> fields, BucketConfig c) {
    addField(fields, "desc", c.description() == null ? "" : c.description());
    addField(fields, "history", (long) c.history());
    addField(fields, "ttl", c.ttlSeconds());
    addField(fields, "maxb", c.maxBytes());
    addField(fields, "maxv", c.maxValueSize());
    addField(fields, "comp", c.compression() ? 1L : 0L);
    addField(fields, "stor", c.storage());
    addField(fields, "repl", (long) c.replicas());
  }

  private static void addField(List<Object> fields, String name, Object value) {
    fields.add(name);
    fields.add(value);
  }

  private static String ifMatch(Precondition p) {
    return p.ifMatchAny() ? "*" : revisionList(p.ifMatch());
  }

  private static String ifNoneMatch(Precondition p) {
    return p.ifNoneMatchAny() ? "*" : revisionList(p.ifNoneMatch());
  }

  private static String revisionList(List<Long> revisions) {
    if (revisions.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(",");
    for (Long r : revisions) {
      sb.append(r).append(',');
    }
    return sb.toString();
  }

  private static KvException preconditionFailed(long current) {
    return KvException.preconditionFailed(
        current == 0
            ? "precondition failed: the entry does not exist"
            : "precondition failed: the entry is at revision " + current);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String cacheKey(String tenant, String name) {
    return tenant + '\0' + name;
  }

  private String newId() {
    char[] id = new char[ID_LENGTH];
    for (int i = 0; i < ID_LENGTH; i++) {
      id[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(id);
  }
}
