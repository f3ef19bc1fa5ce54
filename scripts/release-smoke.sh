#!/usr/bin/env bash
# The release build that `make run`, `make install` and the benchmarks use, run, not only
# compiled (the optimizer has failed on code the debug build accepts): fluxiond starts, answers,
# loads the threshold detector and the shipped PINN model for its scenario; `fluxion evaluate`
# runs the release plugins through dlopen. Usage: scripts/release-smoke.sh (after swift build -c release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.build/release
tmp=$(mktemp -d)
pid=
stop() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
trap 'stop; rm -rf "$tmp"' EXIT
fail() {
  echo "release-smoke: $1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && tail -5 "$2" >&2
  exit 1
}

"$bin/fluxiond" --port 0 --data "$tmp/data" --paused >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "fluxiond exited before listening" "$tmp/err"
  sleep 0.1
done
[ -n "$port" ] || fail "fluxiond did not print 'listening on' within 60 s" "$tmp/err"
export FLUXION_SERVER=127.0.0.1:$port
f() { timeout 60 "$bin/fluxion" "$@" 2>>"$tmp/cli.err"; }
f info >/dev/null || fail "fluxion info failed" "$tmp/cli.err"
f detectors load threshold >/dev/null || fail "loading threshold failed" "$tmp/cli.err"
f detectors load pinn >/dev/null || fail "loading pinn with its shipped model failed" "$tmp/cli.err"
f detectors activate pinn >/dev/null || fail "activating pinn failed" "$tmp/cli.err"
list=$(f detectors list --json) || fail "fluxion detectors list failed" "$tmp/cli.err"
python3 - "$list" <<'PY' || fail "pinn is not loaded and active: $list"
import json, sys
doc = json.loads(sys.argv[1])
rows = doc.get("detectors", doc) if isinstance(doc, dict) else doc
text = json.dumps(rows)
assert any(isinstance(r, dict) and r.get("name") == "pinn" and r.get("state") == "active" for r in rows), text
PY
stop
report=$(timeout 600 "$bin/fluxion" evaluate --scenario water-main-leak --scenarios 2 --seed 5 \
  --detectors threshold,pinn 2>"$tmp/eval.err") || fail "fluxion evaluate failed" "$tmp/eval.err"
for d in "threshold#1" "pinn#2"; do
  grep -q "$d: 2/2 leaks detected, 0 failures" <<<"$report" || fail "evaluate: $d did not detect both leaks: $report"
done
echo "release-smoke: fluxiond, fluxion and the plugins of the release build work (port $port)"
