package io.kvgate.security;

/** What a credential may do. {@code kv:admin} implies the others, {@code kv:write} implies read. */
public enum Permission {
  READ("kv:read"),
  WRITE("kv:write"),
  ADMIN("kv:admin");

  private final String scope;

  Permission(String scope) {
    this.scope = scope;
  }

  public String scope() {
    return scope;
  }

  /** The permission a scope or group string names, or null. */
  public static Permission of(String scope) {
    for (Permission p : values()) {
      if (p.scope.equals(scope)) {
        return p;
      }
    }
    return null;
  }
}
