#!/usr/bin/env bash
# Idempotent setup: installs the system packages Fluxion's build and tests need, only when missing.
# Called by `make run` and `make test` before anything else.
set -euo pipefail

# protobuf-compiler: protoc 3.21.12 generates the Python client's protobuf modules (clients/python).
# libssl-dev: TLS (libssl), SHA-256 and constant-time comparison of access tokens (libcrypto);
# openssl: the command the TLS tests make their certificates with; systemd: systemd-analyze
# verify checks the shipped unit.
APT_PACKAGES=(libuv1-dev libprotobuf-c-dev protobuf-c-compiler pkg-config libsqlite3-dev protobuf-compiler libssl-dev openssl systemd)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python packages for clients/python. protobuf 4.21.12 is the runtime that matches protoc 3.21.12's
# gencode exactly (same release train), so the committed generated modules load without warnings.
PY=${PYTHON:-python3}
PIP_PACKAGES=()
"$PY" -c 'import google.protobuf as p, sys; sys.exit(p.__version__ != "4.21.12")' 2>/dev/null \
  || PIP_PACKAGES+=("protobuf==4.21.12")
"$PY" -c 'import pytest' 2>/dev/null || PIP_PACKAGES+=("pytest==9.0.3")
if [ ${#PIP_PACKAGES[@]} -gt 0 ]; then
  echo "setup: pip installing ${PIP_PACKAGES[*]}" >&2
  # Debian's own python3 refuses pip installs (PEP 668) unless told otherwise.
  "$PY" -m pip install -q "${PIP_PACKAGES[@]}" 2>/dev/null \
    || "$PY" -m pip install -q --break-system-packages "${PIP_PACKAGES[@]}"
fi
