package io.kvgate.core;

/** Tenant ids. Until authentication decides the tenant per request, every request runs as this. */
public final class Tenants {
  public static final String DEFAULT = "default";

  private Tenants() {}
}
