package io.xredline.app;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** Test-only: what ArchitectureTest's bean-mapping rule must refuse. Never called. */
public final class BeanMappingFixture {
  record Bean(String name) { }

  private BeanMappingFixture() {
  }

  static Bean roundTrip(Bean bean) {
    JsonObject json = JsonObject.mapFrom(bean);
    Json.decodeValue(json.encode(), Bean.class);
    return json.mapTo(Bean.class);
  }
}
