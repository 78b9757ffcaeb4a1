package io.kvgate.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Application settings, all under {@code kvgate.*} (environment: {@code KVGATE_*}). */
@ConfigMapping(prefix = "kvgate")
public interface KvgateConfig {

  /** Storage-backend settings. */
  Storage storage();

  /** Request limits. */
  Limits limits();

  /** Dev-mode conveniences. */
  Dev dev();

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
  }

  /** Request limits. */
  interface Limits {
    /** Largest JSON nesting depth accepted in a value. */
    @WithDefault("64")
    int maxJsonDepth();

    /** Longest number (in digits) accepted in a JSON value. */
    @WithDefault("1000")
    int maxJsonNumberLength();
  }

  /** Dev-mode conveniences. */
  interface Dev {
    /** In dev mode, start a local redis-server when none answers at the configured address. */
    @WithDefault("true")
    boolean startRedis();
  }
}
