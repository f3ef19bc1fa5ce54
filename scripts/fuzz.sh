#!/usr/bin/env bash
# Builds the wire-layer fuzzer (Tests/Fuzz/FuzzWire.swift + Sources/FluxionWire + the generated
# protobuf-c code, all with AddressSanitizer and libFuzzer's coverage) and the Sparkplug B payload
# fuzzer (Tests/Fuzz/FuzzSparkplug.swift + the codec of Sources/FluxionSparkplug + Sources/CSparkplug),
# and runs each on its corpus (Tests/Fuzz/corpus, Tests/Fuzz/corpus-sparkplug).
#
# Usage: scripts/fuzz.sh [libFuzzer options...]
#   scripts/fuzz.sh -runs=200000            bounded run (what make test does)
#   scripts/fuzz.sh -max_total_time=900     a long run; figures go to docs/SECURITY.md
# New inputs that add coverage are written to a scratch corpus (.build-fuzz/corpus), never to
# the committed seeds in Tests/Fuzz/corpus; a crash leaves crash-* in .build-fuzz and fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build-fuzz
mkdir -p "$out/obj" "$out/corpus"
cd "$root"

sources=(Sources/FluxionWire/*.swift Sources/FluxionWire/Generated/*.swift Tests/Fuzz/FuzzWire.swift)
stamp=$out/fuzz-wire.stamp
if [ ! -x "$out/fuzz-wire" ] || [ -n "$(find "${sources[@]}" Sources/CFluxionProto -newer "$stamp" 2>/dev/null | head -1)" ]; then
  echo "fuzz: building .build-fuzz/fuzz-wire (ASan + libFuzzer)" >&2
  objects=()
  for c in Sources/CFluxionProto/fluxion/v1/*.pb-c.c; do
    o=$out/obj/$(basename "$c" .c).o
    clang -c -g -O1 -fsanitize=address,fuzzer-no-link -I Sources/CFluxionProto/include "$c" -o "$o"
    objects+=("$o")
  done
  swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name FuzzWire \
    -I Sources/CFluxionProto/include "${sources[@]}" "${objects[@]}" -lprotobuf-c -o "$out/fuzz-wire"
  touch "$stamp"
fi

# The Sparkplug B payload decoder of field data (Tests/Fuzz/FuzzSparkplug.swift), the same way.
sp_sources=(Sources/FluxionSparkplug/SparkplugDecoder.swift Sources/FluxionSparkplug/SparkplugEncoder.swift
  Sources/FluxionSparkplug/SparkplugMetric.swift Sources/FluxionSparkplug/SparkplugTopic.swift
  Tests/Fuzz/FuzzSparkplug.swift)
sp_stamp=$out/fuzz-sparkplug.stamp
if [ ! -x "$out/fuzz-sparkplug" ] || [ -n "$(find "${sp_sources[@]}" Sources/CSparkplug -newer "$sp_stamp" 2>/dev/null | head -1)" ]; then
  echo "fuzz: building .build-fuzz/fuzz-sparkplug (ASan + libFuzzer)" >&2
  clang -c -g -O1 -fsanitize=address,fuzzer-no-link -I Sources/CSparkplug/include \
    Sources/CSparkplug/sparkplug/b/sparkplug_b.pb-c.c -o "$out/obj/sparkplug_b.pb-c.o"
  swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name FuzzSparkplug \
    -I Sources/CSparkplug/include "${sp_sources[@]}" "$out/obj/sparkplug_b.pb-c.o" -lprotobuf-c \
    -o "$out/fuzz-sparkplug"
  touch "$sp_stamp"
fi
mkdir -p "$out/corpus-sparkplug"

cd "$out"
# ASan: report leaks too; libFuzzer: 64 KiB inputs, 10 s per input is a hang.
ASAN_OPTIONS=detect_leaks=1 ./fuzz-wire -max_len=65536 -timeout=10 -print_final_stats=1 "$@" \
  "$out/corpus" "$root/Tests/Fuzz/corpus"
ASAN_OPTIONS=detect_leaks=1 ./fuzz-sparkplug -max_len=65536 -timeout=10 -print_final_stats=1 "$@" \
  "$out/corpus-sparkplug" "$root/Tests/Fuzz/corpus-sparkplug"
