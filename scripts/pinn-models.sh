#!/usr/bin/env bash
# Makes the PINN models shipped in Plugins/PINN/models and the figures of docs/PINN.md, "Current
# figures", for an embedded scenario: a training dataset, the model with physics terms and its
# ablation without them, then `fluxion evaluate` against the threshold detector on cases drawn
# from seed 1000 (never used for training or tuning).
#   absheron:         600 cases from seed 3, half of them normal operation; vectors every 32 s
#   water-main-leak:  300 cases from seed 1; every 4th vector
# Usage: scripts/pinn-models.sh SCENARIO [EVAL_CASES] [OUTDIR]
#   default 200 evaluation cases (absheron: 100), OUTDIR build/pinn; copy OUTDIR/pinn-SCENARIO.model
#   to Plugins/PINN/models to ship it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:?usage: scripts/pinn-models.sh SCENARIO [EVAL_CASES] [OUTDIR]}
case "$scenario" in
  absheron) generate=(--cases 600 --seed 3 --normal-fraction 0.5); train=(--stride 16); eval_default=100 ;;
  water-main-leak) generate=(--cases 300 --seed 1); train=(--stride 4); eval_default=200 ;;
  *) echo "pinn-models: no training recipe for $scenario (absheron, water-main-leak)" >&2; exit 2 ;;
esac
eval_cases=${2:-$eval_default}
out=${3:-$root/build/pinn}
fluxion=$root/.build/release/fluxion
[ -x "$fluxion" ] || { echo "pinn-models: build first: swift build -c release" >&2; exit 1; }
mkdir -p "$out"
data=$out/$scenario-train
[ -d "$data" ] || "$fluxion" generate --scenario "$scenario" "${generate[@]}" --out "$data"
"$fluxion" train pinn --data "$data" --out "$out/pinn-$scenario.model" --seed 1 "${train[@]}"
"$fluxion" train pinn --data "$data" --out "$out/pinn-$scenario-no-physics.model" --seed 1 "${train[@]}" \
  --physics-weight 0
"$fluxion" evaluate --scenario "$scenario" --scenarios "$eval_cases" --seed 1000 \
  --detectors threshold,pinn \
  --config "pinn={\"model\": \"$out/pinn-$scenario.model\"}" | tee "$out/$scenario-evaluation.txt"
"$fluxion" evaluate --scenario "$scenario" --scenarios "$eval_cases" --seed 1000 --detectors pinn \
  --config "{\"model\": \"$out/pinn-$scenario-no-physics.model\"}" | tee "$out/$scenario-evaluation-no-physics.txt"
