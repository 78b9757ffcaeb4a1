package io.kvgate.security;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds an API key in a request: {@code X-Api-Key}, {@code Authorization: Bearer} with a value that
 * is not a JWT, or {@code ?token=} on {@code /v2} and watch routes (where a JWT is accepted too,
 * since browsers' EventSource cannot send headers). With none of them it answers empty, so the JWT
 * mechanism gets its turn.
 */
@ApplicationScoped
@Priority(2000)
public class ApiKeyMechanism implements HttpAuthenticationMechanism {
  static final String HEADER = "X-Api-Key";

  /** Where {@code ?token=} is accepted: the /v2 dialect and bucket watch streams. */
  private static final Pattern TOKEN_PATHS =
      Pattern.compile("/v2/.*|/storage/kv/[A-Za-z0-9][A-Za-z0-9_-]{0,62}/watch");

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identityProviderManager) {
    AuthenticationRequest request = credential(context);
    if (request == null) {
      return Uni.createFrom().nullItem();
    }
    HttpSecurityUtils.setRoutingContextAttribute(request, context);
    return identityProviderManager.authenticate(request);
  }

  /**
   * The contract's order: a bearer JWT, a bearer API key, X-Api-Key, then ?token= where allowed.
   */
  private static AuthenticationRequest credential(RoutingContext context) {
    String key = headerKey(context.request());
    if (key != null) {
      return new ApiKeyRequest(key);
    }
    String authorization = context.request().getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      // A JWT is left to the JWT mechanism, which reads the same header.
      return null;
    }
    if (TOKEN_PATHS.matcher(context.normalizedPath()).matches()) {
      String token = context.request().getParam("token");
      if (token != null && !token.isEmpty()) {
        return Secrets.looksLikeJwt(token)
            ? new TokenAuthenticationRequest(new JsonWebTokenCredential(token))
            : new ApiKeyRequest(token);
      }
    }
    return null;
  }

  /**
   * The API key a request's headers carry, in the contract's order (a bearer value that is not a
   * JWT, then X-Api-Key), or null: none, or the bearer value is a JWT.
   */
  static String headerKey(HttpServerRequest request) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String value = authorization.substring(7).trim();
      return Secrets.looksLikeJwt(value) ? null : value;
    }
    String header = request.getHeader(HEADER);
    return header == null ? null : header.trim();
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom()
        .item(
            new ChallengeData(
                HttpResponseStatus.UNAUTHORIZED.code(), "WWW-Authenticate", "Bearer"));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(ApiKeyRequest.class, TokenAuthenticationRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom()
        .item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, HEADER));
  }

  @Override
  public int getPriority() {
    return 2000;
  }
}
