#!/usr/bin/env bash
# Regenerates the code made from Protos/: the protobuf-c C code in Sources/CFluxionProto (and, for
# the Sparkplug B payload of field data, in Sources/CSparkplug; C only) and the Swift message types with their protobuf-c glue in Sources/FluxionWire/Generated, and their
# round-trip test (against the Python protobuf runtime's encoding) in Tests/FluxionWireTests/Generated.
# Usage: scripts/gen-protos.sh [OUTDIR]   (default: the committed locations; with OUTDIR, the C
#        code goes to OUTDIR/c, the Sparkplug C code to OUTDIR/sparkplug, the Swift code to
#        OUTDIR/swift and the test to OUTDIR/tests)
# Tools: protoc-c and protoc (apt protobuf-c-compiler, protobuf-compiler), the Python protobuf
# package of .venv (scripts/setup.sh) for the descriptors, swift-format for the Swift layout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
  c_out=$1/c; swift_out=$1/swift; tests_out=$1/tests; sparkplug_out=$1/sparkplug
else
  c_out=$root/Sources/CFluxionProto; sparkplug_out=$root/Sources/CSparkplug; swift_out=$root/Sources/FluxionWire/Generated
  tests_out=$root/Tests/FluxionWireTests/Generated
fi
python=$root/.venv/bin/python
if ! "$python" -c 'import google.protobuf' 2>/dev/null; then
  echo "gen-protos: $python with the protobuf package is missing (run scripts/setup.sh)" >&2
  exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root/Protos"
protoc-c --c_out="$tmp" fluxion/v1/*.proto
mkdir -p "$c_out/include/fluxion/v1" "$c_out/fluxion/v1"
for f in "$tmp"/fluxion/v1/*.pb-c.c; do cp "$f" "$c_out/fluxion/v1/"; done
for f in "$tmp"/fluxion/v1/*.pb-c.h; do cp "$f" "$c_out/include/fluxion/v1/"; done
protoc-c --c_out="$tmp" sparkplug/b/sparkplug_b.proto
mkdir -p "$sparkplug_out/include/sparkplug/b" "$sparkplug_out/sparkplug/b"
cp "$tmp"/sparkplug/b/sparkplug_b.pb-c.c "$sparkplug_out/sparkplug/b/"
cp "$tmp"/sparkplug/b/sparkplug_b.pb-c.h "$sparkplug_out/include/sparkplug/b/"

protoc --include_source_info --descriptor_set_out="$tmp/fluxion.desc" fluxion/v1/*.proto
"$python" "$root/scripts/gen_swift_messages.py" "$tmp/fluxion.desc" "$tmp/swift"
mkdir -p "$tmp/tests"
"$python" "$root/scripts/gen_swift_messages.py" --tests "$tmp/fluxion.desc" "$tmp/tests/MessageRoundTripTests.swift"
swift format format --in-place --configuration "$root/.swift-format" "$tmp"/swift/*.swift "$tmp"/tests/*.swift
mkdir -p "$swift_out" "$tests_out"
rm -f "$swift_out"/*.pb.swift
cp "$tmp"/swift/*.pb.swift "$swift_out/"
cp "$tmp"/tests/MessageRoundTripTests.swift "$tests_out/"
