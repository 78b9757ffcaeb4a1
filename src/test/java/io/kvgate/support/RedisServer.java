package io.kvgate.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} from the PATH, on a free loopback port with a throw-away data
 * directory. Tests may stop and start it again on the same port to see an outage.
 */
public final class RedisServer {
  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  public RedisServer(String... extraArgs) {
    this.port = freePort();
    this.extraArgs = List.of(extraArgs);
    try {
      this.dir = Files.createTempDirectory("kvgate-test-redis");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add("redis-server");
    cmd.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", "127.0.0.1",
            "--dir", dir.toString(),
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no"));
    cmd.addAll(extraArgs);
    try {
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "redis-server is not on the PATH: install it (apt-get install -y redis-server)", e);
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if ("+PONG".equals(command("PING"))) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  public synchronized void stop() {
    if (process != null) {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Kills the server with SIGKILL: no shutdown, no final write of anything it holds. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a leftover temp dir is harmless
    }
  }

  /** Sends one inline command and returns the first line of the reply, or null when unreachable. */
  public String command(String... words) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      StringBuilder req = new StringBuilder("*" + words.length + "\r\n");
      for (String w : words) {
        req.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        req.append(w).append("\r\n");
      }
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      String first = line.toString();
      if (first.startsWith("$") && !first.equals("$-1")) {
        line.setLength(0);
        while ((c = in.read()) != -1 && c != '\n') {
          if (c != '\r') {
            line.append((char) c);
          }
        }
        return line.toString();
      }
      return first;
    } catch (IOException e) {
      return null;
    }
  }

  /** The number of keys in the server (DBSIZE). */
  public long dbSize() {
    String reply = command("DBSIZE");
    return Long.parseLong(reply.substring(1));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
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
