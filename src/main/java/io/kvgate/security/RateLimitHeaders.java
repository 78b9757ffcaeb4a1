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
    RateLimiter.Decision decision = decision(context);
    if (decision != null) {
      response.getHeaders().putSingle("X-RateLimit-Limit", decision.limit());
      response.getHeaders().putSingle("X-RateLimit-Remaining", decision.remaining());
    }
  }

  /** The rate-limit decision of the request whose context this is, or null (not limited). */
  public static RateLimiter.Decision decision(Context context) {
    return context != null && context.getLocal(Access.DECISION) instanceof RateLimiter.Decision d
        ? d
        : null;
  }
}
