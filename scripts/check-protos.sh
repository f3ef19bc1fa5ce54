#!/usr/bin/env bash
# Fails when the committed code generated from Protos/ (protobuf-c C code, Sparkplug C code, Swift messages) differs
# from what scripts/gen-protos.sh generates now.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$root/scripts/gen-protos.sh" "$tmp"
stale=0
diff -r "$tmp/c/fluxion" "$root/Sources/CFluxionProto/fluxion" >/dev/null || stale=1
diff -r "$tmp/c/include" "$root/Sources/CFluxionProto/include" --exclude=CFluxionProto.h --exclude=module.modulemap >/dev/null || stale=1
diff -r "$tmp/sparkplug/sparkplug" "$root/Sources/CSparkplug/sparkplug" >/dev/null || stale=1
diff -r "$tmp/sparkplug/include" "$root/Sources/CSparkplug/include" --exclude=CSparkplug.h --exclude=module.modulemap >/dev/null || stale=1
diff -r "$tmp/swift" "$root/Sources/FluxionWire/Generated" >/dev/null || stale=1
diff -r "$tmp/tests" "$root/Tests/FluxionWireTests/Generated" >/dev/null || stale=1
if [ $stale -ne 0 ]; then
  echo "check-protos: generated code is stale; run scripts/gen-protos.sh and commit" >&2
  diff -r "$tmp/c/fluxion" "$root/Sources/CFluxionProto/fluxion" | head -10 >&2 || true
  diff -r "$tmp/swift" "$root/Sources/FluxionWire/Generated" | head -10 >&2 || true
  diff -r "$tmp/tests" "$root/Tests/FluxionWireTests/Generated" | head -10 >&2 || true
  exit 1
fi
echo "check-protos: generated code is current"
