package io.kvgate.redis;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while Redis answers a PING within the storage timeout: DOWN at once when it is gone, and
 * within the timeout when it hangs. On Cluster a PING reaches one node only, so there it is ready
 * while a node says the cluster is {@code ok} (every slot served). Says nothing about internals
 * beyond "unreachable".
 */
@Readiness
@Singleton
public class RedisReadiness implements AsyncHealthCheck {
  private final RedisCalls redis;

  RedisReadiness(RedisCalls redis) {
    this.redis = redis;
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    Uni<Boolean> up =
        redis.cluster()
            ? redis
                .command(Command.CLUSTER, "INFO")
                .map(r -> r != null && r.toString().contains("cluster_state:ok"))
            : redis.command(Command.PING).map(r -> true);
    return up.map(
            ok ->
                ok
                    ? HealthCheckResponse.named("Redis").up().build()
                    : HealthCheckResponse.named("Redis")
                        .down()
                        .withData("reason", "the Redis Cluster does not serve every slot")
                        .build())
        .onFailure()
        .recoverWithItem(
            () ->
                HealthCheckResponse.named("Redis")
                    .down()
                    .withData("reason", "Redis is unreachable or did not answer in time")
                    .build());
  }
}
