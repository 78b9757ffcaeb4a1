package io.kvgate.security;

import io.kvgate.config.KvgateConfig;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies API keys: the bootstrap key by constant-time comparison of digests, others by looking
 * the digest up in Redis. A verified key is trusted for {@code kvgate.auth.key-cache-ttl} (500 ms
 * by default), so a revoked key is refused by every replica within that bound, and a revocation
 * through this replica at once.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {
  private static final int CACHE_MAX = 50_000;
  private static final long TOUCH_EVERY_MS = 60_000;

  private final ApiKeyStore store;
  private final BootstrapKey bootstrap;
  private final long cacheTtlNanos;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, Long> lastTouch = new ConcurrentHashMap<>();

  private final SecurityIdentity bootstrapIdentity;

  /** A verified key with the identity built for it, so a cache hit allocates nothing new. */
  private record Cached(ApiKey key, SecurityIdentity identity, long verifiedAt) {}

  ApiKeyIdentityProvider(ApiKeyStore store, BootstrapKey bootstrap, KvgateConfig config) {
    this.store = store;
    this.bootstrap = bootstrap;
    this.cacheTtlNanos = config.auth().keyCacheTtl().toNanos();
    this.bootstrapIdentity =
        identity(
            new Caller(bootstrap.tenant(), "bootstrap", EnumSet.of(Permission.ADMIN), null), null);
  }

  @Override
  public Class<ApiKeyRequest> getRequestType() {
    return ApiKeyRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ApiKeyRequest request, AuthenticationRequestContext context) {
    String secret = request.key();
    if (!Secrets.isKeyFormat(secret)) {
      return refuse("malformed API key: expected kvg_ and at least 32 letters or digits");
    }
    byte[] digest = Secrets.sha256(secret);
    if (bootstrap.matches(digest)) {
      return Uni.createFrom().item(bootstrapIdentity);
    }
    String hash = Secrets.hex(digest);
    Cached cached = cache.get(hash);
    if (cached != null && System.nanoTime() - cached.verifiedAt() < cacheTtlNanos) {
      return verified(cached, hash);
    }
    return store
        .findByHash(hash)
        .chain(
            key -> {
              if (key == null) {
                cache.remove(hash);
                return refuse("unknown or revoked API key");
              }
              if (cache.size() >= CACHE_MAX) {
                cache.clear();
              }
              Cached fresh =
                  new Cached(
                      key,
                      identity(
                          new Caller(
                              key.tenant(), "key:" + key.id(), key.permissions(), key.buckets()),
                          hash),
                      System.nanoTime());
              cache.put(hash, fresh);
              return verified(fresh, hash);
            });
  }

  /**
   * The caller of a request whose headers carry an API key this replica verified within the cache's
   * time and that has not expired, or null (no such key, another kind of credential, or a key to
   * verify): such a request is let in without the framework's authentication.
   */
  public Caller knownCaller(HttpServerRequest request) {
    String key = ApiKeyMechanism.headerKey(request);
    return key == null ? null : cachedCaller(key);
  }

  private Caller cachedCaller(String secret) {
    if (!Secrets.isKeyFormat(secret)) {
      return null;
    }
    byte[] digest = Secrets.sha256(secret);
    if (bootstrap.matches(digest)) {
      return bootstrapIdentity.getAttribute(Caller.ATTRIBUTE);
    }
    String hash = Secrets.hex(digest);
    Cached cached = cache.get(hash);
    if (cached == null || System.nanoTime() - cached.verifiedAt() >= cacheTtlNanos) {
      return null;
    }
    Instant now = Instant.now();
    if (cached.key().expired(now)) {
      return null;
    }
    touch(hash, now);
    return cached.identity().getAttribute(Caller.ATTRIBUTE);
  }

  /** Forgets a key at once (it was revoked through this replica). */
  void forget(String tenant, String id) {
    cache.values().removeIf(c -> c.key().tenant().equals(tenant) && c.key().id().equals(id));
  }

  private Uni<SecurityIdentity> verified(Cached cached, String hash) {
    Instant now = Instant.now();
    if (cached.key().expired(now)) {
      return refuse("expired API key");
    }
    touch(hash, now);
    return Uni.createFrom().item(cached.identity());
  }

  /** Records the key's last use, at most once a minute per replica. */
  private void touch(String hash, Instant now) {
    Long touched = lastTouch.get(hash);
    if (touched == null || now.toEpochMilli() - touched > TOUCH_EVERY_MS) {
      if (lastTouch.size() >= CACHE_MAX) {
        lastTouch.clear();
      }
      lastTouch.put(hash, now.toEpochMilli());
      store.touch(hash, now);
    }
  }

  /**
   * The identity of a caller; {@code hash} is its key's, for later checks (null: not revocable).
   */
  private static SecurityIdentity identity(Caller caller, String hash) {
    QuarkusSecurityIdentity.Builder b =
        QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal(caller.principal()))
            .addAttribute(Caller.ATTRIBUTE, caller);
    if (hash != null) {
      b.addAttribute(Caller.KEY_HASH, hash);
    }
    return b.build();
  }

  private static Uni<SecurityIdentity> refuse(String why) {
    return Uni.createFrom().failure(CredentialRefused.because(why));
  }
}
