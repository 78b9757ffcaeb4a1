package io.kvgate.security;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;

/** Where API keys live, looked up by the SHA-256 of their secret. Null items mean absent. */
public interface ApiKeyStore {

  Uni<Void> save(ApiKey key, String secretHash);

  Uni<ApiKey> findByHash(String secretHash);

  Uni<List<ApiKey>> list(String tenant);

  /** Revokes a key of the tenant; false when it has none of that id. */
  Uni<Boolean> delete(String tenant, String id);

  /** Records a use; best effort, off the request's path. */
  void touch(String secretHash, Instant when);
}
