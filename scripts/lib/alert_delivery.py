"""Alert delivery, end to end, for scripts/check-observability.

Runs the real Prometheus and Alertmanager binaries on loopback with the repository's
deploy/prometheus/prometheus.yml, rules and deploy/alertmanager/alertmanager.yml + templates,
changed only where a local run needs it: targets and receivers point at stand-ins in this
process (an exporter, a webhook receiver, an SMTP server), intervals are 1s, rules fire without
their `for:` delay, SMTP needs no TLS or password. Everything that decides what reaches whom
stays as shipped: external labels and their relabelling, the runbook_url templates, the routing
tree, the inhibit rules, the receivers' e-mail templates.

The exporter makes one instance (job xredline) lose Redis (critical) and run out of heap
(warning), and another job (xredline-quiet) run out of heap only. Expected: the critical alert
reaches the "critical" receiver's webhook and e-mail with an absolute runbook link and without the
runbook_base label; the quiet job's warning reaches the "warning" webhook; the warning of the
instance that is critical is inhibited and reaches no one.

Prints "PASS<TAB>text" / "FAIL<TAB>text" lines. Usage: alert_delivery.py ROOT WORKDIR
"""
import email
import email.policy
import glob
import http.server
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request

import yaml

ROOT, WORK = sys.argv[1], sys.argv[2]
DEADLINE_S = 90  # generous: the machine may be busy; the run normally completes in seconds


def out(ok, text, detail=""):
    print(("PASS" if ok else "FAIL") + "\t" + text + (": " + detail if detail and not ok else ""))
    sys.stdout.flush()
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.webhooks = []   # (path, payload)
        self.mails = []      # email.message.EmailMessage

    def add_webhook(self, path, payload):
        with self.lock:
            self.webhooks.append((path, payload))

    def add_mail(self, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.mails.append(msg)

    def snapshot(self):
        with self.lock:
            return list(self.webhooks), list(self.mails)


REC = Recorder()
METRICS = {
    # Redis unreachable and heap at 90%: one critical and one warning for the same instance.
    "/metrics": 'xredline_redis_up 0\n'
                'jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 900\n'
                'jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 1000\n',
    # Another job with only the heap warning: nothing explains it, so it must be delivered.
    "/quiet": 'xredline_redis_up 1\n'
              'jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 900\n'
              'jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 1000\n',
}


class Http(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        body = METRICS.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        REC.add_webhook(self.path, json.loads(raw))
        self.send_response(200)
        self.end_headers()


class Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for Alertmanager: no STARTTLS, no AUTH offered."""

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 stand-in ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-stand-in\r\n250 8BITMIME\r\n")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = []
                for chunk in iter(self.rfile.readline, b""):
                    if chunk in (b".\r\n", b".\n"):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                REC.add_mail(b"".join(data))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class ThreadingTcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def load(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return yaml.safe_load(f)


def main():
    prom_bin = shutil.which("prometheus")
    am_bin = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not out(bool(prom_bin and am_bin), "delivery: prometheus and alertmanager binaries available",
               "prometheus=%s alertmanager=%s (Debian packages prometheus, prometheus-alertmanager)" % (prom_bin, am_bin)):
        return
    http_srv = serve(ThreadingTcp(("127.0.0.1", 0), Http))
    smtp_srv = serve(ThreadingTcp(("127.0.0.1", 0), Smtp))
    hp, sp = http_srv.server_address[1], smtp_srv.server_address[1]
    am_port, prom_port = free_port(), free_port()

    # Alertmanager: the shipped routing, inhibition, receivers and templates; local endpoints.
    am = load("deploy/alertmanager/alertmanager.yml")
    g = am["global"]
    g["smtp_smarthost"] = "127.0.0.1:%d" % sp
    g["smtp_require_tls"] = False
    g.pop("smtp_auth_username", None)
    g.pop("smtp_auth_password_file", None)
    am["templates"] = [os.path.join(ROOT, "deploy/alertmanager", t) for t in am.get("templates", [])]

    def fast(route):
        route["group_wait"], route["group_interval"] = "1s", "1s"
        for child in route.get("routes", []):
            fast(child)
    fast(am["route"])
    for r in am["receivers"]:
        for w in r.get("webhook_configs", []):
            w["url"] = "http://127.0.0.1:%d/%s" % (hp, r["name"])
    with open(os.path.join(WORK, "alertmanager.yml"), "w") as f:
        yaml.safe_dump(am, f)

    # Prometheus: the shipped external labels, alert relabelling and rules (without `for:`).
    prom = load("deploy/prometheus/prometheus.yml")
    base = prom["global"]["external_labels"].get("runbook_base")
    prom["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    os.makedirs(os.path.join(WORK, "rules"), exist_ok=True)
    for path in glob.glob(os.path.join(ROOT, "deploy/prometheus/rules/*.yml")):
        rules = yaml.safe_load(open(path, encoding="utf-8"))
        for group in rules["groups"]:
            for rule in group["rules"]:
                rule.pop("for", None)
            # Critical rules first: Prometheus sends a group's alerts in evaluation order, so the
            # inhibiting alert reaches Alertmanager no later than the warning it holds back, and
            # the inhibition check below does not depend on how fast this machine is.
            group["rules"].sort(key=lambda r: (r.get("labels") or {}).get("severity") != "critical")
        with open(os.path.join(WORK, "rules", os.path.basename(path)), "w") as f:
            yaml.safe_dump(rules, f)
    prom["rule_files"] = [os.path.join(WORK, "rules", "*.yml")]
    prom["alerting"]["alertmanagers"] = [{"static_configs": [{"targets": ["127.0.0.1:%d" % am_port]}]}]
    prom["scrape_configs"] = [
        {"job_name": "xredline", "metrics_path": "/metrics", "static_configs": [{"targets": ["127.0.0.1:%d" % hp]}]},
        {"job_name": "xredline-quiet", "metrics_path": "/quiet", "static_configs": [{"targets": ["127.0.0.1:%d" % hp]}]},
    ]
    with open(os.path.join(WORK, "prometheus.yml"), "w") as f:
        yaml.safe_dump(prom, f)

    procs = []
    logs = {}
    try:
        for name, cmd in (
                ("alertmanager", [am_bin, "--config.file=" + os.path.join(WORK, "alertmanager.yml"),
                                  "--storage.path=" + os.path.join(WORK, "am-data"),
                                  "--web.listen-address=127.0.0.1:%d" % am_port,
                                  "--web.external-url=http://127.0.0.1:%d" % am_port,
                                  "--cluster.listen-address="]),
                ("prometheus", [prom_bin, "--config.file=" + os.path.join(WORK, "prometheus.yml"),
                                "--storage.tsdb.path=" + os.path.join(WORK, "prom-data"),
                                "--web.listen-address=127.0.0.1:%d" % prom_port])):
            logs[name] = open(os.path.join(WORK, name + ".log"), "wb")
            procs.append(subprocess.Popen(cmd, stdout=logs[name], stderr=subprocess.STDOUT))
        run_checks(base, am_port, procs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        http_srv.shutdown()
        smtp_srv.shutdown()


def alerts_of(webhooks, receiver, **labels):
    found = []
    for path, payload in webhooks:
        if path.strip("/") != receiver:
            continue
        for a in payload.get("alerts", []):
            if all(a["labels"].get(k) == v for k, v in labels.items()):
                found.append((payload, a))
    return found


def run_checks(base, am_port, procs):
    critical = dict(alertname="XredlineRedisDown", job="xredline")
    quiet = dict(alertname="XredlineHeapMemoryHigh", job="xredline-quiet")
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        hooks, mails = REC.snapshot()
        if alerts_of(hooks, "critical", **critical) and alerts_of(hooks, "warning", **quiet) and mails:
            break
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.5)
    hooks, mails = REC.snapshot()
    died = [p.args[0] for p in procs if p.poll() is not None]
    out(not died, "delivery: Prometheus and Alertmanager start with the shipped configuration",
        "exited: %s (see %s/*.log)" % (died, WORK))

    got = alerts_of(hooks, "critical", **critical)
    if out(bool(got), "delivery: critical XredlineRedisDown reaches the critical receiver's webhook",
           "webhooks received: %s" % [(p, [a["labels"].get("alertname") for a in x.get("alerts", [])]) for p, x in hooks]):
        payload, a = got[0]
        out(payload.get("version") == "4" and payload.get("status") == "firing",
            "delivery: webhook body is Alertmanager's JSON (version 4, status firing)")
        out(a["labels"].get("service") == "xredline" and "runbook_base" not in a["labels"],
            "delivery: alert carries external label service, runbook_base dropped by alert_relabel_configs",
            str(a["labels"]))
        want = "%s/docs/operations.md#xredlineredisdown" % base
        out(bool(base) and base.startswith("https://") and a["annotations"].get("runbook_url") == want,
            "delivery: runbook_url is absolute (<runbook_base>/docs/operations.md#<alert>)",
            "%r != %r" % (a["annotations"].get("runbook_url"), want))
    out(not alerts_of(hooks, "warning", alertname="XredlineRedisDown"),
        "delivery: the critical alert is not sent to the warning receiver")
    out(bool(alerts_of(hooks, "warning", **quiet)),
        "delivery: a warning nothing explains (job xredline-quiet) reaches the warning receiver")
    out(not alerts_of(hooks, "critical", alertname="XredlineHeapMemoryHigh"),
        "delivery: warnings are not sent to the critical receiver")

    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/api/v2/alerts" % am_port, timeout=10) as r:
            am_alerts = json.load(r)
    except OSError as e:
        am_alerts = []
        out(False, "delivery: Alertmanager API answers /api/v2/alerts", str(e))
    held = [x for x in am_alerts if x["labels"].get("alertname") == "XredlineHeapMemoryHigh"
            and x["labels"].get("job") == "xredline"]
    out(bool(held) and held[0]["status"]["state"] == "suppressed" and held[0]["status"]["inhibitedBy"],
        "delivery: the warning of the instance that is critical is inhibited (inhibitedBy the Redis alert)",
        json.dumps([x["status"] for x in held]))
    out(not alerts_of(hooks, "warning", alertname="XredlineHeapMemoryHigh", job="xredline"),
        "delivery: the inhibited warning reached no receiver")

    crit_mails = [m for m in mails if "XredlineRedisDown" in str(m["Subject"])]
    if out(bool(crit_mails), "delivery: the critical receiver sends an e-mail",
           "subjects: %s" % [str(m["Subject"]) for m in mails]):
        m = crit_mails[0]
        out(str(m["Subject"]).startswith("[FIRING:1] XredlineRedisDown (critical, job xredline)"),
            "delivery: e-mail subject from xredline.email.subject", str(m["Subject"]))
        out(str(m["To"]) == "oncall@example.com", "delivery: e-mail to the critical receiver's address", str(m["To"]))
        text = m.get_body(preferencelist=("plain",))
        html = m.get_body(preferencelist=("html",))
        text = text.get_content() if text else ""
        html = html.get_content() if html else ""
        link = "%s/docs/operations.md#xredlineredisdown" % base
        out("xredline cannot reach Redis" in text and ("runbook: " + link) in text,
            "delivery: e-mail text part (xredline.email.text) has the summary and the runbook link")
        out('<a href="%s">Runbook</a>' % link in html and "Silence this group" in html,
            "delivery: e-mail HTML part (xredline.email.html) links the runbook and a silence")
    out(all("XredlineHeapMemoryHigh" not in str(m["Subject"]) for m in mails),
        "delivery: warnings send no e-mail (the warning receiver is webhook only)")


if __name__ == "__main__":
    main()
