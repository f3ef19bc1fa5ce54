#!/usr/bin/env bash
# Fails when the committed protobuf-c code differs from what Protos/ generates now.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$root/scripts/gen-protos.sh" "$tmp"
if ! diff -r "$tmp/fluxion" "$root/Sources/CFluxionProto/fluxion" >/dev/null \
   || ! diff -r "$tmp/include" "$root/Sources/CFluxionProto/include" --exclude=CFluxionProto.h --exclude=module.modulemap >/dev/null; then
  echo "check-protos: Sources/CFluxionProto is stale; run scripts/gen-protos.sh and commit" >&2
  diff -r "$tmp/fluxion" "$root/Sources/CFluxionProto/fluxion" | head -20 >&2 || true
  exit 1
fi
echo "check-protos: generated code is current"
