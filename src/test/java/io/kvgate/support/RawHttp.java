package io.kvgate.support;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client library would tidy up first: a path
 * sent exactly as written (dot segments, {@code ;}), no Content-Type at all, a Content-Length that
 * promises more than is sent, or a chunked body of any size. Talks to the port of the running
 * {@code @QuarkusTest} application.
 */
public final class RawHttp {
  private static final int TIMEOUT_MS = 10_000;

  private RawHttp() {}

  /** A parsed answer: status, headers (names lower-cased) and the body as UTF-8 text. */
  public record Reply(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Sends {@code method path} with the given extra header lines (each "Name: value") and the body
   * with its exact Content-Length; no Content-Type unless given.
   */
  public static Reply send(String method, String path, byte[] body, String... headerLines) {
    StringBuilder head = requestLine(method, path);
    for (String h : headerLines) {
      head.append(h).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    return exchange(head.toString().getBytes(StandardCharsets.ISO_8859_1), body, 0, null);
  }

  /**
   * Like {@link #send}, but with no credential at all: not even the bootstrap key every other
   * request of the tests carries. For the 401 of a request that brings nothing.
   */
  public static Reply sendWithoutCredential(
      String method, String path, byte[] body, String... headerLines) {
    StringBuilder head = requestLine(method, path, false);
    for (String h : headerLines) {
      head.append(h).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    return exchange(head.toString().getBytes(StandardCharsets.ISO_8859_1), body, 0, null);
  }

  /** Sends only a request head (header lines as given, nothing after it) and reads the answer. */
  public static Reply sendHead(String method, String path, String... headerLines) {
    StringBuilder head = requestLine(method, path);
    for (String h : headerLines) {
      head.append(h).append("\r\n");
    }
    head.append("\r\n");
    return exchange(head.toString().getBytes(StandardCharsets.ISO_8859_1), null, 0, null);
  }

  /**
   * Sends {@code prefix}, {@code fillBytes} bytes of {@code 'a'} and {@code suffix} with chunked
   * transfer encoding and no Content-Length, then the final chunk. Writing stops quietly when the
   * server closes the connection; the answer is read while the body is still being written.
   */
  public static Reply sendChunked(
      String method,
      String path,
      String contentType,
      byte[] prefix,
      long fillBytes,
      byte[] suffix) {
    String head =
        requestLine(method, path)
            .append("Content-Type: ")
            .append(contentType)
            .append("\r\nTransfer-Encoding: chunked\r\n\r\n")
            .toString();
    return exchange(head.getBytes(StandardCharsets.ISO_8859_1), prefix, fillBytes, suffix);
  }

  private static StringBuilder requestLine(String method, String path) {
    return requestLine(method, path, true);
  }

  private static StringBuilder requestLine(String method, String path, boolean bootstrapKey) {
    StringBuilder line =
        new StringBuilder()
            .append(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if (bootstrapKey) {
      line.append("X-Api-Key: ").append(TestAuth.BOOTSTRAP_KEY).append("\r\n");
    }
    return line;
  }

  private static Reply exchange(byte[] head, byte[] body, long chunkedFill, byte[] suffix) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> readAll(socket, received), "raw-http-reader");
      reader.start();
      try {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        if (chunkedFill > 0) {
          writeChunked(out, body, chunkedFill, suffix);
        } else if (body != null) {
          out.write(body);
        }
        out.flush();
      } catch (IOException e) {
        // The server may answer and close before it has read everything: that is what we test.
      }
      reader.join(TIMEOUT_MS);
      synchronized (received) {
        return parse(received.toByteArray());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the application", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void writeChunked(OutputStream out, byte[] prefix, long fill, byte[] suffix)
      throws IOException {
    if (prefix != null && prefix.length > 0) {
      writeChunk(out, prefix, prefix.length);
    }
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'a');
    long left = fill;
    while (left > 0) {
      int n = (int) Math.min(chunk.length, left);
      writeChunk(out, chunk, n);
      left -= n;
    }
    if (suffix != null && suffix.length > 0) {
      writeChunk(out, suffix, suffix.length);
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void writeChunk(OutputStream out, byte[] data, int length) throws IOException {
    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(data, 0, length);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void readAll(Socket socket, ByteArrayOutputStream into) {
    byte[] buf = new byte[8192];
    try {
      InputStream in = socket.getInputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (into) {
          into.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // connection reset or timed out: keep what arrived
    }
  }

  private static Reply parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) {
      throw new IllegalStateException("no HTTP answer, got: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    String body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = new String(dechunk(rest), StandardCharsets.UTF_8);
    } else if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      body = new String(rest, 0, Math.min(length, rest.length), StandardCharsets.UTF_8);
    } else {
      body = new String(rest, StandardCharsets.UTF_8);
    }
    return new Reply(status, headers, body);
  }

  private static byte[] dechunk(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < data.length) {
      int lineEnd = indexOfCrlf(data, i);
      if (lineEnd < 0) {
        break;
      }
      String sizeLine = new String(data, i, lineEnd - i, StandardCharsets.ISO_8859_1);
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
      if (size == 0) {
        break;
      }
      int start = lineEnd + 2;
      out.write(data, start, Math.min(size, data.length - start));
      i = start + size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOfCrlf(byte[] data, int from) {
    for (int i = from; i + 1 < data.length; i++) {
      if (data[i] == '\r' && data[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
