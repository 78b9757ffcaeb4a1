package io.kvgate.redis;

import io.kvgate.security.ApiKey;
import io.kvgate.security.ApiKeyStore;
import io.kvgate.security.Permission;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * API keys in Redis: one hash per key under the SHA-256 of its secret (so a lookup is one HGETALL)
 * and, per tenant, an index from key id to that digest (for listing and revoking).
 */
@Singleton
public class RedisApiKeyStore implements ApiKeyStore {
  private final RedisCalls redis;
  private final KeySpace keys;

  RedisApiKeyStore(RedisCalls redis, KeySpace keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public Uni<Void> save(ApiKey key, String secretHash) {
    List<String> args = new ArrayList<>();
    args.add(keys.apiKey(secretHash));
    add(args, "id", key.id());
    add(args, "tenant", key.tenant());
    add(args, "name", key.name());
    add(
        args,
        "perms",
        key.permissions().stream().map(Permission::scope).collect(Collectors.joining(" ")));
    add(args, "buckets", key.buckets() == null ? "*ALL*" : String.join("\n", key.buckets()));
    add(args, "created", Long.toString(key.created().toEpochMilli()));
    add(
        args,
        "expires",
        key.expiresAt() == null ? "0" : Long.toString(key.expiresAt().toEpochMilli()));
    return redis
        .write(Command.HSET, args.toArray(String[]::new))
        .chain(
            () -> redis.write(Command.HSET, keys.tenantApiKeys(key.tenant()), key.id(), secretHash))
        .replaceWithVoid();
  }

  @Override
  public Uni<ApiKey> findByHash(String secretHash) {
    return redis.command(Command.HGETALL, keys.apiKey(secretHash)).map(RedisApiKeyStore::toKey);
  }

  @Override
  public Uni<List<ApiKey>> list(String tenant) {
    return redis
        .command(Command.HGETALL, keys.tenantApiKeys(tenant))
        .chain(
            index -> {
              List<Uni<ApiKey>> lookups = new ArrayList<>();
              for (String hash : RedisCalls.hash(index).values()) {
                lookups.add(findByHash(hash));
              }
              if (lookups.isEmpty()) {
                return Uni.createFrom().item(List.<ApiKey>of());
              }
              return Uni.join()
                  .all(lookups)
                  .andFailFast()
                  .map(
                      all ->
                          all.stream()
                              .filter(k -> k != null && k.tenant().equals(tenant))
                              .sorted((a, b) -> a.created().compareTo(b.created()))
                              .toList());
            });
  }

  @Override
  public Uni<Boolean> delete(String tenant, String id) {
    String index = keys.tenantApiKeys(tenant);
    return redis
        .command(Command.HGET, index, id)
        .chain(
            hash -> {
              if (hash == null) {
                return Uni.createFrom().item(false);
              }
              // The record goes first: from then on the key is refused everywhere.
              return redis
                  .write(Command.DEL, keys.apiKey(hash.toString()))
                  .chain(() -> redis.write(Command.HDEL, index, id))
                  .replaceWith(true);
            });
  }

  @Override
  public void touch(String secretHash, Instant when) {
    redis
        .command(
            Command.HSET, keys.apiKey(secretHash), "lastUsed", Long.toString(when.toEpochMilli()))
        .subscribe()
        .with(ok -> {}, failure -> Log.debugf("last use not recorded: %s", failure.getMessage()));
  }

  private static ApiKey toKey(Response r) {
    Map<String, String> m = RedisCalls.hash(r);
    if (m.get("id") == null || m.get("tenant") == null) {
      return null;
    }
    Set<Permission> perms = EnumSet.noneOf(Permission.class);
    for (String s : m.getOrDefault("perms", "").split(" ")) {
      Permission p = Permission.of(s);
      if (p != null) {
        perms.add(p);
      }
    }
    String buckets = m.getOrDefault("buckets", "*ALL*");
    long expires = Long.parseLong(m.getOrDefault("expires", "0"));
    String lastUsed = m.get("lastUsed");
    return new ApiKey(
        m.get("id"),
        m.get("tenant"),
        m.getOrDefault("name", ""),
        perms,
        buckets.equals("*ALL*")
            ? null
            : buckets.isEmpty() ? List.of() : Arrays.asList(buckets.split("\n")),
        Instant.ofEpochMilli(Long.parseLong(m.getOrDefault("created", "0"))),
        expires > 0 ? Instant.ofEpochMilli(expires) : null,
        lastUsed == null ? null : Instant.ofEpochMilli(Long.parseLong(lastUsed)));
  }

  private static void add(List<String> args, String field, String value) {
    args.add(field);
    args.add(value);
  }
}
