package io.kvgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is what {@link ConfigReference} generates from the
 * {@code @ConfigMapping} interfaces, and every setting in it is read from its environment variable.
 */
class ConfigReferenceTest {
  private static final Path README = Path.of("README.md");

  @Test
  void readmeTableIsUpToDate() throws Exception {
    List<ConfigReference.Setting> settings = ConfigReference.settings(ConfigReference.mappings());
    assertFalse(settings.isEmpty(), "no settings found in the @ConfigMapping interfaces");
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    String expected = ConfigReference.withTable(readme, ConfigReference.table(settings));
    if (System.getenv("CONFIG_REFERENCE_WRITE") != null) {
      Files.writeString(README, expected, StandardCharsets.UTF_8);
      readme = expected;
    }
    assertEquals(
        expected,
        readme,
        "README.md's configuration table is out of date; regenerate it with: "
            + ConfigReference.REGENERATE);
  }

  @Test
  void everySettingIsDocumented() {
    for (ConfigReference.Setting s : ConfigReference.settings(ConfigReference.mappings())) {
      assertFalse(s.doc().isBlank(), s.name() + " has no Javadoc to describe it in the README");
    }
  }

  @Test
  void kvgateSettingsAreOnlyInTheGeneratedTable() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    String outside =
        readme.substring(0, readme.indexOf(ConfigReference.START))
            + readme.substring(readme.indexOf(ConfigReference.END));
    for (String line : outside.split("\n")) {
      assertFalse(
          line.startsWith("| `kvgate."),
          "a kvgate setting has a hand-written README row (document it in its @ConfigMapping"
              + " interface and regenerate with "
              + ConfigReference.REGENERATE
              + "): "
              + line);
    }
  }

  /** Each setting, given only as its environment variable, reaches the mapping with that value. */
  @Test
  void everySettingIsSettableByEnvironmentVariable() throws Exception {
    List<Class<?>> mappings = ConfigReference.mappings();
    List<ConfigReference.Setting> settings = ConfigReference.settings(mappings);
    Map<String, String> env = new HashMap<>();
    Map<ConfigReference.Setting, Object> expected = new HashMap<>();
    for (ConfigReference.Setting s : settings) {
      Object[] sample = sample(s);
      env.put(s.env(), (String) sample[0]);
      expected.put(s, sample[1]);
    }
    SmallRyeConfigBuilder builder =
        new SmallRyeConfigBuilder()
            .withSources(new EnvConfigSource(env, 300))
            .withConverter(Duration.class, 200, new DurationConverter())
            .withConverter(MemorySize.class, 200, new MemorySizeConverter());
    for (Class<?> m : mappings) {
      builder.withMapping(m);
    }
    SmallRyeConfig config = builder.build();
    for (ConfigReference.Setting s : settings) {
      Object value = config.getConfigMapping(s.path().get(0).getDeclaringClass());
      for (Method m : s.path()) {
        value = m.invoke(value);
      }
      if (s.optional()) {
        assertTrue(((Optional<?>) value).isPresent(), s.env() + " did not set " + s.name());
        value = ((Optional<?>) value).get();
      }
      if (value instanceof MemorySize size) {
        value = size.asLongValue();
      }
      assertEquals(expected.get(s), value, s.env() + " did not set " + s.name());
    }
  }

  /** A value for the setting unlike its default: as the environment gives it, and as read. */
  private static Object[] sample(ConfigReference.Setting s) {
    Class<?> c = s.valueClass();
    String def = s.defaultValue();
    if (c == int.class || c == Integer.class) {
      return new Object[] {"7", 7};
    }
    if (c == long.class || c == Long.class) {
      return new Object[] {"7", 7L};
    }
    if (c == boolean.class || c == Boolean.class) {
      boolean v = !"true".equals(def);
      return new Object[] {Boolean.toString(v), v};
    }
    if (c == Duration.class) {
      return new Object[] {"7s", Duration.ofSeconds(7)};
    }
    if (c == MemorySize.class) {
      return new Object[] {"7K", 7L * 1024};
    }
    if (c == String.class) {
      return new Object[] {"env-sample", "env-sample"};
    }
    if (c == List.class) {
      return new Object[] {"a,b", List.of("a", "b")};
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      Object v = constants[constants.length - 1];
      return new Object[] {v.toString(), v};
    }
    fail(
        s.name()
            + " has a type ("
            + c.getName()
            + ") this test has no sample value for: add one to ConfigReferenceTest.sample");
    return null;
  }
}
