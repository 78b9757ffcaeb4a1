package io.kvgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) in a process of its own, with
 * auth on (the test bootstrap key) and rate limits off, its output in a file under target/.
 */
public final class ServiceProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

  // HTTP/1.1: the default HTTP/2 would try an h2c upgrade on every plain-text request.
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String name;
  private final int port;
  private final Path log;
  private final Process process;

  /** Starts the jar against {@code redisUri}; {@code env} adds or overrides settings. */
  public ServiceProcess(String name, String redisUri, Map<String, String> env) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run ./mvnw package before this test");
    }
    this.name = name;
    this.port = freePort();
    this.log = Path.of("target", "service-" + name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(java, "-Xmx256m", "-jar", JAR.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> e = pb.environment();
    e.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    e.put("QUARKUS_REDIS_HOSTS", redisUri);
    e.put("KVGATE_BOOTSTRAP_API_KEY", TestAuth.BOOTSTRAP_KEY);
    e.put("KVGATE_RATE_LIMIT_ENABLED", "false");
    e.putAll(env);
    try {
      this.process = pb.start();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  public Process process() {
    return process;
  }

  /** Waits until readiness answers 200, or fails with the log. */
  public ServiceProcess awaitReady(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpRequest ready =
        HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + "\n" + logText());
      }
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return this;
        }
      } catch (IOException notListeningYet) {
        // still starting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      sleep(100);
    }
    throw new AssertionError(name + " not ready within " + limit.toSeconds() + " s\n" + logText());
  }

  /** Sends SIGTERM, as Kubernetes does to stop a pod. */
  public void terminate() {
    process.destroy();
  }

  public String logText() {
    try {
      return "----- "
          + name
          + " ("
          + log
          + ") -----\n"
          + Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops the process (SIGTERM), and kills it when it has not exited within 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
