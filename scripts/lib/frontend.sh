# shellcheck shell=bash
# The browser frontend's build steps, sourced by scripts/run and scripts/test. The fat jar picks up
# frontend/dist as its webroot/ (pom.xml), so the frontend must be built before Maven packages.
# Without npm (or with a Node.js older than frontend/package.json's engines) the jar is built
# without it and serves the API only.
# Like the scripts that source it, this runs under macOS's bash 3.2 and BSD userland
# (ScriptPortabilityTest checks for bash-4 and GNU-only constructs).

# True when node and npm are usable for the frontend; otherwise says why on stderr.
frontend_tools_ok() {
  local root="$1"
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "npm or node not found (install Node.js 20.19+ with npm for the browser frontend)" >&2
    return 1
  fi
  # the message names the version found and the one wanted
  node "$root/scripts/lib/node-engines.cjs" "$root/frontend/package.json" || return 1
}

# npm ci only when node_modules is missing or package-lock.json changed since the last install
# (npm rewrites node_modules/.package-lock.json on every install).
frontend_install() {
  local dir="$1/frontend"
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

# True when frontend/dist is missing or older than any frontend source.
frontend_stale() {
  local dir="$1/frontend"
  [[ ! -f "$dir/dist/index.html" ]] && return 0
  [[ -n "$(find "$dir" \( -path "$dir/node_modules" -o -path "$dir/dist" -o -path "$dir/e2e" \) -prune \
    -o -type f -newer "$dir/dist/index.html" -print -quit)" ]]
}

frontend_build() {
  local root="$1"
  frontend_install "$root"
  (cd "$root/frontend" && npm run build)
  # Maven copies resources without deleting: old content-hashed assets would pile up in the jar
  rm -rf "$root/target/classes/webroot"
}
