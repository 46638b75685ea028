package io.xredline.config;

/** One problem with one configuration key, printed as {@code path: problem (got value)}. */
public record Violation(String path, String problem, String shownValue) {
  @Override
  public String toString() {
    return shownValue == null ? path + ": " + problem : path + ": " + problem + " (got " + shownValue + ")";
  }
}
