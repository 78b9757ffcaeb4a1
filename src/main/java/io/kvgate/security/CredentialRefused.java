package io.kvgate.security;

import io.quarkus.security.AuthenticationFailedException;
import java.util.Map;

/** Credentials refused for a reason that is safe to tell the caller (401). */
public final class CredentialRefused {
  /** The attribute that marks the exception's message as ours, safe to show. */
  public static final String SAFE = "kvgate.safe-reason";

  private CredentialRefused() {}

  public static AuthenticationFailedException because(String reason) {
    return new AuthenticationFailedException(reason, Map.of(SAFE, Boolean.TRUE));
  }

  public static boolean isSafe(AuthenticationFailedException e) {
    return Boolean.TRUE.equals(e.getAttribute(SAFE));
  }
}
