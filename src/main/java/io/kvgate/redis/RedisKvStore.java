package io.kvgate.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvgate.config.KvgateConfig;
import io.kvgate.core.Batch;
import io.kvgate.core.Bucket;
import io.kvgate.core.BucketConfig;
import io.kvgate.core.BucketRef;
import io.kvgate.core.BucketUpdate;
import io.kvgate.core.Change;
import io.kvgate.core.ChangeFeed;
import io.kvgate.core.Encodings;
import io.kvgate.core.Entry;
import io.kvgate.core.HistoryItem;
import io.kvgate.core.IndexTerms;
import io.kvgate.core.Indexing;
import io.kvgate.core.KeyPage;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.Page;
import io.kvgate.core.Precondition;
import io.kvgate.core.PrefixSlice;
import io.kvgate.core.Search;
import io.kvgate.core.StorePage;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.inject.Singleton;
import java.io.IOException;
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
  private static final int SECRET_LENGTH = 32;

  /** What a new bucket's general access is: the account-level setting decides. */
  public static final String DEFAULT_ACCESS = "FOLLOW_USER_SETTING";

  private static final int NAME_CACHE_MAX = 100_000;
  private static final int KEY_SEARCH_SLICE = 2_000;

  private final RedisCalls redis;
  private final ReadCounts reads;
  private final Scripts scripts;
  private final KeySpace keys;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, String> ids = new ConcurrentHashMap<>();
  private final Set<String> expiringKnown = ConcurrentHashMap.newKeySet();
  private final Map<String, IndexState> indexes = new ConcurrentHashMap<>();
  private final ObjectMapper mapper;
  private final long maxDecoded;
  private final int fuzzyCandidates;
  private final int countBudget;

  RedisKvStore(
      RedisCalls redis,
      ReadCounts reads,
      Scripts scripts,
      KeySpace keys,
      ObjectMapper mapper,
      KvgateConfig config) {
    this.redis = redis;
    this.reads = reads;
    this.scripts = scripts;
    this.keys = keys;
    this.mapper = mapper;
    this.maxDecoded = config.limits().maxDecodedSize().asLongValue();
    this.fuzzyCandidates = config.search().fuzzyCandidates();
    this.countBudget = config.search().countBudget();
  }

  /**
   * The mappings a replica last saw for a bucket and their version. Writes send the version with
   * the terms computed under it; the script refuses terms of another version and answers the
   * current mappings, under which the writer computes them again.
   */
  private record IndexState(String version, Indexing indexing) {
    static final IndexState NONE = new IndexState("0", null);

    boolean maps() {
      return indexing != null && !indexing.isEmpty();
    }
  }

  // ---- buckets ----

  @Override
  public Uni<Bucket> createBucket(String tenant, String name, BucketConfig config) {
    String id = newId(ID_LENGTH);
    long now = System.currentTimeMillis();
    List<Object> fields = new ArrayList<>();
    addField(fields, "id", id);
    addField(fields, "tenant", tenant);
    addField(fields, "name", nullToEmpty(name));
    addField(fields, "access", DEFAULT_ACCESS);
    addField(fields, "secret", newId(SECRET_LENGTH));
    addConfig(fields, config);
    addIndexing(fields, config.indexing());
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
              return claim(tenant, name, id, now);
            })
        .chain(
            claimed -> {
              if (!claimed) {
                return redis
                    .script(scripts.bucketDrop, keys.bucket(id), tenant, "")
                    .chain(
                        dropped ->
                            Uni.createFrom().<Bucket>failure(new KvException.BucketExists(name)));
              }
              if (name != null) {
                ids.put(cacheKey(tenant, name), id);
              }
              return getBucket(BucketRef.byId(tenant, id));
            });
  }

  @Override
  public Uni<Bucket> getBucket(BucketRef ref) {
    return onBucket(
            ref,
            id ->
                reads
                    .flush(id)
                    .chain(
                        () ->
                            redis.script(
                                scripts.bucketInfo, keys.bucket(id), ref.tenant(), nameArg(ref))))
        .map(r -> r == null ? null : toBucket(r));
  }

  @Override
  public Uni<Bucket.Owner> owner(BucketRef ref) {
    return idOf(ref)
        .chain(id -> id == null ? Uni.createFrom().nullItem() : meta(id))
        .map(m -> m == null ? null : m.owner());
  }

  @Override
  public Uni<List<Bucket>> listBuckets(String tenant) {
    return redis
        .command(Command.ZRANGE, keys.tenant(tenant).get(2), "0", "-1")
        .chain(idList -> infos(tenant, idList));
  }

  @Override
  public Uni<StorePage> listBuckets(
      String tenant, boolean includeUnnamed, long offset, int limit, boolean newestFirst) {
    String index = keys.tenant(tenant).get(includeUnnamed ? 1 : 2);
    Uni<Response> page =
        newestFirst
            ? redis.command(
                Command.ZRANGE,
                index,
                Long.toString(offset),
                Long.toString(offset + limit - 1),
                "REV")
            : redis.command(
                Command.ZRANGE, index, Long.toString(offset), Long.toString(offset + limit - 1));
    return redis
        .command(Command.ZCARD, index)
        .chain(
            total ->
                page.chain(idList -> infos(tenant, idList))
                    .map(buckets -> new StorePage(buckets, total.toLong())));
  }

  private Uni<List<Bucket>> infos(String tenant, Response idList) {
    List<Uni<Bucket>> infos = new ArrayList<>();
    for (Response id : idList) {
      String bucketId = id.toString();
      infos.add(
          reads
              .flush(bucketId)
              .chain(() -> redis.script(scripts.bucketInfo, keys.bucket(bucketId), tenant, ""))
              .map(r -> r.get(0).toInteger() == 1 ? toBucket(r) : null));
    }
    if (infos.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return Uni.join()
        .all(infos)
        .usingConcurrencyOf(16)
        .andFailFast()
        .map(all -> all.stream().filter(b -> b != null).collect(Collectors.toList()));
  }

  @Override
  public Uni<Bucket> updateBucket(BucketRef ref, BucketUpdate update) {
    List<Object> fields = new ArrayList<>();
    if (update.description() != null) {
      addField(fields, "desc", update.description());
    }
    if (update.maxBytes() != null) {
      addField(fields, "maxb", update.maxBytes());
    }
    if (update.maxValueSize() != null) {
      addField(fields, "maxv", update.maxValueSize());
    }
    if (update.ttlSeconds() != null) {
      addField(fields, "ttl", update.ttlSeconds());
    }
    if (update.generalAccess() != null) {
      addField(fields, "access", update.generalAccess());
    }
    if (!update.rename()) {
      return onBucket(ref, id -> updateScript(id, ref.tenant(), nameArg(ref), fields))
          .map(r -> r == null ? null : toBucket(r));
    }
    return idOf(ref)
        .chain(id -> id == null ? Uni.createFrom().nullItem() : meta(id))
        .chain(
            m -> {
              if (m == null || !m.owner().tenant().equals(ref.tenant())) {
                return Uni.createFrom().nullItem();
              }
              return rename(ref.tenant(), m, update.name(), fields);
            });
  }

  /**
   * Renames in three steps, each safe to stop after: claim the new name, change the bucket, free
   * the old name. A stop after the first leaves the new name pointing at a bucket that does not
   * answer to it (so it resolves to nothing) until the bucket takes it again.
   */
  private Uni<Bucket> rename(String tenant, Meta m, String newName, List<Object> fields) {
    String id = m.owner().id();
    String oldName = m.owner().name();
    addField(fields, "name", nullToEmpty(newName));
    Uni<Boolean> claimed =
        newName == null || newName.equals(oldName)
            ? Uni.createFrom().item(true)
            : claim(tenant, newName, id, m.created());
    return claimed.chain(
        ok -> {
          if (!ok) {
            return Uni.createFrom().<Bucket>failure(new KvException.BucketExists(newName));
          }
          return updateScript(id, tenant, nullToEmpty(oldName), fields)
              .chain(
                  r -> {
                    if (isMissing(r)) {
                      return release(tenant, newName, id, "drop").replaceWith((Bucket) null);
                    }
                    Bucket updated = toBucket(r);
                    if (oldName != null) {
                      ids.remove(cacheKey(tenant, oldName));
                    }
                    if (oldName == null || oldName.equals(newName)) {
                      return Uni.createFrom().item(updated);
                    }
                    return release(tenant, oldName, id, newName == null ? "unname" : "rename")
                        .replaceWith(updated);
                  });
        });
  }

  private Uni<Response> updateScript(String id, String tenant, String name, List<Object> fields) {
    List<Object> args = new ArrayList<>(List.of(tenant, name));
    args.addAll(fields);
    return reads
        .flush(id)
        .chain(() -> redis.script(scripts.bucketUpdate, keys.bucket(id), args.toArray()));
  }

  @Override
  public Uni<Boolean> deleteBucket(BucketRef ref) {
    return idOf(ref)
        .chain(id -> id == null ? Uni.createFrom().nullItem() : meta(id))
        .chain(
            m -> {
              if (m == null || !m.owner().tenant().equals(ref.tenant())) {
                return Uni.createFrom().item(false);
              }
              String id = m.owner().id();
              String name = m.owner().name();
              // The name goes first, so no new request reaches the bucket while its keys go.
              return release(ref.tenant(), name, id, "drop")
                  .chain(
                      released -> {
                        if (name != null) {
                          ids.remove(cacheKey(ref.tenant(), name));
                        }
                        return redis.script(scripts.bucketDrop, keys.bucket(id), ref.tenant(), "");
                      })
                  .map(dropped -> dropped.get(0).toInteger() == 1);
            });
  }

  @Override
  public Uni<Boolean> purgeBucket(BucketRef ref) {
    return onBucket(
            ref,
            id -> redis.script(scripts.bucketPurge, keys.bucket(id), ref.tenant(), nameArg(ref)))
        .map(r -> r != null);
  }

  // ---- entries ----

  @Override
  public Uni<Entry> get(BucketRef ref, String key, Long revision) {
    String rev = revision == null ? "" : revision.toString();
    return read(ref, key, rev, "");
  }

  @Override
  public Uni<Entry> head(BucketRef ref, String key) {
    return read(ref, key, "", "h");
  }

  /**
   * The get script's answer; a record it found expired is removed (expire_key) before the read
   * answers that the key is absent, as a write would have removed it.
   */
  private Uni<Entry> read(BucketRef ref, String key, String rev, String mode) {
    if (rev.isEmpty() && mode.isEmpty()) {
      String id = ref.id() != null ? ref.id() : ids.get(cacheKey(ref.tenant(), ref.name()));
      if (id != null) {
        return readLive(ref, id, key);
      }
    }
    return readScript(ref, key, rev, mode);
  }

  /**
   * A read of the live value of a key in a bucket whose id is known, without a script: the bucket's
   * owner and name, the record and Redis's clock, in one round trip. A bucket that turns out gone
   * or renamed is read once more through the script, which resolves the name afresh, and an expired
   * record is removed (expire_key) before the read answers that it is absent.
   */
  private Uni<Entry> readLive(BucketRef ref, String id, String key) {
    List<String> k = keys.bucket(id);
    return redis
        .pipeline(
            List.of(
                Request.cmd(Command.HMGET).arg(k.get(0)).arg("tenant").arg("name"),
                Request.cmd(Command.HGET).arg(k.get(1)).arg(key),
                Request.cmd(Command.TIME)))
        .chain(
            r -> {
              Response owner = r.get(0);
              if (owner.get(0) == null
                  || !ref.tenant().equals(owner.get(0).toString())
                  || (ref.id() == null && !ref.name().equals(String.valueOf(owner.get(1))))) {
                if (ref.id() != null) {
                  return Uni.createFrom().failure(new KvException.BucketMissing(ref.label()));
                }
                ids.remove(cacheKey(ref.tenant(), ref.name()), id);
                return readScript(ref, key, "", "");
              }
              Response time = r.get(2);
              long now = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
              reads.count(id, now);
              Response rec = r.get(1);
              if (rec == null) {
                return Uni.createFrom().nullItem();
              }
              Entry e = Records.parse(key, rec.toBytes());
              if (e.expiresAt() != null && e.expiresAt().toEpochMilli() <= now) {
                return redis.script(scripts.expireKey, k, key).replaceWith((Entry) null);
              }
              return Uni.createFrom().item(e);
            });
  }

  private Uni<Entry> readScript(BucketRef ref, String key, String rev, String mode) {
    String[] ids = new String[1];
    return onExistingBucket(
            ref,
            id -> {
              ids[0] = id;
              return redis.script(
                  scripts.get, keys.bucket(id), ref.tenant(), nameArg(ref), key, rev, mode);
            })
        .invoke(r -> reads.count(ids[0], System.currentTimeMillis()))
        .chain(
            r ->
                switch (r.get(0).toInteger()) {
                  case 1 -> Uni.createFrom().item(Records.parse(key, r.get(1).toBytes()));
                  case 2 ->
                      redis
                          .script(scripts.expireKey, keys.bucket(ids[0]), key)
                          .replaceWith((Entry) null);
                  default -> Uni.createFrom().nullItem();
                });
  }

  @Override
  public Uni<Long> put(
      BucketRef ref,
      String key,
      byte[] value,
      String contentType,
      String contentEncoding,
      Long ttlSeconds,
      Precondition precondition) {
    long ttlMs = ttlSeconds == null ? -1 : ttlSeconds * 1000;
    String[] ids = new String[1];
    return onExistingBucket(
            ref,
            id -> {
              ids[0] = id;
              return indexed(
                  id,
                  state ->
                      redis.script(
                          scripts.put,
                          keys.bucket(id),
                          ref.tenant(),
                          nameArg(ref),
                          key,
                          value,
                          nullToEmpty(contentType),
                          nullToEmpty(contentEncoding),
                          ttlMs,
                          ifMatch(precondition),
                          ifNoneMatch(precondition),
                          state.version(),
                          terms(state, key, value, contentType, contentEncoding)));
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
              return expiring(ids[0], r.get(2).toLong()).replaceWith(r.get(1).toLong());
            });
  }

  /**
   * Makes the background reaper visit a bucket once it has an entry that expires; a failure only
   * leaves the removal to reads and writes, which reap too.
   */
  private Uni<Void> expiring(String id, long expiresMs) {
    if (expiresMs <= 0 || !expiringKnown.add(id)) {
      return Uni.createFrom().voidItem();
    }
    return redis
        .command(Command.SADD, keys.expiringBuckets(), id)
        .onFailure()
        .invoke(() -> expiringKnown.remove(id))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  @Override
  public Uni<Long> touch(BucketRef ref, String key, Long ttlSeconds) {
    long ttlMs = ttlSeconds == null ? -1 : ttlSeconds * 1000;
    String[] ids = new String[1];
    return onExistingBucket(
            ref,
            id -> {
              ids[0] = id;
              return redis.script(
                  scripts.touch, keys.bucket(id), ref.tenant(), nameArg(ref), key, ttlMs);
            })
        .chain(
            r -> {
              if (r.get(0).toInteger() != 1) {
                return Uni.createFrom().nullItem();
              }
              return expiring(ids[0], r.get(2).toLong()).replaceWith(r.get(1).toLong());
            });
  }

  @Override
  public Uni<List<Entry>> getMany(BucketRef ref, List<String> wanted) {
    List<Object> args = new ArrayList<>(wanted.size() + 2);
    args.add(ref.tenant());
    args.add(nameArg(ref));
    args.addAll(wanted);
    return onExistingBucket(
            ref, id -> redis.script(scripts.getMany, keys.bucket(id), args.toArray()))
        .map(
            r -> {
              List<Entry> out = new ArrayList<>(wanted.size());
              for (int i = 0; i < wanted.size(); i++) {
                byte[] rec = r.get(i + 1).toBytes();
                out.add(rec.length == 0 ? null : Records.parse(wanted.get(i), rec));
              }
              return out;
            });
  }

  @Override
  public Uni<Batch.Result> apply(
      BucketRef ref, List<Batch.Check> checks, List<Batch.Write> writes, String contentType) {
    String[] ids = new String[1];
    return onExistingBucket(
            ref,
            id -> {
              ids[0] = id;
              return indexed(
                  id,
                  state -> {
                    List<Object> args = new ArrayList<>(5 + checks.size() * 3 + writes.size() * 5);
                    args.add(ref.tenant());
                    args.add(nameArg(ref));
                    args.add(contentType);
                    args.add(state.version());
                    args.add(checks.size());
                    for (Batch.Check c : checks) {
                      args.add(c.key());
                      args.add(c.revision() == null ? "a" : "r");
                      args.add(c.revision() == null ? 0L : c.revision());
                    }
                    for (Batch.Write w : writes) {
                      args.add(w.value() == null ? "d" : "p");
                      args.add(w.key());
                      args.add(w.value() == null ? new byte[0] : w.value());
                      args.add(w.ttlMs());
                      args.add(
                          w.value() == null
                              ? new byte[0]
                              : terms(state, w.key(), w.value(), contentType, null));
                    }
                    return redis.script(scripts.batch, keys.bucket(id), args.toArray());
                  });
            })
        .chain(
            r -> {
              switch (r.get(0).toInteger()) {
                case -2 -> {
                  int index = r.get(1).toInteger() - 1;
                  throw new KvException.CheckFailed(
                      index, checks.get(index).key(), r.get(2).toLong());
                }
                case -3 ->
                    throw KvException.validation(
                        "the value of '"
                            + r.get(2).toString()
                            + "' is over the bucket's max_value_size of "
                            + r.get(1).toLong());
                case -4 ->
                    throw KvException.validation(
                        "the batch would take the bucket over its max_bytes of "
                            + r.get(1).toLong());
                default -> {}
              }
              List<Long> revisions = new ArrayList<>(writes.size());
              for (int i = 3; i < r.size(); i++) {
                long rev = r.get(i).toLong();
                revisions.add(rev == 0 ? null : rev);
              }
              Batch.Result result = new Batch.Result(r.get(1).toLong(), revisions);
              // An expiry anywhere in the batch makes the reaper visit the bucket.
              return expiring(ids[0], r.get(2).toLong()).replaceWith(result);
            });
  }

  @Override
  public Uni<PrefixSlice> deletePrefixSlice(BucketRef ref, String prefix, int max) {
    return onExistingBucket(
            ref,
            id ->
                redis.script(
                    scripts.deletePrefix, keys.bucket(id), ref.tenant(), nameArg(ref), prefix, max))
        .map(r -> new PrefixSlice(r.get(1).toLong(), r.get(2).toLong(), r.get(3).toInteger() == 1));
  }

  @Override
  public Uni<Void> deletePrefixLater(BucketRef ref, String prefix) {
    return idOf(ref)
        .chain(
            id -> {
              if (id == null) {
                return Uni.createFrom().failure(new KvException.BucketMissing(ref.label()));
              }
              String member = id + "\n" + prefix + "\n" + ref.tenant();
              return redis.write(Command.SADD, keys.pendingDeletes(), member).replaceWithVoid();
            });
  }

  /** The members of a set of work to go on with (pending deletes, backfills). */
  private Uni<List<String>> members(String set) {
    return redis
        .command(Command.SMEMBERS, set)
        .map(
            members -> {
              List<String> out = new ArrayList<>(members.size());
              for (Response m : members) {
                out.add(m.toString());
              }
              return out;
            });
  }

  /**
   * Goes on with the deletes by prefix handed to the background, slice by slice, for about {@code
   * budgetMs}; a delete whose bucket is gone or whose prefix has no entries left is done.
   */
  public Uni<Long> continuePrefixDeletes(int slice, long budgetMs) {
    long until = System.currentTimeMillis() + budgetMs;
    return members(keys.pendingDeletes())
        .chain(pending -> continueEach(pending, 0, slice, until, 0L));
  }

  private Uni<Long> continueEach(
      List<String> pending, int index, int slice, long until, long deleted) {
    if (index >= pending.size() || System.currentTimeMillis() >= until) {
      return Uni.createFrom().item(deleted);
    }
    String member = pending.get(index);
    String[] parts = member.split("\n", 3);
    BucketRef ref = BucketRef.byId(parts.length == 3 ? parts[2] : "", parts[0]);
    String prefix = parts.length == 3 ? parts[1] : "";
    return deletePrefixSlice(ref, prefix, slice)
        .onFailure(KvException.BucketMissing.class)
        .recoverWithItem(new PrefixSlice(0, 0, false))
        .chain(
            s -> {
              long total = deleted + s.deleted();
              if (s.more() && System.currentTimeMillis() < until) {
                return continueEach(pending, index, slice, until, total);
              }
              Uni<Long> next =
                  s.more()
                      ? Uni.createFrom().item(total)
                      : redis
                          .command(Command.SREM, keys.pendingDeletes(), member)
                          .replaceWith(total);
              return next.chain(t -> continueEach(pending, index + 1, slice, until, t));
            });
  }

  @Override
  public Uni<Long> delete(BucketRef ref, String key, Precondition precondition) {
    return onExistingBucket(
            ref,
            id ->
                redis.script(
                    scripts.delete,
                    keys.bucket(id),
                    ref.tenant(),
                    nameArg(ref),
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
  public Uni<Page> list(BucketRef ref, String prefix, String after, int limit) {
    return onExistingBucket(
            ref,
            id ->
                redis.script(
                    scripts.list,
                    keys.bucket(id),
                    ref.tenant(),
                    nameArg(ref),
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
  public Uni<KeyPage> listKeys(BucketRef ref, String prefix, String after, int limit) {
    return onExistingBucket(
            ref,
            id ->
                redis.script(
                    scripts.listKeys,
                    keys.bucket(id),
                    ref.tenant(),
                    nameArg(ref),
                    prefix,
                    nullToEmpty(after),
                    limit))
        .map(
            r -> {
              List<KeyPage.Key> out = new ArrayList<>((r.size() - 2) / 2);
              for (int i = 2; i + 1 < r.size(); i += 2) {
                out.add(new KeyPage.Key(r.get(i).toString(), r.get(i + 1).toLong()));
              }
              String next = r.get(1).toString();
              return new KeyPage(out, next.isEmpty() ? null : next);
            });
  }

  @Override
  public Uni<List<Entry>> searchKeys(BucketRef ref, String glob, int limit) {
    String prefix = Names.globPrefix(glob);
    List<Entry> found = new ArrayList<>();
    return searchSlice(ref, prefix, glob, "", limit, found);
  }

  private Uni<List<Entry>> searchSlice(
      BucketRef ref, String prefix, String glob, String after, int limit, List<Entry> found) {
    return onExistingBucket(
            ref,
            id ->
                redis.script(
                    scripts.searchKeys,
                    keys.bucket(id),
                    ref.tenant(),
                    nameArg(ref),
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
              return searchSlice(ref, prefix, glob, next, limit, found);
            });
  }

  @Override
  public Uni<List<HistoryItem>> history(BucketRef ref, String key) {
    return onExistingBucket(
            ref,
            id -> redis.script(scripts.history, keys.bucket(id), ref.tenant(), nameArg(ref), key))
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

  // ---- field indexes and search ----

  /**
   * Runs a write under the mappings this replica knows for the bucket; when the script answers that
   * they changed ({@code -5}), runs it again under the ones it answered.
   */
  private Uni<Response> indexed(String id, Function<IndexState, Uni<Response>> write) {
    return indexedAttempt(id, write, 0);
  }

  private Uni<Response> indexedAttempt(
      String id, Function<IndexState, Uni<Response>> write, int attempt) {
    IndexState state = indexes.getOrDefault(id, IndexState.NONE);
    return write
        .apply(state)
        .chain(
            r -> {
              if (r == null || r.size() == 0 || r.get(0).toInteger() != -5) {
                return Uni.createFrom().item(r);
              }
              if (attempt >= 8) {
                return Uni.createFrom()
                    .failure(KvException.unavailable("the bucket's mappings keep changing"));
              }
              rememberIndex(id, r.get(1).toString(), r.get(2).toString());
              return indexedAttempt(id, write, attempt + 1);
            });
  }

  private IndexState rememberIndex(String id, String version, String imap) {
    IndexState state = new IndexState(version, indexingFrom(imap));
    if (indexes.size() >= NAME_CACHE_MAX) {
      indexes.clear();
    }
    indexes.put(id, state);
    return state;
  }

  /** The terms argument of a write: empty when nothing is mapped, else the entry's blob. */
  private byte[] terms(
      IndexState state, String key, byte[] value, String contentType, String contentEncoding) {
    if (!state.maps()) {
      return new byte[0];
    }
    IndexTerms.Terms t =
        IndexTerms.of(state.indexing(), key, jsonOf(value, contentType, contentEncoding));
    return t.blob() == null ? new byte[] {'0'} : t.blob();
  }

  /** A stored value as JSON, or null when it is not JSON (or does not decode). */
  private JsonNode jsonOf(byte[] value, String contentType, String contentEncoding) {
    if (!Entry.isJson(contentType)) {
      return null;
    }
    try {
      byte[] plain =
          Encodings.isEncoded(contentEncoding)
              ? Encodings.decode(contentEncoding, value, maxDecoded)
              : value;
      return mapper.readTree(plain);
    } catch (IOException | KvException e) {
      return null;
    }
  }

  @Override
  public Uni<IndexChange> setIndexing(BucketRef ref, Indexing indexing) {
    String imap = indexing == null || indexing.isEmpty() ? "" : indexingJson(indexing);
    String suffixes = suffixes(indexing);
    String[] ids = new String[1];
    return onBucket(
            ref,
            id -> {
              ids[0] = id;
              return redis.script(
                  scripts.indexSet, keys.bucket(id), ref.tenant(), nameArg(ref), imap, suffixes);
            })
        .chain(
            r -> {
              if (r == null) {
                return Uni.createFrom().nullItem();
              }
              String id = ids[0];
              rememberIndex(id, r.get(1).toString(), imap);
              boolean backfilling = r.get(2).toInteger() == 1;
              IndexChange change = new IndexChange(id, backfilling);
              if (!backfilling) {
                return Uni.createFrom().item(change);
              }
              return redis.command(Command.SADD, keys.indexBackfills(), id).replaceWith(change);
            });
  }

  @Override
  public Uni<Boolean> backfillSlice(String id, int max) {
    return redis
        .command(Command.HMGET, keys.bucket(id).get(0), "iver", "imap")
        .chain(
            v -> {
              if (v == null || v.get(0) == null) {
                return done(id);
              }
              String version = v.get(0).toString();
              IndexState state =
                  rememberIndex(id, version, v.get(1) == null ? "" : v.get(1).toString());
              return redis
                  .script(scripts.indexScan, keys.bucket(id), version, max)
                  .chain(
                      scan -> {
                        if (scan.get(0).toInteger() != 1) {
                          return done(id);
                        }
                        List<Object> args = new ArrayList<>();
                        args.add(version);
                        args.add(scan.get(1).toBytes());
                        args.add(scan.get(2).toBytes());
                        args.add((long) (scan.size() - 3) / 2);
                        for (int i = 3; i + 1 < scan.size(); i += 2) {
                          String key = scan.get(i).toString();
                          Entry e = Records.parse(key, scan.get(i + 1).toBytes());
                          args.add(key);
                          args.add(e.revision());
                          args.add(
                              terms(state, key, e.value(), e.contentType(), e.contentEncoding()));
                        }
                        return redis
                            .script(scripts.indexFill, keys.bucket(id), args.toArray())
                            .chain(
                                f -> {
                                  int status = f.get(0).toInteger();
                                  if (status == 1 && f.get(1).toInteger() == 1) {
                                    return Uni.createFrom().item(true);
                                  }
                                  // A stale slice (the mappings changed again) goes on from the
                                  // new start; a missing bucket or a finished backfill is done.
                                  return status == 0 ? Uni.createFrom().item(true) : done(id);
                                });
                      });
            });
  }

  private Uni<Boolean> done(String id) {
    return redis.command(Command.SREM, keys.indexBackfills(), id).replaceWith(false);
  }

  /**
   * Goes on with the backfills of every bucket that has one, slice by slice, for {@code budgetMs}.
   */
  public Uni<Long> continueBackfills(int slice, long budgetMs) {
    long until = System.currentTimeMillis() + budgetMs;
    return members(keys.indexBackfills())
        .chain(pending -> backfillEach(pending, 0, slice, until, 0L));
  }

  private Uni<Long> backfillEach(
      List<String> pending, int index, int slice, long until, long slices) {
    if (index >= pending.size() || System.currentTimeMillis() >= until) {
      return Uni.createFrom().item(slices);
    }
    return backfillSlice(pending.get(index), slice)
        .chain(
            more -> {
              if (more && System.currentTimeMillis() < until) {
                return backfillEach(pending, index, slice, until, slices + 1);
              }
              return backfillEach(pending, index + 1, slice, until, slices + 1);
            });
  }

  @Override
  public Uni<Search.Result> search(BucketRef ref, Search.Request request) {
    Search.Plan[] plans = new Search.Plan[1];
    String[] ids = new String[1];
    return onExistingBucket(
            ref,
            id -> {
              ids[0] = id;
              return searchAttempt(ref, id, request, plans, 0);
            })
        .chain(r -> searchResult(ref, ids[0], request, plans[0], r));
  }

  /**
   * Plans the search under the mappings this replica knows (read afresh when they do not map the
   * field) and runs it; when the script answers that the mappings changed, plans again.
   */
  private Uni<Response> searchAttempt(
      BucketRef ref, String id, Search.Request request, Search.Plan[] plans, int attempt) {
    IndexState cached = indexes.get(id);
    Uni<IndexState> state =
        cached != null && cached.maps() && cached.indexing().mapping(request.field()) != null
            ? Uni.createFrom().item(cached)
            : redis
                .command(Command.HMGET, keys.bucket(id).get(0), "tenant", "iver", "imap")
                .map(
                    v -> {
                      if (v == null
                          || v.get(0) == null
                          || !v.get(0).toString().equals(ref.tenant())) {
                        return null;
                      }
                      return rememberIndex(
                          id,
                          v.get(1) == null ? "0" : v.get(1).toString(),
                          v.get(2) == null ? "" : v.get(2).toString());
                    });
    return state.chain(
        s -> {
          if (s == null) {
            // Not this tenant's bucket (or gone): the script's own check answers {-1}.
            return redis.script(scripts.bucketInfo, keys.bucket(id), ref.tenant(), nameArg(ref));
          }
          Search.Plan plan = Search.plan(s.indexing(), request);
          plans[0] = plan;
          Uni<Response> run =
              plan.kind() == Search.Kind.FUZZY
                  ? redis.script(
                      scripts.searchFuzzy,
                      keys.bucket(id),
                      ref.tenant(),
                      nameArg(ref),
                      s.version(),
                      plan.mapping().suffix(),
                      plan.word(),
                      fuzzyCandidates,
                      countBudget)
                  : redis.script(
                      scripts.search,
                      keys.bucket(id),
                      ref.tenant(),
                      nameArg(ref),
                      s.version(),
                      plan.mapping().suffix(),
                      plan.start(),
                      plan.from(),
                      plan.to(),
                      request.limit(),
                      plan.single() ? "1" : "0",
                      countBudget);
          return run.chain(
              r -> {
                if (r.get(0).toInteger() != -5) {
                  return Uni.createFrom().item(r);
                }
                if (attempt >= 8) {
                  return Uni.createFrom()
                      .failure(KvException.unavailable("the bucket's mappings keep changing"));
                }
                rememberIndex(id, r.get(1).toString(), r.get(2).toString());
                return searchAttempt(ref, id, request, plans, attempt + 1);
              });
        });
  }

  private Uni<Search.Result> searchResult(
      BucketRef ref, String id, Search.Request request, Search.Plan plan, Response r) {
    if (plan.kind() != Search.Kind.FUZZY) {
      long total = r.get(2).toLong();
      byte[] next = r.get(3).toBytes();
      String backfill = r.get(4).toString();
      return Uni.createFrom()
          .item(
              new Search.Result(
                  entries(r, 5),
                  r.get(1).toLong(),
                  total < 0 ? null : total,
                  next.length == 0 ? null : next,
                  backfill.isEmpty() ? null : Long.parseLong(backfill),
                  false));
    }
    long hits = r.get(1).toLong();
    boolean cut = r.get(2).toInteger() == 1;
    String backfill = r.get(3).toString();
    List<String> found = new ArrayList<>(r.size() - 4);
    for (int i = 4; i < r.size(); i++) {
      found.add(r.get(i).toString());
    }
    java.util.Collections.sort(found);
    List<String> page = new ArrayList<>(request.limit());
    String after = plan.after();
    boolean more = false;
    for (String k : found) {
      if (after != null && k.compareTo(after) <= 0) {
        continue;
      }
      if (page.size() == request.limit()) {
        more = true;
        break;
      }
      page.add(k);
    }
    long total = found.size();
    Long backfilled = backfill.isEmpty() ? null : Long.parseLong(backfill);
    byte[] next = more ? page.get(page.size() - 1).getBytes(StandardCharsets.UTF_8) : null;
    if (page.isEmpty()) {
      return Uni.createFrom()
          .item(new Search.Result(List.of(), hits, total, null, backfilled, cut));
    }
    return getMany(ref, page)
        .map(
            got -> {
              List<Entry> live = new ArrayList<>(got.size());
              for (Entry e : got) {
                if (e != null) {
                  live.add(e);
                }
              }
              return new Search.Result(live, hits, total, next, backfilled, cut);
            });
  }

  /** The index key suffixes of a bucket's mappings, one a line, sorted (so order is no change). */
  private static String suffixes(Indexing indexing) {
    if (indexing == null || indexing.isEmpty()) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (Indexing.Mapping m : indexing.mappings()) {
      out.add(m.suffix());
    }
    java.util.Collections.sort(out);
    return String.join("\n", out);
  }

  private String indexingJson(Indexing indexing) {
    ObjectNode root = mapper.createObjectNode();
    ArrayNode maps = root.putArray("mappings");
    for (Indexing.Mapping m : indexing.mappings()) {
      maps.addObject().put("field", m.field()).put("field_type", m.type().wire());
    }
    root.put("partitions", indexing.partitions());
    root.put("replicas", indexing.replicas());
    root.put("storage_type", indexing.storageType());
    if (indexing.stream() != null) {
      root.put("stream", indexing.stream());
    }
    return root.toString();
  }

  /** The mappings kept in the meta hash, or null when there are none. */
  private Indexing indexingFrom(String imap) {
    if (imap == null || imap.isEmpty()) {
      return null;
    }
    try {
      JsonNode root = mapper.readTree(imap);
      List<Indexing.Mapping> maps = new ArrayList<>();
      for (JsonNode m : root.path("mappings")) {
        maps.add(
            new Indexing.Mapping(
                m.path("field").asText(), Indexing.Type.of(m.path("field_type").asText())));
      }
      JsonNode stream = root.get("stream");
      return new Indexing(
          maps,
          root.path("partitions").asInt(1),
          root.path("replicas").asInt(1),
          root.path("storage_type").asText("file"),
          stream == null || stream.isNull() ? null : stream.asText());
    } catch (IOException e) {
      throw new IllegalStateException("unreadable mappings in the bucket's meta hash", e);
    }
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

  // ---- changes, for watches (see RedisChangeFeed) ----

  /** Where a watch starts; null item when the bucket is missing. */
  Uni<ChangeFeed.Start> watchStart(BucketRef ref) {
    String[] used = {null};
    return onBucket(
            ref,
            id -> {
              used[0] = id;
              return redis.script(scripts.watchOpen, keys.bucket(id), ref.tenant(), nameArg(ref));
            })
        .map(
            r ->
                r == null
                    ? null
                    : new ChangeFeed.Start(used[0], r.get(1).toLong(), r.get(2).toLong()));
  }

  /** A page of a watch's opening replay; null item when the bucket is gone. */
  Uni<ChangeFeed.Replay> watchReplay(
      String tenant, String id, String prefix, String after, int limit, boolean history) {
    return redis
        .script(
            scripts.watchPage,
            keys.bucket(id),
            tenant,
            "",
            prefix,
            nullToEmpty(after),
            limit,
            history ? "h" : "s")
        .map(
            r -> {
              if (isMissing(r)) {
                return null;
              }
              List<Change> out = new ArrayList<>((r.size() - 2) / 3);
              for (int i = 2; i + 2 < r.size(); i += 3) {
                String key = r.get(i).toString();
                Entry e = Records.parse(key, r.get(i + 2).toBytes());
                boolean put = "p".equals(r.get(i + 1).toString());
                out.add(
                    new Change(
                        put ? Change.Op.PUT : Change.Op.DELETE,
                        key,
                        e.revision(),
                        e.updated(),
                        put ? e : null,
                        false));
              }
              String next = r.get(1).toString();
              return new ChangeFeed.Replay(out, next.isEmpty() ? null : next);
            });
  }

  /** The kept changes of a bucket after a revision, oldest first. */
  Uni<List<Change>> changes(String id, long after, int count) {
    return redis
        .command(
            Command.XRANGE,
            keys.changes(id),
            (after + 1) + "-0",
            "+",
            "COUNT",
            Integer.toString(count))
        .map(Records::changes);
  }

  /** A bucket's owner fields and creation time, read without a tenant check. */
  private record Meta(Bucket.Owner owner, long created) {}

  private Uni<Meta> meta(String id) {
    return redis
        .command(
            Command.HMGET, keys.bucket(id).get(0), "tenant", "name", "access", "secret", "created")
        .map(
            r -> {
              if (r == null || r.get(0) == null) {
                return null;
              }
              String name = r.get(1) == null ? "" : r.get(1).toString();
              return new Meta(
                  new Bucket.Owner(
                      id,
                      r.get(0).toString(),
                      name.isEmpty() ? null : name,
                      r.get(2) == null ? DEFAULT_ACCESS : r.get(2).toString(),
                      r.get(3) == null ? null : r.get(3).toString()),
                  r.get(4) == null ? 0 : r.get(4).toLong());
            });
  }

  /** The id a reference names, or null when no bucket has that name. */
  private Uni<String> idOf(BucketRef ref) {
    if (ref.id() != null) {
      return Uni.createFrom().item(ref.id());
    }
    return resolve(ref.tenant(), ref.name());
  }

  private Uni<String> resolve(String tenant, String name) {
    return redis
        .command(Command.HGET, keys.tenant(tenant).get(0), name)
        .map(r -> r == null ? null : r.toString());
  }

  /**
   * Gives a bucket its name in the tenant's index; false when another bucket of the tenant holds
   * it. A holder that no longer exists (left by an interrupted delete) is replaced.
   */
  private Uni<Boolean> claim(String tenant, String name, String id, long created) {
    return redis
        .script(scripts.tenantClaim, keys.tenant(tenant), nullToEmpty(name), id, created, "")
        .chain(
            held -> {
              String holder = held.toString();
              if (holder.equals(id)) {
                return Uni.createFrom().item(true);
              }
              return meta(holder)
                  .chain(
                      m -> {
                        if (m != null && m.owner().tenant().equals(tenant)) {
                          return Uni.createFrom().item(false);
                        }
                        return redis
                            .script(
                                scripts.tenantClaim, keys.tenant(tenant), name, id, created, holder)
                            .map(again -> again.toString().equals(id));
                      });
            });
  }

  private Uni<Response> release(String tenant, String name, String id, String mode) {
    return redis.script(scripts.tenantRelease, keys.tenant(tenant), nullToEmpty(name), id, mode);
  }

  /**
   * Runs a bucket script. Every bucket script answers {@code {-1}} when the bucket is not there for
   * this tenant (and name); for a reference by name a cached id is then dropped and the name
   * resolved once more. A null item means no such bucket.
   */
  private Uni<Response> onBucket(BucketRef ref, Function<String, Uni<Response>> script) {
    if (ref.id() != null) {
      return script.apply(ref.id()).map(r -> isMissing(r) ? null : r);
    }
    String cacheKey = cacheKey(ref.tenant(), ref.name());
    String cached = ids.get(cacheKey);
    if (cached == null) {
      return fresh(ref, cacheKey, script);
    }
    return script
        .apply(cached)
        .chain(
            r -> {
              if (!isMissing(r)) {
                return Uni.createFrom().item(r);
              }
              ids.remove(cacheKey, cached);
              return fresh(ref, cacheKey, script);
            });
  }

  private Uni<Response> fresh(
      BucketRef ref, String cacheKey, Function<String, Uni<Response>> script) {
    return resolve(ref.tenant(), ref.name())
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

  private Uni<Response> onExistingBucket(BucketRef ref, Function<String, Uni<Response>> script) {
    return onBucket(ref, script)
        .onItem()
        .ifNull()
        .failWith(() -> new KvException.BucketMissing(ref.label()));
  }

  /** The name a script checks the bucket against; empty (any) for a reference by id. */
  private static String nameArg(BucketRef ref) {
    return ref.id() != null ? "" : ref.name();
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

  private Bucket toBucket(Response r) {
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
            (int) num(m, "repl", 1),
            indexingFrom(m.get("imap")));
    String name = m.getOrDefault("name", "");
    Map<String, Long> pending = new java.util.TreeMap<>();
    for (Map.Entry<String, String> f : m.entrySet()) {
      if (f.getKey().startsWith("pdel:")) {
        pending.put(f.getKey().substring(5), Long.parseLong(f.getValue()));
      }
    }
    return new Bucket(
        m.get("id"),
        m.get("tenant"),
        name.isEmpty() ? null : name,
        config,
        Instant.ofEpochMilli(num(m, "created", 0)),
        Instant.ofEpochMilli(num(m, "modified", 0)),
        Instant.ofEpochMilli(num(m, "accessed", 0)),
        num(m, "rev", 0),
        Math.max(0, liveCount),
        Math.max(0, num(m, "bytes", 0)),
        new Bucket.Stats(
            num(m, "reads", 0), num(m, "writes", 0), num(m, "deletes", 0), num(m, "lists", 0)),
        m.getOrDefault("access", DEFAULT_ACCESS),
        m.get("secret"),
        pending,
        new Bucket.IndexStatus(
            Math.max(0, num(m, "iwrong", 0)), m.containsKey("ibf") ? num(m, "ibfn", 0) : null));
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

  private void addIndexing(List<Object> fields, Indexing indexing) {
    if (indexing != null && !indexing.isEmpty()) {
      addField(fields, "imap", indexingJson(indexing));
      addField(fields, "isfx", suffixes(indexing));
      addField(fields, "iver", 1L);
    }
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

  private String newId(int length) {
    char[] id = new char[length];
    for (int i = 0; i < length; i++) {
      id[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(id);
  }
}
