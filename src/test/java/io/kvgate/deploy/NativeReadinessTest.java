package io.kvgate.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a native executable needs that the JVM does not, checked on the sources and classes: the
 * JSON shapes registered for reflection, the class-path resources the code reads included, and no
 * reflection or class loading by name at run time. (No GraalVM here: see the README for what was
 * and was not verified.)
 */
class NativeReadinessTest {
  private static final java.nio.file.Path SOURCES = Paths.get("src", "main", "java");

  /**
   * Every record nested in a {@code *Dtos} class or a resource class is a JSON shape (some are
   * returned inside a Response, whose entity type Quarkus cannot see at build time).
   */
  @Test
  void everyJsonShapeIsRegisteredForReflection() throws Exception {
    List<String> missing = new ArrayList<>();
    int shapes = 0;
    for (Class<?> c : mainClasses()) {
      if (!c.getSimpleName().endsWith("Dtos") && !c.isAnnotationPresent(Path.class)) {
        continue;
      }
      for (Class<?> nested : c.getDeclaredClasses()) {
        if (nested.isRecord() && Modifier.isPublic(nested.getModifiers())) {
          shapes++;
          if (!nested.isAnnotationPresent(RegisterForReflection.class)) {
            missing.add(nested.getName());
          }
        }
      }
    }
    assertTrue(shapes > 40, "found only " + shapes + " JSON shapes: is the scan right?");
    assertTrue(
        missing.isEmpty(), "not registered for reflection (@RegisterForReflection): " + missing);
  }

  @Test
  void theLuaScriptsAreNativeResources() throws IOException {
    Properties props = new Properties();
    try (Reader in =
        Files.newBufferedReader(
            Paths.get("src", "main", "resources", "application.properties"),
            StandardCharsets.UTF_8)) {
      props.load(in);
    }
    String includes = props.getProperty("quarkus.native.resources.includes");
    assertNotNull(includes, "quarkus.native.resources.includes is not set");
    List<Pattern> globs = new ArrayList<>();
    for (String glob : includes.split(",")) {
      globs.add(Pattern.compile(glob.strip().replace(".", "\\.").replace("*", "[^/]*")));
    }
    java.nio.file.Path root = Paths.get("src", "main", "resources");
    List<String> scripts;
    try (Stream<java.nio.file.Path> files = Files.walk(root.resolve("redis"))) {
      scripts = files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList();
    }
    assertFalse(scripts.isEmpty(), "no scripts found");
    for (String script : scripts) {
      assertTrue(
          globs.stream().anyMatch(g -> g.matcher(script).matches()),
          script + " is not in quarkus.native.resources.includes=" + includes);
    }
  }

  @Test
  void noReflectionOrClassLoadingByNameAtRunTime() throws IOException {
    Pattern banned =
        Pattern.compile(
            "Class\\.forName\\(|\\.loadClass\\(|Proxy\\.newProxyInstance\\(|\\.getDeclaredMethod\\(|"
                + "\\.getDeclaredField\\(|\\.newInstance\\(|ServiceLoader\\.load\\(");
    Pattern resource = Pattern.compile("getResource(?:AsStream)?\\(([^)]*)\\)");
    List<String> found = new ArrayList<>();
    try (Stream<java.nio.file.Path> files = Files.walk(SOURCES)) {
      for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        // Reflection is allowed where the same file registers its target for it.
        if (banned.matcher(text).find() && !text.contains("@RegisterForReflection(targets =")) {
          found.add(f + ": " + banned.matcher(text).results().map(r -> r.group()).toList());
        }
        var m = resource.matcher(text);
        while (m.find()) {
          // The one resource read is Scripts' redis/<name>.lua, covered by the test above.
          if (!f.endsWith(Paths.get("redis", "Scripts.java"))) {
            found.add(f + ": reads a class-path resource " + m.group(1));
          }
        }
      }
    }
    assertTrue(found.isEmpty(), "native mode needs registration for: " + found);
  }

  private static List<Class<?>> mainClasses() throws IOException, ClassNotFoundException {
    List<Class<?>> out = new ArrayList<>();
    try (Stream<java.nio.file.Path> files = Files.walk(SOURCES)) {
      for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String name = SOURCES.relativize(f).toString().replace('/', '.').replaceAll("\\.java$", "");
        out.add(Class.forName(name));
      }
    }
    return out;
  }
}
