package io.kvgate.http;

import io.kvgate.apify.RecordHandlers;
import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorReplies;
import io.kvgate.quiva.EntryHandlers;
import io.kvgate.security.ApiKeyIdentityProvider;
import io.kvgate.security.Caller;
import io.kvgate.security.RateLimitHeaders;
import io.kvgate.security.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.function.Supplier;

/**
 * The hottest requests served straight from the router: K8 GET and K9 PUT of an entry and the /v2
 * record GET, when the caller's API key was verified by this replica lately and the request needs
 * nothing but what these handlers read. They run the same handlers as the REST resources ({@link
 * EntryHandlers}, {@link RecordHandlers}), so the answer is the same bytes, errors included ({@link
 * ErrorReplies}); what is left out is the REST layer's per-request work (routing tables,
 * interceptors, the security handlers, the request scope), which cost more CPU than the whole read.
 * Every other request, and any of these this route is not sure of (a JWT, a key to verify, a query
 * value or header it does not read, a percent-escaped path, a body without a length), goes on to
 * the REST layer untouched. The HTTP metrics name the same URI template either way.
 */
@Singleton
public class DirectRoutes {
  static final String ENTRY = "/storage/kv/{bucket}/entries/{key}";
  static final String RECORD = "/v2/key-value-stores/{storeId}/records/{key}";
  private static final String ENTRIES_PREFIX = "/storage/kv/";
  private static final String RECORDS_PREFIX = "/v2/key-value-stores/";

  /** Where Quarkus' HTTP metrics read a request's URI template. */
  private static final String TEMPLATE = "UrlPathTemplate";

  private final boolean enabled;
  private final ApiKeyIdentityProvider keys;
  private final EntryHandlers entries;
  private final RecordHandlers records;
  private final Counter served;

  DirectRoutes(
      KvgateConfig config,
      ApiKeyIdentityProvider keys,
      EntryHandlers entries,
      RecordHandlers records,
      MeterRegistry registry) {
    this.enabled = config.http().directRoutes();
    this.keys = keys;
    this.entries = entries;
    this.records = records;
    this.served =
        Counter.builder("kvgate_direct_requests")
            .description("Requests served without the REST layer (DirectRoutes)")
            .register(registry);
  }

  void install(@Observes Router router) {
    if (enabled) {
      // Right after RequestGuard, which checks the raw path, the body's length and its type.
      router.route().order(Integer.MIN_VALUE + 1).handler(this::route);
    }
  }

  private void route(RoutingContext rc) {
    if (!take(rc)) {
      rc.next();
    }
  }

  /** Serves the request and answers true, or answers false having done nothing. */
  private boolean take(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    HttpMethod method = req.method();
    String path = req.path();
    if ((method != HttpMethod.GET && method != HttpMethod.PUT)
        || path.indexOf('%') >= 0
        || req.getHeader(HttpHeaders.EXPECT) != null) {
      return false;
    }
    if (path.startsWith(ENTRIES_PREFIX)) {
      return entry(rc, req, method, path);
    }
    if (method == HttpMethod.GET && path.startsWith(RECORDS_PREFIX)) {
      return record(rc, req, path);
    }
    return false;
  }

  private boolean entry(RoutingContext rc, HttpServerRequest req, HttpMethod method, String path) {
    int slash = path.indexOf('/', ENTRIES_PREFIX.length());
    String key = keyAfter(path, slash, "/entries/");
    if (key == null || !acceptsJson(req.getHeader(HttpHeaders.ACCEPT))) {
      return false;
    }
    String bucket = path.substring(ENTRIES_PREFIX.length(), slash);
    String param = method == HttpMethod.GET ? "revision" : "ttl";
    if (!onlyParam(req, param)) {
      return false;
    }
    Caller caller = keys.knownCaller(req);
    if (caller == null) {
      return false;
    }
    String value = req.query() == null ? null : req.getParam(param);
    if (method == HttpMethod.GET) {
      serve(
          rc,
          ENTRY,
          () -> entries.get(caller, bucket, key, value, req.getHeader(HttpHeaders.IF_NONE_MATCH)));
      return true;
    }
    if (req.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
      // A chunked body is left to the REST layer, which cuts it off at the body cap.
      return false;
    }
    // Quarkus holds the request paused for the REST layer: resumed once the handler is set.
    req.bodyHandler(
        body ->
            serve(
                rc,
                ENTRY,
                () ->
                    entries.put(
                        caller,
                        bucket,
                        key,
                        value,
                        req.getHeader(HttpHeaders.IF_MATCH),
                        req.getHeader(HttpHeaders.IF_NONE_MATCH),
                        req.getHeader(HttpHeaders.CONTENT_TYPE),
                        body.getBytes())));
    req.resume();
    return true;
  }

  private boolean record(RoutingContext rc, HttpServerRequest req, String path) {
    int slash = path.indexOf('/', RECORDS_PREFIX.length());
    String key = keyAfter(path, slash, "/records/");
    // attachment, signature, token and ?method= are left to the REST layer.
    if (key == null || req.query() != null) {
      return false;
    }
    Caller caller = keys.knownCaller(req);
    if (caller == null) {
      return false;
    }
    String storeId = path.substring(RECORDS_PREFIX.length(), slash);
    Uni<Caller> known = Uni.createFrom().item(caller);
    serve(
        rc,
        RECORD,
        () ->
            records.get(
                known, storeId, key, null, null, req.getHeader(HttpHeaders.ACCEPT_ENCODING)));
    return true;
  }

  /**
   * The key of {@code <prefix><name><segment><key>} where {@code slash} ends the name, or null: not
   * that shape, or a key the REST layer routes elsewhere (…/history, …/touch).
   */
  private static String keyAfter(String path, int slash, String segment) {
    if (slash < 0 || !path.startsWith(segment, slash)) {
      return null;
    }
    String key = path.substring(slash + segment.length());
    if (key.isEmpty() || key.endsWith("/history") || key.endsWith("/touch")) {
      return null;
    }
    return key;
  }

  /** Whether the query is empty or holds only {@code name} (once): nothing else to read. */
  private static boolean onlyParam(HttpServerRequest req, String name) {
    if (req.query() == null) {
      return true;
    }
    MultiMap params = req.params();
    return params.size() == 1 && params.getAll(name).size() == 1;
  }

  /** Whether an Accept header (null: none) plainly allows application/json. */
  static boolean acceptsJson(String accept) {
    if (accept == null) {
      return true;
    }
    if (accept.contains("q=0") || accept.contains("q=.")) {
      // Weighted preferences are the REST layer's to negotiate.
      return false;
    }
    return accept.contains("application/json")
        || accept.contains("*/*")
        || accept.contains("application/*");
  }

  private void serve(RoutingContext rc, String template, Supplier<Uni<Reply>> handler) {
    HttpServerRequest req = rc.request();
    Context context = ((HttpServerRequestInternal) req).context();
    context.putLocal(TEMPLATE, template);
    served.increment();
    Uni<Reply> reply;
    try {
      reply = handler.get();
    } catch (RuntimeException e) {
      reply = Uni.createFrom().failure(e);
    }
    reply
        .subscribe()
        .with(r -> send(rc, r, context), t -> send(rc, ErrorReplies.of(t, req.path()), context));
  }

  private static void send(RoutingContext rc, Reply r, Context context) {
    HttpServerResponse response = rc.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(r.status());
    if (r.contentType() != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, r.contentType());
    }
    String[] headers = r.headers();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      response.putHeader(headers[i], headers[i + 1]);
    }
    RateLimiter.Decision decision =
        RateLimitHeaders.decision(context != null ? context : Vertx.currentContext());
    if (decision != null) {
      response.putHeader("X-RateLimit-Limit", Long.toString(decision.limit()));
      response.putHeader("X-RateLimit-Remaining", Long.toString(decision.remaining()));
    }
    if (r.body().length == 0) {
      response.end();
    } else {
      response.end(Buffer.buffer(r.body()));
    }
  }
}
