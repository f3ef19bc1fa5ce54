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
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "release-smoke: $*" >&2; [ -f "$tmp/err" ] && tail -5 "$tmp/err" >&2; exit 1; }

"$bin/fluxiond" --port 0 --data "$tmp/data" --free-running >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "fluxiond exited before listening"
  sleep 0.1
done
[ -n "$port" ] || fail "fluxiond did not print 'listening on' within 60 s"
export FLUXION_SERVER=127.0.0.1:$port
f() { "$bin/fluxion" "$@"; }
f info >/dev/null || fail "fluxion info failed"
f detectors load threshold >/dev/null || fail "loading threshold failed"
f detectors load pinn >/dev/null || fail "loading pinn with its shipped model failed"
f detectors activate pinn >/dev/null || fail "activating pinn failed"
list=$(f detectors list) || fail "fluxion detectors list failed"
grep -q pinn <<<"$list" || fail "pinn not listed: $list"
report=$("$bin/fluxion" evaluate --scenario water-main-leak --scenarios 2 --seed 5 --detectors threshold,pinn 2>/dev/null) \
  || fail "fluxion evaluate failed"
grep -q "pinn#2: 2/2 leaks detected" <<<"$report" || fail "evaluate did not run pinn: $report"
echo "release-smoke: fluxiond, fluxion and the plugins of the release build work (port $port)"
