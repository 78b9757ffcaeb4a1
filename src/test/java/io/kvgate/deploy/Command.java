package io.kvgate.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a tool of the deploy checks (kubectl, node, npm) and keeps what it printed. */
final class Command {
  static final Path CHECKS = Path.of("src", "test", "deploy-checks").toAbsolutePath();
  private static final String INSTALL =
      " (.ci/run installs it on a fresh machine: Debian's kubernetes-client, nodejs and npm, then"
          + " npm ci --ignore-scripts --prefix src/test/deploy-checks)";

  /** A finished process: its exit code, its standard output and its standard error. */
  record Result(int exit, String out, String err) {
    String both() {
      return out + (err.isEmpty() ? "" : "\n" + err);
    }
  }

  private Command() {}

  static Result run(Path dir, Duration timeout, String... command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      fail(command[0] + " is not on the PATH: " + e.getMessage() + INSTALL);
      return null;
    }
    try {
      p.getOutputStream().close();
      // Both streams are drained at once, so neither fills its pipe and blocks the tool.
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread errPump = new Thread(() -> copy(p.getErrorStream(), err));
      errPump.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      copy(p.getInputStream(), out);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within " + timeout);
      }
      errPump.join(timeout.toMillis());
      return new Result(
          p.exitValue(),
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException(e);
    }
  }

  /** Installs the checks' npm packages from the lockfile when they are not there yet. */
  static void ensureNodeModules(List<String> packages) {
    boolean present =
        packages.stream()
            .allMatch(pkg -> Files.isDirectory(CHECKS.resolve("node_modules").resolve(pkg)));
    if (!present) {
      Result r =
          run(
              CHECKS,
              Duration.ofMinutes(5),
              "npm",
              "ci",
              "--ignore-scripts",
              "--no-audit",
              "--no-fund");
      if (r.exit() != 0) {
        fail("npm ci in " + CHECKS + " failed:\n" + r.both());
      }
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
