package io.kvgate.security;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of the logs whatever the log levels: a record whose message, parameters or
 * exception text holds an API key, a JWT (some token libraries print the token they refuse at
 * DEBUG) or a Redis URI with its password is dropped.
 */
@LoggingFilter(name = "kvgate-secrets")
public final class SecretsLogFilter implements Filter {
  private static final Pattern SECRET =
      Pattern.compile(
          "kvg_[0-9A-Za-z]{32,}|eyJ[0-9A-Za-z_-]{4,}\\.[0-9A-Za-z_-]{4,}"
              // A Redis URI with a password in it (redis://user:password@host).
              + "|rediss?://[^\\s/@:]*:[^\\s/@]+@");

  @Override
  public boolean isLoggable(LogRecord record) {
    if (holdsSecret(record.getMessage())) {
      return false;
    }
    Object[] params = record.getParameters();
    if (params != null) {
      for (Object p : params) {
        if (p != null && holdsSecret(p.toString())) {
          return false;
        }
      }
    }
    for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
      if (holdsSecret(t.getMessage())) {
        return false;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return true;
  }

  private static boolean holdsSecret(String text) {
    return text != null && SECRET.matcher(text).find();
  }
}
