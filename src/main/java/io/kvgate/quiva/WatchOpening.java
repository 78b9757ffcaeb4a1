package io.kvgate.quiva;

import io.kvgate.core.BucketRef;
import io.kvgate.core.Names;
import io.kvgate.core.Watch;
import io.kvgate.core.WatchItem;
import io.kvgate.core.Watches;
import io.kvgate.security.Access;
import io.kvgate.security.Permission;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Opens a watch before its event stream starts. Once an event stream has begun, its status and
 * headers are sent, so a bad parameter, a refused credential or a missing bucket must be found here
 * to get its 4xx. (A filter of its own: the resource's security annotation would apply to a filter
 * declared on it, and so to every request.)
 */
public class WatchOpening {
  private final Watches watches;
  private final Access access;

  WatchOpening(Watches watches, Access access) {
    this.watches = watches;
    this.access = access;
  }

  /** A watch opened by {@link #open} before the stream starts, and whether it shows values. */
  record Opened(Multi<WatchItem> items, boolean values) {
    static final String PROPERTY = "kvgate.watch";
  }

  /** Marks the endpoint whose requests this filter opens a watch for (and only those). */
  @NameBinding
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD})
  @interface Opens {}

  @ServerRequestFilter
  @Opens
  public Uni<Void> open(ContainerRequestContext request) {
    try {
      MultivaluedMap<String, String> q = request.getUriInfo().getQueryParameters();
      String bucket = request.getUriInfo().getPathParameters().getFirst("bucket");
      String tenant = access.require(Permission.READ, bucket).tenant();
      Names.requireBucketName(bucket);
      Watch.Mode m = WatchResource.mode(q.getFirst("mode"));
      String p = Names.requirePrefix(q.getFirst("prefix"));
      boolean values = WatchResource.flag("values", q.getFirst("values"));
      Long resume =
          Requests.longParam("from_revision", q.getFirst("from_revision"), 0, Long.MAX_VALUE);
      String lastEventId = request.getHeaderString("Last-Event-ID");
      if (lastEventId != null && !lastEventId.isBlank()) {
        resume = Requests.longParam("Last-Event-ID", lastEventId.strip(), 0, Long.MAX_VALUE);
      }
      return watches
          .open(BucketRef.named(tenant, bucket), access.held(), m, p, resume)
          .invoke(items -> request.setProperty(Opened.PROPERTY, new Opened(items, values)))
          .replaceWithVoid();
    } catch (RuntimeException e) {
      return Uni.createFrom().failure(e);
    }
  }
}
