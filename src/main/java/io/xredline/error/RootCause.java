package io.xredline.error;

/** What an operator reads when something below us failed: the innermost cause's message, not a wrapper's. */
public final class RootCause {
  private RootCause() {
  }

  public static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
