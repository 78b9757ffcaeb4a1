package io.kvgate.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An API key presented by a request, to be verified by {@link ApiKeyIdentityProvider}. */
public final class ApiKeyRequest extends BaseAuthenticationRequest {
  private final String key;

  public ApiKeyRequest(String key) {
    this.key = key;
  }

  String key() {
    return key;
  }

  @Override
  public String toString() {
    return "ApiKeyRequest[redacted]";
  }
}
