"""scripts/bench profile: folds a JFR recording's CPU and allocation samples into what costs what.

usage: jfr_fold.py CPU.json ALLOC.json WRK.json [FOLDED_OUT]
  CPU.json    `jfr print --json --events jdk.ExecutionSample,jdk.CPULoad,jdk.GarbageCollection REC.jfr`
  ALLOC.json  `jfr print --json --events jdk.ObjectAllocationSample REC.jfr`
  WRK.json    the route.lua summary of the load that ran during the recording (requests, duration)
  FOLDED_OUT  optional: stacks in the folded format (root;...;leaf count) for flame-graph tools

Prints markdown: per feature of the request path, the share of CPU samples whose stack passes
through it (inclusive, so features nest and shares overlap) turned into CPU microseconds per
request, the hottest leaf frames, the hottest frames of io.xredline, and the allocation sites.
"""
import collections
import json
import os
import re
import sys

# feature -> regex over "class.method" of any frame in the stack (inclusive attribution)
FEATURES = [
    ("request id (X-Request-ID, UUID)", r"^io\.xredline\.http\.RequestIds\.|^java\.util\.UUID\.randomUUID"),
    ("request context / trace ids (RequestContext)", r"^io\.xredline\.observability\.RequestContext\."),
    ("access log (HttpAccessLog + AccessLog)", r"^io\.xredline\.http\.HttpAccessLog|^io\.xredline\.observability\.AccessLog\."),
    ("logging (logback/logstash encoder)", r"^ch\.qos\.logback\.|^net\.logstash\."),
    ("log masking", r"^io\.xredline\.observability\.(LogMasking|MaskingJsonDecorator|MaskingLayout)"),
    ("security headers", r"^io\.xredline\.http\.SecurityHeaders\."),
    ("timeout timer (TimeoutHandler)", r"^io\.vertx\.ext\.web\.handler\.impl\.TimeoutHandlerImpl"),
    ("body handler (BodyHandler)", r"^io\.vertx\.ext\.web\.handler\.impl\.BodyHandlerImpl"),
    ("CORS", r"^io\.vertx\.ext\.web\.handler\.impl\.CorsHandlerImpl"),
    ("failure/error rendering (HttpErrors)", r"^io\.xredline\.http\.HttpErrors\."),
    ("metrics (Micrometer, vertx-micrometer)", r"^io\.micrometer\.|^io\.vertx\.micrometer\."),
    ("tracing (OpenTelemetry)", r"^io\.opentelemetry\.|^io\.vertx\.tracing\."),
    ("event bus (send, codec, delivery, reply)", r"^io\.vertx\.core\.eventbus\."),
    ("health checks (vertx-health-check + HealthVerticle)", r"^io\.vertx\.ext\.healthchecks\.|^io\.xredline\.health\."),
    ("JSON (Vert.x JsonObject / Jackson)", r"^io\.vertx\.core\.json\.|^com\.fasterxml\.jackson\."),
    ("JWT verify (vertx-auth-jwt, HMAC)", r"^io\.vertx\.ext\.auth\.|^io\.vertx\.ext\.jwt\.|^javax\.crypto\.Mac\.|^io\.xredline\.auth\.Tokens\."),
    ("Redis client", r"^io\.vertx\.redis\."),
    ("PostgreSQL client", r"^io\.vertx\.pgclient\.|^io\.vertx\.sqlclient\."),
    ("router dispatch (vertx-web core)", r"^io\.vertx\.ext\.web\.impl\.(RouterImpl|RoutingContextImpl|RouteState|RoutingContextWrapper)"),
    ("HTTP/1.1 server (Vert.x http impl)", r"^io\.vertx\.core\.http\.impl\."),
    ("Netty (pipeline, codecs, epoll/NIO)", r"^io\.netty\."),
    ("regex (java.util.regex)", r"^java\.util\.regex\."),
    ("Vert.x timers (scheduleTimeout / cancel)", r"^io\.vertx\.core\.impl\.VertxImpl\.(scheduleTimeout|setTimer|cancelTimer)"),
]
COMPILED = [(name, re.compile(rx)) for name, rx in FEATURES]


def events(path, kind=None):
    data = json.load(open(path))
    for e in data.get("recording", {}).get("events", []):
        if kind is None or e.get("type") == kind:
            yield e


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    out = []
    for f in trace.get("frames") or []:
        m = f.get("method") or {}
        cls = (m.get("type") or {}).get("name", "?").replace("/", ".")
        out.append(f"{cls}.{m.get('name', '?')}")
    return out  # leaf first


def thread_group(event):
    t = event["values"].get("sampledThread") or event["values"].get("eventThread") or {}
    name = t.get("javaName") or t.get("osName") or "?"
    name = re.sub(r"-?\d+$", "-N", name)
    return name


def duration_ms(iso):
    """JFR prints durations as ISO-8601 (PT0.0753S)."""
    m = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", iso or "")
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0


def short(fr):
    parts = fr.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else fr


def callers(stack, depth=6):
    """The frames above the leaf, leaf first, JDK frames skipped after the first."""
    kept = [stack[0]] + [f for f in stack[1:] if not f.startswith(("java.", "jdk.", "sun."))]
    return " < ".join(short(f) for f in kept[:depth])


def pct(n, total):
    return 100.0 * n / total if total else 0.0


def main():
    cpu_path, alloc_path, wrk_path = sys.argv[1:4]
    folded_out = sys.argv[4] if len(sys.argv) > 4 else None
    wrk = json.load(open(wrk_path))
    seconds = wrk["duration_us"] / 1e6
    requests = wrk["requests"]

    samples = list(events(cpu_path, "jdk.ExecutionSample"))
    loads = [e["values"] for e in events(cpu_path, "jdk.CPULoad")]
    gcs = [e["values"] for e in events(cpu_path, "jdk.GarbageCollection")]
    total = len(samples)
    groups = collections.Counter(thread_group(e) for e in samples)
    stacks = [frames(e) for e in samples]

    # the server's CPU (user + system) while wrk ran, from /proc/PID/stat; JFR's CPULoad as a fallback
    cores = os.cpu_count() or 1
    loads = [v for v in loads if v.get("machineTotal", 0) > 0]
    jvm_share = (sum(v.get("jvmUser", 0) + v.get("jvmSystem", 0) for v in loads) / len(loads)) if loads else 0
    machine_share = (sum(v.get("machineTotal", 0) for v in loads) / len(loads)) if loads else 0
    cpu_seconds = wrk["server_cpu_us"] / 1e6 if "server_cpu_us" in wrk else jvm_share * cores * seconds
    us_per_request = cpu_seconds * 1e6 / requests if requests else 0

    print(f"### JFR: {requests} requests in {seconds:.1f} s = {requests / seconds:,.0f} rps "
          f"(p50 {wrk['p50_us'] / 1000:.2f} ms, p99 {wrk['p99_us'] / 1000:.2f} ms)\n")
    print(f"- CPU samples (Java code only; time in syscalls and GC is not sampled): {total}; server CPU "
          f"{cpu_seconds:.1f} s over {seconds:.0f} s on {cores} cores (JFR: JVM {jvm_share * 100:.0f} %, machine "
          f"{machine_share * 100:.0f} %) = **{us_per_request:.1f} CPU µs per request**")
    pauses = [duration_ms(g.get("sumOfPauses")) for g in gcs]
    print(f"- GC: {len(gcs)} collections, {sum(pauses):.0f} ms of pauses in {seconds:.0f} s; machine load {wrk.get('loadavg', '?')}")
    print("- samples by thread: " + ", ".join(f"{g} {pct(n, total):.0f} %" for g, n in groups.most_common(6)))
    print()

    print("| feature (inclusive: a stack through it counts) | % of CPU samples | ≈ CPU µs / request |")
    print("|---|---|---|")
    feature_counts = collections.Counter()
    for st in stacks:
        hit = set()
        for fr in st:
            for name, rx in COMPILED:
                if name not in hit and rx.search(fr):
                    hit.add(name)
        feature_counts.update(hit)
    for name, _ in FEATURES:
        n = feature_counts.get(name, 0)
        if n:
            print(f"| {name} | {pct(n, total):.1f} | {pct(n, total) * us_per_request / 100:.1f} |")
    print()

    print("| hottest leaf frames (self) | % |")
    print("|---|---|")
    leaves = collections.Counter(st[0] for st in stacks if st)
    for fr, n in leaves.most_common(25):
        print(f"| `{fr}` | {pct(n, total):.1f} |")
    print()

    print("| hottest stacks (leaf < callers) | % |")
    print("|---|---|")
    for line, n in collections.Counter(callers(st) for st in stacks if st).most_common(15):
        print(f"| `{line}` | {pct(n, total):.1f} |")
    print()

    print("| io.xredline frames (inclusive) | % |")
    print("|---|---|")
    own = collections.Counter()
    for st in stacks:
        own.update({fr for fr in st if fr.startswith("io.xredline.")})
    for fr, n in own.most_common(20):
        print(f"| `{fr}` | {pct(n, total):.1f} |")
    print()

    allocs = list(events(alloc_path, "jdk.ObjectAllocationSample"))
    weight = sum(e["values"].get("weight", 0) for e in allocs)
    if allocs:
        print(f"allocation (jdk.ObjectAllocationSample, sampled weights): {weight / 1e6:,.0f} MB in "
              f"{seconds:.0f} s ≈ **{weight / requests / 1024:.1f} KiB per request**\n" if requests else "")
        by_site = collections.Counter()
        by_class = collections.Counter()
        by_feature = collections.Counter()
        for e in allocs:
            w = e["values"].get("weight", 0)
            st = frames(e)
            site = next((fr for fr in st if not fr.startswith(("java.", "jdk.", "sun."))), st[0] if st else "?")
            by_site[site] += w
            by_class[(e["values"].get("objectClass") or {}).get("name", "?")] += w
            hit = set()
            for fr in st:
                for name, rx in COMPILED:
                    if name not in hit and rx.search(fr):
                        hit.add(name)
            for name in hit:
                by_feature[name] += w
        print("| allocation by feature (inclusive) | % of bytes | ≈ bytes / request |")
        print("|---|---|---|")
        for name, _ in FEATURES:
            if by_feature.get(name):
                print(f"| {name} | {pct(by_feature[name], weight):.1f} | {by_feature[name] / requests:,.0f} |")
        print()
        print("| allocation sites (first non-JDK frame) | % of bytes |")
        print("|---|---|")
        for fr, w in by_site.most_common(15):
            print(f"| `{fr}` | {pct(w, weight):.1f} |")
        print()
        by_stack = collections.Counter()
        for e in allocs:
            st = frames(e)
            if st:
                by_stack[callers(st, 12)] += e["values"].get("weight", 0)
        print("| allocating stacks (leaf < callers) | % of bytes |")
        print("|---|---|")
        for line, w in by_stack.most_common(12):
            print(f"| `{line}` | {pct(w, weight):.1f} |")
        print()
        print("| allocated classes | % of bytes |")
        print("|---|---|")
        for cls, w in by_class.most_common(10):
            print(f"| `{cls}` | {pct(w, weight):.1f} |")
        print()

    if folded_out:
        folded = collections.Counter(";".join(reversed(st)) for st in stacks if st)
        with open(folded_out, "w") as f:
            for line, n in folded.most_common():
                f.write(f"{line} {n}\n")


if __name__ == "__main__":
    main()
