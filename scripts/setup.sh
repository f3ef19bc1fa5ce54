#!/usr/bin/env bash
# Idempotent setup: installs the system packages Fluxion's build and tests need, only when missing.
# Called by `make run` and `make test` before anything else.
set -euo pipefail

APT_PACKAGES=(libuv1-dev libprotobuf-c-dev protobuf-c-compiler pkg-config libsqlite3-dev)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
