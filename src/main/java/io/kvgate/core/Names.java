package io.kvgate.core;

import io.kvgate.error.KvException;

/** The naming rules of the model: bucket names, entry keys and key prefixes. */
public final class Names {
  /** Longest entry key, in bytes (keys are ASCII). */
  public static final int MAX_KEY_LENGTH = 512;

  /** The characters of a key (ASCII): letters, digits and {@code ! ' ( ) * - _ . = : @ ~ /}. */
  private static final boolean[] KEY_CHAR = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      KEY_CHAR[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      KEY_CHAR[c] = true;
      KEY_CHAR[c + 32] = true;
    }
    for (char c : "!'()*-_.=:@~/".toCharArray()) {
      KEY_CHAR[c] = true;
    }
  }

  private Names() {}

  /** 1-63 characters A-Z a-z 0-9 _ -, starting with a letter or digit. */
  public static boolean isBucketName(String name) {
    if (name == null || name.isEmpty() || name.length() > 63) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = c < 128 && Character.isLetterOrDigit(c);
      if (!alnum && (i == 0 || (c != '_' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isKeyChar(char c) {
    return c < 128 && KEY_CHAR[c];
  }

  /** Whether every character of {@code s} is a key character, or a {@code ?} where allowed. */
  private static boolean keyChars(String s, boolean questionMark) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isKeyChar(c) && !(questionMark && c == '?')) {
        return false;
      }
    }
    return true;
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
    if (!keyChars(key, false)) {
      return "key has characters outside A-Z a-z 0-9 ! ' ( ) * - _ . = : @ ~ /";
    }
    if (key.charAt(0) == '/' || key.charAt(key.length() - 1) == '/') {
      return "key must not start or end with /";
    }
    int start = 0;
    while (start <= key.length()) {
      int end = key.indexOf('/', start);
      if (end < 0) {
        end = key.length();
      }
      int n = end - start;
      if (n == 0
          || (n == 1 && key.charAt(start) == '.')
          || (n == 2 && key.charAt(start) == '.' && key.charAt(start + 1) == '.')) {
        return "key must not have an empty, '.' or '..' segment";
      }
      start = end + 1;
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
    if (prefix.length() > MAX_KEY_LENGTH || !keyChars(prefix, false)) {
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
    if (glob.length() > MAX_KEY_LENGTH || !keyChars(glob, true)) {
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
