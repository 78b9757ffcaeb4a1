package io.kvgate.http;

import jakarta.ws.rs.core.Response;

/**
 * An answer as the HTTP layer sends it: status, content type, body and further headers (name,
 * value, name, value...). The endpoints that both the REST resources and {@link DirectRoutes} serve
 * build one, so both send the same bytes.
 */
public record Reply(int status, String contentType, byte[] body, String... headers) {
  private static final byte[] EMPTY = new byte[0];

  public static Reply json(int status, byte[] body, String... headers) {
    return new Reply(status, "application/json", body, headers);
  }

  /** A reply without a body (304, 204). */
  public static Reply empty(int status, String... headers) {
    return new Reply(status, null, EMPTY, headers);
  }

  /** The same reply with more headers. */
  public Reply with(String... more) {
    String[] all = new String[headers.length + more.length];
    System.arraycopy(headers, 0, all, 0, headers.length);
    System.arraycopy(more, 0, all, headers.length, more.length);
    return new Reply(status, contentType, body, all);
  }

  /** The reply as a JAX-RS response, for the REST resources. */
  public Response response() {
    Response.ResponseBuilder r = Response.status(status);
    if (body.length > 0 || contentType != null) {
      r.entity(body);
    }
    if (contentType != null) {
      // As a plain header: a stored record's type is sent as it was given, never re-parsed.
      r.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return r.build();
  }
}
