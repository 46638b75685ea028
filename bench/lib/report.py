"""scripts/bench http: the markdown table (rps, p50, p99 per route and server, ratio xredline/bare)
and a PNG chart (rps and p99 per route, every server) from the wrk JSON lines of one run.

usage: report.py RESULTS.jsonl OUT.md [OUT.png]   (no PNG path, or no matplotlib: table only)
       report.py --summary OUT.md RESULTS.jsonl...  (several runs: ratio per run and the median)
"""
import json
import sys

ROUTES = {
    "live": "`GET /healthz/live` vs bare `{\"status\":\"UP\"}`",
    "hello": "`GET /helloworld/{name}` (one INSERT)",
    "me": "`GET /api/v1/auth/me` (HS256 + Redis + SELECT)",
}
SERVERS = ["xredline", "bare", "spring"]


def load(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    for r in rows:
        r["rps"] = r["requests"] * 1e6 / r["duration_us"]
        r["errors"] = r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    return rows


def jit_share(r):
    """The share (%) of the server's CPU in the measured run its JIT compiler threads took, or None."""
    if r.get("server_jit_us") is None or not r.get("server_cpu_us"):
        return None
    return 100 * r["server_jit_us"] / r["server_cpu_us"]


def cpu(r):
    """The server's own CPU (user + system, /proc) per request during the measured run, and the share
    of it its JIT compiler threads took (a server still compiling is not warm yet)."""
    if r.get("server_cpu_us") is None or not r["requests"]:
        return "—"
    share = jit_share(r)
    return f"{r['server_cpu_us'] / r['requests']:.0f}" + ("" if share is None else f" (JIT {share:.0f} %)")


def table(rows):
    by = {(r["route"], r["server"]): r for r in rows}
    servers = [s for s in SERVERS if any(r["server"] == s for r in rows)]
    head = ["route"]
    for s in servers:
        head += [f"{s} rps", f"{s} p50 ms", f"{s} p99 ms", f"{s} CPU µs/req"]
    head += ["ratio rps xredline/bare", "ratio p99 xredline/bare", "load avg (per server)", "errors"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for route in [r for r in ROUTES if any(x["route"] == r for x in rows)]:
        cells = [ROUTES[route]]
        for s in servers:
            r = by.get((route, s))
            cells += ["—"] * 4 if r is None else [f"{r['rps']:,.0f}", f"{r['p50_us'] / 1000:.2f}", f"{r['p99_us'] / 1000:.2f}",
                                                  cpu(r)]
        x, b = by.get((route, "xredline")), by.get((route, "bare"))
        if x and b:
            cells += [f"**{x['rps'] / b['rps']:.2f}**", f"{x['p99_us'] / max(b['p99_us'], 1):.2f}"]
        else:
            cells += ["—", "—"]
        present = [by[(route, s)] for s in servers if (route, s) in by]
        cells.append(", ".join(f"{p['server']} {p['loadavg'].split()[0]}" for p in present))
        cells.append(", ".join(f"{p['server']} {p['errors']}" for p in present if p["errors"]) or "0")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(rows, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    routes = [r for r in ROUTES if any(x["route"] == r for x in rows)]
    servers = [s for s in SERVERS if any(r["server"] == s for r in rows)]
    by = {(r["route"], r["server"]): r for r in rows}
    width = 0.8 / len(servers)
    fig, (ax_rps, ax_p99) = plt.subplots(1, 2, figsize=(12, 4.5))
    for i, s in enumerate(servers):
        xs = [j + (i - (len(servers) - 1) / 2) * width for j in range(len(routes))]
        rps = [by[(r, s)]["rps"] if (r, s) in by else 0 for r in routes]
        p99 = [by[(r, s)]["p99_us"] / 1000 if (r, s) in by else 0 for r in routes]
        bars = ax_rps.bar(xs, rps, width, label=s)
        ax_rps.bar_label(bars, labels=[f"{v / 1000:.1f}k" if v else "" for v in rps], fontsize=8)
        bars = ax_p99.bar(xs, p99, width, label=s)
        ax_p99.bar_label(bars, labels=[f"{v:.1f}" if v else "" for v in p99], fontsize=8)
    labels = {"live": "/healthz/live", "hello": "/helloworld/{name}", "me": "/api/v1/auth/me"}
    for ax, title in ((ax_rps, "requests/s (higher is better)"), (ax_p99, "p99 latency, ms (lower is better)")):
        ax.set_xticks(range(len(routes)))
        ax.set_xticklabels([labels[r] for r in routes])
        ax.set_title(title)
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
    run = rows[0]["run"] if rows else ""
    fig.suptitle(f"xredline vs bare Vert.x 5, same run {run} (wrk, shared 2-core machine: noisy)")
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def jit_pair(x, b):
    """'; JIT 46 / 3 %': the share of each server's CPU its JIT compiler threads took in the run."""
    jx, jb = jit_share(x), jit_share(b)
    return "" if jx is None or jb is None else f"; JIT {jx:.0f} / {jb:.0f} %"


def summary(out, paths):
    runs = [load(p) for p in paths]
    lines = ["| route | " + " | ".join(f"run {r[0]['run']} (load)" for r in runs if r) + " | median ratio |",
             "|---|" + "---|" * (len(runs) + 1)]
    for route in ROUTES:
        cells, ratios = [], []
        for rows in runs:
            by = {(r["route"], r["server"]): r for r in rows}
            x, b = by.get((route, "xredline")), by.get((route, "bare"))
            if x and b:
                ratio = x["rps"] / b["rps"]
                ratios.append(ratio)
                cells.append(f"{x['rps']:,.0f} / {b['rps']:,.0f} = **{ratio:.2f}** ({x['loadavg'].split()[0]}{jit_pair(x, b)})")
            else:
                cells.append("—")
        if ratios:
            median = sorted(ratios)[len(ratios) // 2] if len(ratios) % 2 else \
                sum(sorted(ratios)[len(ratios) // 2 - 1:len(ratios) // 2 + 1]) / 2
            lines.append(f"| {ROUTES[route]} | " + " | ".join(cells) + f" | **{median:.2f}** |")
    text = ("## scripts/bench http: xredline rps / bare rps per run, and the median\n\n" + "\n".join(lines)
            + "\n\n(load; JIT x / b %) = 1-minute load average before xredline's measured run; the share of "
              "xredline's and of bare's CPU in the measured run that went to their JIT compiler threads.\n")
    with open(out, "w") as f:
        f.write(text)
    print(text)


def main():
    if sys.argv[1] == "--summary":
        summary(sys.argv[2], sys.argv[3:])
        return
    rows = load(sys.argv[1])
    md, png = sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""
    first = rows[0] if rows else {}
    text = (f"## scripts/bench http, run {first.get('run', '?')}\n\n{table(rows)}\n\n"
            "rps = requests / measured seconds; p50/p99 from wrk's latency histogram; CPU µs/req = the "
            "server process's user + system CPU during the measured run / requests (PostgreSQL and Redis "
            "not included), with the share of it the JIT compiler threads took; ratio > 1 means xredline is faster (rps) or slower (p99) than bare. "
            "Load avg = 1-minute load average just before each measured run.\n")
    with open(md, "w") as f:
        f.write(text)
    if png:
        try:
            chart(rows, png)
        except ImportError:
            print("report.py: matplotlib missing, no chart", file=sys.stderr)


if __name__ == "__main__":
    main()
