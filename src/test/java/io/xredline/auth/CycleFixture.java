package io.xredline.auth;

import io.xredline.data.UpwardDependencyFixture;

/** Only for ArchitectureTest's proof that its rules fail: closes the cycle auth → data → auth. */
final class CycleFixture {
  UpwardDependencyFixture fixture;
}
