package io.kvgate.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The log filter drops records that carry a Redis URI with its password, and only those. */
class SecretsLogFilterTest {
  private final SecretsLogFilter filter = new SecretsLogFilter();

  private boolean loggable(String message, Object... params) {
    LogRecord r = new LogRecord(Level.WARNING, message);
    r.setParameters(params);
    return filter.isLoggable(r);
  }

  @Test
  void aRedisUriWithAPasswordIsDropped() {
    assertFalse(loggable("cannot reach redis://kvgate:s3cret@redis:6379/0"));
    assertFalse(loggable("cannot reach %s", "rediss://:s3cret@redis:6380"));
    LogRecord r = new LogRecord(Level.WARNING, "connect failed");
    r.setThrown(new IllegalStateException("rediss://app:pw@10.0.0.1:6379 refused"));
    assertFalse(filter.isLoggable(r));
  }

  @Test
  void aRedisUriWithoutOneIsKept() {
    assertTrue(loggable("cannot reach redis://redis:6379"));
    assertTrue(loggable("cannot reach redis://127.0.0.1:6379/0, retrying"));
    assertTrue(loggable("a sentinel at redis://s1:26379 answered"));
  }
}
