package io.xredline.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every violation found in one pass, so an operator fixes them all at once. */
public final class InvalidConfigException extends RuntimeException {
  private final transient List<Violation> violations;

  public InvalidConfigException(List<Violation> violations) {
    super(violations.stream().map(Violation::toString).collect(Collectors.joining("\n")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
