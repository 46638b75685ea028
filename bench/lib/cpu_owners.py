"""Where each server's CPU goes per request, kernel included: async-profiler's collapsed stacks of
xredline and of the bare server, one row per owner.

A sample belongs to the owner of its leaf-most frame that is not the JDK's (java/, sun/, jdk/) or
the kernel's: a socket write under Netty's flush is Netty's, a HashMap lookup in a router step is
vertx-web's. Kernel frames below it count in the owner's kernel column (a write's loopback delivery
and the wake-up of its reader are charged to the writer). JVM threads (JIT compilers, collectors,
the VM thread) are owners of their own.

usage: cpu_owners.py XREDLINE.collapsed XREDLINE_REQUESTS BARE.collapsed BARE_REQUESTS INTERVAL_US
"""
import collections
import sys

# (owner, frame prefixes): the first owner whose prefix a frame starts with
OWNERS = [
    ("baseline's own code", ("io/xredline/bench/",)),
    ("service's own code (io.xredline)", ("io/xredline/",)),
    ("router (vertx-web)", ("io/vertx/ext/web/",)),
    ("event bus (Vert.x)", ("io/vertx/core/eventbus/",)),
    ("PostgreSQL client", ("io/vertx/pgclient/", "io/vertx/sqlclient/")),
    ("Redis client", ("io/vertx/redis/",)),
    ("metrics (Micrometer, vertx-micrometer)", ("io/micrometer/", "io/vertx/micrometer/")),
    ("JSON (Vert.x, Jackson)", ("io/vertx/core/json/", "com/fasterxml/")),
    ("JWT (vertx-auth)", ("io/vertx/ext/auth/",)),
    ("HTTP server (Vert.x)", ("io/vertx/core/http/",)),
    ("Vert.x core (contexts, futures, timers, net)", ("io/vertx/",)),
    ("Netty HTTP codec", ("io/netty/handler/codec/http/",)),
    ("Netty handlers (compression, idle)", ("io/netty/handler/",)),
    ("Netty buffers", ("io/netty/buffer/",)),
    ("Netty channels and event loops (socket I/O)", ("io/netty/",)),
    ("OpenTelemetry", ("io/opentelemetry/",)),
    ("logging", ("ch/qos/", "org/slf4j/", "net/logstash/")),
]
JVM_THREADS = [
    ("JIT compilers", ("CompileBroker::", "C2Compiler::", "Compilation::")),
    ("GC and VM threads", ("GCTaskThread", "WorkerThread::run", "VMThread::", "ConcurrentGCThread",
                           "G1", "SerialHeap", "WatcherThread")),
]
JDK = ("java/", "sun/", "jdk/", "javax/")


def kernel(frame):
    return frame.endswith("_[k]")


def owner(frames):
    joined = ";".join(frames[:6])
    for name, marks in JVM_THREADS:
        if any(m in joined for m in marks):
            return name
    for frame in reversed(frames):
        if kernel(frame) or frame.startswith(JDK):
            continue
        for name, prefixes in OWNERS:
            if frame.startswith(prefixes):
                return name
    return "other (JDK, JVM runtime, libc)"


def load(path, requests, interval_us):
    user = collections.Counter()
    kern = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, count = line.rsplit(" ", 1)
            frames = stack.split(";")
            target = kern if kernel(frames[-1]) else user
            target[owner(frames)] += int(count)
    scale = interval_us / max(1, requests)
    return ({k: v * scale for k, v in user.items()}, {k: v * scale for k, v in kern.items()})


def main(argv):
    if len(argv) != 6:
        sys.exit(__doc__)
    interval = float(argv[5])
    xu, xk = load(argv[1], int(argv[2]), interval)
    bu, bk = load(argv[3], int(argv[4]), interval)
    names = set(xu) | set(xk) | set(bu) | set(bk)

    def total(u, k, n):
        return u.get(n, 0.0) + k.get(n, 0.0)

    rows = sorted(names, key=lambda n: -(total(xu, xk, n) - total(bu, bk, n)))
    out = ["| owner (leaf-most frame outside the JDK) | xredline CPU µs / request (kernel) "
           "| bare CPU µs / request (kernel) | difference |", "|---|---|---|---|"]
    for n in rows:
        x, b = total(xu, xk, n), total(bu, bk, n)
        if x < 0.05 and b < 0.05:
            continue
        out.append(f"| {n} | {x:.2f} ({xk.get(n, 0.0):.2f}) | {b:.2f} ({bk.get(n, 0.0):.2f}) | {x - b:+.2f} |")
    xt, bt = sum(xu.values()) + sum(xk.values()), sum(bu.values()) + sum(bk.values())
    out.append(f"| **all** | **{xt:.1f}** ({sum(xk.values()):.1f}) | **{bt:.1f}** ({sum(bk.values()):.1f}) "
               f"| **{xt - bt:+.1f}** |")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv)
