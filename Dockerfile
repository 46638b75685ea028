# syntax=docker/dockerfile:1
#
# xredline production image (multi-stage).
#
#   docker build -t xredline:$(git rev-parse --short HEAD) .
#   docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/xredline:1.4.2 --push .
#
# Behind a firewall or far from the public registries (docs/deployment.md#building-the-image):
#   --build-arg MAVEN_MIRROR=https://nexus.example.com/repository/maven-public/
#   --build-arg NPM_REGISTRY=https://nexus.example.com/repository/npm/
#
# Base images are build arguments so a team can switch distributions without editing this file.
# Default: openEuler 24.03 LTS with its own OpenJDK 17 / Maven / Node.js packages (the seed's choice).
# Alternative (Eclipse Temurin), see docs/deployment.md#base-images:
#
#   docker build \
#     --build-arg BUILD_IMAGE=maven:3.9-eclipse-temurin-17 \
#     --build-arg FRONTEND_IMAGE=node:20-bookworm-slim \
#     --build-arg RUNTIME_IMAGE=eclipse-temurin:17-jre \
#     -t xredline .
#
# Every install step below installs only what the chosen base lacks, with whichever package manager
# it has (dnf on openEuler, apt-get on Debian/Ubuntu-based Temurin/Node images), so all three ARGs
# are independent. scripts/check-ops lints these rules; scripts/image-smoke runs the runtime stage's
# ENTRYPOINT and HEALTHCHECK against the real jar outside Docker.

ARG BUILD_IMAGE=openeuler/openeuler:24.03-lts
ARG FRONTEND_IMAGE=openeuler/openeuler:24.03-lts
ARG RUNTIME_IMAGE=openeuler/openeuler:24.03-lts

# ---------------------------------------------------------------------------------------------
# Stage 1: backend (JDK 17 + Maven)
# ---------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS backend
# A Maven repository every download goes through (a Nexus/Artifactory group, a regional mirror of
# Maven Central); empty = Maven Central directly.
ARG MAVEN_MIRROR=
# Set by BuildKit/buildx from --platform (amd64, arm64, ...); empty with the classic builder,
# where the stage runs on the host's own architecture.
ARG TARGETARCH
# Embedded PostgreSQL/Redis binaries kept in the jar (pom.xml embedded.platforms); empty = the
# target architecture's only. prod refuses embedded servers, so `none` is fine for prod-only images.
ARG EMBEDDED_PLATFORMS=
RUN set -eu; \
    if command -v javac >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then exit 0; fi; \
    if command -v dnf >/dev/null 2>&1; then \
        dnf install -y java-17-openjdk-devel maven && dnf clean all; \
    elif command -v apt-get >/dev/null 2>&1; then \
        apt-get update && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven \
        && rm -rf /var/lib/apt/lists/*; \
    else echo "no dnf or apt-get in BUILD_IMAGE; pick a base with JDK 17 and Maven" >&2; exit 1; fi
WORKDIR /src
# Maven reads neither --build-arg MAVEN_OPTS nor the HTTPS_PROXY variables that dnf, apt and npm
# follow, so both the mirror and Docker's predefined proxy arguments (HTTPS_PROXY, HTTP_PROXY,
# NO_PROXY) become this stage's Maven user settings. mirrorOf *: nothing bypasses the mirror.
# Only URLs are taken: credentials belong in the repository manager or the proxy's allow-list,
# never in an image layer.
RUN set -eu; \
    proxy="${HTTPS_PROXY:-${https_proxy:-${HTTP_PROXY:-${http_proxy:-}}}}"; \
    if [ -z "${MAVEN_MIRROR}" ] && [ -z "${proxy}" ]; then exit 0; fi; \
    mkdir -p "${HOME:-/root}/.m2"; \
    { \
        printf '<settings>'; \
        if [ -n "${MAVEN_MIRROR}" ]; then \
            printf '<mirrors><mirror><id>build-mirror</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>' "${MAVEN_MIRROR}"; \
        fi; \
        if [ -n "${proxy}" ]; then \
            hostport="${proxy#*://}"; hostport="${hostport%%/*}"; hostport="${hostport##*@}"; \
            case "${hostport}" in *:*) host="${hostport%:*}"; port="${hostport##*:}" ;; *) host="${hostport}"; port=80 ;; esac; \
            skip="$(printf '%s' "${NO_PROXY:-${no_proxy:-}}" | tr ',' '|')"; \
            printf '<proxies>'; \
            for protocol in http https; do \
                printf '<proxy><id>build-%s</id><active>true</active><protocol>%s</protocol><host>%s</host><port>%s</port><nonProxyHosts>%s</nonProxyHosts></proxy>' \
                    "${protocol}" "${protocol}" "${host}" "${port}" "${skip}"; \
            done; \
            printf '</proxies>'; \
        fi; \
        printf '</settings>\n'; \
    } > "${HOME:-/root}/.m2/settings.xml"; \
    echo "Maven settings: mirror ${MAVEN_MIRROR:-none}, proxy ${host:-none}:${port:-}"
# Dependency layer: only pom.xml is copied first, so editing code reuses this layer and Maven does
# not download the world again. go-offline misses a few lazily resolved plugin artefacts (protoc,
# surefire providers); the package step below fetches those, which is why it is not run with -o.
COPY pom.xml ./
RUN mvn -B -ntp -q dependency:go-offline
COPY conf/ conf/
COPY src/ src/
# Tests ran in CI (scripts/test) before the image is built; the image build only packages, with
# the embedded binaries of the image's own architecture only (the default jar carries five
# platforms' worth, ~100 MB more).
RUN set -eu; \
    arch="${TARGETARCH:-$(uname -m)}"; \
    case "${arch}" in \
        amd64|x86_64) platforms=linux-amd64 ;; \
        arm64|aarch64) platforms=linux-arm64 ;; \
        *) platforms=none ;; \
    esac; \
    mvn -B -ntp -q -DskipTests -Dembedded.platforms="${EMBEDDED_PLATFORMS:-${platforms}}" package; \
    test -s target/xredline.jar

# ---------------------------------------------------------------------------------------------
# Stage 2: frontend (Node.js + npm). Its own stage so it builds in parallel with the backend and
# so FRONTEND_IMAGE can be a node image when the distribution's Node.js is older than the
# frontend's engines field wants.
# ---------------------------------------------------------------------------------------------
FROM ${FRONTEND_IMAGE} AS frontend
# The npm registry to install from (a mirror or a private registry). npm swaps the public host in
# package-lock.json's resolved URLs for this one (its replace-registry-host default).
ARG NPM_REGISTRY=https://registry.npmjs.org/
RUN set -eu; \
    if command -v npm >/dev/null 2>&1; then exit 0; fi; \
    if command -v dnf >/dev/null 2>&1; then \
        dnf install -y nodejs npm && dnf clean all; \
    elif command -v apt-get >/dev/null 2>&1; then \
        apt-get update && apt-get install -y --no-install-recommends nodejs npm \
        && rm -rf /var/lib/apt/lists/*; \
    else echo "no dnf or apt-get in FRONTEND_IMAGE; pick a base with Node.js 20+" >&2; exit 1; fi
WORKDIR /src/frontend
# Same layering as Maven: the lock file alone decides whether npm ci runs again.
COPY frontend/package.json frontend/package-lock.json ./
# Fail here, in one line naming the versions, when the base's Node.js is older than
# package.json's engines.node wants (not halfway through vite); the same check scripts/run uses.
COPY scripts/lib/node-engines.cjs /usr/local/lib/xredline/node-engines.cjs
RUN node /usr/local/lib/xredline/node-engines.cjs package.json
RUN npm ci --no-audit --no-fund --registry="${NPM_REGISTRY}"
COPY frontend/ ./
RUN npm run build && test -d dist

# ---------------------------------------------------------------------------------------------
# Stage 3: the runtime's files (JRE only, non-root user), shared by the class-data stage and the
# image itself, so the jar the archive was recorded from is the very layer the image ships.
# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime-files
ARG APP_UID=10001
ARG APP_GID=10001
# A JRE is all the runtime needs; bash and coreutils are needed by the HEALTHCHECK and the
# Kubernetes preStop sleep. The user gets a fixed UID/GID so Kubernetes runAsUser, volume
# ownership and host bind mounts agree across rebuilds. useradd is absent from some minimal
# bases, hence the /etc/passwd fallback.
RUN set -eu; \
    if ! command -v java >/dev/null 2>&1; then \
        if command -v dnf >/dev/null 2>&1; then \
            dnf install -y java-17-openjdk-headless bash coreutils && dnf clean all; \
        elif command -v apt-get >/dev/null 2>&1; then \
            apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
            && rm -rf /var/lib/apt/lists/*; \
        else echo "RUNTIME_IMAGE has no java and no package manager" >&2; exit 1; fi; \
    fi; \
    if command -v useradd >/dev/null 2>&1; then \
        groupadd --system --gid "${APP_GID}" xredline; \
        useradd --system --uid "${APP_UID}" --gid "${APP_GID}" --home-dir /app --no-create-home \
            --shell /sbin/nologin xredline; \
    else \
        echo "xredline:x:${APP_GID}:" >> /etc/group; \
        echo "xredline:x:${APP_UID}:${APP_GID}:xredline:/app:/sbin/nologin" >> /etc/passwd; \
    fi; \
    mkdir -p /app/conf
WORKDIR /app
# Application files stay owned by root and read-only for the service user: a compromised process
# cannot rewrite its own code. Only /tmp is written (JVM, Vert.x file cache).
COPY --from=backend /src/target/xredline.jar /app/xredline.jar
COPY --from=frontend /src/frontend/dist /app/frontend/dist
COPY conf/ /app/conf/

# ---------------------------------------------------------------------------------------------
# Stage 4: class-data sharing archive (docs/operations.md#class-data-sharing). One training run of
# the jar on its embedded PostgreSQL and Redis, as the service user; the image maps the recorded
# classes instead of loading them (ready about a second sooner). -Xmx1g, not the ENTRYPOINT's
# MaxRAMPercentage: on a builder with more than ~43 GB of memory that would turn compressed oops
# off, and an archive recorded so does not map in a container with a usual memory limit. CDS=auto: a training run that fails (e.g. EMBEDDED_PLATFORMS=none) leaves the image
# without an archive and says so; CDS=required fails the build instead; CDS=off skips it.
# ---------------------------------------------------------------------------------------------
FROM runtime-files AS cds
ARG APP_UID=10001
ARG APP_GID=10001
ARG CDS=auto
COPY scripts/cds-archive /opt/cds/scripts/cds-archive
COPY scripts/lib/cds.sh /opt/cds/scripts/lib/cds.sh
USER ${APP_UID}:${APP_GID}
RUN set -eu; \
    mkdir -p /tmp/cds; \
    if [ "${CDS}" = off ]; then echo "CDS=off: no class-data archive"; exit 0; fi; \
    if bash /opt/cds/scripts/cds-archive --jar /app/xredline.jar --out /tmp/cds/xredline.jsa -- \
        -Xmx1g -Djava.io.tmpdir=/tmp -Dfile.encoding=UTF-8; then \
        exit 0; \
    fi; \
    if [ "${CDS}" = required ]; then exit 1; fi; \
    echo "WARNING: no class-data archive; the image starts without one (slower)" >&2

# ---------------------------------------------------------------------------------------------
# Stage 5: runtime
# ---------------------------------------------------------------------------------------------
FROM runtime-files AS runtime
ARG APP_UID=10001
ARG APP_GID=10001
ARG VERSION=dev
ARG VCS_REF=unknown
LABEL org.opencontainers.image.title="xredline" \
      org.opencontainers.image.description="xredline Vert.x service (REST :8000, gRPC :9000)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${VCS_REF}"
# /app/xredline.jsa, owned by root and read-only like the jar (a rewritten archive would be
# rewritten code); absent when the cds stage recorded none, which the JVM silently accepts.
COPY --from=cds /tmp/cds/ /app/
# The backend stage builds the jar without frontend/dist (the stages run in parallel), so the
# service serves the browser frontend from this directory instead of the jar's webroot/.
# MALLOC_ARENA_MAX: glibc gives each thread that allocates natively an arena of its own (up to
# 8 per core); two keep the memory outside the JVM's accounting small in a small container.
ENV XREDLINE_ENV=prod \
    XREDLINE_SERVER__HTTP__FRONTEND_DIR=/app/frontend/dist \
    LANG=C.UTF-8 \
    TZ=UTC \
    MALLOC_ARENA_MAX=2
EXPOSE 8000 9000
USER ${APP_UID}:${APP_GID}
# Liveness only: /healthz/live never touches PostgreSQL or Redis, so a database outage does not
# make Docker restart healthy JVMs. No curl in the image: bash's /dev/tcp speaks just enough HTTP.
# The port follows the same env override the application reads.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${XREDLINE_SERVER__HTTP__PORT:-8000}\" && printf 'GET /healthz/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r -t 2 status <&3 && [[ $status == HTTP/1.?\\ 200* ]]"]
STOPSIGNAL SIGTERM
# Exec form: java is PID 1 and receives SIGTERM directly, so the service drains (readiness DOWN,
# in-flight requests finish within server.shutdown_timeout) instead of being SIGKILLed after a
# shell swallowed the signal.
#   MaxRAMPercentage=75       heap sized from the container memory limit, 25% left for metaspace,
#                             thread stacks, Netty direct buffers and the code cache;
#   ExitOnOutOfMemoryError    a JVM past OOM is in an unknown state: die and let the orchestrator
#                             restart it instead of serving errors;
#   SharedArchiveFile         the cds stage's class-data archive; a missing one is ignored, one that
#                             does not match the jar or JVM is ignored with one warning line;
#   Min/MaxHeapFreeRatio=5/20 the heap given back after a collection and kept close to what is
#                             live: argon2id allocates 19 MiB per password check, and with the
#                             defaults (40/70) a 256 MiB container's heap grew to 158 of its 192 MiB
#                             and RSS peaked at 348 MiB (bench/README phase 7: 242 MiB with these);
#   TrimNativeHeapInterval    returns the native memory glibc keeps after the JIT and others freed
#                             it (experimental in 17.0.9+, a product flag from 21; ignored by a JVM
#                             that does not know it).
# Extra flags without rebuilding: JDK_JAVA_OPTIONS="-Xlog:gc" (read by the java launcher);
# JDK_JAVA_OPTIONS="-Xshare:off" runs without any class-data archive.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:InitialRAMPercentage=25.0", "-XX:+ExitOnOutOfMemoryError", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20", "-XX:+UnlockExperimentalVMOptions", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:TrimNativeHeapInterval=2000", "-Djava.io.tmpdir=/tmp", "-Dfile.encoding=UTF-8", "-XX:SharedArchiveFile=/app/xredline.jsa", "-jar", "/app/xredline.jar"]
CMD []
