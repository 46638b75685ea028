package io.xredline.kms;

/** The configured root key is not the one this database's data keys are wrapped with. */
public final class WrongRootKeyException extends IllegalStateException {
  static final String MESSAGE = "the root key (security.kms.master_key / XREDLINE_MASTER_KEY) is not the one this"
      + " database was encrypted with (its key-check value differs); start with the original root key"
      + " (docs/operations.md, \"The service refuses the root key\")";

  WrongRootKeyException() {
    super(MESSAGE, null);
  }
}
