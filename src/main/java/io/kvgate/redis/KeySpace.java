package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Names of the Redis keys. Every key of a bucket carries the bucket id as hash tag, so one script
 * can touch all of them on Redis Cluster; a tenant's name index carries the tenant as its tag.
 */
@Singleton
public class KeySpace {
  private final String prefix;

  KeySpace(KvgateConfig config) {
    this.prefix = config.storage().keyPrefix();
  }

  /**
   * The seven keys of a bucket, in the order the scripts expect (meta, data, keys, expiry, history,
   * change stream, index terms per entry). The field indexes' own keys ({@code i:<suffix>}, {@code
   * w:<suffix>}) are named by the scripts from the meta key, under the same hash tag.
   */
  List<String> bucket(String id) {
    String base = prefix + ":{" + id + "}:";
    return List.of(
        base + "m", base + "d", base + "k", base + "x", base + "h", base + "s", base + "it");
  }

  /** The bucket's change stream, which watches read. */
  String changes(String id) {
    return prefix + ":{" + id + "}:s";
  }

  /**
   * The tenant's name-to-id hash and its creation-ordered indexes of all bucket ids and of the
   * named ones, in the order the tenant scripts expect.
   */
  List<String> tenant(String tenant) {
    String base = prefix + ":{t:" + tenant + "}:";
    return List.of(base + "names", base + "created", base + "named");
  }

  /** An API key's record, by the SHA-256 of its secret. */
  String apiKey(String secretHash) {
    return prefix + ":apikey:" + secretHash;
  }

  /** A tenant's API keys: id to secret hash. */
  String tenantApiKeys(String tenant) {
    return prefix + ":{t:" + tenant + "}:apikeys";
  }

  /** A shared rate-limit counter of one window. */
  String rateCounter(String subject, long window) {
    return prefix + ":rl:" + subject + ":" + window;
  }

  /** Ids of the buckets that have (or had) entries with an expiry, for the background reaper. */
  String expiringBuckets() {
    return prefix + ":expiring-buckets";
  }

  /** Deletes by prefix that go on in the background: {@code id \n prefix \n tenant} each. */
  String pendingDeletes() {
    return prefix + ":pending-deletes";
  }

  /** Ids of the buckets whose field indexes are being filled in the background. */
  String indexBackfills() {
    return prefix + ":index-backfills";
  }

  /** The lock that lets one replica at a time run the background reaper. */
  String reaperLock() {
    return prefix + ":reaper-lock";
  }
}
