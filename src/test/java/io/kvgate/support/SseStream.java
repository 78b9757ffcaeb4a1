package io.kvgate.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test client of a server-sent event stream: it reads on a thread of its own and queues each
 * event (comments too), so a test takes them with a bounded wait. The end of the stream is queued
 * as an event named {@link #END}.
 */
public final class SseStream implements AutoCloseable {
  public static final String END = "(end)";
  public static final String COMMENT = "(comment)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** One event: its id (null when it has none), name (null: the default), data and comment. */
  public record Event(String id, String name, String data) {
    public JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public long revision() {
      return json().get("revision").asLong();
    }
  }

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final HttpResponse<Stream<String>> response;
  private final Thread reader;

  private SseStream(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    if (response.statusCode() == 200) {
      reader.start();
    }
  }

  /** Opens {@code uri} with these headers (name, value pairs); the answer's status is kept. */
  public static SseStream open(URI uri, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return new SseStream(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int status() {
    return response.statusCode();
  }

  public HttpResponse<Stream<String>> response() {
    return response;
  }

  private void read() {
    String id = null;
    String name = null;
    StringBuilder data = null;
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data != null || name != null || id != null) {
            events.add(new Event(id, name, data == null ? null : data.toString()));
          }
          id = null;
          name = null;
          data = null;
        } else if (line.startsWith(":")) {
          events.add(new Event(null, COMMENT, field(line, 0)));
        } else if (line.startsWith("id:")) {
          id = field(line, 2);
        } else if (line.startsWith("event:")) {
          name = field(line, 5);
        } else if (line.startsWith("data:")) {
          String d = field(line, 4);
          data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
        }
      }
    } catch (RuntimeException closed) {
      // The test closed the stream, or the connection dropped: either way it ends here.
    }
    events.add(new Event(null, END, null));
  }

  /** The value of a field whose colon is at {@code colon}, without the optional space. */
  private static String field(String line, int colon) {
    String v = line.substring(colon + 1);
    return v.startsWith(" ") ? v.substring(1) : v;
  }

  /** The next event or comment, waiting at most {@code max}. */
  public Event nextAny(Duration max) {
    try {
      Event e = events.poll(max.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(e, "no event within " + max);
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next event, skipping comments, waiting at most 10 s. */
  public Event next() {
    return next(Duration.ofSeconds(10));
  }

  public Event next(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      Event e = nextAny(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (!COMMENT.equals(e.name())) {
        return e;
      }
    }
  }

  /** The next event, which must be named {@code name}. */
  public Event next(String name) {
    Event e = next();
    assertEquals(name, e.name(), () -> "event " + e);
    return e;
  }

  /** The next {@code n} events. */
  public List<Event> next(int n) {
    List<Event> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /** Asserts that no event (other than comments) comes within {@code wait}. */
  public void assertQuiet(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        Event e = events.poll(left, TimeUnit.NANOSECONDS);
        if (e != null && !COMMENT.equals(e.name())) {
          fail("unexpected event " + e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    CompletableFuture.runAsync(() -> response.body().close());
    reader.interrupt();
  }
}
