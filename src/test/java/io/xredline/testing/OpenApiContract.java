package io.xredline.testing;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.http.ApiDescription;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * openapi.yaml as a test oracle: finds the documented operation for a method and a concrete path,
 * and validates a real response (status, media type, body, X-Request-ID) against what is documented,
 * with a JSON Schema 2020-12 validator. Every schema is compiled inside the whole document, so its
 * {@code $ref}s resolve exactly as an OpenAPI tool would resolve them.
 */
public final class OpenApiContract {
  public static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final OpenApiContract INSTANCE = new OpenApiContract(ApiDescription.parse(ApiDescription.read().yaml()));

  private final JsonObject document;
  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private final ConcurrentMap<String, Schema> schemas = new ConcurrentHashMap<>();
  private final Map<String, Pattern> templates = new LinkedHashMap<>();
  /** "METHOD template status" → how many live responses were checked against it. */
  private final ConcurrentMap<String, AtomicLong> checked = new ConcurrentHashMap<>();

  /** A documented operation: its method (upper case), path template and JSON pointer. */
  public record Operation(String method, String template, String pointer, JsonObject node) {
  }

  OpenApiContract(JsonObject document) {
    this.document = document;
    List<String> paths = new ArrayList<>(document.getJsonObject("paths").fieldNames());
    // literal paths before templated ones, so /a/b never matches /a/{x} first
    paths.sort((a, b) -> Boolean.compare(a.contains("{"), b.contains("{")));
    for (String template : paths) {
      templates.put(template, Pattern.compile("^" + Pattern.quote(template).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q") + "$"));
    }
  }

  public static OpenApiContract get() {
    return INSTANCE;
  }

  public JsonObject document() {
    return document.copy();
  }

  public Map<String, Long> checkedResponses() {
    Map<String, Long> out = new java.util.TreeMap<>();
    checked.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Every documented operation. */
  public List<Operation> operations() {
    List<Operation> out = new ArrayList<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String template : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(template);
      for (String method : METHODS) {
        if (item.containsKey(method)) {
          out.add(new Operation(method.toUpperCase(Locale.ROOT), template,
              "#/paths/" + escape(template) + "/" + method, item.getJsonObject(method)));
        }
      }
    }
    return out;
  }

  /** The documented path template a concrete (raw) path falls under. */
  public Optional<String> template(String rawPath) {
    return templates.entrySet().stream().filter(e -> e.getValue().matcher(rawPath).matches()).map(Map.Entry::getKey)
        .findFirst();
  }

  public Optional<Operation> operation(String method, String rawPath) {
    return template(rawPath).flatMap(template -> operations().stream()
        .filter(op -> op.template().equals(template) && op.method().equalsIgnoreCase(method)).findFirst());
  }

  /**
   * What is wrong with a real response, or nothing. Paths the document does not name are not
   * judged here (the router-coverage test judges them); a documented path with an undocumented
   * method must be the router's 405 envelope.
   */
  public List<String> check(String method, URI uri, int status, Function<String, Optional<String>> header, String body) {
    String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    Optional<String> template = template(rawPath);
    if (template.isEmpty()) {
      return List.of();
    }
    String where = method + " " + rawPath + " → " + status;
    Optional<Operation> operation = operation(method, rawPath);
    if (operation.isEmpty()) {
      if ("OPTIONS".equals(method) || "HEAD".equals(method)) {
        return List.of();
      }
      count(method + " " + template.get() + " " + status);
      List<String> problems = new ArrayList<>();
      if (status != 405) {
        problems.add(where + ": " + method + " is not documented for " + template.get() + ", so only 405 is expected");
      }
      problems.addAll(validate("#/components/schemas/Error", body, where));
      return problems;
    }
    Operation op = operation.get();
    count(op.method() + " " + op.template() + " " + status);
    JsonObject responses = op.node().getJsonObject("responses");
    String key = String.valueOf(status);
    if (!responses.containsKey(key)) {
      return List.of(where + ": status " + status + " is not documented for " + op.method() + " " + op.template()
          + " (documented: " + String.join(", ", responses.fieldNames()) + "); body: " + abbreviate(body));
    }
    String responsePointer = op.pointer() + "/responses/" + key;
    JsonObject response = responses.getJsonObject(key);
    if (response.containsKey("$ref")) {
      responsePointer = response.getString("$ref");
      response = (JsonObject) resolve(responsePointer);
    }
    List<String> problems = new ArrayList<>();
    if (response.containsKey("headers") && response.getJsonObject("headers").containsKey("X-Request-ID")
        && header.apply("X-Request-ID").isEmpty()) {
      problems.add(where + ": no X-Request-ID header");
    }
    JsonObject content = response.getJsonObject("content");
    if (content == null) {
      if (body != null && !body.isEmpty()) {
        problems.add(where + ": documented without a body, but one was sent");
      }
      return problems;
    }
    String mediaType = header.apply("Content-Type").map(t -> t.split(";")[0].trim().toLowerCase(Locale.ROOT)).orElse("");
    if (!content.containsKey(mediaType)) {
      problems.add(where + ": Content-Type " + mediaType + " is not documented (documented: "
          + String.join(", ", content.fieldNames()) + ")");
      return problems;
    }
    if (mediaType.endsWith("json") && content.getJsonObject(mediaType).containsKey("schema")) {
      problems.addAll(validate(responsePointer + "/content/" + escape(mediaType) + "/schema", body, where));
    }
    return problems;
  }

  /** Validates a JSON text against the schema at a JSON pointer into the document. */
  public List<String> validate(String pointer, String json, String where) {
    if (json == null || json.isBlank()) {
      return List.of(where + ": empty body where " + pointer + " is documented");
    }
    Schema schema = schemas.computeIfAbsent(pointer, this::compile);
    List<String> problems = new ArrayList<>();
    try {
      schema.validate(json, InputFormat.JSON).forEach(e -> problems.add(where + ": " + e + " (schema " + pointer + ")"));
    } catch (RuntimeException e) {
      problems.add(where + ": body is not JSON (" + e.getMessage() + "): " + abbreviate(json));
    }
    if (!problems.isEmpty()) {
      problems.add(where + ": body was " + abbreviate(json));
    }
    return problems;
  }

  /** The whole document as the schema resource, entered at {@code pointer}: unknown OpenAPI keys are mere annotations. */
  private Schema compile(String pointer) {
    if (resolve(pointer) == null) {
      throw new IllegalArgumentException("no schema at " + pointer);
    }
    JsonObject root = document.copy()
        .put("$schema", "https://json-schema.org/draft/2020-12/schema")
        .put("$ref", pointer);
    return registry.getSchema(root.encode(), InputFormat.JSON);
  }

  /** The node a local JSON pointer ({@code #/a/b~1c}) names, or null. */
  public Object resolve(String pointer) {
    Object node = document;
    for (String part : pointer.substring(2).split("/")) {
      String name = part.replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonObject o) {
        node = o.getValue(name);
      } else if (node instanceof JsonArray a && name.matches("\\d+")) {
        node = a.getValue(Integer.parseInt(name));
      } else {
        return null;
      }
    }
    return node;
  }

  public static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private void count(String key) {
    checked.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "(none)";
    }
    return text.length() > 400 ? text.substring(0, 400) + "…" : text;
  }
}
