package io.kvgate.support;

/**
 * Credentials of the test run: a bootstrap admin key (a test secret, valid only here) and the JWT
 * issuer and audience the service is configured with (keys in src/test/resources/jwt).
 */
public final class TestAuth {
  public static final String BOOTSTRAP_KEY = "kvg_TestOnlyBootstrapKey0123456789abcdefghijk";
  public static final String ISSUER = "https://issuer.kvgate.test";
  public static final String AUDIENCE = "kvgate";

  private TestAuth() {}
}
