package io.kvgate.apify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvgate.support.RedisResource;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Proof of compatibility of the {@code /v2/key-value-stores} dialect: runs the node:test suite in
 * {@code src/test/apify-conformance}, which drives the official {@code apify-client} npm package
 * against this running application, and passes only when every case of it passes.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class ApifyClientConformanceTest {
  private static final Path SUITE = Path.of("src", "test", "apify-conformance").toAbsolutePath();
  private static final String SUITE_FILE = "conformance.test.mjs";
  private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final int OLDEST_NODE = 18;
  private static final String INSTALL_NODE =
      "Install Node.js 20 or newer (with npm) and put node and npm on the PATH"
          + " (Debian: apt-get install nodejs npm; .ci/run does this on a fresh machine).";

  @TestHTTPResource("/")
  URL root;

  @Test
  void theOfficialApifyClientGetsWhatTheApifyServiceGives() throws Exception {
    assertTrue(
        Files.isRegularFile(SUITE.resolve(SUITE_FILE)), "the suite is missing: " + SUITE_FILE);
    requireNode();
    if (!Files.isDirectory(SUITE.resolve("node_modules").resolve("apify-client"))) {
      Run install = run(INSTALL_TIMEOUT, Map.of(), "npm", "ci", "--no-audit", "--no-fund");
      assertEquals(
          0, install.exit(), "npm ci in " + SUITE + " failed:\n" + String.join("\n", install.tail));
    }

    String baseUrl = "http://" + root.getHost() + ":" + root.getPort();
    Run suite =
        run(
            SUITE_TIMEOUT,
            Map.of("KVGATE_BASE_URL", baseUrl, "KVGATE_TOKEN", TestAuth.BOOTSTRAP_KEY),
            "node",
            "--test",
            "--test-reporter=spec",
            SUITE_FILE);
    assertEquals(
        0,
        suite.exit(),
        "the apify-client conformance suite failed against "
            + baseUrl
            + " (its output is above, prefixed [apify-conformance]):\n"
            + String.join("\n", suite.summary()));
  }

  /** Fails with what to install when node is absent or too old for the suite (fetch, node:test). */
  private static void requireNode() throws InterruptedException {
    Run version;
    try {
      version = run(Duration.ofSeconds(30), Map.of(), "node", "--version");
    } catch (IOException e) {
      fail("node is not on the PATH (" + e.getMessage() + "). " + INSTALL_NODE);
      return;
    }
    String printed = String.join("", version.tail).trim();
    Matcher m = Pattern.compile("v(\\d+)\\.").matcher(printed);
    assertTrue(m.find(), "node --version printed " + printed + ". " + INSTALL_NODE);
    int major = Integer.parseInt(m.group(1));
    assertTrue(major >= OLDEST_NODE, "node " + printed + " is too old. " + INSTALL_NODE);
    try {
      run(Duration.ofSeconds(30), Map.of(), "npm", "--version");
    } catch (IOException e) {
      fail("npm is not on the PATH (" + e.getMessage() + "). " + INSTALL_NODE);
    }
  }

  /**
   * A finished process: its exit code, its last lines, and its notable lines (the node:test
   * runner's closing counts and failed cases, marked with ℹ and ✖).
   */
  private record Run(int exit, List<String> tail, List<String> notable) {
    List<String> summary() {
      return notable.isEmpty() ? tail : notable;
    }
  }

  /**
   * Runs a command in the suite's directory with stdout and stderr merged, each line copied into
   * the build log as it comes, and waits for it at most {@code timeout}.
   */
  private static Run run(Duration timeout, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(SUITE.toFile());
    pb.redirectErrorStream(true);
    pb.environment().putAll(env);
    // The client's proxy agent honours HTTP(S)_PROXY: never send the local service through one.
    for (String name : List.of("NO_PROXY", "no_proxy")) {
      String prior = pb.environment().get(name);
      pb.environment()
          .put(
              name,
              (prior == null || prior.isBlank() ? "" : prior + ",") + "localhost,127.0.0.1,::1");
    }
    // Node 18 tries ::1 first for "localhost", where the test application may not listen.
    String nodeOptions = pb.environment().getOrDefault("NODE_OPTIONS", "");
    pb.environment().put("NODE_OPTIONS", (nodeOptions + " --dns-result-order=ipv4first").strip());

    Process process = pb.start();
    List<String> tail = Collections.synchronizedList(new ArrayList<>());
    Set<String> notable = Collections.synchronizedSet(new LinkedHashSet<>());
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  System.out.println("[apify-conformance] " + line);
                  tail.add(line);
                  String t = line.strip();
                  if ((t.startsWith("ℹ") || t.startsWith("✖")) && notable.size() < 300) {
                    notable.add(t);
                  }
                  if (tail.size() > 400) {
                    tail.remove(0);
                  }
                }
              } catch (IOException e) {
                System.out.println("[apify-conformance] output lost: " + e.getMessage());
              }
            },
            "apify-conformance-output");
    pump.setDaemon(true);
    pump.start();

    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      pump.join(5_000);
      fail(String.join(" ", command) + " did not finish within " + timeout);
    }
    pump.join(10_000);
    synchronized (tail) {
      synchronized (notable) {
        return new Run(process.exitValue(), List.copyOf(tail), List.copyOf(notable));
      }
    }
  }
}
