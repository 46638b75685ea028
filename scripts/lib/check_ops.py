"""Structured checks for scripts/check-ops (deployment artefacts vs. the service's real config).

Each subcommand prints one line per check: "PASS<TAB>text", "FAIL<TAB>text" or "SKIP<TAB>text";
scripts/check-ops counts them. Kept in Python because the assertions walk YAML/JSON structures
(rendered Kubernetes manifests, resolved compose files, conf/*.yaml) that shell cannot read
reliably. Needs PyYAML (Debian: python3-yaml).
"""
import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROBES = {"livenessProbe": "/healthz/live", "readinessProbe": "/healthz/ready",
          "startupProbe": "/healthz/startup"}
# XREDLINE_* names the config loader reads directly, not as XREDLINE_<PATH> overrides.
SPECIAL_ENV = {"XREDLINE_ENV", "XREDLINE_CONFIG"}
# XREDLINE_* names read by the launcher itself (CONTRACT §13), not by the config loader.
LAUNCHER_ENV = {"XREDLINE_ROLES": "node roles (--roles)"}
# The roles a node can take (CONTRACT §13); no XREDLINE_ROLES means all of them.
ROLES = ("http", "grpc", "auth", "greeter", "audit", "health")
# Env names given to the dev toolbox container for its own tooling, not to the service.
TOOLING_ENV = {"JAVA_DEBUG_OPTS": "JDWP flags for `java $JAVA_DEBUG_OPTS -jar` in the dev container",
               "AUTHORIZED_KEYS_FILE": "dev container sshd entrypoint",
               "CHOKIDAR_USEPOLLING": "Vite file watcher in the dev frontend container",
               "API_PROXY_TARGET": "Vite dev server proxy to the backend (frontend/vite.config.ts)"}


def out(status, text):
    print("%s\t%s" % (status, text))


def check(cond, text, detail=""):
    out("PASS" if cond else "FAIL", text + ("" if cond or not detail else ": " + detail))
    return cond


# ---------------------------------------------------------------------------------------------
# conf/ (owned by the service; may not exist yet)
# ---------------------------------------------------------------------------------------------
def conf_dir():
    d = os.path.join(ROOT, "conf")
    return d if os.path.isfile(os.path.join(d, "config.yaml")) else None


def load_conf(name):
    d = conf_dir()
    p = os.path.join(d, name) if d else None
    if not p or not os.path.isfile(p):
        return None
    with open(p, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def duration_seconds(v, default):
    if v is None:
        return default
    s = str(v).strip()
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", s)
    if m:
        n, unit = int(m.group(1)), m.group(2) or "s"
        return {"ms": n / 1000, "s": n, "m": n * 60, "h": n * 3600, "d": n * 86400}[unit]
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", s)
    if m:
        h, mi, se = (int(x or 0) for x in m.groups())
        return h * 3600 + mi * 60 + se
    raise ValueError("unparseable duration %r" % v)


_SERVICE_CONFIG = {}


def service_config(overrides=None):
    """The configuration the service itself runs with in prod, as `java -jar target/xredline.jar
    config check --env prod` prints it: the jar's defaults, conf/config.yaml, conf/config-prod.yaml
    and then the given XREDLINE_* overrides, layered, placeholders resolved and env names read by
    the service's own loader, not re-derived here. One JVM per distinct set of overrides."""
    key = tuple(sorted((overrides or {}).items()))
    if key not in _SERVICE_CONFIG:
        jar = os.path.join(ROOT, "target", "xredline.jar")
        if not os.path.isfile(jar):
            out("FAIL", "config: target/xredline.jar is missing, so the service cannot print its configuration"
                        " (mvn -B -DskipTests package)")
            sys.exit(1)
        env = {k: v for k, v in os.environ.items() if not k.startswith("XREDLINE_")}
        env.update(overrides or {})
        run = subprocess.run(["java", "-jar", jar, "config", "check", "--env", "prod"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        tree = yaml.safe_load(run.stdout) if run.stdout.strip() else None
        if not isinstance(tree, dict):
            out("FAIL", "config: `config check --env prod` printed no configuration (exit %d): %s"
                % (run.returncode, run.stderr.strip()[-400:]))
            sys.exit(1)
        _SERVICE_CONFIG[key] = tree
    return _SERVICE_CONFIG[key]


def conf_value(path, default=None, overrides=None):
    """A dotted key's value in the service's effective prod configuration (see service_config)."""
    node = service_config(overrides)
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return default if node is None else node


def drain_seconds():
    return duration_seconds(conf_value("server.shutdown_timeout"), 30)


def conf_has_path(parts):
    node = load_conf("config.yaml")
    for p in parts:
        if not isinstance(node, dict) or p not in node:
            return False
        node = node[p]
    return True


def placeholders():
    names = set()
    d = conf_dir()
    for fn in sorted(os.listdir(d)):
        if fn.endswith((".yaml", ".yml")):
            with open(os.path.join(d, fn), encoding="utf-8") as f:
                names.update(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", f.read()))
    return names


def check_env_names(names, where):
    """Every env name passed to the service must be one the config layer reads."""
    if conf_dir() is None:
        out("SKIP", "%s: env names not checked, conf/config.yaml does not exist yet" % where)
        return
    ph = placeholders()
    for n in sorted(set(names)):
        if n in TOOLING_ENV:
            out("PASS", "%s: %s is tooling, not service config (%s)" % (where, n, TOOLING_ENV[n]))
        elif n in SPECIAL_ENV:
            out("PASS", "%s: %s is read by the config loader" % (where, n))
        elif n in LAUNCHER_ENV:
            if java_source_mentions('"%s"' % n):
                out("PASS", "%s: %s is read by the launcher (%s)" % (where, n, LAUNCHER_ENV[n]))
            else:
                out("SKIP", "%s: %s (%s) is not read by src/main/java yet; until it is, every pod runs every role"
                    % (where, n, LAUNCHER_ENV[n]))
        elif n.startswith("XREDLINE_") and n in ph:
            out("PASS", "%s: %s is read by a ${%s} placeholder in conf/" % (where, n, n))
        elif n.startswith("XREDLINE_"):
            if "__" not in n:
                out("FAIL", "%s: %s has no '__' so the loader ignores it (XREDLINE_<A>__<B>)" % (where, n))
                continue
            parts = n[len("XREDLINE_"):].lower().split("__")
            check(conf_has_path(parts), "%s: %s maps to %s in conf/config.yaml" % (where, n, ".".join(parts)),
                  "no such key")
        else:
            check(n in ph, "%s: %s is read by a ${%s} placeholder in conf/" % (where, n, n),
                  "no conf/*.yaml mentions ${%s}" % n)


# ---------------------------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------------------------
def dockerfile_instructions(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
    result = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        word, _, rest = s.partition(" ")
        result.append((word.upper(), rest.strip()))
    return result


def cmd_dockerfile():
    path = os.path.join(ROOT, "Dockerfile")
    ins = dockerfile_instructions(path)
    args = {}
    first_from = next(i for i, (w, _) in enumerate(ins) if w == "FROM")
    for w, rest in ins[:first_from]:
        if w == "ARG" and "=" in rest:
            k, v = rest.split("=", 1)
            args[k] = v
    for a in ("BUILD_IMAGE", "FRONTEND_IMAGE", "RUNTIME_IMAGE"):
        check(a in args, "Dockerfile: base image ARG %s declared before the first FROM" % a)
    check(all("openeuler" in args.get(a, "") and "24.03" in args.get(a, "")
              for a in ("BUILD_IMAGE", "FRONTEND_IMAGE", "RUNTIME_IMAGE")),
          "Dockerfile: base image ARGs default to openEuler 24.03 LTS", str(args))
    froms = [rest for w, rest in ins if w == "FROM"]
    # a stage is FROM an ARG base image or FROM an earlier stage (the runtime's shared files)
    stage_names = [m.group(1) for m in (re.search(r"\bAS\s+(\S+)$", f, re.I) for f in froms) if m]
    check(all(re.match(r"\$\{?[A-Z_]+\}?( |$)", f) or f.split()[0] in stage_names for f in froms),
          "Dockerfile: every FROM uses an ARG base image", str(froms))
    check(len(froms) >= 2, "Dockerfile: multi-stage build (%d stages)" % len(froms))

    # Stage split: the last stage, together with the earlier stages it is built FROM, is the
    # runtime; everything else is the build.
    starts = [i for i, (w, _) in enumerate(ins) if w == "FROM"]
    stages = {}
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(ins)
        m = re.search(r"\bAS\s+(\S+)$", ins[i][1], re.I)
        stages[m.group(1) if m else "#%d" % n] = (i, end)
    last_from = starts[-1]
    runtime_ranges = [(last_from, len(ins))]
    base = ins[last_from][1].split()[0]
    while base in stages:
        runtime_ranges.insert(0, stages[base])
        base = ins[stages[base][0]][1].split()[0]
    in_runtime = lambda i: any(a <= i < b for a, b in runtime_ranges)
    runtime = [x for i, x in enumerate(ins) if in_runtime(i)]
    build = [x for i, x in enumerate(ins) if not in_runtime(i)]
    build_text = "\n".join(r for _, r in build)
    copies = [r for w, r in build if w in ("COPY", "RUN")]
    idx = lambda pred: next((i for i, r in enumerate(copies) if pred(r)), 10 ** 6)
    check(idx(lambda r: r.startswith("pom.xml")) < idx(lambda r: "go-offline" in r) < idx(lambda r: r.startswith("src/")),
          "Dockerfile: Maven dependency layer (COPY pom.xml, go-offline) before COPY src/")
    check(idx(lambda r: "package-lock.json" in r) < idx(lambda r: r.startswith("npm ci")) < idx(lambda r: r.startswith("frontend/ ")),
          "Dockerfile: npm dependency layer (package-lock.json, npm ci) before COPY frontend/")
    check("mvn -B" in build_text and "package" in build_text, "Dockerfile: build stage runs mvn -B package")
    check("npm run build" in build_text, "Dockerfile: build stage builds the frontend")

    rt_args = dict(args)
    for w, rest in runtime:
        if w == "ARG" and "=" in rest:
            k, v = rest.split("=", 1)
            rt_args[k] = v
    users = [rest for w, rest in runtime if w == "USER"]
    resolved = re.sub(r"\$\{?([A-Z_]+)\}?", lambda m: rt_args.get(m.group(1), "?"), users[-1]) if users else ""
    uid = resolved.split(":")[0]
    check(uid.isdigit() and int(uid) != 0, "Dockerfile: runtime USER is a fixed non-root UID (%s)" % resolved)
    rt_text = "\n".join(r for _, r in runtime)
    check(re.search(r"--uid \"?\$\{?APP_UID", rt_text) is not None or ("%s:" % uid) in rt_text,
          "Dockerfile: runtime stage creates the user with that UID")
    check(not re.search(r"\b(maven|npm|nodejs|openjdk-devel|jdk-headless)\b", " ".join(r for w, r in runtime if w == "RUN")),
          "Dockerfile: runtime stage installs no build tools (JRE only)")
    exposes = set(" ".join(r for w, r in runtime if w == "EXPOSE").split())
    check({"8000", "9000"} <= exposes, "Dockerfile: EXPOSE 8000 9000", str(exposes))
    if conf_dir():
        http, grpc = conf_value("server.http.port"), conf_value("server.grpc.port")
        check({str(http), str(grpc)} <= exposes,
              "Dockerfile: EXPOSE matches conf server.http.port=%s server.grpc.port=%s" % (http, grpc))
    else:
        out("SKIP", "Dockerfile: EXPOSE vs conf ports not checked, conf/config.yaml does not exist yet")
    hcs = [r for w, r in runtime if w == "HEALTHCHECK"]
    check(len(hcs) == 1 and "/healthz/live" in hcs[0] and " CMD " in " " + hcs[0],
          "Dockerfile: HEALTHCHECK probes /healthz/live")
    check(bool(hcs) and "curl" not in hcs[0] and "wget" not in hcs[0],
          "Dockerfile: HEALTHCHECK needs no curl/wget in the image")
    ents = [r for w, r in runtime if w == "ENTRYPOINT"]
    try:
        ent = json.loads(ents[-1])
    except (IndexError, ValueError):
        ent = None
    check(isinstance(ent, list), "Dockerfile: ENTRYPOINT is exec form (JSON array)", str(ents))
    ent = ent or []
    check(ent[:1] == ["java"] and "-jar" in ent, "Dockerfile: ENTRYPOINT runs java -jar", str(ent))
    check(any(a.startswith("-XX:MaxRAMPercentage=") for a in ent), "Dockerfile: -XX:MaxRAMPercentage set")
    check("-XX:+ExitOnOutOfMemoryError" in ent, "Dockerfile: -XX:+ExitOnOutOfMemoryError set")
    envs = " ".join(r for w, r in runtime if w == "ENV")
    check(re.search(r"\bXREDLINE_ENV=prod\b", envs) is not None, "Dockerfile: runtime ENV XREDLINE_ENV=prod")
    check(any(w == "WORKDIR" and r == "/app" for w, r in runtime) and "/app/xredline.jar" in ent,
          "Dockerfile: jar at /app/xredline.jar, WORKDIR /app")
    check("-XX:SharedArchiveFile=/app/xredline.jsa" in ent,
          "Dockerfile: ENTRYPOINT maps the class-data archive /app/xredline.jsa")
    cds_stage = next((name for name, (a, b) in stages.items()
                      if any(w == "RUN" and "cds-archive" in r for w, r in ins[a:b])), None)
    check(cds_stage is not None and any(w == "COPY" and r.startswith("--from=%s " % cds_stage) for w, r in ins[last_from:]),
          "Dockerfile: a stage records the archive with scripts/cds-archive and the runtime copies it",
          str(cds_stage))

    # systemd unit uses the same JVM flags as the image.
    unit = os.path.join(ROOT, "deploy", "systemd", "xredline.service")
    with open(unit, encoding="utf-8") as f:
        exec_start = next(l for l in f if l.startswith("ExecStart="))[len("ExecStart="):].split()
    jvm_img = [a for a in ent[1:ent.index("-jar")]] if "-jar" in ent else []
    jvm_unit = exec_start[1:exec_start.index("-jar")] if "-jar" in exec_start else []
    # the class-data archive lies next to the jar, wherever that is
    beside_jar = lambda flags, cmd: [a.replace(os.path.dirname(cmd[cmd.index("-jar") + 1]) + "/", "<jar dir>/")
                                     if a.startswith("-XX:SharedArchiveFile=") and "-jar" in cmd else a for a in flags]
    check(beside_jar(jvm_img, ent) == beside_jar(jvm_unit, exec_start),
          "systemd unit: same JVM flags as the Dockerfile ENTRYPOINT", "%s != %s" % (jvm_unit, jvm_img))

    # Dockerfile.dev
    dev = dockerfile_instructions(os.path.join(ROOT, "Dockerfile.dev"))
    dev_text = "\n".join(r for _, r in dev)
    check("2222" in " ".join(r for w, r in dev if w == "EXPOSE"), "Dockerfile.dev: EXPOSE 2222 (SSH)")
    for directive in ("'Port 2222'", "'PasswordAuthentication no'", "'PermitRootLogin no'",
                      "'KbdInteractiveAuthentication no'", "'PubkeyAuthentication yes'"):
        check(directive in dev_text, "Dockerfile.dev: sshd %s" % directive.strip("'"))
    check(all(t in dev_text for t in ("java-17-openjdk-devel", "maven", "nodejs", "openssh-server")),
          "Dockerfile.dev: JDK 17, Maven, Node.js and sshd installed")

    # .dockerignore
    with open(os.path.join(ROOT, ".dockerignore"), encoding="utf-8") as f:
        ign = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    for must in (".git", "target/", "**/node_modules/", ".env"):
        check(must in ign, ".dockerignore excludes %s" % must)
    check("!compose/dev/" in ign, ".dockerignore keeps compose/dev/ (Dockerfile.dev copies its entrypoint)")
    return ent


def cmd_uid():
    """Print the runtime UID from the Dockerfile (used by other checks)."""
    ins = dockerfile_instructions(os.path.join(ROOT, "Dockerfile"))
    uid = next(r.split("=", 1)[1] for w, r in ins if w == "ARG" and r.startswith("APP_UID="))
    print(uid)


# ---------------------------------------------------------------------------------------------
# compose
# ---------------------------------------------------------------------------------------------
def app_services(doc):
    for name, svc in (doc.get("services") or {}).items():
        img = str(svc.get("image", ""))
        build = svc.get("build") or {}
        if "xredline" in img or build:
            yield name, svc


def cmd_compose(resolved_dir):
    """resolved_dir holds `docker-compose config` output per file (compose.yaml -> compose.yaml)."""
    drain = drain_seconds()
    docs = {}
    for fn in ("compose.yaml", "compose.dev.yaml", "compose.test.yaml"):
        with open(os.path.join(resolved_dir, fn), encoding="utf-8") as f:
            docs[fn] = yaml.safe_load(f)
    prod = docs["compose.yaml"]
    svcs = prod["services"]
    app = svcs.get("xredline", {})
    check(app.get("build", {}).get("dockerfile") == "Dockerfile", "compose.yaml: xredline built from Dockerfile")
    for dep in ("postgres", "redis"):
        cond = (app.get("depends_on") or {}).get(dep, {}).get("condition")
        check(cond == "service_healthy", "compose.yaml: xredline depends_on %s: service_healthy" % dep, str(cond))
        check("healthcheck" in svcs.get(dep, {}), "compose.yaml: %s has a healthcheck" % dep)
    check(str(svcs.get("postgres", {}).get("image", "")).startswith("postgres:17"), "compose.yaml: PostgreSQL 17")
    check(str(svcs.get("redis", {}).get("image", "")).startswith("redis:7"), "compose.yaml: Redis 7")
    check("requirepass" in json.dumps(svcs.get("redis", {}).get("command")), "compose.yaml: Redis requires a password")
    hc = json.dumps(app.get("healthcheck", {}))
    check("/healthz/live" in hc, "compose.yaml: xredline healthcheck probes /healthz/live")
    named = set((prod.get("volumes") or {}).keys())
    for dep, mount in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        vols = svcs.get(dep, {}).get("volumes") or []
        srcs = [v.get("source") if isinstance(v, dict) else str(v).split(":")[0] for v in vols
                if (v.get("target") if isinstance(v, dict) else str(v).split(":")[1]) == mount]
        check(bool(srcs) and srcs[0] in named, "compose.yaml: %s data on a named volume" % dep, str(srcs))
    for name in ("xredline", "postgres", "redis"):
        s = svcs.get(name, {})
        lim = ((s.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        check("memory" in lim and "cpus" in lim, "compose.yaml: %s has cpu and memory limits" % name)
        check(s.get("restart") in ("unless-stopped", "always", "on-failure"), "compose.yaml: %s restart policy" % name)
    nets = prod.get("networks") or {}
    check(all((n or {}).get("driver") == "bridge" for n in nets.values()) and nets.get("backend", {}).get("internal") is True,
          "compose.yaml: bridge networks, databases on an internal one")
    check(all("backend" in (svcs[d].get("networks") or {}) and len(svcs[d].get("networks")) == 1 for d in ("postgres", "redis")),
          "compose.yaml: PostgreSQL and Redis only on the internal network")
    grace = duration_seconds(app.get("stop_grace_period"), 10)
    check(grace > drain, "compose.yaml: stop_grace_period %ss > drain %ss" % (grace, drain))
    check(app.get("read_only") is True and "ALL" in (app.get("cap_drop") or []),
          "compose.yaml: app read-only root filesystem, capabilities dropped")
    profiles = {p for s in svcs.values() for p in (s.get("profiles") or [])}
    check({"monitoring", "logging"} <= profiles, "compose.yaml: optional monitoring and logging profiles", str(profiles))
    mounts = json.dumps([svcs.get(s, {}).get("volumes") for s in ("prometheus", "alertmanager", "grafana", "logstash", "filebeat")])
    for target in ("deploy/prometheus/prometheus.yml", "deploy/prometheus/rules", "deploy/alertmanager/alertmanager.yml",
                   "deploy/alertmanager/templates", "deploy/grafana/",
                   "deploy/logging/logstash/pipeline", "deploy/logging/filebeat/filebeat.docker.yml"):
        check(target in mounts, "compose.yaml: profile mounts %s" % target)
    check("monitoring" in (svcs.get("alertmanager", {}).get("profiles") or []) and
          "alertmanager" in (svcs.get("prometheus", {}).get("depends_on") or {}),
          "compose.yaml: Alertmanager in the monitoring profile, started before Prometheus")
    for target in ("deploy/logging/logstash/pipeline", "deploy/logging/filebeat/filebeat.docker.yml",
                   "deploy/logging/logstash/config/logstash.yml", "deploy/alertmanager/alertmanager.yml",
                   "deploy/alertmanager/templates"):
        check(os.path.exists(os.path.join(ROOT, target)), "compose.yaml: mounted %s exists" % target)

    dev = docs["compose.dev.yaml"]["services"]
    devsvc = dev.get("dev", {})
    check(devsvc.get("build", {}).get("dockerfile") == "Dockerfile.dev", "compose.dev.yaml: built from Dockerfile.dev")
    ports = json.dumps(devsvc.get("ports"))
    for p, what in (("2222", "SSH"), ("5005", "debug"), ("8000", "HTTP"), ("9000", "gRPC")):
        check('"target": %s' % p in ports or ":%s" % p in ports, "compose.dev.yaml: port %s (%s)" % (p, what))
    vols = json.dumps(devsvc.get("volumes"))
    check("/workspace" in vols and "/home/dev/.m2" in vols and "/home/dev/.npm" in vols,
          "compose.dev.yaml: source, Maven and npm cache volumes")
    check("authorized_keys" in vols, "compose.dev.yaml: SSH keys from a mounted file")
    check("npm run dev" in json.dumps(dev.get("frontend", {}).get("command")), "compose.dev.yaml: Vite dev server (live reload)")
    check(all("5432" in json.dumps(dev["postgres"].get("ports")) and "6379" in json.dumps(dev["redis"].get("ports")) for _ in [0]),
          "compose.dev.yaml: database ports exposed")

    test = docs["compose.test.yaml"]["services"]
    check(any("/var/lib/postgresql/data" in str(t) for t in test["postgres"].get("tmpfs", [])) and
          any("/data" in str(t) for t in test["redis"].get("tmpfs", [])),
          "compose.test.yaml: PostgreSQL and Redis on tmpfs")

    for fn, doc in docs.items():
        names = []
        for name, svc in app_services(doc):
            env = svc.get("environment") or {}
            names += list(env.keys()) if isinstance(env, dict) else [e.split("=", 1)[0] for e in env]
        check_env_names(names, fn)


def cmd_env_example(example):
    """Every ${VAR} a compose file interpolates is documented in .env.example."""
    with open(example, encoding="utf-8") as f:
        documented = {l.split("=", 1)[0].strip() for l in f if "=" in l and not l.lstrip().startswith("#")}
    for fn in ("compose.yaml", "compose.dev.yaml", "compose.test.yaml"):
        with open(os.path.join(ROOT, "compose", fn), encoding="utf-8") as f:
            text = f.read()
        used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", text))
        missing = sorted(used - documented)
        check(not missing, "compose/.env.example documents every variable %s interpolates" % fn, str(missing))


# ---------------------------------------------------------------------------------------------
# Kubernetes (rendered overlays)
# ---------------------------------------------------------------------------------------------
def port_number(container, ref):
    if isinstance(ref, int):
        return ref
    for p in container.get("ports", []):
        if p.get("name") == ref:
            return p["containerPort"]
    return None


def cmd_k8s(overlay, rendered, uid):
    with open(rendered, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    tag = "k8s/%s" % overlay
    kinds = {}
    for d in docs:
        kinds.setdefault(d["kind"], []).append(d)
    deps = kinds.get("Deployment", [])
    drain = drain_seconds()
    check(bool(deps), "%s: renders Deployment(s) %s" % (tag, [d["metadata"]["name"] for d in deps]))
    http_conf = conf_value("server.http.port") if conf_dir() else None
    grpc_conf = conf_value("server.grpc.port") if conf_dir() else None
    secret_keys = set()
    with open(os.path.join(ROOT, "deploy/k8s/base/secret.template.yaml"), encoding="utf-8") as f:
        secret_keys = set((yaml.safe_load(f).get("stringData") or {}).keys())
    env_names = []
    for d in deps:
        name = d["metadata"]["name"]
        spec = d["spec"]
        pod = spec["template"]["spec"]
        c = pod["containers"][0]
        t = "%s %s" % (tag, name)
        for probe, path in PROBES.items():
            pr = (c.get(probe) or {}).get("httpGet") or {}
            check(pr.get("path") == path, "%s: %s path is %s" % (t, probe, path), str(pr.get("path")))
            check(port_number(c, pr.get("port")) == 8000, "%s: %s targets the HTTP port" % (t, probe))
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        roles = pod_roles(c)
        if roles is None or "grpc" in roles:
            check(ports.get("http") == 8000 and ports.get("grpc") == 9000, "%s: container ports http 8000, grpc 9000" % t, str(ports))
            if conf_dir():
                check(ports.get("http") == http_conf and ports.get("grpc") == grpc_conf,
                      "%s: container ports match conf (%s/%s)" % (t, http_conf, grpc_conf), str(ports))
        else:
            # A node without the grpc role opens no gRPC listener; probes and /metrics stay on HTTP.
            check(ports.get("http") == 8000 and "grpc" not in ports,
                  "%s: roles %s: container port http 8000 and no grpc port" % (t, ",".join(roles)), str(ports))
            if conf_dir():
                check(ports.get("http") == http_conf, "%s: container port http matches conf (%s)" % (t, http_conf), str(ports))
        grace = pod.get("terminationGracePeriodSeconds", 30)
        pre = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
        pre_sleep = int(pre[1]) if len(pre) == 2 and pre[0] == "sleep" else 0
        check(pre_sleep > 0, "%s: preStop sleep before SIGTERM (%ss)" % (t, pre_sleep))
        check(grace > drain + pre_sleep,
              "%s: terminationGracePeriodSeconds %s > preStop %ss + drain %ss" % (t, grace, pre_sleep, drain))
        res = c.get("resources") or {}
        check(all(k in (res.get("limits") or {}) for k in ("cpu", "memory")) and
              all(k in (res.get("requests") or {}) for k in ("cpu", "memory")),
              "%s: cpu/memory requests and limits set" % t)
        psc, csc = pod.get("securityContext") or {}, c.get("securityContext") or {}
        check(psc.get("runAsNonRoot") is True and csc.get("runAsNonRoot") is True, "%s: runAsNonRoot" % t)
        check(str(psc.get("runAsUser")) == str(uid), "%s: runAsUser %s = Dockerfile APP_UID %s" % (t, psc.get("runAsUser"), uid))
        check(csc.get("readOnlyRootFilesystem") is True, "%s: readOnlyRootFilesystem" % t)
        check((csc.get("capabilities") or {}).get("drop") == ["ALL"], "%s: capabilities drop ALL" % t)
        check(csc.get("allowPrivilegeEscalation") is False, "%s: allowPrivilegeEscalation false" % t)
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        check(bool(tmp) and "emptyDir" in vols.get(tmp[0]["name"], {}), "%s: /tmp is an emptyDir" % t)
        st = spec.get("strategy") or {}
        ru = st.get("rollingUpdate") or {}
        check(st.get("type") == "RollingUpdate" and ru.get("maxSurge") == 1 and ru.get("maxUnavailable") == 0,
              "%s: RollingUpdate maxSurge 1 maxUnavailable 0" % t, str(st))
        sel = spec["selector"]["matchLabels"]
        labels = spec["template"]["metadata"]["labels"]
        check(all(labels.get(k) == v for k, v in sel.items()), "%s: selector matches pod labels" % t)
        for e in c.get("env", []):
            env_names.append(e["name"])
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                check(ref["key"] in secret_keys, "%s: secret key %s is in secret.template.yaml" % (t, ref["key"]))
        cm = [v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v]
        cms = {x["metadata"]["name"]: x for x in kinds.get("ConfigMap", [])}
        ok = bool(cm) and cm[0] in cms
        if ok and conf_dir():
            with open(os.path.join(conf_dir(), "config-prod.yaml"), encoding="utf-8") as f:
                ok = cms[cm[0]]["data"].get("config-prod.yaml") == f.read()
        check(ok, "%s: ConfigMap mounted at /app/conf is conf/config-prod.yaml verbatim" % t)
    check_env_names(env_names, tag)

    # Services: named ports, appProtocol, and every selector finds pods.
    for s in kinds.get("Service", []):
        sname = s["metadata"]["name"]
        sel = s["spec"].get("selector") or {}
        matches = [d for d in deps if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())]
        check(bool(sel) and bool(matches), "%s: service/%s selects %s" % (tag, sname, [d["metadata"]["name"] for d in matches]))
        for p in s["spec"]["ports"]:
            check(bool(p.get("name")) and bool(p.get("appProtocol")), "%s: service/%s port %s named with appProtocol" % (tag, sname, p.get("port")))
            check(all(port_number(d["spec"]["template"]["spec"]["containers"][0], p["targetPort"]) for d in matches),
                  "%s: service/%s targetPort %s exists on the pods" % (tag, sname, p["targetPort"]))
    headless = [s for s in kinds.get("Service", []) if s["spec"].get("clusterIP") == "None"]
    check(bool(headless) and all(s["spec"].get("publishNotReadyAddresses") for s in headless),
          "%s: headless Hazelcast service(s) publish not-ready addresses" % tag)
    for p in kinds.get("PodDisruptionBudget", []):
        sel = ((p["spec"].get("selector") or {}).get("matchLabels")) or {}
        m = [d for d in deps if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())]
        check(bool(sel) and len(m) == 1, "%s: pdb/%s selects exactly one Deployment's pods" % (tag, p["metadata"]["name"]))
    for h in kinds.get("HorizontalPodAutoscaler", []):
        ref = h["spec"]["scaleTargetRef"]["name"]
        cpu = [m for m in h["spec"].get("metrics", []) if m.get("resource", {}).get("name") == "cpu"]
        check(ref in [d["metadata"]["name"] for d in deps] and bool(cpu), "%s: hpa/%s scales %s on CPU" % (tag, h["metadata"]["name"], ref))
        dep = next((d for d in deps if d["metadata"]["name"] == ref), None)
        check(dep is not None and "replicas" not in dep["spec"], "%s: %s leaves replicas to the HPA" % (tag, ref))

    names = sorted(d["metadata"]["name"] for d in deps)
    if overlay == "blue-green":
        check(names == ["xredline-blue", "xredline-green"], "%s: two colour Deployments" % tag, str(names))
        live = next((s for s in kinds.get("Service", []) if s["metadata"]["name"] == "xredline"), None)
        check(live is not None and live["spec"]["selector"].get("app.kubernetes.io/slot") in ("blue", "green"),
              "%s: live service/xredline selects one colour by app.kubernetes.io/slot" % tag)
    if overlay == "canary":
        check(names == ["xredline", "xredline-canary"], "%s: stable and canary Deployments" % tag, str(names))
        byname = {d["metadata"]["name"]: d for d in deps}
        if len(byname) == 2:
            s1 = byname["xredline"]["spec"]["selector"]["matchLabels"]
            s2 = byname["xredline-canary"]["spec"]["selector"]["matchLabels"]
            l1 = byname["xredline"]["spec"]["template"]["metadata"]["labels"]
            l2 = byname["xredline-canary"]["spec"]["template"]["metadata"]["labels"]
            check(not all(l2.get(k) == v for k, v in s1.items()) and not all(l1.get(k) == v for k, v in s2.items()),
                  "%s: stable and canary selectors do not overlap" % tag)
            check(byname["xredline-canary"]["spec"].get("replicas") == 0, "%s: canary starts at 0 replicas" % tag)
            check(not any(h["spec"]["scaleTargetRef"]["name"] == "xredline-canary" for h in kinds.get("HorizontalPodAutoscaler", [])),
                  "%s: no HPA on the canary (the script sizes it)" % tag)


# ---------------------------------------------------------------------------------------------
# Kubernetes: Hazelcast discovery (env vs. rendered Services) and NetworkPolicies
# ---------------------------------------------------------------------------------------------
# Which Deployments form one Hazelcast cluster in each rendering: the intent the overlays'
# comments document. Colours and tracks stay apart (a canary never serves stable's bus
# requests); edge and auth pods share one cluster, or the edge could not reach a capability.
CLUSTER_INTENT = {
    "rolling": [["xredline"]],
    "blue-green": [["xredline-blue"], ["xredline-green"]],
    "blue-green/blue": [["xredline-blue"]],
    "blue-green/green": [["xredline-green"]],
    "canary": [["xredline"], ["xredline-canary"]],
    "canary/stable": [["xredline"]],
    "canary/canary": [["xredline-canary"]],
    "roles": [["xredline-auth", "xredline-edge"]],
}


def env_map(container):
    """name -> literal value (None when it comes from valueFrom)."""
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def env_name(path):
    return "XREDLINE_" + path.upper().replace(".", "__")


def effective(container, path, default):
    """A key's value in the pod: the service's prod configuration with the container's literal
    XREDLINE_* variables applied by the service itself."""
    overrides = {k: v for k, v in env_map(container).items()
                 if k.startswith("XREDLINE_") and k not in SPECIAL_ENV and k not in LAUNCHER_ENV and v is not None}
    return conf_value(path, default, overrides) if conf_dir() else default


def pod_roles(container):
    """The roles a pod runs (tuple), or None for all of them (no XREDLINE_ROLES)."""
    v = env_map(container).get("XREDLINE_ROLES")
    return None if v is None else tuple(r.strip() for r in v.split(",") if r.strip())


def service_dns_path():
    """The dotted key the service reads the headless Service's DNS name from. CONTRACT §13 names
    cluster.kubernetes.service_dns; the code may still read cluster.kubernetes_service_dns."""
    node = (load_conf("config.yaml") or {}).get("cluster") or {}
    if isinstance(node.get("kubernetes"), dict) and "service_dns" in node["kubernetes"]:
        return "cluster.kubernetes.service_dns"
    if "kubernetes_service_dns" in node:
        return "cluster.kubernetes_service_dns"
    return None


def selector_matches(selector, labels):
    """A LabelSelector (matchLabels + matchExpressions) against a label set. An empty selector
    matches everything, as in Kubernetes."""
    selector = selector or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and labels.get(k) in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def service_selects(service, dep):
    sel = service["spec"].get("selector") or {}
    labels = dep["spec"]["template"]["metadata"].get("labels") or {}
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


def split_dns(value):
    """'svc', 'svc.ns', 'svc.ns.svc' or 'svc.ns.svc.<cluster domain>' -> (svc, ns or None)."""
    parts = value.split(".")
    if len(parts) == 1:
        return parts[0], None
    if len(parts) == 2 or parts[2] == "svc":
        return parts[0], parts[1]
    return value, None


def network_parameters():
    path = os.path.join(ROOT, "deploy", "k8s", "base", "network-policy.env")
    params = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                params[k.strip()] = v.strip()
    return params


def namespace_source(selector, params):
    """Which parameterised namespace a namespaceSelector names: 'ingress', 'monitoring' or None."""
    pairs = set((selector.get("matchLabels") or {}).items())
    for e in selector.get("matchExpressions") or []:
        if e.get("operator") == "In" and len(e.get("values") or []) == 1:
            pairs.add((e["key"], e["values"][0]))
    if len(pairs) != 1:
        return None
    for kind in ("INGRESS", "MONITORING"):
        if pairs == {(params.get(kind + "_NAMESPACE_LABEL"), params.get(kind + "_NAMESPACE"))}:
            return kind.lower()
    return None


def cmd_k8s_cluster(overlay, rendered):
    """For one rendering: every pod's Hazelcast DNS name is a headless Service that resolves to
    exactly the pods of its cluster; the clusters are the documented ones; NetworkPolicies admit
    the cluster ports only from the same cluster and the serving ports only from the
    parameterised ingress/monitoring namespaces, on the ports conf/ configures."""
    with open(rendered, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    tag = "k8s/%s" % overlay
    deps = [d for d in docs if d["kind"] == "Deployment"]
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    if conf_dir() is None:
        out("SKIP", "%s: cluster env not checked, conf/config.yaml does not exist yet" % tag)
        return
    dns_path = service_dns_path()
    if not check(dns_path is not None, "%s: conf/config.yaml has a Kubernetes service-DNS key under cluster" % tag):
        return
    dns_env = env_name(dns_path)
    stale_env = {"cluster.kubernetes.service_dns": "XREDLINE_CLUSTER__KUBERNETES_SERVICE_DNS",
                 "cluster.kubernetes_service_dns": "XREDLINE_CLUSTER__KUBERNETES__SERVICE_DNS"}[dns_path]

    cluster_of = {}       # deployment name -> headless Service name
    cluster_name = {}     # deployment name -> cluster.name in the pod
    for d in deps:
        name, ns = d["metadata"]["name"], d["metadata"].get("namespace")
        c = d["spec"]["template"]["spec"]["containers"][0]
        env = env_map(c)
        t = "%s %s" % (tag, name)
        if str(effective(c, "cluster.enabled", False)).lower() != "true":
            out("PASS", "%s: not clustered (cluster.enabled false); no discovery to check" % t)
            continue
        check(stale_env not in env, "%s: does not set %s, which the service does not read (conf key: %s)"
              % (t, stale_env, dns_path))
        value = env.get(dns_env)
        if not check(bool(value), "%s: clustered pods set %s (%s)" % (t, dns_env, dns_path)):
            continue
        svc_name, svc_ns = split_dns(value)
        check(svc_ns in (None, ns), "%s: %s=%s names a Service in its own namespace %s" % (t, dns_env, value, ns))
        svc = services.get(svc_name)
        if not check(svc is not None, "%s: %s=%s is a rendered Service" % (t, dns_env, value),
                     "services: %s" % sorted(services)):
            continue
        spec = svc["spec"]
        check(spec.get("clusterIP") == "None" and spec.get("publishNotReadyAddresses") is True,
              "%s: service/%s is headless and publishes not-ready pods" % (t, svc_name))
        hz = int(effective(c, "cluster.port", 5701))
        check(any(p.get("port") == hz and port_number(c, p.get("targetPort")) == hz for p in spec.get("ports", [])),
              "%s: service/%s serves the Hazelcast port %s on the pods" % (t, svc_name, hz))
        check(service_selects(svc, d), "%s: service/%s selects this Deployment's pods" % (t, svc_name))
        cluster_of[name] = svc_name
        cluster_name[name] = str(effective(c, "cluster.name", "xredline"))

    members = {}
    for dep_name, svc_name in cluster_of.items():
        members.setdefault(svc_name, set()).add(dep_name)
    for svc_name, names in sorted(members.items()):
        resolved = {d["metadata"]["name"] for d in deps if service_selects(services[svc_name], d)}
        check(resolved == names, "%s: service/%s resolves to exactly the pods that look it up %s"
              % (tag, svc_name, sorted(names)), "it resolves to %s" % sorted(resolved))
        cnames = {cluster_name[n] for n in names}
        check(len(cnames) == 1, "%s: pods of service/%s share one cluster.name %s" % (tag, svc_name, sorted(cnames)))
    all_names = [next(iter({cluster_name[n] for n in names})) for names in members.values()]
    check(len(all_names) == len(set(all_names)), "%s: each cluster has its own cluster.name %s" % (tag, sorted(all_names)))
    got = sorted(sorted(v) for v in members.values())
    want = sorted(sorted(v) for v in CLUSTER_INTENT.get(overlay, []))
    check(overlay in CLUSTER_INTENT and got == want, "%s: Hazelcast clusters are the documented ones %s" % (tag, want),
          "rendered: %s" % got)

    check_roles(tag, deps, cluster_of)
    check_network_policies(tag, deps, policies, cluster_of)


def check_roles(tag, deps, cluster_of):
    clusters = {}
    for d in deps:
        c = d["spec"]["template"]["spec"]["containers"][0]
        roles = pod_roles(c)
        if roles is None:
            clusters.setdefault(cluster_of.get(d["metadata"]["name"]), set()).update(ROLES)
            continue
        t = "%s %s" % (tag, d["metadata"]["name"])
        unknown = sorted(set(roles) - set(ROLES))
        check(roles and not unknown, "%s: XREDLINE_ROLES=%s names known roles %s" % (t, ",".join(roles), list(ROLES)),
              "unknown: %s" % unknown)
        clusters.setdefault(cluster_of.get(d["metadata"]["name"]), set()).update(roles)
    for svc, roles in sorted(clusters.items(), key=lambda kv: str(kv[0])):
        if svc is not None:
            check(set(ROLES) <= roles, "%s: cluster %s runs every role somewhere" % (tag, svc),
                  "missing: %s" % sorted(set(ROLES) - roles))


def check_network_policies(tag, deps, policies, cluster_of):
    params = network_parameters()
    for kind in ("INGRESS", "MONITORING"):
        check(bool(params.get(kind + "_NAMESPACE_LABEL")) and bool(params.get(kind + "_NAMESPACE")),
              "%s: network-policy.env sets %s_NAMESPACE_LABEL and %s_NAMESPACE" % (tag, kind, kind))
    http = int(conf_value("server.http.port", 8000))
    grpc = int(conf_value("server.grpc.port", 9000))
    peers_of = {}
    for svc in set(cluster_of.values()):
        peers_of[svc] = {n for n, s in cluster_of.items() if s == svc}
    for d in deps:
        name, ns = d["metadata"]["name"], d["metadata"].get("namespace")
        t = "%s %s" % (tag, name)
        c = d["spec"]["template"]["spec"]["containers"][0]
        labels = d["spec"]["template"]["metadata"].get("labels") or {}
        cports = {p["containerPort"]: p.get("name") for p in c.get("ports", [])}
        mine = [p for p in policies if p["metadata"].get("namespace") == ns
                and selector_matches(p["spec"].get("podSelector"), labels)]
        if not check(bool(mine), "%s: pods are selected by NetworkPolicies %s" % (t, [p["metadata"]["name"] for p in mine])):
            continue
        check(all("Ingress" in (p["spec"].get("policyTypes") or []) for p in mine),
              "%s: every selecting NetworkPolicy restricts Ingress" % t)
        admitted = {}
        for p in mine:
            pname = p["metadata"]["name"]
            for i, rule in enumerate(p["spec"].get("ingress") or []):
                ports, peers = rule.get("ports"), rule.get("from")
                where = "%s: networkpolicy/%s rule %d" % (t, pname, i)
                if not check(bool(ports), "%s names its ports (no rule opens every port)" % where):
                    continue
                if not check(bool(peers), "%s names its sources (no rule admits everyone)" % where):
                    continue
                for port in ports:
                    num = port_number(c, port.get("port"))
                    check(port.get("protocol", "TCP") == "TCP" and "endPort" not in port,
                          "%s: port %s is one TCP port" % (where, port.get("port")))
                    check(num in cports, "%s: port %s is a container port of the pod" % (where, port.get("port")),
                          "pod ports: %s" % sorted(cports))
                    admitted.setdefault(num, []).extend(peers)
        eb = int(effective(c, "cluster.event_bus_port", 0))
        hz = int(effective(c, "cluster.port", 5701))
        if name in cluster_of:
            check(eb != 0 and eb in cports, "%s: event bus port pinned to a declared container port (%s), so it can be admitted"
                  % (t, eb))
            for port, what in ((hz, "Hazelcast"), (eb, "event bus")):
                peers = admitted.get(port, [])
                ok = bool(peers)
                reach = set()
                for peer in peers:
                    ok = ok and set(peer) == {"podSelector"}
                    reach |= {x["metadata"]["name"] for x in deps if x["metadata"].get("namespace") == ns
                              and selector_matches(peer.get("podSelector"), x["spec"]["template"]["metadata"].get("labels") or {})}
                want = peers_of[cluster_of[name]]
                check(ok and reach == want, "%s: %s port %s admits only pods of its own cluster %s"
                      % (t, what, port, sorted(want)), "admits %s from %s" % (sorted(reach), peers))
        roles = pod_roles(c)
        serves = roles is None or "http" in roles
        expect = {http: {"ingress", "monitoring"} if serves else {"monitoring"}}
        if roles is None or "grpc" in roles:
            expect[grpc] = {"ingress"}
        for port, want in sorted(expect.items()):
            kinds, ok = set(), True
            for peer in admitted.get(port, []):
                src = namespace_source(peer.get("namespaceSelector") or {}, params) if set(peer) == {"namespaceSelector"} else None
                ok = ok and src is not None
                kinds.add(src)
            label = "server.http.port" if port == http else "server.grpc.port"
            check(ok and kinds == want, "%s: port %s (%s) admitted only from the %s namespace(s) of network-policy.env"
                  % (t, port, label, " and ".join(sorted(want))), "sources: %s" % admitted.get(port))
        allowed = set(expect) | ({hz, eb} if name in cluster_of else set())
        check(set(admitted) == allowed, "%s: NetworkPolicies admit exactly the ports %s" % (t, sorted(allowed)),
              "admitted: %s" % sorted(admitted))
        unreachable = sorted(set(cports) - set(admitted))
        check(not unreachable, "%s: every declared container port is admitted by some rule" % t,
              "unreachable: %s" % [cports[p] for p in unreachable])


_JAVA_TEXT = []


def java_sources():
    """All of src/main/java as one string ("" when it does not exist yet)."""
    if not _JAVA_TEXT:
        src = os.path.join(ROOT, "src", "main", "java")
        text = ""
        for dp, _, fns in os.walk(src):
            for fn in fns:
                if fn.endswith(".java"):
                    with open(os.path.join(dp, fn), encoding="utf-8", errors="replace") as f:
                        text += f.read()
        _JAVA_TEXT.append(text)
    return _JAVA_TEXT[0]


def java_source_mentions(literal):
    return literal in java_sources()


def cmd_router():
    src = os.path.join(ROOT, "src", "main", "java")
    if not os.path.isdir(src):
        out("SKIP", "router: src/main/java does not exist yet; probe paths not cross-checked")
        return
    text = java_sources()
    for path in sorted(set(PROBES.values())):
        check('"%s"' % path in text, "router: src/main/java declares the probe path %s" % path)


def cmd_yaml(*paths):
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
            check(bool(docs) and docs[0] is not None, "yaml: %s parses" % os.path.relpath(p, ROOT))
        except yaml.YAMLError as e:
            out("FAIL", "yaml: %s: %s" % (os.path.relpath(p, ROOT), str(e).replace("\n", " ")))


def cmd_logstash(path):
    """No Logstash here: a structural check of the pipeline (balanced braces/brackets outside
    strings and comments, the three sections, the correlation fields kept)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    depth, quote, stack_ok = 0, None, True
    for line in text.splitlines():
        i = 0
        while i < len(line):
            ch = line[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = None
            elif ch == "#":
                break
            elif ch in "\"'":
                quote = ch
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                stack_ok = stack_ok and depth >= 0
            i += 1
    rel = os.path.relpath(path, ROOT)
    check(stack_ok and depth == 0 and quote is None, "logstash: %s braces and quotes balance" % rel)
    for section in ("input", "filter", "output"):
        check(re.search(r"^%s\s*\{" % section, text, re.M) is not None, "logstash: %s has a %s section" % (rel, section))
    for field in ("request_id", "trace_id", "span_id"):
        check("[%s]" % field in text, "logstash: %s keeps %s as a field" % (rel, field))


def cmd_filebeat(path, variant):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    rel = os.path.relpath(path, ROOT)
    inputs = doc.get("filebeat.inputs") or []
    check(bool(inputs), "filebeat: %s has inputs" % rel)
    parsers = json.dumps(inputs)
    check('"ndjson"' in parsers, "filebeat: %s decodes the JSON log lines" % rel)
    if variant == "container":
        check('"container"' in parsers, "filebeat: %s parses the container log wrapper" % rel)
    else:
        check(any(i.get("type") in ("journald", "filestream", "log") for i in inputs), "filebeat: %s reads journald/files" % rel)
    check("output.logstash" in doc, "filebeat: %s ships to Logstash" % rel)


def cmd_ci(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    text = json.dumps(doc)
    check("jobs" in doc, "ci.yml: has jobs")
    check("scripts/test" in text, "ci.yml: runs scripts/test")
    check("scripts/check-ops" in text or "scripts/test" in text, "ci.yml: runs the ops checks")
    check("docker/build-push-action" in text or "docker build" in text, "ci.yml: builds the image")
    check("trivy" in text.lower(), "ci.yml: scans the image (Trivy)")
    check('"push"' in text and "registry" in text.lower(), "ci.yml: pushes to a registry")


def cmd_docs():
    dep = os.path.join(ROOT, "docs", "deployment.md")
    tr = os.path.join(ROOT, "docs", "troubleshooting.md")
    slug = lambda h: re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-")
    anchors = {}
    for p in (dep, tr):
        with open(p, encoding="utf-8") as f:
            anchors[os.path.relpath(p, ROOT)] = {slug(m) for m in re.findall(r"^#+\s+(.*)$", f.read(), re.M)}
    # Every docs/<file>#anchor referenced from my files resolves (operations.md belongs to others).
    refs = set()
    for dp in ("scripts", "deploy", "compose", "docs"):
        for d, _, fns in os.walk(os.path.join(ROOT, dp)):
            for fn in fns:
                with open(os.path.join(d, fn), encoding="utf-8", errors="replace") as f:
                    refs.update(re.findall(r"docs/(deployment|troubleshooting)\.md#([a-z0-9-]+)", f.read()))
    for doc in (dep, tr):
        with open(doc, encoding="utf-8") as f:
            body = f.read()
        refs.update(re.findall(r"\]\((deployment|troubleshooting)\.md#([a-z0-9-]+)\)", body))
        refs.update((os.path.basename(doc)[:-3], a) for a in re.findall(r"\]\(#([a-z0-9-]+)\)", body))
    for name, anchor in sorted(refs):
        check(anchor in anchors["docs/%s.md" % name], "docs: docs/%s.md#%s exists" % (name, anchor))
    # Every repository path the docs cite in backticks that is one of this files exists.
    for p in (dep, tr):
        with open(p, encoding="utf-8") as f:
            paths = set(re.findall(r"`((?:deploy/(?:k8s|systemd|logging)|compose|scripts)/[A-Za-z0-9_./-]+)`", f.read()))
        # compose/.env is made by the operator from .env.example; run/test/bench are the main
        # developer's scripts and may land after this file.
        operator_made = {"compose/.env"}
        later = {"scripts/run", "scripts/test", "scripts/bench"}
        missing = sorted(x for x in paths - operator_made
                         if not os.path.exists(os.path.join(ROOT, x.rstrip("/"))))
        for x in [m for m in missing if m in later]:
            out("SKIP", "docs: %s cites %s, which does not exist yet" % (os.path.relpath(p, ROOT), x))
        missing = [m for m in missing if m not in later]
        check(not missing, "docs: every path %s cites exists" % os.path.relpath(p, ROOT), str(missing))


def webhook_records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def cmd_webhook(path, from_version, reason_word):
    recs = webhook_records(path)
    check(len(recs) == 1, "webhook: exactly one JSON notification received", str(len(recs)))
    if recs:
        b = recs[0]["body"]
        check(all(k in b for k in ("what", "from_version", "to_version", "reason", "strategy")),
              "webhook: body says what rolled back, from/to which version and why")
        check(b.get("from_version") == from_version, "webhook: from_version is the failed image", str(b.get("from_version")))
        check(reason_word in b.get("reason", ""), "webhook: reason mentions %s" % reason_word, b.get("reason", ""))


def _hmac_b64(key, msg):
    import base64, hashlib, hmac
    return base64.b64encode(hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()).decode()


def _recent(ts, unit):
    import time
    try:
        return abs(int(ts) / unit - time.time()) < 3600
    except (TypeError, ValueError):
        return False


def _slack_mrkdwn_ok(text):
    """Slack mrkdwn: &, < and > must arrive as &amp; &lt; &gt; (a bare < starts a link)."""
    return isinstance(text, str) and "<" not in text and ">" not in text and \
        re.search(r"&(?!amp;|lt;|gt;)", text) is None


def _check_slack(t, b):
    check(set(b) <= {"text", "blocks"} and isinstance(b.get("text"), str) and 0 < len(b["text"]) <= 40000,
          "%s: incoming-webhook body {text, blocks}, text is the notification line" % t, str(sorted(b)))
    blocks = b.get("blocks")
    if not check(isinstance(blocks, list) and 0 < len(blocks) <= 50, "%s: 1-50 blocks" % t):
        return
    ok, mrkdwn = True, [b["text"]]
    for blk in blocks:
        kind = blk.get("type")
        if kind == "header":
            txt = blk.get("text") or {}
            ok = ok and txt.get("type") == "plain_text" and 0 < len(txt.get("text", "")) <= 150
        elif kind == "section":
            if "text" in blk:
                ok = ok and blk["text"].get("type") == "mrkdwn" and len(blk["text"].get("text", "")) <= 3000
                mrkdwn.append(blk["text"].get("text"))
            fields = blk.get("fields", [])
            ok = ok and ("text" in blk or fields) and len(fields) <= 10
            for fld in fields:
                ok = ok and fld.get("type") in ("mrkdwn", "plain_text") and len(fld.get("text", "")) <= 2000
                mrkdwn.append(fld.get("text"))
        elif kind == "context":
            els = blk.get("elements", [])
            ok = ok and 0 < len(els) <= 10 and all(e.get("type") in ("mrkdwn", "plain_text", "image") for e in els)
            mrkdwn += [e.get("text") for e in els if e.get("type") == "mrkdwn"]
        elif kind != "divider":
            ok = False
    check(ok, "%s: blocks are header/section/context/divider within Slack's size limits" % t)
    check(all(_slack_mrkdwn_ok(x) for x in mrkdwn), "%s: &, <, > escaped in every mrkdwn text" % t)


def _check_dingtalk(t, rec, secret):
    b = rec["body"]
    md = b.get("markdown") or {}
    check(b.get("msgtype") == "markdown" and isinstance(md.get("title"), str) and md["title"]
          and isinstance(md.get("text"), str) and md["text"],
          "%s: {msgtype: markdown, markdown: {title, text}}" % t, json.dumps(b)[:200])
    check("xredline" in md.get("title", ""), "%s: title carries the keyword xredline (keyword-secured robots)" % t)
    q = rec.get("query") or {}
    if secret:
        ts, sign = (q.get("timestamp") or [""])[0], (q.get("sign") or [""])[0]
        check(_recent(ts, 1000.0), "%s: signed: timestamp query parameter in ms, within the hour" % t, ts)
        check(bool(sign) and sign == _hmac_b64(secret, "%s\n%s" % (ts, secret)),
              "%s: signed: sign = base64(HmacSHA256(secret, timestamp\\nsecret))" % t)
        check((q.get("access_token") or [""])[0] == "t0k3n", "%s: signed: the URL's own access_token kept" % t)
    else:
        check("sign" not in q, "%s: unsigned without XREDLINE_NOTIFY_SECRET" % t)


def _check_wecom(t, b):
    md = b.get("markdown") or {}
    content = md.get("content")
    check(b.get("msgtype") == "markdown" and isinstance(content, str) and content,
          "%s: {msgtype: markdown, markdown: {content}}" % t, json.dumps(b)[:200])
    check(isinstance(content, str) and len(content.encode("utf-8")) <= 4096, "%s: content within 4096 bytes" % t)
    check(isinstance(content, str) and all(c in ("info", "comment", "warning")
                                           for c in re.findall(r'<font color="([^"]*)">', content)),
          "%s: only the font colours WeCom knows (info, comment, warning)" % t)


def _check_feishu(t, b, secret):
    kind = b.get("msg_type")
    if kind == "text":
        check(isinstance((b.get("content") or {}).get("text"), str), "%s: {msg_type: text, content: {text}}" % t)
    else:
        card = b.get("card") or {}
        title = ((card.get("header") or {}).get("title")) or {}
        els = card.get("elements")
        check(kind == "interactive" and title.get("tag") == "plain_text" and title.get("content")
              and isinstance(els, list) and els,
              "%s: {msg_type: interactive, card: {header: {title}, elements}}" % t, json.dumps(b)[:200])
        ok = isinstance(els, list)
        for e in els or []:
            ok = ok and e.get("tag") in ("div", "note", "hr", "markdown", "action", "img")
            if e.get("tag") == "div":
                texts = ([e["text"]] if "text" in e else []) + [f.get("text") or {} for f in e.get("fields", [])]
                ok = ok and bool(texts) and all(x.get("tag") in ("lark_md", "plain_text") and isinstance(x.get("content"), str)
                                                for x in texts)
        check(ok, "%s: card elements are div/note with lark_md or plain_text texts" % t)
    if secret:
        ts = b.get("timestamp")
        check(isinstance(ts, str) and _recent(ts, 1.0), "%s: signed: timestamp in seconds (a string), within the hour" % t, str(ts))
        check(b.get("sign") == _hmac_b64("%s\n%s" % (ts, secret), ""),
              "%s: signed: sign = base64(HmacSHA256(key = timestamp\\nsecret, message = \"\"))" % t)
    else:
        check("sign" not in b, "%s: unsigned without XREDLINE_NOTIFY_SECRET" % t)


def cmd_notify_body(fmt, path, must_mention, secret):
    """One notification in FORMAT was received; its body has the shape that receiver documents
    and shows MUST_MENTION (the reason, or what rolled back)."""
    t = "notify --format %s%s" % (fmt, " (signed)" if secret else "")
    recs = webhook_records(path)
    if not check(len(recs) == 1, "%s: exactly one POST received" % t, str(len(recs))):
        return
    rec = recs[0]
    b = rec["body"]
    if not check("__invalid_json__" not in b, "%s: body is valid JSON" % t, str(b)[:200]):
        return
    check((rec.get("content_type") or "").startswith("application/json"), "%s: Content-Type application/json" % t)
    shown = json.dumps(b, ensure_ascii=False)
    escaped = must_mention.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    check(json.dumps(must_mention, ensure_ascii=False)[1:-1] in shown or
          (fmt == "slack" and json.dumps(escaped, ensure_ascii=False)[1:-1] in shown),
          "%s: the message shows %r" % (t, must_mention))
    if fmt == "json":
        check(all(k in b for k in ("event", "what", "from_version", "to_version", "reason", "strategy", "timestamp")),
              "%s: the generic event {event, what, from_version, to_version, reason, strategy, ...}" % t)
    elif fmt == "slack":
        _check_slack(t, b)
    elif fmt == "dingtalk":
        _check_dingtalk(t, rec, secret)
    elif fmt == "wecom":
        _check_wecom(t, b)
    elif fmt == "feishu":
        _check_feishu(t, b, secret)
    else:
        out("FAIL", "%s: unknown format" % t)


def cmd_drain():
    print(int(drain_seconds()))


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
