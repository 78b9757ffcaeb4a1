package io.kvgate.config;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Generates the README's table of kvgate settings from the {@code @ConfigMapping} interfaces: the
 * structure from the compiled interfaces, each setting's text from its Javadoc in the sources, its
 * default from {@code @WithDefault} or {@code application.properties}. Regenerate the README with
 * {@code CONFIG_REFERENCE_WRITE=1 ./mvnw -q test -Dtest=ConfigReferenceTest}.
 */
public final class ConfigReference {
  static final String START = "<!-- config-reference:start (generated: see ConfigReference) -->";
  static final String END = "<!-- config-reference:end -->";
  static final String REGENERATE =
      "CONFIG_REFERENCE_WRITE=1 ./mvnw -q test -Dtest=ConfigReferenceTest";

  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Path PROPERTIES =
      Path.of("src", "main", "resources", "application.properties");

  /** One setting: its property name, the mapping methods that reach it, its type and text. */
  record Setting(
      String name,
      List<Method> path,
      Type type,
      String defaultValue,
      boolean optional,
      String doc) {

    /**
     * The environment variable SmallRye Config reads it from (the name, non-alphanumerics as _).
     */
    String env() {
      return name.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    Class<?> valueClass() {
      Type t = optional ? ((ParameterizedType) type).getActualTypeArguments()[0] : type;
      return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
    }
  }

  private ConfigReference() {}

  /** The settings of every {@code @ConfigMapping} class given, by property name. */
  static List<Setting> settings(List<Class<?>> mappings) {
    Map<String, String> docs = javadocs();
    Properties props = applicationProperties();
    List<Setting> out = new ArrayList<>();
    for (Class<?> mapping : mappings) {
      String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
      walk(mapping, prefix, new ArrayDeque<>(), docs, props, out);
    }
    out.sort(Comparator.comparing(Setting::name));
    return out;
  }

  private static void walk(
      Class<?> iface,
      String prefix,
      Deque<Method> path,
      Map<String, String> docs,
      Properties props,
      List<Setting> out) {
    for (Method m : iface.getDeclaredMethods()) {
      if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
        continue;
      }
      String name =
          m.isAnnotationPresent(WithParentName.class)
              ? prefix
              : prefix
                  + "."
                  + (m.isAnnotationPresent(WithName.class)
                      ? m.getAnnotation(WithName.class).value()
                      : kebab(m.getName()));
      path.addLast(m);
      Class<?> ret = m.getReturnType();
      if (isGroup(ret)) {
        walk(ret, name, path, docs, props, out);
      } else {
        boolean optional = ret == Optional.class;
        String def =
            props.getProperty(
                name,
                m.isAnnotationPresent(WithDefault.class)
                    ? m.getAnnotation(WithDefault.class).value()
                    : null);
        String doc = docs.getOrDefault(iface.getName() + "#" + m.getName(), "");
        out.add(new Setting(name, List.copyOf(path), m.getGenericReturnType(), def, optional, doc));
      }
      path.removeLast();
    }
  }

  private static boolean isGroup(Class<?> type) {
    return type.isInterface() && type.getName().startsWith("io.kvgate.");
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  /** The README table for these settings, between its markers. */
  static String table(List<Setting> settings) {
    Properties props = applicationProperties();
    StringBuilder b = new StringBuilder();
    b.append(START).append('\n');
    b.append("| setting | environment variable | type | default | what it does |\n");
    b.append("|---|---|---|---|---|\n");
    for (Setting s : settings) {
      b.append("| `")
          .append(s.name())
          .append("` | `")
          .append(s.env())
          .append("` | ")
          .append(typeName(s))
          .append(" | ")
          .append(defaultText(s, props))
          .append(" | ")
          .append(cell(s.doc()))
          .append(" |\n");
    }
    b.append(END);
    return b.toString();
  }

  private static String typeName(Setting s) {
    Class<?> c = s.valueClass();
    String t =
        switch (c.getSimpleName()) {
          case "Duration" -> "duration";
          case "MemorySize" -> "size";
          case "String" -> "string";
          case "Integer" -> "int";
          case "Long" -> "long";
          case "Boolean" -> "boolean";
          case "List" -> "list";
          default -> c.isEnum() ? "enum" : c.getSimpleName();
        };
    return s.optional() ? t + " (optional)" : t;
  }

  private static String defaultText(Setting s, Properties props) {
    String d = s.defaultValue();
    String base =
        d == null ? (s.optional() ? "none" : "required") : d.isEmpty() ? "empty" : "`" + d + "`";
    List<String> profiles = new ArrayList<>();
    for (String key : props.stringPropertyNames()) {
      if (key.startsWith("%") && key.endsWith("." + s.name())) {
        String profile = key.substring(1, key.indexOf('.'));
        profiles.add("`" + props.getProperty(key) + "` in " + profile);
      }
    }
    profiles.sort(null);
    return profiles.isEmpty() ? base : base + " (" + String.join(", ", profiles) + ")";
  }

  private static String cell(String doc) {
    String text = doc.replaceAll("\\s+", " ").strip();
    Matcher m = Pattern.compile("\\{@(?:code|literal) ([^}]*)}").matcher(text);
    text = m.replaceAll(r -> Matcher.quoteReplacement("`" + r.group(1) + "`"));
    text = text.replaceAll("\\{@link(?:plain)? ([^}]*)}", "$1");
    return text.replace("|", "\\|");
  }

  /** The README with its generated table replaced by {@code table}. */
  static String withTable(String readme, String table) {
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    if (start < 0 || end < start) {
      throw new IllegalStateException(
          "README.md has no generated configuration table (markers " + START + " ... " + END + ")");
    }
    return readme.substring(0, start) + table + readme.substring(end + END.length());
  }

  private static Properties applicationProperties() {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** Javadoc of every interface method in the main sources, by {@code binaryName#method}. */
  private static Map<String, String> javadocs() {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("the generator reads Javadoc with javac: run it on a JDK");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files =
          walk.filter(p -> p.toString().endsWith(".java"))
              .filter(ConfigReference::hasInterface)
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> docs = new HashMap<>();
    try (StandardJavaFileManager fm =
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      JavacTask task =
          (JavacTask)
              javac.getTask(
                  null,
                  fm,
                  d -> {},
                  List.of("-proc:none"),
                  null,
                  fm.getJavaFileObjectsFromPaths(files));
      DocTrees trees = DocTrees.instance(task);
      for (CompilationUnitTree unit : task.parse()) {
        String pkg = unit.getPackageName() == null ? "" : unit.getPackageName().toString() + ".";
        new TreePathScanner<Void, String>() {
          @Override
          public Void visitClass(ClassTree c, String outer) {
            String name = outer == null ? pkg + c.getSimpleName() : outer + "$" + c.getSimpleName();
            for (var member : c.getMembers()) {
              scan(member, name);
            }
            return null;
          }

          @Override
          public Void visitMethod(MethodTree m, String owner) {
            String doc = trees.getDocComment(getCurrentPath());
            if (doc != null && owner != null) {
              docs.put(owner + "#" + m.getName(), doc);
            }
            return null;
          }
        }.scan(new com.sun.source.util.TreePath(unit), null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  private static boolean hasInterface(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).contains("interface ");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code @ConfigMapping} classes under the main sources (found by their annotation). */
  static List<Class<?>> mappings() {
    List<Class<?>> out = new ArrayList<>();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      for (Path p : walk.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String text = Files.readString(p, StandardCharsets.UTF_8);
        if (!text.contains("@ConfigMapping")) {
          continue;
        }
        String cls = SOURCES.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
        Class<?> c = Class.forName(cls);
        if (c.isAnnotationPresent(ConfigMapping.class) && seen.putIfAbsent(cls, true) == null) {
          out.add(c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
