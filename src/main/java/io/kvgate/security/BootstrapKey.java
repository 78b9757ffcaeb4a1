package io.kvgate.security;

import io.kvgate.config.KvgateConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The bootstrap admin key of {@code kvgate.bootstrap-api-key} (kept only as a digest), so a fresh
 * install has a way in. In dev mode without one, a dev key is made up (and kept under target/) and
 * printed with a curl line to try it.
 */
@Singleton
public class BootstrapKey {
  private final String tenant;
  private final byte[] digest;
  private final String devKey;
  private final int port;

  BootstrapKey(KvgateConfig config, @ConfigProperty(name = "quarkus.http.port") int port) {
    this.tenant = config.bootstrapTenant();
    this.port = port;
    String key = config.bootstrapApiKey().filter(k -> !k.isBlank()).orElse(null);
    if (key == null && LaunchMode.current() == LaunchMode.DEVELOPMENT) {
      devKey = devKey();
      key = devKey;
    } else {
      devKey = null;
    }
    if (key != null && !Secrets.isKeyFormat(key)) {
      throw new IllegalStateException(
          "kvgate.bootstrap-api-key must be kvg_ and at least 32 letters or digits");
    }
    this.digest = key == null ? null : Secrets.sha256(key);
  }

  /** The dev key of target/dev-api-key, made on the first start, so it survives live reloads. */
  private static String devKey() {
    Path file = Path.of("target", "dev-api-key");
    try {
      if (Files.exists(file)) {
        String saved = Files.readString(file).trim();
        if (Secrets.isKeyFormat(saved)) {
          return saved;
        }
      }
      String key = Secrets.newKey();
      Files.createDirectories(file.getParent());
      Files.writeString(file, key);
      return key;
    } catch (IOException e) {
      return Secrets.newKey();
    }
  }

  void announce(@Observes StartupEvent event) {
    if (devKey != null) {
      // Straight to the console, not the log: the log drops every line that holds a key.
      System.out.printf(
          "%nDev API key for tenant '%s' (dev mode only, kept in target/dev-api-key): %s%n"
              + "  try: curl -H 'X-Api-Key: %s' http://localhost:%d/storage/kv%n%n",
          tenant, devKey, devKey, port);
      Log.info("Dev mode: the API key printed above is also in target/dev-api-key");
    }
  }

  boolean matches(byte[] candidate) {
    return Secrets.same(digest, candidate);
  }

  String tenant() {
    return tenant;
  }
}
