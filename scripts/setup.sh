#!/usr/bin/env bash
# Idempotent setup: installs the system packages Fluxion's build and tests need, only when missing.
# Called by `make run` and `make test` before anything else.
set -euo pipefail

# protobuf-compiler: protoc 3.21.12 generates the Python client's protobuf modules (clients/python).
# libssl-dev: TLS (libssl), SHA-256 and constant-time comparison of access tokens (libcrypto);
# openssl: the command the TLS tests make their certificates with; systemd: systemd-analyze
# verify checks the shipped unit. python3-venv: `python3 -m venv` (ensurepip) for Debian's python3,
# which makes the project's virtual environments below. libjs-chart.js: the dashboard's charts,
# served locally from /usr/share/javascript/chart.js (the page needs no internet); chromium and
# chromium-driver: the headless browser the dashboard's tests drive with Selenium.
# libmosquitto-dev: the MQTT client of field data (fluxiond --source mqtt://…); mosquitto: the
# broker the field data tests and bench-mqtt start.
APT_PACKAGES=(libuv1-dev libprotobuf-c-dev protobuf-c-compiler pkg-config libsqlite3-dev protobuf-compiler libssl-dev openssl systemd python3-venv postgresql libpq-dev libjs-chart.js chromium chromium-driver libmosquitto-dev mosquitto)

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

# Python: nothing goes into the system Python. clients/python is tested at both ends of the protobuf
# range its pyproject.toml declares, each in a project virtual environment (git-ignored):
#   .venv         the oldest, protobuf 4.21.12: the runtime that matches protoc 3.21.12's gencode
#                 (same release train), so the committed generated modules load without warnings;
#   .venv-newest  the newest protobuf pip finds inside the range, at the time the venv is made
#                 (rm -rf .venv-newest, or FLUXION_UPGRADE_NEWEST=1, to take a newer release).
# Both hold the client editable with its [test] extra (pytest). pip runs only when a venv is
# missing, broken, holds other versions, or clients/python/pyproject.toml changed since.
root=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
OLDEST_PROTOBUF=4.21.12
client=$root/clients/python
pyproject_sum=$(sha256sum "$client/pyproject.toml" | cut -d' ' -f1)

# venv_ready DIR PROTOBUF: DIR's python runs, its stamp matches, and it has the client, pytest
# and protobuf PROTOBUF ("newest": any version inside the declared range).
venv_ready() {
  [ "$(cat "$1/.fluxion-setup" 2>/dev/null)" = "$pyproject_sum $2" ] || return 1
  "$1/bin/python" -I - "$2" "$client" 2>/dev/null <<'PYEOF'
import sys, importlib.metadata as md, pathlib
want, client = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
import google.protobuf, fluxion_client  # fluxion_client loads the generated modules
md.version("fluxion-client"), md.version("pytest")
ok = pathlib.Path(fluxion_client.__file__).resolve().is_relative_to(client)
if want == "newest":
    from packaging.requirements import Requirement
    ok = ok and all(Requirement(r).specifier.contains(google.protobuf.__version__)
                    for r in md.requires("fluxion-client") if r.startswith("protobuf"))
else:
    ok = ok and google.protobuf.__version__ == want
sys.exit(not ok)
PYEOF
}

# make_venv DIR PROTOBUF [pip args for protobuf]
make_venv() {
  local dir=$1 want=$2; shift 2
  [ "$want" = newest ] && [ -n "${FLUXION_UPGRADE_NEWEST:-}" ] && rm -f "$dir/.fluxion-setup"
  venv_ready "$dir" "$want" && return 0
  if ! "$dir/bin/python" -c '' 2>/dev/null; then
    echo "setup: creating ${dir#"$root"/} ($PY -m venv)" >&2
    "$PY" -m venv --clear "$dir"
  fi
  echo "setup: pip installing clients/python[test] and protobuf ($want) into ${dir#"$root"/}" >&2
  "$dir/bin/python" -m pip install -q --disable-pip-version-check -e "$client[test]" "$@"
  echo "$pyproject_sum $want" > "$dir/.fluxion-setup"
  venv_ready "$dir" "$want" || { echo "setup: ${dir#"$root"/} is not usable after pip install" >&2; exit 1; }
}

make_venv "$root/.venv" "$OLDEST_PROTOBUF" "protobuf==$OLDEST_PROTOBUF"
make_venv "$root/.venv-newest" newest --upgrade --upgrade-strategy only-if-needed protobuf

# pinned_venv NAME STAMP IMPORTS PIP-ARGS…: a venv holding pinned requirements; pip runs only when
# the venv is missing, broken (IMPORTS fail), or STAMP (a hash of its inputs) changed.
pinned_venv() {
  local name=$1 stamp=$2 imports=$3; shift 3
  local dir=$root/$name
  if [ "$(cat "$dir/.fluxion-setup" 2>/dev/null)" = "$stamp" ] \
     && "$dir/bin/python" -I -c "import $imports" 2>/dev/null; then
    return 0
  fi
  if ! "$dir/bin/python" -c '' 2>/dev/null; then
    echo "setup: creating $name ($PY -m venv)" >&2
    "$PY" -m venv --clear "$dir"
  fi
  echo "setup: pip installing $* into $name" >&2
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  "$dir/bin/python" -I -c "import $imports" \
    || { echo "setup: $name is not usable after pip install" >&2; exit 1; }
  echo "$stamp" > "$dir/.fluxion-setup"
}

# .venv-pinn: the PINN trainer's packages (Plugins/PINN/trainer/requirements.txt: JAX on CPU,
# optax, NumPy), pinned.
pinn_requirements=$root/Plugins/PINN/trainer/requirements.txt
pinned_venv .venv-pinn "$(sha256sum "$pinn_requirements" | cut -d' ' -f1)" "jax, optax, numpy" \
  -r "$pinn_requirements"

# .venv-dashboard: the dashboard's gateway (clients/dashboard/requirements.txt: Starlette, uvicorn,
# websockets; Selenium and pytest for its tests), pinned, plus clients/python installed editable.
dash_requirements=$root/clients/dashboard/requirements.txt
pinned_venv .venv-dashboard "$(cat "$dash_requirements" "$client/pyproject.toml" | sha256sum | cut -d' ' -f1)" \
  "starlette, uvicorn, websockets, selenium, pytest, fluxion_client" -e "$client" -r "$dash_requirements"
