#!/usr/bin/env bash
# Trains the PINN detector for an embedded scenario and evaluates it against the threshold
# detector on held-out cases (docs/PINN.md, "Current figures"): a training dataset (seed 1), the
# model with physics terms and its ablation without them, then `fluxion evaluate` on cases drawn
# from seed 1000 (never used for training or tuning).
# Usage: scripts/pinn-models.sh SCENARIO [TRAIN_CASES] [EVAL_CASES] [OUTDIR]
#   default 300 training cases, 200 evaluation cases, OUTDIR build/pinn
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:?usage: scripts/pinn-models.sh SCENARIO [TRAIN_CASES] [EVAL_CASES] [OUTDIR]}
train=${2:-300}
eval_cases=${3:-200}
out=${4:-$root/build/pinn}
fluxion=$root/.build/release/fluxion
[ -x "$fluxion" ] || { echo "pinn-models: build first: swift build -c release" >&2; exit 1; }
mkdir -p "$out"
data=$out/$scenario-train
[ -d "$data" ] || "$fluxion" generate --scenario "$scenario" --cases "$train" --seed 1 --out "$data"
"$fluxion" train pinn --data "$data" --out "$out/pinn-$scenario.model" --seed 1
"$fluxion" train pinn --data "$data" --out "$out/pinn-$scenario-no-physics.model" --seed 1 --physics-weight 0
"$fluxion" evaluate --scenario "$scenario" --scenarios "$eval_cases" --seed 1000 \
  --detectors threshold,pinn \
  --config "pinn={\"model\": \"$out/pinn-$scenario.model\"}" | tee "$out/$scenario-evaluation.txt"
"$fluxion" evaluate --scenario "$scenario" --scenarios "$eval_cases" --seed 1000 --detectors pinn \
  --config "{\"model\": \"$out/pinn-$scenario-no-physics.model\"}" | tee "$out/$scenario-evaluation-no-physics.txt"
