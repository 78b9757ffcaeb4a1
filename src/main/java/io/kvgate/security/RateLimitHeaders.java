package io.kvgate.security;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Adds {@code X-RateLimit-Limit} and {@code X-RateLimit-Remaining} to every limited response. */
public class RateLimitHeaders {

  @ServerResponseFilter
  public void headers(ContainerResponseContext response) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return;
    }
    Object d = context.getLocal(Access.DECISION);
    if (d instanceof RateLimiter.Decision decision) {
      response.getHeaders().putSingle("X-RateLimit-Limit", decision.limit());
      response.getHeaders().putSingle("X-RateLimit-Remaining", decision.remaining());
    }
  }
}
