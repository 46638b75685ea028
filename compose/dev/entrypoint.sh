#!/usr/bin/env bash
# Entrypoint of the development container (Dockerfile.dev, compose/compose.dev.yaml).
# Runs sshd on port 2222 for remote IDEs (JetBrains Gateway, VS Code Remote-SSH) with key-only
# authentication. Keys come from a file mounted read-only at $AUTHORIZED_KEYS_FILE; it is copied
# into the dev user's home with the ownership and modes sshd's StrictModes demands, because a
# bind-mounted file keeps the host's owner and mode.
set -euo pipefail

readonly DEV_USER="${DEV_USER:-dev}"
readonly AUTHORIZED_KEYS_FILE="${AUTHORIZED_KEYS_FILE:-/run/secrets/authorized_keys}"
readonly HOST_KEY_DIR="/etc/ssh/host-keys"

install_authorized_keys() {
  local home ssh_dir
  home="$(getent passwd "$DEV_USER" | cut -d: -f6)"
  ssh_dir="$home/.ssh"
  if [[ ! -s "$AUTHORIZED_KEYS_FILE" ]]; then
    # Refuse to start rather than run an sshd nobody can (or everybody could) log in to.
    echo "entrypoint: $AUTHORIZED_KEYS_FILE is missing or empty; mount your public key(s) there" >&2
    exit 1
  fi
  install -d -m 700 -o "$DEV_USER" -g "$DEV_USER" "$ssh_dir"
  install -m 600 -o "$DEV_USER" -g "$DEV_USER" "$AUTHORIZED_KEYS_FILE" "$ssh_dir/authorized_keys"
}

ensure_host_keys() {
  # Host keys live in a named volume so a rebuilt container keeps its identity and IDEs do not
  # warn about a changed host key after every rebuild.
  mkdir -p "$HOST_KEY_DIR"
  local type
  for type in ed25519 rsa; do
    if [[ ! -f "$HOST_KEY_DIR/ssh_host_${type}_key" ]]; then
      ssh-keygen -q -t "$type" -N '' -f "$HOST_KEY_DIR/ssh_host_${type}_key"
    fi
  done
}

main() {
  install_authorized_keys
  ensure_host_keys
  if [[ $# -gt 0 ]]; then
    # A command was given (docker compose run dev mvn ...): run it as the dev user, no sshd.
    exec runuser -u "$DEV_USER" -- "$@"
  fi
  # -D: stay in the foreground as the container's main process; -e: log to stderr (docker logs).
  exec /usr/sbin/sshd -D -e -f /etc/ssh/xredline-dev_sshd_config
}

main "$@"
