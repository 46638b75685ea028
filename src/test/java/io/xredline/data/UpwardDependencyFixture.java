package io.xredline.data;

import io.xredline.auth.AuthApi;

/** Only for ArchitectureTest's proof that its rules fail: infrastructure reaching up into a capability. */
public final class UpwardDependencyFixture {
  AuthApi.Principal principal;
}
