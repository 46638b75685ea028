package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** CONTRACT §11: {@code GET /openapi.yaml} and {@code /openapi.json}, from memory, revalidated by ETag. */
final class OpenApiRoutes {
  static final String YAML_PATH = "/openapi.yaml";
  static final String JSON_PATH = "/openapi.json";
  private final ApiDescription description;

  OpenApiRoutes(ApiDescription description) {
    this.description = description;
  }

  void mount(Router router) {
    router.get(YAML_PATH).handler(ctx -> send(ctx, "application/yaml; charset=utf-8", description.yaml(),
        description.yamlEtag()));
    router.get(JSON_PATH).handler(ctx -> send(ctx, "application/json; charset=utf-8", description.json(),
        description.jsonEtag()));
  }

  private static void send(RoutingContext ctx, String type, String body, String etag) {
    ctx.response().putHeader(HttpHeaders.ETAG, etag).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("W/" + etag))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type).end(body);
  }
}
