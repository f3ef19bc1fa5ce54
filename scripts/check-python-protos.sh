#!/usr/bin/env bash
# Fails when the committed Python protobuf modules differ from what Protos/ generates now.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
committed=$root/clients/python/fluxion_client/pb
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$root/scripts/gen-python-protos.sh" "$tmp/pb"
if ! diff -r --exclude=__pycache__ "$tmp/pb" "$committed" >/dev/null; then
  echo "check-python-protos: $committed is stale; run scripts/gen-python-protos.sh and commit" >&2
  diff -r --exclude=__pycache__ "$tmp/pb" "$committed" | head -20 >&2 || true
  exit 1
fi
echo "check-python-protos: generated code is current"
