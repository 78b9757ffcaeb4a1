package io.kvgate.quiva;

import io.kvgate.core.Change;
import io.kvgate.core.Times;
import io.kvgate.core.Watch;
import io.kvgate.core.WatchItem;
import io.kvgate.error.KvException;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseHeader;

/**
 * The watch extension of /storage/kv: a bucket's changes as server-sent events. Each event's id is
 * its revision, so a client that reconnects (an EventSource does by itself) resumes where it was.
 */
@Path("/storage/kv/{bucket}")
@Tag(name = "KV Entries")
@Authenticated
public class WatchResource {

  @GET
  @Path("/watch")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      operationId = "watchKVEntries",
      description =
          "Streams a bucket's changes as server-sent events, optionally after a snapshot of the current entries or the kept history, filtered by key prefix; a client resumes after its last event by Last-Event-ID or from_revision. Needs kv:read.",
      summary =
          "Watch a bucket's changes as server-sent events: new ones, or a snapshot or the kept"
              + " history first; resumable by Last-Event-ID (extension)")
  @APIResponse(
      responseCode = "200",
      description =
          "text/event-stream: events put, delete, expire, purge (id = revision, data ="
              + " {operation, key, revision, time, value}), snapshot-complete after the replay,"
              + " keep-alive comments, and a last event error {error, message} when the stream"
              + " ends (resume_too_old, invalid_resume_point, slow_consumer, bucket_deleted)")
  @APIResponse(responseCode = "400", description = "A bad mode, prefix, values or resume point")
  @APIResponse(responseCode = "404", description = "No such bucket")
  @APIResponse(responseCode = "503", description = "This replica serves its most watchers")
  @Parameter(
      name = "mode",
      in = ParameterIn.QUERY,
      description = "updates (default), snapshot or history",
      schema =
          @Schema(
              type = SchemaType.STRING,
              enumeration = {"updates", "snapshot", "history"},
              defaultValue = "updates"))
  @Parameter(
      name = "prefix",
      in = ParameterIn.QUERY,
      description = "only keys starting with this",
      schema = @Schema(type = SchemaType.STRING))
  @Parameter(
      name = "values",
      in = ParameterIn.QUERY,
      description = "true (default) or false",
      schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "true"))
  @Parameter(
      name = "from_revision",
      in = ParameterIn.QUERY,
      description = "resume after this revision (as Last-Event-ID)",
      schema = @Schema(type = SchemaType.INTEGER, format = "int64"))
  @Parameter(
      name = "Last-Event-ID",
      in = ParameterIn.HEADER,
      description = "resume after this revision (sent by a reconnecting EventSource)",
      schema = @Schema(type = SchemaType.STRING))
  @WatchOpening.Opens
  @ResponseHeader(name = "Cache-Control", value = "no-cache")
  @ResponseHeader(name = "X-Accel-Buffering", value = "no")
  public Multi<OutboundSseEvent> watch(
      @PathParam("bucket") String bucket,
      @Context ContainerRequestContext request,
      @Context Sse sse) {
    WatchOpening.Opened opened =
        (WatchOpening.Opened) request.getProperty(WatchOpening.Opened.PROPERTY);
    return opened.items().map(item -> event(sse, item, opened.values()));
  }

  static Watch.Mode mode(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Watch.Mode.UPDATES;
    }
    return switch (raw) {
      case "updates" -> Watch.Mode.UPDATES;
      case "snapshot" -> Watch.Mode.SNAPSHOT;
      case "history" -> Watch.Mode.HISTORY;
      default ->
          throw KvException.validation(
              "mode must be updates, snapshot or history, not '" + raw + "'");
    };
  }

  static boolean flag(String name, String raw) {
    if (raw == null || raw.isEmpty()) {
      return true;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw KvException.validation(name + " must be true or false");
    };
  }

  private static OutboundSseEvent event(Sse sse, WatchItem item, boolean withValues) {
    if (item instanceof WatchItem.Event e) {
      return change(sse, e, withValues);
    }
    if (item instanceof WatchItem.ReplayComplete r) {
      return sse.newEventBuilder()
          .id(Long.toString(r.revision()))
          .name("snapshot-complete")
          .data("{\"revision\":" + r.revision() + "}")
          .build();
    }
    if (item instanceof WatchItem.End end) {
      return sse.newEventBuilder()
          .name("error")
          .data(
              text(
                  new JsonOut(128)
                      .raw("{")
                      .field("error")
                      .string(end.error())
                      .raw(",")
                      .field("message")
                      .string(end.message())
                      .raw("}")))
          .build();
    }
    return sse.newEventBuilder().comment("keep-alive").build();
  }

  /** {@code {operation, key, revision, time, value}}; a replayed change is no resume point. */
  private static OutboundSseEvent change(Sse sse, WatchItem.Event e, boolean withValues) {
    Change c = e.change();
    JsonOut out =
        new JsonOut(c.entry() == null ? 128 : c.entry().value().length + 160)
            .raw("{")
            .field("operation")
            .string(c.op().wire())
            .raw(",")
            .field("key")
            .string(c.key())
            .raw(",")
            .field("revision")
            .number(c.revision())
            .raw(",")
            .field("time")
            .string(Times.rfc3339(c.time()));
    if (withValues && c.op() == Change.Op.PUT) {
      out.raw(",");
      if (c.valueOmitted()) {
        out.field("value").raw("null,").field("value_omitted").raw("true");
      } else {
        out.field("value");
        Values.writeLenient(out, c.entry());
      }
    }
    out.raw("}");
    OutboundSseEvent.Builder b = sse.newEventBuilder().name(c.op().wire()).data(text(out));
    if (!e.replay()) {
      b.id(Long.toString(c.revision()));
    }
    return b.build();
  }

  private static String text(JsonOut out) {
    return new String(out.bytes(), StandardCharsets.UTF_8);
  }
}
