package io.kvgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in {@code deploy/}: every overlay renders with {@code kubectl
 * kustomize}, every rendered object is valid against the Kubernetes schema of its kind ({@code
 * src/test/deploy-checks/validate.mjs}), and the objects have the properties the README promises.
 */
class ManifestsTest {
  private static final Path OVERLAYS = Path.of("deploy", "overlays").toAbsolutePath();
  private static final Path RENDERED = Path.of("target", "manifests").toAbsolutePath();
  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where kvgate may connect: DNS, Redis and its sentinels. */
  private static final Set<String> EGRESS_PORTS =
      Set.of("53/UDP", "53/TCP", "6379/TCP", "26379/TCP");

  /** Each overlay's rendered objects, by overlay name. */
  private static final Map<String, List<JsonNode>> objects = new TreeMap<>();

  @BeforeAll
  static void renderAndValidate() throws IOException {
    List<Path> overlays;
    try (Stream<Path> dirs = Files.list(OVERLAYS)) {
      overlays = dirs.filter(Files::isDirectory).sorted().toList();
    }
    assertTrue(overlays.size() >= 2, "deploy/overlays should hold dev and prod: " + overlays);
    Files.createDirectories(RENDERED);
    List<String> files = new ArrayList<>();
    for (Path overlay : overlays) {
      Command.Result r =
          Command.run(
              OVERLAYS.getParent(), TOOL_TIMEOUT, "kubectl", "kustomize", overlay.toString());
      assertEquals(0, r.exit(), "kubectl kustomize " + overlay + " failed:\n" + r.both());
      Path out = RENDERED.resolve(overlay.getFileName() + ".yaml");
      Files.writeString(out, r.out(), StandardCharsets.UTF_8);
      files.add(out.toString());
    }
    Command.ensureNodeModules(List.of("kubernetes-models", "js-yaml"));
    List<String> cmd = new ArrayList<>(List.of("node", "validate.mjs"));
    cmd.addAll(files);
    Command.Result v = Command.run(Command.CHECKS, TOOL_TIMEOUT, cmd.toArray(String[]::new));
    assertEquals(0, v.exit(), "objects invalid against the Kubernetes schema:\n" + v.err());
    for (JsonNode item : JSON.readTree(v.out())) {
      String overlay =
          Path.of(item.get("file").asText()).getFileName().toString().replace(".yaml", "");
      objects.computeIfAbsent(overlay, k -> new ArrayList<>()).add(item.get("object"));
    }
    assertEquals(overlays.size(), objects.size(), "every overlay renders some objects");
  }

  @Test
  void everyOverlayHasTheWholeApplication() {
    for (var e : objects.entrySet()) {
      for (String kind :
          List.of(
              "Deployment",
              "Service",
              "ConfigMap/kvgate-config",
              "HorizontalPodAutoscaler",
              "PodDisruptionBudget",
              "NetworkPolicy",
              "ServiceAccount")) {
        String[] kn = (kind.contains("/") ? kind : kind + "/kvgate").split("/");
        assertNotNull(find(e.getValue(), kn[0], kn[1]), e.getKey() + " has no " + kind);
      }
      JsonNode hpa = find(e.getValue(), "HorizontalPodAutoscaler", "kvgate");
      assertEquals("Deployment", hpa.at("/spec/scaleTargetRef/kind").asText(), e.getKey());
      assertEquals("kvgate", hpa.at("/spec/scaleTargetRef/name").asText(), e.getKey());
      JsonNode pdb = find(e.getValue(), "PodDisruptionBudget", "kvgate");
      JsonNode podLabels = deployment(e.getKey()).at("/spec/template/metadata/labels");
      pdb.at("/spec/selector/matchLabels")
          .fields()
          .forEachRemaining(
              l ->
                  assertEquals(
                      l.getValue(),
                      podLabels.get(l.getKey()),
                      e.getKey() + ": PDB selects the pods"));
    }
  }

  @Test
  void kvgateProbesItsHealthEndpoints() {
    for (String overlay : objects.keySet()) {
      JsonNode c = kvgateContainer(overlay);
      assertEquals("/q/health/started", c.at("/startupProbe/httpGet/path").asText(), overlay);
      assertEquals("/q/health/live", c.at("/livenessProbe/httpGet/path").asText(), overlay);
      assertEquals("/q/health/ready", c.at("/readinessProbe/httpGet/path").asText(), overlay);
    }
  }

  @Test
  void everyContainerHasRequestsLimitsAPinnedImageAndARestrictedSecurityContext() {
    for (var e : objects.entrySet()) {
      for (JsonNode workload : e.getValue()) {
        JsonNode pod = workload.at("/spec/template/spec");
        if (pod.isMissingNode()) {
          continue;
        }
        String where = e.getKey() + " " + workload.get("kind").asText() + "/" + name(workload);
        assertFalse(pod.path("containers").isEmpty(), where);
        assertEquals(
            "RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText(), where);
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), where);
        List<JsonNode> containers = new ArrayList<>();
        pod.path("containers").forEach(containers::add);
        pod.path("initContainers").forEach(containers::add);
        for (JsonNode c : containers) {
          String at = where + " container " + c.get("name").asText();
          String image = c.get("image").asText();
          String tag = image.substring(image.lastIndexOf('/') + 1);
          assertTrue(
              tag.contains(":") || tag.contains("@sha256:"),
              at + ": image without a tag: " + image);
          assertFalse(tag.endsWith(":latest"), at + ": image tagged latest: " + image);
          for (String r : List.of("requests", "limits")) {
            for (String res : List.of("cpu", "memory")) {
              assertFalse(
                  c.at("/resources/" + r + "/" + res).asText().isEmpty(),
                  at + ": no " + res + " in resources." + r);
            }
          }
          JsonNode sc = c.path("securityContext");
          assertTrue(
              sc.path("runAsNonRoot").asBoolean(false)
                  || pod.at("/securityContext/runAsNonRoot").asBoolean(false),
              at + ": runAsNonRoot");
          assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(false), at + ": read-only root");
          assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), at + ": escalation");
          assertFalse(sc.path("privileged").asBoolean(false), at + ": privileged");
          List<String> dropped = new ArrayList<>();
          sc.at("/capabilities/drop").forEach(d -> dropped.add(d.asText()));
          assertEquals(List.of("ALL"), dropped, at + ": capabilities dropped");
          assertTrue(sc.at("/capabilities/add").isMissingNode(), at + ": capabilities added");
        }
      }
    }
  }

  @Test
  void kvgateWritesOnlyToAnEmptyDirTmp() {
    for (String overlay : objects.keySet()) {
      JsonNode c = kvgateContainer(overlay);
      JsonNode tmp = null;
      for (JsonNode m : c.path("volumeMounts")) {
        if ("/tmp".equals(m.get("mountPath").asText())) {
          tmp = m;
        }
      }
      assertNotNull(tmp, overlay + ": /tmp is not mounted");
      String volume = tmp.get("name").asText();
      boolean emptyDir = false;
      for (JsonNode v : deployment(overlay).at("/spec/template/spec/volumes")) {
        emptyDir |= volume.equals(v.get("name").asText()) && v.has("emptyDir");
      }
      assertTrue(emptyDir, overlay + ": /tmp is not an emptyDir");
    }
  }

  @Test
  void terminationLeavesTimeForThePauseAndTheDrain() throws IOException {
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
      props.load(in);
    }
    String timeout = props.getProperty("quarkus.shutdown.timeout");
    assertNotNull(timeout, "quarkus.shutdown.timeout is not set: SIGTERM would not drain requests");
    String delay =
        props.getProperty(
            "%prod.quarkus.shutdown.delay", props.getProperty("quarkus.shutdown.delay", "0s"));
    long drainSeconds =
        io.quarkus.runtime.configuration.DurationConverter.parseDuration(timeout).toSeconds()
            + io.quarkus.runtime.configuration.DurationConverter.parseDuration(delay).toSeconds();
    for (String overlay : objects.keySet()) {
      JsonNode command = kvgateContainer(overlay).at("/lifecycle/preStop/exec/command");
      assertEquals("sleep", command.path(0).asText(), overlay + ": preStop pause");
      long pause = command.path(1).asLong();
      assertTrue(pause > 0, overlay + ": preStop pause");
      long grace =
          deployment(overlay).at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
      assertTrue(
          grace > pause + drainSeconds,
          overlay
              + ": terminationGracePeriodSeconds "
              + grace
              + " <= pause "
              + pause
              + " + quarkus.shutdown.delay and timeout "
              + drainSeconds);
      JsonNode rolling = deployment(overlay).at("/spec/strategy/rollingUpdate");
      assertEquals(
          "0", rolling.path("maxUnavailable").asText(), overlay + ": rollout keeps capacity");
    }
  }

  @Test
  void networkPolicyLetsInClientsAndPrometheusAndOutOnlyRedisAndDns() {
    for (var e : objects.entrySet()) {
      JsonNode np = find(e.getValue(), "NetworkPolicy", "kvgate");
      String where = e.getKey() + " NetworkPolicy kvgate";
      List<String> types = new ArrayList<>();
      np.at("/spec/policyTypes").forEach(t -> types.add(t.asText()));
      assertTrue(types.containsAll(List.of("Ingress", "Egress")), where + ": " + types);
      assertEquals(
          "kvgate", np.at("/spec/podSelector/matchLabels/app.kubernetes.io~1name").asText(), where);
      assertFalse(np.at("/spec/ingress").isEmpty(), where + ": no ingress rule");
      boolean prometheus = false;
      for (JsonNode rule : np.at("/spec/ingress")) {
        assertFalse(rule.path("from").isEmpty(), where + ": an ingress rule open to all");
        for (JsonNode port : rule.path("ports")) {
          assertEquals(8080, port.path("port").asInt(), where + ": ingress to another port");
        }
        assertFalse(rule.path("ports").isEmpty(), where + ": ingress to every port");
        prometheus |= rule.toString().contains("prometheus");
      }
      assertTrue(prometheus, where + ": Prometheus may not scrape");
      boolean dns = false;
      boolean redis = false;
      for (JsonNode rule : np.at("/spec/egress")) {
        assertFalse(rule.path("to").isEmpty(), where + ": an egress rule open to all: " + rule);
        assertFalse(rule.path("ports").isEmpty(), where + ": egress to every port: " + rule);
        for (JsonNode to : rule.path("to")) {
          String cidr = to.at("/ipBlock/cidr").asText();
          assertFalse(cidr.equals("0.0.0.0/0") || cidr.equals("::/0"), where + ": egress anywhere");
        }
        for (JsonNode port : rule.path("ports")) {
          String p = port.path("port").asText() + "/" + port.path("protocol").asText("TCP");
          assertTrue(EGRESS_PORTS.contains(p), where + ": egress to " + p);
          dns |= p.startsWith("53/");
          redis |= !p.startsWith("53/");
        }
      }
      assertTrue(dns && redis, where + ": egress to DNS " + dns + ", to Redis " + redis);
    }
  }

  @Test
  void noSecretValueIsInTheRepository() {
    for (var e : objects.entrySet()) {
      for (JsonNode o : e.getValue()) {
        if ("Secret".equals(o.get("kind").asText())) {
          for (String field : List.of("data", "stringData")) {
            o.path(field)
                .fields()
                .forEachRemaining(
                    v ->
                        assertEquals(
                            "",
                            v.getValue().asText(),
                            e.getKey()
                                + ": Secret "
                                + name(o)
                                + " holds a value for "
                                + v.getKey()));
          }
        }
      }
    }
  }

  @Test
  void devRunsRedisWithAofOnAVolume() {
    List<JsonNode> dev = objects.get("dev");
    assertNotNull(dev, "no dev overlay");
    JsonNode redis = find(dev, "StatefulSet", "redis");
    assertNotNull(redis, "dev has no Redis StatefulSet");
    JsonNode c = redis.at("/spec/template/spec/containers/0");
    List<String> args = new ArrayList<>();
    c.path("args").forEach(a -> args.add(a.asText()));
    assertEquals("yes", args.get(args.indexOf("--appendonly") + 1), "AOF on: " + args);
    String dir = args.get(args.indexOf("--dir") + 1);
    String claim = redis.at("/spec/volumeClaimTemplates/0/metadata/name").asText();
    boolean mounted = false;
    for (JsonNode m : c.path("volumeMounts")) {
      mounted |= claim.equals(m.get("name").asText()) && dir.equals(m.get("mountPath").asText());
    }
    assertTrue(mounted, "the AOF directory " + dir + " is the persistent volume " + claim);
    assertEquals(
        "redis://redis-0.redis:6379",
        find(dev, "ConfigMap", "kvgate-config").at("/data/QUARKUS_REDIS_HOSTS").asText());
    assertNotNull(find(dev, "Secret", "kvgate-secrets"), "dev applies the example Secret");
  }

  @Test
  void prodUsesExternalRedisSeveralReplicasSpreadAcrossNodes() {
    List<String> prods = objects.keySet().stream().filter(o -> o.startsWith("prod")).toList();
    assertFalse(prods.isEmpty(), "no prod overlay");
    for (String overlay : prods) {
      List<JsonNode> objs = objects.get(overlay);
      JsonNode d = deployment(overlay);
      assertTrue(d.at("/spec/replicas").asInt() >= 3, overlay + ": replicas");
      assertTrue(
          find(objs, "HorizontalPodAutoscaler", "kvgate").at("/spec/minReplicas").asInt() >= 3,
          overlay + ": minReplicas");
      boolean acrossNodes = false;
      for (JsonNode t : d.at("/spec/template/spec/topologySpreadConstraints")) {
        acrossNodes |=
            "kubernetes.io/hostname".equals(t.path("topologyKey").asText())
                && "DoNotSchedule".equals(t.path("whenUnsatisfiable").asText())
                && "kvgate"
                    .equals(t.at("/labelSelector/matchLabels/app.kubernetes.io~1name").asText());
      }
      assertTrue(acrossNodes, overlay + ": replicas are not spread across nodes");
      JsonNode config = find(objs, "ConfigMap", "kvgate-config").path("data");
      String type = config.path("QUARKUS_REDIS_CLIENT_TYPE").asText();
      assertTrue(Set.of("sentinel", "cluster").contains(type), overlay + ": client type " + type);
      if (type.equals("sentinel")) {
        assertFalse(config.path("QUARKUS_REDIS_MASTER_NAME").asText().isEmpty(), overlay);
      }
      assertTrue(config.path("QUARKUS_REDIS_HOSTS").asText().contains(","), overlay + ": hosts");
      assertTrue(find(objs, "StatefulSet", "redis") == null, overlay + ": Redis is external");
      assertTrue(
          find(objs, "Secret", "kvgate-secrets") == null,
          overlay + ": the example Secret would overwrite the real one");
    }
  }

  @Test
  void everyObjectIsNamedAndNamespaced() {
    // A patch kustomize could not match leaves an object without a name behind.
    for (String overlay : objects.keySet()) {
      for (JsonNode o : objects.get(overlay)) {
        assertFalse(name(o).isEmpty(), overlay + ": an object without a name: " + o);
        if (!o.get("kind").asText().equals("Namespace")) {
          assertFalse(o.at("/metadata/namespace").asText().isEmpty(), overlay + ": " + name(o));
        }
      }
    }
  }

  private static JsonNode deployment(String overlay) {
    JsonNode d = find(objects.get(overlay), "Deployment", "kvgate");
    assertNotNull(d, overlay + " has no Deployment kvgate");
    return d;
  }

  private static JsonNode kvgateContainer(String overlay) {
    for (JsonNode c : deployment(overlay).at("/spec/template/spec/containers")) {
      if ("kvgate".equals(c.get("name").asText())) {
        return c;
      }
    }
    fail(overlay + ": the Deployment has no container kvgate");
    return null;
  }

  private static JsonNode find(List<JsonNode> objs, String kind, String name) {
    for (JsonNode o : objs) {
      if (kind.equals(o.get("kind").asText()) && name.equals(name(o))) {
        return o;
      }
    }
    return null;
  }

  private static String name(JsonNode o) {
    return o.at("/metadata/name").asText();
  }
}
