package io.xredline.fuzz;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessage;
import io.xredline.api.auth.v1.AuthProto;
import io.xredline.api.helloworld.v1.GreeterProto;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.PropertyTimeout;
import io.xredline.testing.RawHttp;
import io.xredline.testing.TestApp;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based abuse of every REST route and every gRPC method (CONTRACT §3: no input may ever
 * produce a 500): random bytes, JSON of the wrong types, deep nesting, huge and unicode values,
 * malformed query strings and percent-encoding, garbage Authorization headers and forwarding
 * headers. Each answer must be below 500 (gRPC: not INTERNAL/UNKNOWN/UNAVAILABLE/DATA_LOSS), an
 * error must be the envelope, and nothing may show a stack trace or a class name; afterwards the
 * service must still be ready. One app runs with limits off (the fuzzer is one address and would
 * only meet 429s), one with the shipped limits on. Shrunk failures live on as plain tests in
 * MalformedInputTest.
 */
class RequestFuzzTest {
  static final String CODE = "Q7XK2M";
  private static final AtomicLong REQUESTS = new AtomicLong();
  private static final Pattern LEAK = Pattern.compile("Exception|\\tat |\\b(?:java|javax|io\\.vertx|io\\.netty|io\\.xredline|"
      + "com\\.fasterxml|com\\.google)\\.[a-z]");
  /** 5xx-like gRPC codes; everything else is a deliberate answer. */
  private static final Set<String> GRPC_FAILURES = Set.of("INTERNAL", "UNKNOWN", "UNAVAILABLE", "DATA_LOSS", "UNIMPLEMENTED");
  private static long began;
  private static TestApp open;
  private static TestApp limited;
  private static GrpcCalls openCalls;
  private static GrpcCalls limitedCalls;

  record Route(String method, String template) {
    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  /** Every REST route of CONTRACT §3 and the project's own (audit, jwks), {p} marking a path parameter. */
  static final List<Route> ROUTES = List.of(
      new Route("GET", "/helloworld/{p}"), new Route("POST", "/helloworld"),
      new Route("GET", "/api/v1/auth/captcha"), new Route("POST", "/api/v1/auth/captcha/verify"),
      new Route("POST", "/api/v1/auth/register"), new Route("POST", "/api/v1/auth/login"),
      new Route("POST", "/api/v1/auth/refresh"), new Route("POST", "/api/v1/auth/logout"),
      new Route("GET", "/api/v1/auth/me"), new Route("GET", "/api/v1/auth/lock-status/{p}"),
      new Route("POST", "/api/v1/auth/totp/setup"), new Route("POST", "/api/v1/auth/totp/enable"),
      new Route("POST", "/api/v1/auth/totp/disable"), new Route("GET", "/.well-known/jwks.json"),
      new Route("GET", "/api/v1/audit"),
      new Route("POST", "/api/v1/auth/password"), new Route("POST", "/api/v1/auth/password/forgot"),
      new Route("POST", "/api/v1/auth/password/reset"), new Route("POST", "/api/v1/auth/email/verify"),
      new Route("POST", "/api/v1/auth/phone/verify"), new Route("GET", "/api/v1/auth/sessions"),
      new Route("DELETE", "/api/v1/auth/sessions/{p}"), new Route("POST", "/api/v1/admin/users/{p}/unlock"),
      new Route("POST", "/api/v1/admin/users/{p}/disable"), new Route("POST", "/api/v1/admin/users/{p}/enable"),
      new Route("POST", "/api/v1/admin/users/{p}/totp/reset"),
      // the same paths with the wrong method, and a path no route has
      new Route("DELETE", "/api/v1/auth/login"), new Route("PUT", "/helloworld/{p}"), new Route("GET", "/api/v1/{p}"));

  static final List<String> FIELDS = List.of("username", "password", "email", "phone", "captcha_id", "captcha_code",
      "totp_code", "refresh_token", "all_sessions", "name", "target", "current_password", "new_password", "code",
      "recovery_code");

  record RestCase(Route route, String path, String query, String authorization, String contentType, byte[] body,
                  String forwarded) {
    @Override
    public String toString() {
      return route + " path=" + shown(path) + " query=" + shown(query) + " auth=" + shown(authorization) + " type=" + contentType
          + " body=" + new String(body, 0, Math.min(body.length, 300), StandardCharsets.ISO_8859_1)
          + (body.length > 300 ? "…(" + body.length + " bytes)" : "") + " xff=" + forwarded;
    }
  }

  record GrpcCase(String method, byte[] payload, String encoding, String authorization, String forwarded) {
    @Override
    public String toString() {
      return method + " payload=" + Base64.getEncoder().encodeToString(payload.length > 300
          ? java.util.Arrays.copyOf(payload, 300) : payload) + " (" + payload.length + " bytes) auth=" + shown(authorization)
          + " xff=" + shown(forwarded) + " encoding=" + encoding;
    }
  }

  @BeforeContainer
  static void start() {
    began = System.nanoTime();
    open = TestApp.start("fuzzopen", Map.of("auth.captcha.fixed_code", CODE, "security.trusted_proxies", "127.0.0.1"));
    limited = TestApp.start("fuzzlimited", Map.of("auth.captcha.fixed_code", CODE, "security.rate_limit.enabled", "true"));
    openCalls = new GrpcCalls(open.grpcPort());
    limitedCalls = new GrpcCalls(limited.grpcPort());
  }

  @AfterContainer
  static void stop() {
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    System.out.println("request fuzz: " + REQUESTS.get() + " requests in " + ms + " ms (start-up included)");
    openCalls.close();
    limitedCalls.close();
    open.close();
    limited.close();
  }

  @AfterProperty
  void stillReady() {
    for (TestApp app : List.of(open, limited)) {
      assertThat(app.get("/healthz/ready").statusCode()).as("ready after the fuzz").isEqualTo(200);
    }
  }

  // ---- properties ----

  // 6,000 HTTP requests on a loaded two-core machine take minutes, not the default 30 s
  @Property(tries = 6000, shrinking = ShrinkingMode.BOUNDED)
  @PropertyTimeout(seconds = 900)
  void everyRestRouteAnswersBelow500(@ForAll("restCases") RestCase c) {
    assertRest(open, c);
  }

  // 3,500 gRPC calls: minutes on a loaded machine
  @Property(tries = 3500, shrinking = ShrinkingMode.BOUNDED)
  @PropertyTimeout(seconds = 900)
  void everyGrpcMethodAnswersWithoutFailing(@ForAll("grpcCases") GrpcCase c) {
    assertGrpc(openCalls, c);
  }

  // the same inputs against the shipped limits: 429/RESOURCE_EXHAUSTED are fine, failures are not
  @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
  @PropertyTimeout(seconds = 600)
  void withLimitsOn(@ForAll("restCases") RestCase rest, @ForAll("grpcCases") GrpcCase grpc) {
    assertRest(limited, rest);
    assertGrpc(limitedCalls, grpc);
  }

  static void assertRest(TestApp app, RestCase c) {
    RawHttp.Response r = send(app, c);
    REQUESTS.incrementAndGet();
    assertThat(r.status()).as("status for %s: %s", c, r.body()).isLessThan(500);
    if (r.status() >= 400 && !c.route().method().equals("HEAD")) {
      JsonObject body = new JsonObject(r.body());
      assertThat(body.getInteger("code")).as("envelope for %s", c).isEqualTo(r.status());
      assertThat(body.getString("reason")).isNotBlank();
      assertThat(body.getString("request_id")).isNotBlank();
      assertThat(LEAK.matcher(r.body()).find()).as("internals in %s for %s", r.body(), c).isFalse();
    } else {
      assertThat(r.body()).doesNotContain("\tat ");
    }
  }

  static void assertGrpc(GrpcCalls calls, GrpcCase c) {
    Outcome o = call(calls, c);
    REQUESTS.incrementAndGet();
    assertThat(GRPC_FAILURES).as("gRPC status %s (%s) for %s", o.status, o.message, c).doesNotContain(o.status);
    assertThat(o.message == null || !LEAK.matcher(o.message).find()).as("internals in %s for %s", o.message, c).isTrue();
  }

  // ---- generators ----

  @Provide
  Arbitrary<RestCase> restCases() {
    return Combinators.combine(Arbitraries.of(ROUTES), pathValues(), queries(), authorizations(), contentTypes(), bodies(),
        forwarded()).as(RestCase::new);
  }

  @Provide
  Arbitrary<GrpcCase> grpcCases() {
    Arbitrary<String> methods = Arbitraries.of(grpcMethods());
    // gzip with a payload that is not gzip: the decompression must fail as cleanly as a bad message
    Arbitrary<String> encodings = Arbitraries.frequency(net.jqwik.api.Tuple.of(9, "identity"), net.jqwik.api.Tuple.of(1, "gzip"));
    return Combinators.combine(methods, Arbitraries.integers().between(0, 3), randomBytes(600), strings(64), encodings,
            authorizations(), forwarded())
        .as((method, kind, bytes, text, encoding, auth, xff) ->
            new GrpcCase(method, payload(method, kind, bytes, text), encoding, underHeaderLimit(auth), xff));
  }

  /**
   * gRPC metadata stays below HTTP/2's header list limit (8 KB by default): a bigger block is refused
   * by the HTTP/2 codec before any request exists (the stream is reset, as a REST header flood gets
   * 400 from the HTTP/1 decoder); a codec limit, not the service's answer, so not fuzzed here.
   */
  static String underHeaderLimit(String value) {
    return value == null || value.length() <= 4000 ? value : value.substring(0, 4000);
  }

  /** Long generated values shortened in failure reports, which must stay readable. */
  static String shown(String value) {
    return value == null || value.length() <= 200 ? value : value.substring(0, 200) + "…(" + value.length() + " chars)";
  }

  static Arbitrary<String> strings(int max) {
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().withChars("_-.@+").ofMaxLength(max),
        Arbitraries.strings().all().ofMaxLength(max),
        Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(8),
        Arbitraries.of("", " ", "\u0000", "\ud83d\ude00\u202e", "13812345678", "+8613812345678", "a@b.co", "image", "sms",
            "email", "' OR 1=1 --", "${jndi:ldap://x}", "../../etc/passwd", "%00", "null", "true", "-1", "9".repeat(40)));
  }

  static Arbitrary<byte[]> randomBytes(int max) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
  }

  /** Raw request-target text: no spaces or line breaks (those end the request line and are the decoder's business). */
  static String raw(String s) {
    return s.replaceAll("[\\s\\u0085\\u2028\\u2029]", "_");
  }

  static Arbitrary<String> pathValues() {
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40),
        Arbitraries.strings().withChars("%0123456789abcdefABCDEFzZ/._-~").ofMinLength(1).ofMaxLength(30),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
        Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofMinLength(1).ofMaxLength(20),
        Arbitraries.integers().between(100, 9000).map("a"::repeat),
        Arbitraries.of("%", "%%", "%z", "%zz", "%ff", "%c0%af", "%ed%a0%80", "%00", "..%2f..%2f", ".", "..", "%2e%2e"))
        .map(RequestFuzzTest::raw);
  }

  static Arbitrary<String> queries() {
    Arbitrary<String> names = Arbitraries.of("captcha_type", "target", "user", "from", "to", "limit", "cursor", "name", "x",
        "%", "%zz", "captcha%5Ftype");
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("image", "sms", "email", "fax", "%", "%z", "%ff", "%00",
            "13812345678", "a%40b.co", "2025-01-01", "-1", "99999999999999999999", ""),
        strings(40).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
        Arbitraries.integers().between(500, 3000).map("v"::repeat));
    Arbitrary<String> pair = Combinators.combine(names, values, Arbitraries.of("=", "", "==")).as((n, v, eq) -> n + eq + v);
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        pair.list().ofMaxSize(40).map(l -> "?" + String.join("&", l)),
        Arbitraries.strings().withChars("%&=+;?abcXYZ019\u00ff/").ofMaxLength(60).map(s -> "?" + s))
        .map(RequestFuzzTest::raw);
  }

  static Arbitrary<String> authorizations() {
    Arbitrary<String> b64 = randomBytes(120).map(b -> Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    return Arbitraries.oneOf(
        Arbitraries.just((String) null),
        strings(200).map(s -> "Bearer " + s),
        Arbitraries.of("Bearer", "Bearer ", "bearer x", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer ...", "Token x"),
        Combinators.combine(b64, b64, b64).as((h, p, s) -> "Bearer " + h + "." + p + "." + s),
        Arbitraries.of("{\"alg\":\"none\"}", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"alg\":\"RS256\",\"kid\":\"../x\"}", "[]", "{")
            .map(h -> "Bearer " + Base64.getUrlEncoder().withoutPadding().encodeToString(h.getBytes(StandardCharsets.UTF_8))
                + ".eyJzdWIiOiIxIiwidHlwIjoiYWNjZXNzIn0.x"),
        Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofMaxLength(60).map(s -> "Bearer " + s),
        Arbitraries.integers().between(1000, 9000).map(n -> "Bearer " + "A".repeat(n)))
        .map(s -> s == null ? null : s.replaceAll("[\\r\\n]", ""));
  }

  static Arbitrary<String> contentTypes() {
    return Arbitraries.oneOf(Arbitraries.of("application/json", "application/json; charset=utf-8", "text/plain",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=\u00ff",
            "APPLICATION/JSON", "application/jsonx", "*/*", ""),
        Arbitraries.just((String) null),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40));
  }

  static Arbitrary<String> forwarded() {
    return Arbitraries.oneOf(Arbitraries.just((String) null),
        Arbitraries.of("203.0.113.9", "2001:db8::1", "[2001:db8::1]:443, 10.0.0.1", "unknown", "1.2.3.4, ,,", "999.1.1.1"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80));
  }

  static Arbitrary<byte[]> bodies() {
    Arbitrary<Object> value = Arbitraries.oneOf(
        strings(80).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just((Object) null),
        strings(20).list().ofMaxSize(5).map(l -> (Object) new JsonArray(new ArrayList<>(l))),
        strings(20).map(s -> (Object) new JsonObject().put("$gt", s)),
        Arbitraries.integers().between(10_000, 200_000).map(n -> (Object) "\u00e9".repeat(n)));
    Arbitrary<byte[]> typedJson = Combinators.combine(Arbitraries.of(FIELDS).set().ofMaxSize(6), value.list().ofSize(6))
        .as((fields, values) -> {
          JsonObject o = new JsonObject();
          int i = 0;
          for (String f : fields) {
            o.put(f, values.get(i++));
          }
          return o.encode().getBytes(StandardCharsets.UTF_8);
        });
    Arbitrary<byte[]> nested = Combinators.combine(Arbitraries.integers().between(1, 5000), Arbitraries.of("[", "{\"a\":"))
        .as((depth, open) -> (open.repeat(depth) + "1" + (open.equals("[") ? "]" : "}").repeat(depth))
            .getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> escapes = Arbitraries.of("{\"username\":\"\\u0000\",\"password\":\"x\",\"captcha_id\":\"a\",\"captcha_code\":\"b\"}",
            "{\"name\":\"\\ud800\"}", "{\"username\":\"\\udfff@x.co\",\"password\":\"\\u0000\"}", "{\"name\":\"\\u0000\"}",
            "{\"refresh_token\":\"\\u202e\"}", "{\"all_sessions\":\"true\"}", "{\"a\":1,\"a\":2}", "{\"name\":1e999}",
            "{\"name\":\"x\"} trailing", "\ufeff{\"name\":\"bom\"}", "null", "[]", "\"x\"", "{")
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(Arbitraries.just(new byte[0]), randomBytes(2000), typedJson, nested, escapes);
  }

  static List<String> grpcMethods() {
    List<String> methods = new ArrayList<>();
    for (Descriptors.ServiceDescriptor service : List.of(AuthProto.getDescriptor().findServiceByName("Auth"),
        GreeterProto.getDescriptor().findServiceByName("Greeter"))) {
      for (Descriptors.MethodDescriptor m : service.getMethods()) {
        methods.add(service.getFullName() + "/" + m.getName());
      }
    }
    return methods;
  }

  /** 0: random bytes; 1: the method's message with every string field set to {@code text}; 2: that message truncated; 3: empty. */
  static byte[] payload(String method, int kind, byte[] bytes, String text) {
    if (kind == 0) {
      return bytes;
    }
    if (kind == 3) {
      return new byte[0];
    }
    byte[] message = message(method, text);
    return kind == 1 ? message : java.util.Arrays.copyOf(message, Math.max(0, message.length - 1 - bytes.length % 5));
  }

  static byte[] message(String method, String text) {
    String service = method.substring(0, method.indexOf('/'));
    String name = method.substring(method.indexOf('/') + 1);
    Descriptors.FileDescriptor file = service.startsWith("auth") ? AuthProto.getDescriptor() : GreeterProto.getDescriptor();
    Descriptors.MethodDescriptor m = file.findServiceByName(service.substring(service.lastIndexOf('.') + 1)).findMethodByName(name);
    DynamicMessage.Builder b = DynamicMessage.newBuilder(m.getInputType());
    for (Descriptors.FieldDescriptor f : m.getInputType().getFields()) {
      switch (f.getJavaType()) {
        case STRING -> b.setField(f, text);
        case BOOLEAN -> b.setField(f, text.length() % 2 == 0);
        case INT -> b.setField(f, text.length() - 20);
        case LONG -> b.setField(f, (long) text.hashCode());
        default -> { }
      }
    }
    return b.build().toByteArray();
  }

  // ---- transports ----

  static RawHttp.Response send(TestApp app, RestCase c) {
    String path = c.route().template().replace("{p}", c.path());
    StringBuilder head = new StringBuilder(c.route().method()).append(' ').append(path).append(c.query()).append(" HTTP/1.1");
    if (c.authorization() != null) {
      head.append("\r\nAuthorization: ").append(c.authorization());
    }
    if (c.contentType() != null) {
      head.append("\r\nContent-Type: ").append(c.contentType());
    }
    if (c.forwarded() != null) {
      head.append("\r\nX-Forwarded-For: ").append(c.forwarded());
    }
    return RawHttp.send(app.httpPort(), head.toString().getBytes(StandardCharsets.ISO_8859_1), c.body());
  }

  record Outcome(String status, String message) {
  }

  static Outcome call(GrpcCalls calls, GrpcCase c) {
    try {
      return calls.client().request(calls.address()).compose(req -> {
        req.fullMethodName(c.method());
        if (c.authorization() != null) {
          req.headers().set("authorization", h2Value(c.authorization()));
        }
        if (c.forwarded() != null) {
          req.headers().set("x-forwarded-for", h2Value(c.forwarded()));
        }
        if (!c.encoding().equals("identity")) {
          req.headers().set("grpc-encoding", c.encoding());
        }
        return req.endMessage(GrpcMessage.message(c.encoding(), Buffer.buffer(c.payload()))).compose(v -> req.response());
      }).compose(resp -> {
        resp.handler(ignored -> { });
        return resp.end().map(v -> outcome(resp)).otherwise(e -> outcome(resp));
      }).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("gRPC " + c + ": " + e, e);
    }
  }

  /**
   * What the HTTP/2 client sends at all (RFC 9113 §8.2.1 and Vert.x' own check: no control
   * characters but tab, no leading or trailing whitespace, octets only); it refuses the rest locally.
   */
  static String h2Value(String value) {
    return value.replaceAll("[\\x00-\\x08\\x0a-\\x1f\\x7f]", "").replaceAll("[^\\x00-\\xff]", "?").strip();
  }

  private static Outcome outcome(GrpcClientResponse<Buffer, Buffer> resp) {
    return new Outcome(resp.status() == null ? "UNKNOWN" : resp.status().name(), resp.statusMessage());
  }
}
