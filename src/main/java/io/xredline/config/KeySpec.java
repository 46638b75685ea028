package io.xredline.config;

/** A configuration key as the parser reads it: its dotted path and what it accepts. */
public record KeySpec(String path, String type) {
  /** The generic environment override for this key, e.g. {@code XREDLINE_SERVER__HTTP__PORT}. */
  public String environmentVariable() {
    return ConfigLoader.ENV_PREFIX + path.toUpperCase(java.util.Locale.ROOT).replace(".", "__");
  }
}
