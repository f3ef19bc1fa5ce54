#!/usr/bin/env bash
# Runs every benchmark of a release build; each prints its figures and exits non-zero if its own
# correctness check fails. Record the figures in docs/PERFORMANCE.md.
# bench-lof runs through scripts/bench-lof.sh, which times scikit-learn on the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in .build/release/bench-*; do
  [ -f "$b" ] && [ -x "$b" ] || continue
  case "$(basename "$b")" in
    bench-lof) continue ;;
  esac
  echo "== $(basename "$b")"
  "$b"
done
echo "== bench-lof (against scikit-learn)"
bash scripts/bench-lof.sh
