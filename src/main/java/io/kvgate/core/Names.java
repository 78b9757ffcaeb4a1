package io.kvgate.core;

import io.kvgate.error.KvException;
import java.util.regex.Pattern;

/** The naming rules of the model: bucket names, entry keys and key prefixes. */
public final class Names {
  /** Longest entry key, in bytes (keys are ASCII). */
  public static final int MAX_KEY_LENGTH = 512;

  private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final String KEY_CHARS = "A-Za-z0-9!'()*\\-_.=:@~/";
  private static final Pattern KEY = Pattern.compile("[" + KEY_CHARS + "]{1,512}");
  private static final Pattern PREFIX = Pattern.compile("[" + KEY_CHARS + "]{0,512}");
  private static final Pattern GLOB = Pattern.compile("[" + KEY_CHARS + "?]{1,512}");

  private Names() {}

  public static boolean isBucketName(String name) {
    return name != null && BUCKET.matcher(name).matches();
  }

  /** Throws a 400 unless {@code name} is a valid bucket name. */
  public static String requireBucketName(String name) {
    if (name == null || name.isEmpty()) {
      throw KvException.validation("bucket name is required");
    }
    if (!isBucketName(name)) {
      throw KvException.validation(
          "invalid bucket name: use 1-63 characters A-Z a-z 0-9 _ -, starting with a letter or"
              + " digit");
    }
    return name;
  }

  /** Why {@code key} is not a valid entry key, or null when it is. */
  public static String keyProblem(String key) {
    if (key == null || key.isEmpty()) {
      return "key is required";
    }
    if (key.length() > MAX_KEY_LENGTH) {
      return "key is longer than " + MAX_KEY_LENGTH + " characters";
    }
    if (!KEY.matcher(key).matches()) {
      return "key has characters outside A-Z a-z 0-9 ! ' ( ) * - _ . = : @ ~ /";
    }
    if (key.startsWith("/") || key.endsWith("/")) {
      return "key must not start or end with /";
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "key must not have an empty, '.' or '..' segment";
      }
    }
    return null;
  }

  /** Throws a 400 unless {@code key} is a valid entry key. */
  public static String requireKey(String key) {
    String problem = keyProblem(key);
    if (problem != null) {
      throw KvException.validation(problem);
    }
    return key;
  }

  /** Throws a 400 unless {@code prefix} could start a valid key; null becomes "". */
  public static String requirePrefix(String prefix) {
    if (prefix == null) {
      return "";
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw KvException.validation(
          "prefix must be at most 512 characters of A-Z a-z 0-9 ! ' ( ) * - _ . = : @ ~ /");
    }
    return prefix;
  }

  /**
   * Throws a 400 unless {@code glob} is a key pattern of key characters, {@code *} and {@code ?}.
   */
  public static String requireGlob(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw KvException.validation("search is required: a key pattern such as user*");
    }
    if (!GLOB.matcher(glob).matches()) {
      throw KvException.validation(
          "search must be at most 512 characters of key characters and the wildcards * and ?");
    }
    return glob;
  }

  /** The literal part of a glob before its first wildcard. */
  public static String globPrefix(String glob) {
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?') {
        return glob.substring(0, i);
      }
    }
    return glob;
  }
}
