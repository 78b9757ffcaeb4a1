package io.kvgate.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Generates malformed requests for every endpoint of both dialects: request {@code i} of seed
 * {@code s} is always the same request, whatever order or thread asks for it, so a failure found in
 * a run of 20,000 is replayed alone by its index.
 */
public final class Fuzzer {
  /** One request: how it is sent, and whether its HTTP framing itself is broken on purpose. */
  public record Request(
      long index,
      String method,
      String target,
      List<String[]> headers,
      byte[] body,
      boolean raw,
      boolean badFraming,
      String rawHead) {

    /** A short readable description, for a failure report. */
    public String describe() {
      StringBuilder s = new StringBuilder();
      s.append('#').append(index).append(raw ? " raw " : " client ").append(method).append(' ');
      s.append(printable(target.getBytes(StandardCharsets.UTF_8), 300));
      for (String[] h : headers) {
        s.append("\n  ").append(h[0]).append(": ").append(printable(bytes(h[1]), 200));
      }
      if (rawHead != null) {
        s.append("\n  (raw head) ").append(printable(bytes(rawHead), 400));
      }
      if (body != null) {
        s.append("\n  body (").append(body.length).append(" bytes): ");
        s.append(printable(body, 300));
      }
      return s.toString();
    }
  }

  /** The names the requests aim at: a real bucket (also a named store), its store id, a key. */
  public record Targets(String bucket, String storeId, String key, String binaryKey) {}

  private static final String[] METHODS = {
    "GET", "GET", "GET", "PUT", "PUT", "POST", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS",
    "TRACE", "FOO", "get"
  };

  private static final String[] NASTY_SEGMENTS = {
    "",
    "%",
    "%zz",
    "%2",
    "%00",
    "%2F",
    "%2f..%2f",
    "..",
    ".",
    "%2e%2e",
    "a%20b",
    "%C3%28",
    "%FF%FE",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%C0%AF",
    "%E2%82",
    "caf%C3%A9",
    "\u00e9t\u00e9",
    "\u65e5\u672c",
    "\ud83d\ude00",
    "a;b=c",
    "a*b",
    "~",
    "~~",
    "user~",
    "~a~b",
    "-",
    "_",
    "a.b",
    "key with space",
    "%7B%22a%22%7D",
    "%5B",
    "x".repeat(300),
    "y".repeat(2_000),
    "k".repeat(9_000),
    "\\",
    "%5C",
    "%0D%0A",
    "a%09b",
    "null",
    "0",
    "-1",
    "AAAAAAAAAAAAAAAAA",
    "zzzzzzzzzzzzzzzzz",
  };

  private static final String[] NASTY_VALUES = {
    "",
    "-1",
    "0",
    "1",
    "1000",
    "1001",
    "99999999999999999999999",
    "-9223372036854775809",
    "9223372036854775807",
    "1e3",
    "1.5",
    "NaN",
    "Infinity",
    "0x10",
    "+5",
    " 5",
    "abc",
    "%",
    "%zz",
    "%00",
    "%C3%28",
    "%FF",
    "*",
    "**",
    "?",
    "[",
    "a*b?c",
    "true",
    "null",
    "updates",
    "snapshot",
    "history",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "x".repeat(5_000),
    "\u00e9",
    "%E2%82%AC",
    "0.1.2",
    "0.99999999999999.AAAAAAAAAAAAAAAAA",
    "eyJhIjoxfQ",
    "a.b.c",
  };

  private static final String[] PARAMS = {
    "limit",
    "cursor",
    "prefix",
    "search",
    "revision",
    "ttl",
    "mode",
    "from_revision",
    "values",
    "offset",
    "desc",
    "unnamed",
    "exclusiveStartKey",
    "attachment",
    "signature",
    "token",
    "method",
    "name",
    "collection",
    "disableRedirect",
  };

  private static final String[] CONTENT_TYPES = {
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin1",
    "application/json; charset=nope",
    "application/vnd.api+json",
    "application/x+json; a=b",
    "text/plain",
    "text/html; charset=utf-8",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "image/png",
    "application/zip",
    "*/*",
    "json",
    "/",
    ";",
    "application/json; q=\"",
    "",
    "\u00e9/\u00e9",
  };

  private static final String[] ENCODINGS = {
    "gzip", "deflate", "br", "identity", "compress", "gzip, gzip", "GZIP", "x-gzip", "", "*", "zstd"
  };

  private static final String[] ETAGS = {
    "\"1\"",
    "\"2\"",
    "*",
    "W/\"1\"",
    "\"-1\"",
    "\"0\"",
    "\"99999999999999999999999\"",
    "garbage",
    "\"\"",
    "\"1\", \"2\"",
    "1",
    "\"abc\"",
    "\"",
  };

  private static final String[] ACCEPTS = {
    "application/json",
    "text/event-stream",
    "*/*",
    "application/zip",
    "text/html",
    "garbage/",
    "",
    "application/json;q=0",
    "image/*",
  };

  private static final String[] ACCEPT_ENCODINGS = {
    "gzip", "br", "deflate", "gzip;q=0", "*;q=0", "identity;q=0", "garbage", "", "gzip, br, *;q=0.1"
  };

  private static final String[] NASTY_JSON_VALUES = {
    "null",
    "true",
    "-1",
    "0",
    "-0",
    "1e400",
    "-1e400",
    "1.7976931348623157e309",
    "99999999999999999999999999999999",
    "0.0000000000000000000000000001",
    "\"\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"\\uZZZZ\"",
    "[]",
    "{}",
    "[[]]",
    "{\"\":{}}",
    "\"" + "x".repeat(70_000) + "\"",
    "1.5",
    "\"NaN\"",
    "NaN",
    "Infinity",
    "'single'",
    "{\"a\":1,\"a\":2}",
    "\"*\"",
    "\"k".repeat(2) + "\"",
  };

  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xC3, (byte) 0x28},
    {(byte) 0xFF},
    {(byte) 0xFE, (byte) 0xFF},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xE2, (byte) 0x82},
    {(byte) 0x80},
    {0},
    {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
  };

  /** A small gzip that expands to 64 MiB of zeros: decoding must be bounded. */
  private static final byte[] GZIP_BOMB = gzip(new byte[64 * 1024 * 1024]);

  private final long seed;
  private final Targets t;

  public Fuzzer(long seed, Targets targets) {
    this.seed = seed;
    this.t = targets;
  }

  /** Request {@code index} of this seed. */
  public Request generate(long index) {
    Random r = new Random(seed * 1_000_003L + index * 0x9E3779B97F4A7C15L);
    Endpoint e = ENDPOINTS[r.nextInt(ENDPOINTS.length)];
    String method = r.nextInt(10) < 8 ? e.method : pick(r, METHODS);
    String path = path(r, e);
    String query = query(r, e);
    String target = query.isEmpty() ? path : path + "?" + query;
    List<String[]> headers = new ArrayList<>();
    byte[] body = null;
    boolean sendsBody = e.body != null ? r.nextInt(10) < 9 : r.nextInt(10) < 2;
    if (sendsBody) {
      body = body(r, e);
      if (r.nextInt(10) < 9) {
        headers.add(new String[] {"Content-Type", contentType(r, e)});
      }
      if (r.nextInt(100) < 15) {
        String enc = pick(r, ENCODINGS);
        body = encode(r, enc, body);
        headers.add(new String[] {"Content-Encoding", enc});
      }
    }
    addHeaders(r, headers);
    boolean raw = r.nextBoolean() || e.streams;
    if (!raw) {
      return new Request(index, method, target, headers, body, false, false, null);
    }
    return rawFraming(r, index, method, target, headers, body);
  }

  // --- endpoints ---

  /** An endpoint: method, path template ({b} bucket, {s} store, {k} key, {n} key id), body. */
  private record Endpoint(String method, String path, String body, boolean streams) {
    Endpoint(String method, String path, String body) {
      this(method, path, body, false);
    }
  }

  private static final String ENTRY = "{\"a\":1,\"b\":[1,2,{\"c\":\"d\"}],\"s\":\"caf\u00e9\"}";
  private static final String BUCKET =
      "{\"bucket\":\"fzn\",\"description\":\"d\",\"history\":3,\"ttl\":60,\"max_bytes\":1000000,"
          + "\"max_value_size\":10000,\"compression\":false,\"storage\":\"file\",\"replicas\":1}";
  private static final String BATCH =
      "{\"checks\":[{\"key\":\"k1\",\"absent\":true},{\"key\":\"k2\",\"revision\":1}],"
          + "\"mutations\":[{\"op\":\"put\",\"key\":\"k2\",\"value\":{\"x\":1},\"ttl\":5},"
          + "{\"op\":\"increment\",\"key\":\"n\",\"field\":\"a.b\",\"by\":1},"
          + "{\"op\":\"delete\",\"key\":\"k3\"}]}";
  private static final String API_KEY =
      "{\"name\":\"fz\",\"permissions\":[\"kv:read\",\"kv:write\"],\"buckets\":[\"fz*\"],"
          + "\"expires_in\":3600}";

  private static final Endpoint[] ENDPOINTS = {
    new Endpoint("GET", "/storage/kv", null),
    new Endpoint("POST", "/storage/kv", BUCKET),
    new Endpoint("GET", "/storage/kv/{b}", null),
    new Endpoint("PUT", "/storage/kv/{b}", "{\"description\":\"x\",\"ttl\":10,\"max_bytes\":0}"),
    new Endpoint("DELETE", "/storage/kv/{v}", null),
    new Endpoint("DELETE", "/storage/kv/{v}/purge", null),
    new Endpoint("GET", "/storage/kv/{b}/entries", null),
    new Endpoint("GET", "/storage/kv/{b}/entries", null),
    new Endpoint("DELETE", "/storage/kv/{b}/entries", null),
    new Endpoint("GET", "/storage/kv/{b}/entries/{k}", null),
    new Endpoint("GET", "/storage/kv/{b}/entries/{k}", null),
    new Endpoint("PUT", "/storage/kv/{b}/entries/{k}", ENTRY),
    new Endpoint("PUT", "/storage/kv/{b}/entries/{k}", ENTRY),
    new Endpoint("PUT", "/storage/kv/{b}/entries/{k}", ENTRY),
    new Endpoint("DELETE", "/storage/kv/{b}/entries/{k}", null),
    new Endpoint("GET", "/storage/kv/{b}/entries/{k}/history", null),
    new Endpoint("POST", "/storage/kv/{b}/entries/{k}/touch", null),
    new Endpoint("GET", "/storage/kv/{b}/search-by-key", null),
    new Endpoint("POST", "/storage/kv/{b}/batch", BATCH),
    new Endpoint("POST", "/storage/kv/{b}/batch", BATCH),
    new Endpoint("POST", "/storage/kv/{b}/bulk-get", "{\"keys\":[\"k1\",\"k2\",\"nope\"]}"),
    new Endpoint("GET", "/storage/kv/{b}/watch", null, true),
    new Endpoint("POST", "/auth/api-keys", API_KEY),
    new Endpoint("GET", "/auth/api-keys", null),
    new Endpoint("DELETE", "/auth/api-keys/{n}", null),
    new Endpoint("GET", "/v2/key-value-stores", null),
    new Endpoint("POST", "/v2/key-value-stores", null),
    new Endpoint("GET", "/v2/key-value-stores/{s}", null),
    new Endpoint("PUT", "/v2/key-value-stores/{s}", "{\"generalAccess\":\"RESTRICTED\"}"),
    new Endpoint("DELETE", "/v2/key-value-stores/{v}", null),
    new Endpoint("GET", "/v2/key-value-stores/{s}/keys", null),
    new Endpoint("GET", "/v2/key-value-stores/{s}/records", null),
    new Endpoint("GET", "/v2/key-value-stores/{s}/records/{k}", null),
    new Endpoint("GET", "/v2/key-value-stores/{s}/records/{k}", null),
    new Endpoint("HEAD", "/v2/key-value-stores/{s}/records/{k}", null),
    new Endpoint("PUT", "/v2/key-value-stores/{s}/records/{k}", ENTRY),
    new Endpoint("PUT", "/v2/key-value-stores/{s}/records/{k}", ENTRY),
    new Endpoint("POST", "/v2/key-value-stores/{s}/records/{k}", ENTRY),
    new Endpoint("DELETE", "/v2/key-value-stores/{s}/records/{k}", null),
    new Endpoint("GET", "/q/health/ready", null),
    new Endpoint("GET", "/q/metrics", null),
    new Endpoint("GET", "/nope/{k}", null),
  };

  private String path(Random r, Endpoint e) {
    String p = e.path;
    // The bucket the requests share; {v} is one a destructive request may remove.
    p = p.replace("{b}", r.nextInt(10) < 8 ? t.bucket : segment(r));
    p = p.replace("{v}", r.nextInt(10) < 6 ? "fz-victim-" + r.nextInt(4) : segment(r));
    String store =
        switch (r.nextInt(10)) {
          case 0, 1, 2, 3 -> t.storeId;
          case 4, 5, 6 -> "~" + t.bucket;
          default -> segment(r);
        };
    p = p.replace("{s}", store);
    String key =
        switch (r.nextInt(10)) {
          case 0, 1, 2 -> t.key;
          case 3 -> t.binaryKey;
          case 4, 5 -> "k" + r.nextInt(20);
          case 6 -> "a/b/" + segment(r);
          default -> segment(r);
        };
    p = p.replace("{k}", key);
    p = p.replace("{n}", r.nextBoolean() ? Long.toHexString(r.nextLong()) : segment(r));
    switch (r.nextInt(20)) {
      case 0 -> p = p + "/";
      case 1 -> p = p.replace("/", "//");
      case 2 -> p = p + "/" + segment(r);
      case 3 -> p = p.toUpperCase();
      case 4 -> p = p + "/..";
      case 5 -> p = p + ";jsessionid=1";
      default -> {}
    }
    return p;
  }

  private static String segment(Random r) {
    String s = pick(r, NASTY_SEGMENTS);
    if (r.nextInt(4) == 0) {
      s = s + pick(r, NASTY_SEGMENTS);
    }
    return s;
  }

  private static String query(Random r, Endpoint e) {
    int n = r.nextInt(10) < 4 ? 0 : 1 + r.nextInt(3);
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (q.length() > 0) {
        q.append(r.nextInt(20) == 0 ? ";" : "&");
      }
      q.append(pick(r, PARAMS));
      if (r.nextInt(15) != 0) {
        q.append('=').append(pick(r, NASTY_VALUES));
      }
    }
    if (r.nextInt(30) == 0) {
      q.append("&&=&=x&%zz=1");
    }
    return q.toString();
  }

  // --- bodies ---

  private byte[] body(Random r, Endpoint e) {
    String base = e.body != null ? e.body : ENTRY;
    int how = r.nextInt(100);
    if (how < 15) {
      return bytes(base);
    }
    if (how < 45) {
      return bytes(replaceValue(r, base));
    }
    if (how < 55) {
      byte[] b = bytes(base);
      for (int i = 0, flips = 1 + r.nextInt(4); i < flips; i++) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      return b;
    }
    if (how < 62) {
      byte[] b = bytes(base);
      return java.util.Arrays.copyOf(b, r.nextInt(b.length));
    }
    if (how < 70) {
      return insert(bytes(base), r, BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
    }
    if (how < 76) {
      return deep(r);
    }
    if (how < 80) {
      return duplicateKeys(r);
    }
    if (how < 86) {
      byte[] b = new byte[r.nextInt(2_000)];
      r.nextBytes(b);
      return b;
    }
    if (how < 89) {
      return new byte[0];
    }
    if (how < 91) {
      return bytes(" \t\r\n ");
    }
    if (how < 93) {
      // Large: over the default value size, under the body cap.
      int size = 100_000 + r.nextInt(1_500_000);
      return bytes("{\"big\":\"" + "x".repeat(size) + "\"}");
    }
    if (how < 96) {
      return bytes("[" + base + "," + base + "]");
    }
    return bytes(pick(r, NASTY_JSON_VALUES));
  }

  /** Replaces one value of the JSON document (a number, string, literal, array or object). */
  private static String replaceValue(Random r, String json) {
    List<int[]> spans = new ArrayList<>();
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == ':'
          || c == '['
          || (c == ',' && i + 1 < json.length() && json.charAt(i + 1) != '"')) {
        int start = i + 1;
        int end = start;
        int depth = 0;
        boolean inString = false;
        while (end < json.length()) {
          char d = json.charAt(end);
          if (inString) {
            if (d == '\\') {
              end++;
            } else if (d == '"') {
              inString = false;
            }
          } else if (d == '"') {
            inString = true;
          } else if (d == '{' || d == '[') {
            depth++;
          } else if (d == '}' || d == ']') {
            if (depth == 0) {
              break;
            }
            depth--;
          } else if (d == ',' && depth == 0) {
            break;
          }
          end++;
        }
        if (end > start) {
          spans.add(new int[] {start, end});
        }
      }
    }
    if (spans.isEmpty()) {
      return pick(r, NASTY_JSON_VALUES);
    }
    int[] s = spans.get(r.nextInt(spans.size()));
    String replacement =
        r.nextInt(5) == 0 ? "\"" + pick(r, NASTY_SEGMENTS) + "\"" : pick(r, NASTY_JSON_VALUES);
    return json.substring(0, s[0]) + replacement + json.substring(s[1]);
  }

  private static byte[] deep(Random r) {
    int depth =
        switch (r.nextInt(4)) {
          case 0 -> 64;
          case 1 -> 1_000;
          case 2 -> 10_000;
          default -> 200_000;
        };
    StringBuilder s = new StringBuilder(depth * 6 + 16);
    boolean objects = r.nextBoolean();
    if (objects) {
      s.append("{\"v\":");
    }
    for (int i = 0; i < depth; i++) {
      s.append(objects ? "{\"a\":" : "[");
    }
    s.append('1');
    int close = r.nextInt(5) == 0 ? depth / 2 : depth;
    for (int i = 0; i < close; i++) {
      s.append(objects ? '}' : ']');
    }
    if (objects) {
      s.append('}');
    }
    return bytes(s.toString());
  }

  private static byte[] duplicateKeys(Random r) {
    StringBuilder s = new StringBuilder("{");
    int n = 2 + r.nextInt(r.nextBoolean() ? 5 : 20_000);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        s.append(',');
      }
      s.append("\"k").append(r.nextInt(3)).append("\":").append(i);
    }
    return bytes(s.append('}').toString());
  }

  private static byte[] insert(byte[] base, Random r, byte[] what) {
    int at = r.nextInt(base.length + 1);
    byte[] out = new byte[base.length + what.length];
    System.arraycopy(base, 0, out, 0, at);
    System.arraycopy(what, 0, out, at, what.length);
    System.arraycopy(base, at, out, at + what.length, base.length - at);
    return out;
  }

  private static String contentType(Random r, Endpoint e) {
    return r.nextInt(10) < 6 ? "application/json" : pick(r, CONTENT_TYPES);
  }

  /** The body in the named coding: often right, sometimes truncated, mislabelled or a bomb. */
  private static byte[] encode(Random r, String encoding, byte[] body) {
    int how = r.nextInt(10);
    if (how == 0) {
      return GZIP_BOMB;
    }
    if (how == 1) {
      return body; // labelled but not encoded
    }
    byte[] coded =
        switch (encoding.toLowerCase()) {
          case "gzip", "x-gzip", "gzip, gzip" -> gzip(body);
          case "deflate" -> r.nextBoolean() ? zlib(body, false) : zlib(body, true);
          default -> body;
        };
    if (how == 2 && coded.length > 4) {
      return java.util.Arrays.copyOf(coded, coded.length / 2);
    }
    if (how == 3 && coded.length > 12) {
      coded = coded.clone();
      coded[10] ^= 0x5A;
    }
    return coded;
  }

  // --- headers ---

  private void addHeaders(Random r, List<String[]> h) {
    int auth = r.nextInt(100);
    if (auth < 80) {
      h.add(new String[] {"X-Api-Key", "kvg_TestOnlyBootstrapKey0123456789abcdefghijk"});
    } else if (auth < 84) {
      h.add(
          new String[] {
            "X-Api-Key", pick(r, new String[] {"", "kvg_", "kvg_x", "k".repeat(5000)})
          });
    } else if (auth < 92) {
      h.add(new String[] {"Authorization", bearer(r)});
    } else if (auth < 95) {
      h.add(
          new String[] {
            "Authorization",
            pick(r, new String[] {"Basic Zm9vOmJhcg==", "Bearer", "", "Negotiate x"})
          });
    }
    if (r.nextInt(6) == 0) {
      h.add(new String[] {r.nextBoolean() ? "If-Match" : "If-None-Match", pick(r, ETAGS)});
    }
    if (r.nextInt(6) == 0) {
      h.add(new String[] {"Accept", pick(r, ACCEPTS)});
    }
    if (r.nextInt(6) == 0) {
      h.add(new String[] {"Accept-Encoding", pick(r, ACCEPT_ENCODINGS)});
    }
    if (r.nextInt(15) == 0) {
      h.add(new String[] {"Last-Event-ID", pick(r, NASTY_VALUES)});
    }
    if (r.nextInt(20) == 0) {
      h.add(new String[] {"Range", pick(r, new String[] {"bytes=0-1", "bytes=abc", "bytes=5-1"})});
    }
    if (r.nextInt(20) == 0) {
      h.add(new String[] {"X-Forwarded-For", pick(r, NASTY_VALUES)});
    }
    if (r.nextInt(25) == 0) {
      h.add(new String[] {"X-Junk-" + r.nextInt(100), "v".repeat(r.nextInt(9_000))});
    }
  }

  private static String bearer(Random r) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        pick(
            r,
            new String[] {
              "{\"alg\":\"none\"}",
              "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
              "{\"alg\":\"HS256\"}",
              "{",
              "[]"
            });
    String claims =
        pick(
            r,
            new String[] {
              "{\"iss\":\"https://issuer.kvgate.test\",\"aud\":\"kvgate\",\"sub\":\"x\",\"exp\":9999999999}",
              "{\"exp\":\"soon\"}",
              "{}",
              "null",
              "{\"permissions\":[1,2]}"
            });
    return switch (r.nextInt(4)) {
      case 0 ->
          "Bearer "
              + b64.encodeToString(bytes(header))
              + "."
              + b64.encodeToString(bytes(claims))
              + ".";
      case 1 ->
          "Bearer "
              + b64.encodeToString(bytes(header))
              + "."
              + b64.encodeToString(bytes(claims))
              + ".c2ln";
      case 2 -> "Bearer a.b.c";
      default -> "Bearer " + pick(r, NASTY_VALUES);
    };
  }

  // --- raw framing ---

  private static Request rawFraming(
      Random r, long index, String method, String target, List<String[]> headers, byte[] body) {
    int how = r.nextInt(100);
    if (how < 70) {
      return new Request(index, method, target, headers, body, true, false, null);
    }
    StringBuilder head = new StringBuilder();
    String version = "HTTP/1.1";
    boolean host = true;
    String rawBody = null;
    String lengthLine = body == null ? null : "Content-Length: " + body.length;
    switch (how) {
      case 70, 71 -> version = "HTTP/1.0";
      case 72 -> version = "HTTP/9.9";
      case 73 -> version = "HTP/1.1";
      case 74, 75 -> host = false;
      case 76 -> target = "http://127.0.0.1" + target;
      case 77 -> target = target + " extra";
      case 78, 79 -> lengthLine = "Content-Length: -1";
      case 80, 81 -> lengthLine = "Content-Length: " + (body == null ? 0 : body.length / 2);
      case 82 -> lengthLine = "Content-Length: 1, 2";
      case 83 -> lengthLine = "Content-Length: abc";
      case 84, 85 -> {
        lengthLine = "Transfer-Encoding: chunked";
        rawBody =
            (body == null ? "" : Integer.toHexString(body.length) + "\r\n" + latin1(body) + "\r\n")
                + "0\r\n\r\n";
      }
      case 86, 87 -> {
        lengthLine = "Transfer-Encoding: chunked";
        rawBody = "zz\r\nabc\r\n0\r\n\r\n";
      }
      case 88 -> {
        lengthLine = "Transfer-Encoding: chunked\r\nContent-Length: 3";
        rawBody = "3\r\nabc\r\n0\r\n\r\n";
      }
      case 89 -> {
        lengthLine = "Transfer-Encoding: chunked";
        rawBody = "3;ext=1\r\n{}\n\r\n0\r\ntrailer: x\r\n\r\n";
      }
      case 90 -> headers.add(new String[] {"Bad Header", "x"});
      case 91 -> headers.add(new String[] {"X-Fold", "a\r\n folded"});
      case 92 -> headers.add(new String[] {"X-Nul", "a\u0000b"});
      case 93 -> headers.add(new String[] {"X-Long", "l".repeat(20_000)});
      case 94 -> headers.add(new String[] {"Host", "second"});
      case 95 -> headers.add(new String[] {"Expect", "100-continue"});
      case 96 -> headers.add(new String[] {"Connection", "Upgrade, HTTP2-Settings"});
      case 97 -> method = "CONNECT";
      case 98 -> target = "*";
      default -> target = target.replace("/", "\\");
    }
    head.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
    if (host) {
      head.append("Host: 127.0.0.1\r\n");
    }
    head.append("Connection: close\r\n");
    for (String[] h : headers) {
      head.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    if (lengthLine != null) {
      head.append(lengthLine).append("\r\n");
    }
    head.append("\r\n");
    byte[] sent = rawBody != null ? rawBody.getBytes(StandardCharsets.ISO_8859_1) : body;
    return new Request(index, method, target, headers, sent, true, true, head.toString());
  }

  // --- helpers ---

  private static String pick(Random r, String[] from) {
    return from[r.nextInt(from.length)];
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] zlib(byte[] data, boolean nowrap) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(6, nowrap))) {
      d.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Bytes as text with anything unprintable escaped, cut at {@code max} characters. */
  static String printable(byte[] b, int max) {
    StringBuilder s = new StringBuilder();
    String text = new String(b, StandardCharsets.UTF_8);
    for (int i = 0; i < text.length() && s.length() < max; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7F) {
        s.append(c);
      } else {
        s.append(String.format("\\u%04x", (int) c));
      }
    }
    if (s.length() >= max) {
      s.append("...");
    }
    return s.toString();
  }
}
