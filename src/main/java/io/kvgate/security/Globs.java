package io.kvgate.security;

/** Bucket-name globs: {@code *} any run of characters, {@code ?} one character. */
public final class Globs {
  private Globs() {}

  /** Linear-time glob match (no backtracking blow-up on many stars). */
  public static boolean matches(String glob, String name) {
    int p = 0;
    int s = 0;
    int star = -1;
    int mark = 0;
    while (s < name.length()) {
      if (p < glob.length() && glob.charAt(p) == '*') {
        star = p++;
        mark = s;
      } else if (p < glob.length() && (glob.charAt(p) == '?' || glob.charAt(p) == name.charAt(s))) {
        p++;
        s++;
      } else if (star >= 0) {
        p = star + 1;
        s = ++mark;
      } else {
        return false;
      }
    }
    while (p < glob.length() && glob.charAt(p) == '*') {
      p++;
    }
    return p == glob.length();
  }
}
