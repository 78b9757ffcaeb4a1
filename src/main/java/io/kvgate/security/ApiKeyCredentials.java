package io.kvgate.security;

import io.kvgate.core.Credentials;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** Checks API keys against the key store, for requests that outlive one lookup. */
@ApplicationScoped
public class ApiKeyCredentials implements Credentials {
  private final ApiKeyStore store;

  ApiKeyCredentials(ApiKeyStore store) {
    this.store = store;
  }

  @Override
  public Uni<Boolean> stillValid(String apiKeyHash) {
    return store.findByHash(apiKeyHash).map(key -> key != null && !key.expired(Instant.now()));
  }
}
