package io.kvgate.security;

import io.kvgate.config.KvgateConfig;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a verified JWT into a {@link Caller}: tenant from the tenant claim, permissions from {@code
 * scope} (space separated) and {@code groups}, bucket globs from the buckets claim.
 */
@ApplicationScoped
public class JwtCallerAugmentor implements SecurityIdentityAugmentor {
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private final String tenantClaim;
  private final String bucketsClaim;

  JwtCallerAugmentor(KvgateConfig config) {
    this.tenantClaim = config.auth().tenantClaim();
    this.bucketsClaim = config.auth().bucketsClaim();
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.isAnonymous()
        || identity.getAttribute(Caller.ATTRIBUTE) != null
        || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
      return Uni.createFrom().item(identity);
    }
    // A claim may come as a String or as a JSON string (whose toString() is quoted).
    Object claim = jwt.getClaim(tenantClaim);
    String tenant = claim == null ? null : claim.toString().replace("\"", "").trim();
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      return Uni.createFrom()
          .failure(CredentialRefused.because("the token has no valid '" + tenantClaim + "' claim"));
    }
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    Object scope = jwt.getClaim("scope");
    if (scope != null) {
      for (String s : scope.toString().replace("\"", "").split(" ")) {
        addPermission(permissions, s);
      }
    }
    for (String group : jwt.getGroups() == null ? Set.<String>of() : jwt.getGroups()) {
      addPermission(permissions, group);
    }
    List<String> globs = strings(jwt.getClaim(bucketsClaim));
    String principal = "jwt:" + jwt.getIssuer() + "/" + jwt.getSubject();
    Caller caller = new Caller(tenant, principal, permissions, globs);
    return Uni.createFrom()
        .item(
            QuarkusSecurityIdentity.builder(identity)
                .addAttribute(Caller.ATTRIBUTE, caller)
                .build());
  }

  private static void addPermission(Set<Permission> permissions, String name) {
    Permission p = Permission.of(name.trim());
    if (p != null) {
      permissions.add(p);
    }
  }

  /** A claim that is a list of strings (or one string), or null when absent. */
  private static List<String> strings(Object claim) {
    if (claim == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    if (claim instanceof Collection<?> c) {
      for (Object o : c) {
        out.add(o.toString().replace("\"", ""));
      }
    } else if (claim instanceof jakarta.json.JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        out.add(array.getString(i));
      }
    } else {
      out.add(claim.toString().replace("\"", ""));
    }
    return out;
  }
}
