package io.kvgate.security;

import java.util.List;
import java.util.Set;

/**
 * Who is calling, once authenticated: the tenant, a stable principal id (for rate limits), the
 * permissions and the optional bucket-name globs that narrow them (null = every bucket).
 */
public record Caller(
    String tenant, String principal, Set<Permission> permissions, List<String> bucketGlobs) {

  /** Where the caller is kept on the security identity. */
  public static final String ATTRIBUTE = "kvgate.caller";

  /** Where the SHA-256 of the caller's API key is kept on the security identity, if it has one. */
  public static final String KEY_HASH = "kvgate.key-hash";

  public boolean has(Permission needed) {
    if (permissions.contains(Permission.ADMIN)) {
      return true;
    }
    if (needed == Permission.READ) {
      return permissions.contains(Permission.READ) || permissions.contains(Permission.WRITE);
    }
    return permissions.contains(needed);
  }

  public boolean mayUse(String bucket) {
    if (bucketGlobs == null) {
      return true;
    }
    for (String glob : bucketGlobs) {
      if (Globs.matches(glob, bucket)) {
        return true;
      }
    }
    return false;
  }
}
