#!/usr/bin/env bash
# Runs every benchmark executable of a release build; each prints its figures and exits non-zero
# if its own correctness check fails. Record the figures in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in .build/release/bench-*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
