package io.kvgate.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Application settings, all under {@code kvgate.*} (environment: {@code KVGATE_*}). */
@ConfigMapping(prefix = "kvgate")
public interface KvgateConfig {

  /** Storage-backend settings. */
  Storage storage();

  /** Request limits. */
  Limits limits();

  /** Field search (K11). */
  Search search();

  /** Dev-mode conveniences. */
  Dev dev();

  /** Authentication: JWT claims and API keys. */
  Auth auth();

  /**
   * An admin API key accepted for the bootstrap tenant, so a fresh install has a way in (a secret:
   * give it by environment, {@code KVGATE_BOOTSTRAP_API_KEY}).
   */
  Optional<String> bootstrapApiKey();

  /** The tenant the bootstrap key acts for ({@code KVGATE_BOOTSTRAP_TENANT}). */
  @WithDefault("default")
  String bootstrapTenant();

  /** Rate limits per principal and per bucket, counted across replicas. */
  RateLimit rateLimit();

  /** The /v2/key-value-stores dialect. */
  Apify apify();

  /** Watch streams: what each bucket's change stream keeps and how watchers are served. */
  Watch watch();

  /** How the HTTP layer serves requests. */
  Http http();

  /** Settings of the HTTP layer. */
  interface Http {
    /**
     * Whether the hottest requests (K8 GET, K9 PUT, /v2 record GET) of callers whose API key this
     * replica verified lately are served straight from the router, without the REST layer's
     * per-request work; answers are the same either way.
     */
    @WithDefault("true")
    boolean directRoutes();
  }

  /** Settings of watch streams. */
  interface Watch {
    /**
     * Changes each bucket's stream keeps, at least: how far back a watch can resume (a resume point
     * older gets {@code resume_too_old}).
     */
    @WithDefault("10000")
    int streamLength();

    /**
     * The largest value a change in the stream carries; an event of a larger put has no value
     * ({@code value_omitted}) and the client reads it by revision.
     */
    @WithDefault("64K")
    MemorySize streamValueMax();

    /** Events one watcher may have waiting while its client reads slower than changes come. */
    @WithDefault("1000")
    int bufferEvents();

    /** Watchers one replica serves at most (503 beyond). */
    @WithDefault("10000")
    int maxWatchers();

    /** How long a watch stays silent before a keep-alive comment. */
    @WithDefault("15s")
    Duration keepAlive();

    /**
     * On Redis Cluster, how often the change streams of watched buckets are polled (a blocking read
     * cannot span slots there); elsewhere one blocking read follows them all.
     */
    @WithDefault("100ms")
    Duration clusterPollInterval();
  }

  /** Settings of the /v2/key-value-stores dialect. */
  interface Apify {
    /**
     * The scheme, host and port clients reach this service at, for the public URLs in answers (for
     * example {@code https://kv.example.com}); without it each answer uses its request's own.
     */
    Optional<String> publicUrl();

    /**
     * What {@code FOLLOW_USER_SETTING} (the general access of a new store) means: {@code
     * RESTRICTED} or {@code ANYONE_WITH_ID_CAN_READ}.
     */
    @WithDefault("RESTRICTED")
    String userGeneralAccess();

    /** How long the signed {@code keysPublicUrl} of a store object stays valid. */
    @WithDefault("P14D")
    Duration keysUrlValidity();
  }

  /** Authentication settings. */
  interface Auth {
    /** JWT claim that names the caller's tenant. */
    @WithDefault("tenant")
    String tenantClaim();

    /** JWT claim with bucket-name globs that narrow the caller's permissions. */
    @WithDefault("buckets")
    String bucketsClaim();

    /** How long a verified API key is trusted without asking Redis again (revocation bound). */
    @WithDefault("500ms")
    Duration keyCacheTtl();
  }

  /** Rate-limit settings. */
  interface RateLimit {
    /** Whether requests are rate limited at all. */
    @WithDefault("true")
    boolean enabled();

    /** Requests one principal may make per window, across all replicas. */
    @WithDefault("1000")
    long perPrincipal();

    /** Requests one bucket may receive per window, across all replicas. */
    @WithDefault("5000")
    long perBucket();

    /** The counting window. */
    @WithDefault("1s")
    Duration window();

    /** How often a replica adds its counts to the shared ones in Redis. */
    @WithDefault("100ms")
    Duration syncInterval();
  }

  /** Storage-backend settings. */
  interface Storage {
    /** How long one Redis operation may take before the request fails with 503. */
    @WithDefault("2s")
    Duration timeout();

    /** How often expired entries are removed in the background (their counts and bytes freed). */
    @WithDefault("1s")
    Duration reaperInterval();

    /** How many expired entries one background pass removes per bucket at most. */
    @WithDefault("1000")
    int reaperBatch();

    /** Prefix of every Redis key the service writes. */
    @WithDefault("kvg")
    String keyPrefix();

    /**
     * Replicas that must have a write (Redis {@code WAIT}) before it is acknowledged; 0 = do not
     * wait. A write they do not confirm within wait-timeout answers 503.
     */
    @WithDefault("0")
    int waitReplicas();

    /** How long a write waits for its wait-replicas replicas to confirm it. */
    @WithDefault("500ms")
    Duration waitTimeout();

    /**
     * How often the reads of entries a replica counted are added to their buckets' stats
     * (readCount, accessedAt). A replica's own reads are in the stats it answers at once; other
     * replicas' arrive within this interval.
     */
    @WithDefault("1s")
    Duration readCountsInterval();
  }

  /** Field-search settings: the bounds on one search's work. */
  interface Search {
    /** Most words of a field a fuzzy search compares with its word. */
    @WithDefault("5000")
    int fuzzyCandidates();

    /**
     * Most index members a search reads to count distinct matches when an entry can match more than
     * once (a prefix of several of its words, an array); beyond it results_total is index_hits, an
     * upper bound, and metadata says results_total_estimated.
     */
    @WithDefault("10000")
    int countBudget();

    /**
     * How long the request that changes mappings backfills before the background goes on (it does
     * one slice at least).
     */
    @WithDefault("1s")
    Duration backfillRequestBudget();
  }

  /** Request limits. */
  interface Limits {
    /** Largest JSON nesting depth accepted in a value. */
    @WithDefault("64")
    int maxJsonDepth();

    /** Longest number (in digits) accepted in a JSON value. */
    @WithDefault("1000")
    int maxJsonNumberLength();

    /**
     * The most bytes a compressed JSON record may decode to when it is checked on write, and a
     * compressed value when it is decoded for a reader (413 beyond).
     */
    @WithDefault("100M")
    MemorySize maxDecodedSize();
  }

  /** Dev-mode conveniences. */
  interface Dev {
    /** In dev mode, start a local redis-server when none answers at the configured address. */
    @WithDefault("true")
    boolean startRedis();
  }
}
