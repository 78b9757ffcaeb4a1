package io.kvgate.redis;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.vertx.redis.client.RedisOptions;
import jakarta.inject.Singleton;

/**
 * Keeps a copy of the options Quarkus built for its default Redis client (hosts, client type,
 * password, TLS, pool), so that the shared connections are made exactly as the pooled ones are.
 */
@Singleton
public class RedisOptionsCapture implements RedisOptionsCustomizer {
  private volatile RedisOptions options;

  @Override
  public void customize(String clientName, RedisOptions options) {
    if (RedisConfig.isDefaultClient(clientName)) {
      this.options = new RedisOptions(options);
    }
  }

  /** The default client's options, or null when Quarkus has not built it (yet). */
  RedisOptions options() {
    RedisOptions o = options;
    return o == null ? null : new RedisOptions(o);
  }
}
