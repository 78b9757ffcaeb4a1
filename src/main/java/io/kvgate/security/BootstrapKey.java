package io.kvgate.security;

import io.kvgate.config.KvgateConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The bootstrap admin key of {@code kvgate.auth.bootstrap-api-key} (kept only as a digest), so a
 * fresh install has a way in. In dev mode without one, a key is made up and printed with a curl
 * line to try it.
 */
@Singleton
public class BootstrapKey {
  private final String tenant;
  private final byte[] digest;
  private final String devKey;
  private final int port;

  BootstrapKey(KvgateConfig config, @ConfigProperty(name = "quarkus.http.port") int port) {
    this.tenant = config.auth().bootstrapTenant();
    this.port = port;
    String key = config.auth().bootstrapApiKey().filter(k -> !k.isBlank()).orElse(null);
    if (key == null && LaunchMode.current() == LaunchMode.DEVELOPMENT) {
      devKey = Secrets.newKey();
      key = devKey;
    } else {
      devKey = null;
    }
    if (key != null && !Secrets.isKeyFormat(key)) {
      throw new IllegalStateException(
          "kvgate.auth.bootstrap-api-key must be kvg_ and at least 32 letters or digits");
    }
    this.digest = key == null ? null : Secrets.sha256(key);
  }

  void announce(@Observes StartupEvent event) {
    if (devKey != null) {
      Log.infof(
          "Dev API key for tenant '%s' (dev mode only, new at every start): %s%n  try: curl -H"
              + " 'X-Api-Key: %s' http://localhost:%d/storage/kv",
          tenant, devKey, devKey, port);
    }
  }

  boolean matches(byte[] candidate) {
    return Secrets.same(digest, candidate);
  }

  String tenant() {
    return tenant;
  }
}
