package io.kvgate.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client for tests that look at Redis directly: a reply is a String (status or
 * bulk), a Long, a List, null, or an {@link Error}. Optionally authenticates first (ACL user).
 */
public final class Resp {
  private Resp() {}

  /** An error reply ({@code -ERR ...}). */
  public record Error(String message) {}

  /** Sends one command to {@code 127.0.0.1:port} and returns its parsed reply. */
  public static Object call(int port, String... words) {
    return callAs(port, null, null, words);
  }

  /** As {@link #call(int, String...)}, after {@code AUTH user password} when a user is given. */
  public static Object callAs(int port, String user, String password, String... words) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      if (user != null) {
        out.write(encode("AUTH", user, password));
        out.flush();
        Object auth = read(in);
        if (auth instanceof Error) {
          return auth;
        }
      }
      out.write(encode(words));
      out.flush();
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The reply as text: a bulk or status string (a failure for anything else). */
  public static String text(Object reply) {
    if (!(reply instanceof String s)) {
      throw new IllegalStateException("expected a string reply, got " + reply);
    }
    return s;
  }

  private static byte[] encode(String... words) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.UTF_8));
    for (String w : words) {
      byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
      b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      b.writeBytes(bytes);
      b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        return new Error(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          byte[] data = in.readNBytes(n + 2);
          return new String(data, 0, n, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            items.add(read(in));
          }
          return items;
        }
      default:
        throw new IOException("unexpected RESP type " + type);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
