package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Dev mode only: when nothing answers at the configured Redis address and {@code redis-server} is
 * on the PATH, starts one with its data under {@code target/dev-redis}; when there is neither, says
 * in one line how to get Redis and stops.
 */
@Singleton
@IfBuildProfile("dev")
public class DevRedisLauncher {
  private final URI redisUri;
  private final boolean enabled;
  private Process process;

  DevRedisLauncher(
      @ConfigProperty(name = "quarkus.redis.hosts") List<URI> hosts,
      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
          String clientType,
      KvgateConfig config) {
    this.redisUri = hosts.get(0);
    // A Sentinel or Cluster address is not a place to start a lone redis-server at.
    this.enabled = config.dev().startRedis() && "standalone".equalsIgnoreCase(clientType);
  }

  void start(@Observes @Priority(1) StartupEvent event) throws IOException, InterruptedException {
    String host = redisUri.getHost() == null ? "localhost" : redisUri.getHost();
    int port = redisUri.getPort() > 0 ? redisUri.getPort() : 6379;
    if (!enabled || answers(host, port)) {
      return;
    }
    boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    Path server = onPath("redis-server");
    if (!local || server == null) {
      Log.errorf(
          "No Redis answers at %s:%d%s. Install Redis (Debian/Ubuntu: sudo apt-get install -y"
              + " redis-server; macOS: brew install redis) or point QUARKUS_REDIS_HOSTS at one.",
          host, port, local ? " and redis-server is not on the PATH" : "");
      // Leave dev mode altogether (not only the application), so the one line above is the answer.
      new Thread(() -> System.exit(1), "kvgate-no-redis-exit").start();
      return;
    }
    Path dir = Path.of("target", "dev-redis").toAbsolutePath();
    Files.createDirectories(dir);
    process =
        new ProcessBuilder(
                server.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--appendonly",
                "yes",
                "--save",
                "")
            .redirectOutput(dir.resolve("redis.log").toFile())
            .redirectErrorStream(true)
            .start();
    for (int i = 0; i < 100 && !answers(host, port); i++) {
      Thread.sleep(50);
    }
    Log.infof(
        "No Redis answered at %s:%d, so kvgate started a local redis-server there (data in %s)",
        host, port, dir);
  }

  void stop(@Observes ShutdownEvent event) {
    if (process != null) {
      process.destroy();
    }
  }

  private static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
