#!/usr/bin/env bash
# Regenerates the protobuf-c code in Sources/CFluxionProto from Protos/.
# Usage: scripts/gen-protos.sh [OUTDIR]   (default: the committed location)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/Sources/CFluxionProto}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root/Protos"
protoc-c --c_out="$tmp" fluxion/v1/*.proto
mkdir -p "$out/include/fluxion/v1" "$out/fluxion/v1"
for f in "$tmp"/fluxion/v1/*.pb-c.c; do cp "$f" "$out/fluxion/v1/"; done
for f in "$tmp"/fluxion/v1/*.pb-c.h; do cp "$f" "$out/include/fluxion/v1/"; done
