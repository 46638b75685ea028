# shellcheck shell=bash
# Variables defined here are used by the scripts that source this file:
# shellcheck disable=SC2034
# Shared code for scripts/deploy-rolling, deploy-blue-green, deploy-canary and rollback.
# Sourced, not executed. Callers set DRY_RUN, NAMESPACE, STRATEGY before using these functions.
#
# Every kubectl call that changes or reads the cluster goes through kc (mutating) or kc_get
# (reading), so --dry-run can print exactly the calls a real run would make, one per line,
# prefixed with "+ kubectl", on stderr (stdout of reads is captured). scripts/check-ops runs the scripts in --dry-run and also against a
# fake kubectl and asserts on those lines: keep the format stable.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
KUBECTL="${KUBECTL:-kubectl}"
DRY_RUN="${DRY_RUN:-0}"
NAMESPACE="${NAMESPACE:-xredline}"
STRATEGY="${STRATEGY:-unknown}"
# Temp files of this run; removed on exit.
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/xredline-deploy.XXXXXX")"
readonly WORK_DIR
trap 'rm -rf "$WORK_DIR"' EXIT

log() { printf '%s [%s] %s\n' "$(date -u +%H:%M:%S)" "$STRATEGY" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Print a command the way a shell would accept it back.
print_cmd() {
  local out="+" arg
  for arg in "$@"; do out+=" $(printf '%q' "$arg")"; done
  printf '%s\n' "$out"
}

# Mutating kubectl call: printed under --dry-run, run otherwise.
kc() {
  if [[ "$DRY_RUN" == 1 ]]; then
    print_cmd kubectl -n "$NAMESPACE" "$@" >&2
    return 0
  fi
  "$KUBECTL" -n "$NAMESPACE" "$@"
}

# Reading kubectl call whose output the script needs. Under --dry-run there is no cluster to ask:
# the call is printed and the given placeholder is returned instead.
#   kc_get PLACEHOLDER ARGS...
kc_get() {
  local placeholder="$1"; shift
  if [[ "$DRY_RUN" == 1 ]]; then
    print_cmd kubectl -n "$NAMESPACE" "$@" >&2
    printf '%s\n' "$placeholder"
    return 0
  fi
  "$KUBECTL" -n "$NAMESPACE" "$@"
}

# Apply a manifest file (rendered by render_overlay).
kc_apply_file() {
  local file="$1"
  if [[ "$DRY_RUN" == 1 ]]; then
    print_cmd kubectl -n "$NAMESPACE" apply -f "$file" >&2
    # Show what would be applied, one "kind/name" per line, and the image, so a dry run can be
    # reviewed without a cluster.
    grep -E '^(kind|  name):' "$file" | paste - - | awk '{print "  would apply " $2 "/" $4}' >&2
    grep -E '^ +image:' "$file" | sort -u | sed 's/^ */  with /' >&2
    return 0
  fi
  "$KUBECTL" -n "$NAMESPACE" apply -f "$file"
}

# Render a kustomize overlay with the image replaced, into a file; print the file's path.
# A throwaway kustomization that references the overlay and sets `images` keeps the repository's
# files untouched. The load restrictor is relaxed because the base's ConfigMap is generated from
# conf/config-prod.yaml, outside deploy/k8s.
#   render_overlay OVERLAY_DIR IMAGE
render_overlay() {
  local overlay image dir name tag
  image="$2"
  dir="$(mktemp -d "$WORK_DIR/render.XXXXXX")"
  # kustomize refuses absolute resource paths: reference the overlay relative to the temp dir.
  overlay="$(realpath --relative-to="$dir" "$1")"
  split_image "$image" name tag
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $overlay
images:
  - name: registry.example.com/xredline
    newName: $name
    newTag: "$tag"
EOF
  "$KUBECTL" kustomize --load-restrictor LoadRestrictionsNone "$dir" >"$dir/rendered.yaml" \
    || die "kustomize could not render $overlay"
  printf '%s\n' "$dir/rendered.yaml"
}

# Split "registry/repo:tag" (or "repo@sha256:...") into name and tag. A registry port
# ("host:5000/repo") is not a tag: only a colon after the last slash counts.
#   split_image IMAGE NAME_VAR TAG_VAR
split_image() {
  local image="$1" last
  local -n _name="$2" _tag="$3"
  last="${image##*/}"
  if [[ "$image" == *@* ]]; then
    die "digest references are not supported by --image; use a tag (got $image)"
  elif [[ "$last" == *:* ]]; then
    _name="${image%:*}"
    _tag="${image##*:}"
  else
    die "--image needs an explicit tag, never an implicit :latest (got $image)"
  fi
}

# The image currently set on a Deployment's first container, or "" when it does not exist yet.
current_image() {
  local deploy="$1"
  kc_get "registry.example.com/xredline:current" get deployment "$deploy" \
    -o 'jsonpath={.spec.template.spec.containers[0].image}' --ignore-not-found || true
}

# Wait for a Deployment's rollout; returns non-zero on timeout or when the rollout is marked failed
# (progressDeadlineSeconds): this is the "health check failed" signal, because new pods only count
# as available once their readiness probe (/healthz/ready) passes for minReadySeconds.
wait_rollout() {
  local deploy="$1" timeout="$2"
  log "waiting up to $timeout for deployment/$deploy to become ready"
  kc rollout status "deployment/$deploy" --timeout="$timeout"
}

# Ready replica count vs desired, read from the Deployment status.
ready_replicas() {
  local deploy="$1" n
  n="$(kc_get 3 get deployment "$deploy" -o 'jsonpath={.status.readyReplicas}')"
  printf '%s\n' "${n:-0}"
}

# JSON string escaping for the webhook body (no jq/python on many ops hosts).
json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '%s' "$s"
}

# Tell an operator that something was rolled back. Always logged loudly; POSTed as JSON to
# $XREDLINE_NOTIFY_WEBHOOK when set (Slack/Teams/Alertmanager-webhook style receivers accept a
# plain JSON body). A failing webhook never hides the rollback itself: it only warns.
#   notify_rollback WHAT FROM_VERSION TO_VERSION REASON
notify_rollback() {
  local what="$1" from="$2" to="$3" reason="$4" body
  log "ROLLED BACK $what: from $from to ${to:-<previous>} because: $reason"
  [[ -n "${XREDLINE_NOTIFY_WEBHOOK:-}" ]] || { log "XREDLINE_NOTIFY_WEBHOOK not set; no notification sent"; return 0; }
  body="$(printf '{"event":"rollback","service":"xredline","strategy":"%s","namespace":"%s","what":"%s","from_version":"%s","to_version":"%s","reason":"%s","dry_run":%s,"host":"%s","timestamp":"%s"}' \
    "$(json_escape "$STRATEGY")" "$(json_escape "$NAMESPACE")" "$(json_escape "$what")" \
    "$(json_escape "$from")" "$(json_escape "$to")" "$(json_escape "$reason")" \
    "$([[ "$DRY_RUN" == 1 ]] && echo true || echo false)" \
    "$(json_escape "$(hostname 2>/dev/null || echo unknown)")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  if [[ "$DRY_RUN" == 1 ]]; then
    print_cmd curl -fsS -m 10 -X POST -H 'Content-Type: application/json' --data "$body" "$XREDLINE_NOTIFY_WEBHOOK" >&2
    return 0
  fi
  if ! curl -fsS -m 10 -X POST -H 'Content-Type: application/json' --data "$body" \
      "$XREDLINE_NOTIFY_WEBHOOK" >/dev/null; then
    log "WARNING: webhook notification to XREDLINE_NOTIFY_WEBHOOK failed"
  fi
}

# Parse a duration like 90s / 5m / 1h into seconds (for sleeps between canary steps).
to_seconds() {
  local d="$1"
  case "$d" in
    *h) echo $(( ${d%h} * 3600 )) ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *s) echo $(( ${d%s} )) ;;
    *[!0-9]*|'') die "bad duration: $d (use 30s, 5m, 1h)" ;;
    *) echo "$d" ;;
  esac
}

require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "$t is required but not installed"
  done
}
