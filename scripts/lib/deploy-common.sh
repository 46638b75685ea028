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

# JSON string escaping for the webhook bodies (no jq/python on many ops hosts). Control characters
# other than \n, \r and \t have no place in a notification and would make the JSON invalid: dropped.
json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '%s' "$s" | LC_ALL=C tr -d '\000-\010\013\014\016-\037\177'
}

# --------------------------------------------------------------------------------------------
# Notifications: every rollback (automatic or manual) is POSTed to XREDLINE_NOTIFY_WEBHOOK in the
# body its receiver displays. scripts/check-ops posts each format to a local stand-in and checks
# the shape each vendor documents; keep the builders and those checks together.
# --------------------------------------------------------------------------------------------
NOTIFY_FORMATS="auto json slack dingtalk wecom feishu"
NOTIFY_FORMAT="${XREDLINE_NOTIFY_FORMAT:-auto}"
# A reason longer than this is cut: WeCom refuses markdown over 4096 bytes, Slack fields over 2000.
NOTIFY_REASON_MAX=1000

# --format / XREDLINE_NOTIFY_FORMAT; a typo is a usage error before anything is deployed.
set_notify_format() {
  case " $NOTIFY_FORMATS " in
    *" $1 "*) NOTIFY_FORMAT="$1" ;;
    *) echo "--format must be one of: ${NOTIFY_FORMATS// /, } (got '$1')" >&2; exit 2 ;;
  esac
}

# The body a webhook URL gets under --format auto: the vendor whose robot API serves that host,
# else the generic JSON event (Alertmanager-style receivers, your own relay).
format_for_url() {
  local host="${1#*://}"
  host="${host%%[/?#]*}"
  host="${host##*@}"
  host="${host%%:*}"
  case "${host,,}" in
    hooks.slack.com) echo slack ;;
    oapi.dingtalk.com) echo dingtalk ;;
    qyapi.weixin.qq.com) echo wecom ;;
    open.feishu.cn|open.larksuite.com) echo feishu ;;
    *) echo json ;;
  esac
}

# Webhook URLs carry their credential (Slack's path, DingTalk's access_token, WeCom's key, Feishu's
# hook id): logs and --dry-run show only scheme and host.
redact_url() {
  local rest="${1#*://}" scheme="${1%%://*}"
  rest="${rest%%[/?#]*}"
  printf '%s://%s/…' "$scheme" "${rest##*@}"
}

# Slack mrkdwn treats &, < and > as control characters. (The replacements are quoted: bash 5.2
# reads an unquoted & in a replacement as "the matched text".)
slack_escape() {
  local s="$1"
  s="${s//&/"&amp;"}"
  s="${s//</"&lt;"}"
  s="${s//>/"&gt;"}"
  printf '%s' "$s"
}

# Standard base64 of HMAC-SHA256(KEY, DATA), as DingTalk and Feishu robots verify it.
#   hmac_sha256_base64 KEY DATA
hmac_sha256_base64() {
  printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" -binary | base64 | tr -d '\n'
}

# The notification's fields, set by notify_rollback for the body builders below.
N_WHAT="" N_FROM="" N_TO="" N_REASON="" N_HOST="" N_TIME="" N_TITLE=""

body_json() {
  printf '{"event":"rollback","service":"xredline","strategy":"%s","namespace":"%s","what":"%s","from_version":"%s","to_version":"%s","reason":"%s","dry_run":%s,"host":"%s","timestamp":"%s"}' \
    "$(json_escape "$STRATEGY")" "$(json_escape "$NAMESPACE")" "$(json_escape "$N_WHAT")" \
    "$(json_escape "$N_FROM")" "$(json_escape "$N_TO")" "$(json_escape "$N_REASON")" \
    "$([[ "$DRY_RUN" == 1 ]] && echo true || echo false)" "$(json_escape "$N_HOST")" "$(json_escape "$N_TIME")"
}

# Slack incoming webhook: "text" is the notification/fallback line, "blocks" the message.
slack_text() { json_escape "$(slack_escape "$1")"; }

body_slack() {
  local e=slack_text
  printf '{"text":"%s","blocks":[' "$($e "$N_TITLE: $N_WHAT - $N_REASON")"
  printf '{"type":"header","text":{"type":"plain_text","text":"%s","emoji":true}},' "$(json_escape "${N_TITLE:0:150}")"
  printf '{"type":"section","text":{"type":"mrkdwn","text":"*%s*\\n%s"}},' "$($e "$N_WHAT")" "$($e "$N_REASON")"
  # The backticks are Slack code spans around the image references, not shell.
  # shellcheck disable=SC2016
  printf '{"type":"section","fields":[{"type":"mrkdwn","text":"*Strategy*\\n%s"},{"type":"mrkdwn","text":"*Namespace*\\n%s"},{"type":"mrkdwn","text":"*From*\\n`%s`"},{"type":"mrkdwn","text":"*To*\\n`%s`"}]},' \
    "$($e "$STRATEGY")" "$($e "$NAMESPACE")" "$($e "$N_FROM")" "$($e "${N_TO:-<previous>}")"
  printf '{"type":"context","elements":[{"type":"mrkdwn","text":"%s"}]}]}' "$($e "$N_HOST · $N_TIME")"
}

# DingTalk custom robot, markdown message: "title" is what the chat list shows. A robot secured
# by keyword needs "xredline" as its keyword (it is in every title).
body_dingtalk() {
  local text
  text="### $N_TITLE"$'\n\n'"**$N_WHAT**"$'\n\n'"> $N_REASON"$'\n\n'
  text+="- Strategy: $STRATEGY"$'\n'"- Namespace: $NAMESPACE"$'\n'"- From: $N_FROM"$'\n'"- To: ${N_TO:-<previous>}"$'\n\n'
  text+="###### $N_HOST · $N_TIME"
  printf '{"msgtype":"markdown","markdown":{"title":"%s","text":"%s"}}' \
    "$(json_escape "$N_TITLE: $N_WHAT")" "$(json_escape "$text")"
}

# WeCom (企业微信) group robot, markdown message (its own subset: <font color>, > quotes).
body_wecom() {
  local text
  text="## $N_TITLE"$'\n'"**$N_WHAT**"$'\n'
  text+="> Reason: <font color=\"warning\">$N_REASON</font>"$'\n'
  text+="> Strategy: <font color=\"comment\">$STRATEGY</font>"$'\n'
  text+="> Namespace: <font color=\"comment\">$NAMESPACE</font>"$'\n'
  text+="> From: <font color=\"comment\">$N_FROM</font>"$'\n'
  text+="> To: <font color=\"comment\">${N_TO:-<previous>}</font>"$'\n'
  text+="<font color=\"comment\">$N_HOST · $N_TIME</font>"
  printf '{"msgtype":"markdown","markdown":{"content":"%s"}}' "$(json_escape "$text")"
}

# Feishu / Lark custom bot, interactive card. With XREDLINE_NOTIFY_SECRET ("signature
# verification" on the bot) the body carries timestamp and sign.
body_feishu() {
  local signed="" ts
  if [[ -n "${XREDLINE_NOTIFY_SECRET:-}" ]]; then
    ts="$(date +%s)"
    # Feishu signs the empty string with "timestamp\nsecret" as the key (DingTalk does the reverse).
    signed="$(printf '"timestamp":"%s","sign":"%s",' "$ts" "$(hmac_sha256_base64 "$ts"$'\n'"$XREDLINE_NOTIFY_SECRET" "")")"
  fi
  printf '{%s"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},' "$signed"
  printf '"header":{"template":"red","title":{"tag":"plain_text","content":"%s"}},"elements":[' "$(json_escape "$N_TITLE")"
  printf '{"tag":"div","text":{"tag":"lark_md","content":"%s"}},' "$(json_escape "**$N_WHAT**"$'\n'"$N_REASON")"
  printf '{"tag":"div","fields":['
  printf '{"is_short":true,"text":{"tag":"lark_md","content":"%s"}},' "$(json_escape "**Strategy**"$'\n'"$STRATEGY")"
  printf '{"is_short":true,"text":{"tag":"lark_md","content":"%s"}},' "$(json_escape "**Namespace**"$'\n'"$NAMESPACE")"
  printf '{"is_short":true,"text":{"tag":"lark_md","content":"%s"}},' "$(json_escape "**From**"$'\n'"$N_FROM")"
  printf '{"is_short":true,"text":{"tag":"lark_md","content":"%s"}}]},' "$(json_escape "**To**"$'\n'"${N_TO:-<previous>}")"
  printf '{"tag":"note","elements":[{"tag":"plain_text","content":"%s"}]}]}}' "$(json_escape "$N_HOST · $N_TIME")"
}

# DingTalk's signature goes into the URL: &timestamp=<ms>&sign=<urlencoded base64>.
dingtalk_signed_url() {
  local url="$1" ts sign
  ts="$(( $(date +%s) * 1000 ))"
  sign="$(hmac_sha256_base64 "$XREDLINE_NOTIFY_SECRET" "$ts"$'\n'"$XREDLINE_NOTIFY_SECRET")"
  sign="${sign//+/%2B}"; sign="${sign//\//%2F}"; sign="${sign//=/%3D}"
  if [[ "$url" == *\?* ]]; then url+="&"; else url+="?"; fi
  printf '%stimestamp=%s&sign=%s' "$url" "$ts" "$sign"
}

# Whether a receiver's answer means "delivered". The chat robots answer HTTP 200 with an error
# code in the body when they refuse a message (bad keyword, bad signature, rate limit).
#   delivered FORMAT HTTP_STATUS BODY
delivered() {
  local format="$1" status="$2" body="$3"
  [[ "$status" == 2?? ]] || return 1
  case "$format" in
    slack) [[ "$body" == ok ]] ;;
    dingtalk|wecom) [[ "$body" =~ \"errcode\"[[:space:]]*:[[:space:]]*0[[:space:]]*[,}] ]] ;;
    feishu) [[ "$body" =~ \"(code|StatusCode)\"[[:space:]]*:[[:space:]]*0[[:space:]]*[,}] ]] ;;
    *) return 0 ;;
  esac
}

# POST a body to a URL, neither of them on curl's command line (the URL holds a credential and
# the process list is world-readable): curl reads both from files. Prints "STATUS ANSWER", where
# ANSWER is the start of the response body, or curl's error when there was no response.
post_json() {
  local url="$1" body="$2" cfg bodyfile status
  cfg="$(mktemp "$WORK_DIR/curl.XXXXXX")"
  bodyfile="$(mktemp "$WORK_DIR/body.XXXXXX")"
  printf '%s' "$body" >"$bodyfile"
  url="${url//\\/\\\\}"
  printf 'url = "%s"\n' "${url//\"/\\\"}" >"$cfg"
  status="$(curl -sS -m 10 -X POST -H 'Content-Type: application/json' --data-binary "@$bodyfile" \
    -o "$bodyfile.response" -w '%{http_code}' -K "$cfg" 2>"$bodyfile.err")" || true
  if [[ -s "$bodyfile.response" ]]; then
    printf '%s %s' "${status:-000}" "$(head -c 300 "$bodyfile.response")"
  else
    printf '%s %s' "${status:-000}" "$(head -c 300 "$bodyfile.err")"
  fi
}

# Tell an operator that something was rolled back. Always logged loudly; POSTed to
# $XREDLINE_NOTIFY_WEBHOOK when set, in the body --format (XREDLINE_NOTIFY_FORMAT) names. A
# failing or refusing webhook never hides the rollback itself: it only warns.
#   notify_rollback WHAT FROM_VERSION TO_VERSION REASON
notify_rollback() {
  local url="${XREDLINE_NOTIFY_WEBHOOK:-}" format="$NOTIFY_FORMAT" body answer status
  N_WHAT="$1" N_FROM="$2" N_TO="$3" N_REASON="$4"
  log "ROLLED BACK $N_WHAT: from $N_FROM to ${N_TO:-<previous>} because: $N_REASON"
  [[ -n "$url" ]] || { log "XREDLINE_NOTIFY_WEBHOOK not set; no notification sent"; return 0; }
  [[ "$format" == auto ]] && format="$(format_for_url "$url")"
  (( ${#N_REASON} <= NOTIFY_REASON_MAX )) || N_REASON="${N_REASON:0:NOTIFY_REASON_MAX}…"
  N_HOST="$(hostname 2>/dev/null || echo unknown)"
  N_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  N_TITLE="xredline rolled back"
  [[ "$DRY_RUN" == 1 ]] && N_TITLE+=" (dry run)"
  if [[ -n "${XREDLINE_NOTIFY_SECRET:-}" ]]; then
    case "$format" in
      dingtalk|feishu) command -v openssl >/dev/null 2>&1 || { log "WARNING: XREDLINE_NOTIFY_SECRET needs openssl to sign; no notification sent"; return 0; } ;;
      *) log "XREDLINE_NOTIFY_SECRET is used by the dingtalk and feishu formats only; ignored for $format" ;;
    esac
  fi
  body="$("body_$format")"
  [[ "$format" == dingtalk && -n "${XREDLINE_NOTIFY_SECRET:-}" ]] && url="$(dingtalk_signed_url "$url")"
  if [[ "$DRY_RUN" == 1 ]]; then
    print_cmd curl -sS -m 10 -X POST -H 'Content-Type: application/json' --data "$body" "$(redact_url "$url")" >&2
    return 0
  fi
  answer="$(post_json "$url" "$body")"
  status="${answer%% *}"
  if delivered "$format" "$status" "${answer#* }"; then
    log "notified $(redact_url "$url") ($format)"
  else
    log "WARNING: $format notification to $(redact_url "$url") not delivered: HTTP ${status:-none} ${answer#* }"
  fi
}

# Names of the Deployments in a rendered manifest (kustomize prints kind, then metadata.name at
# two spaces), one per line, in manifest order.
rendered_deployments() {
  awk '/^kind: /{kind=$2} /^  name: /{if (kind == "Deployment") print $2; kind=""}' "$1"
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
