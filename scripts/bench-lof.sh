#!/usr/bin/env bash
# LOF benchmark: Fluxion against scikit-learn on the same data, on this machine, in one run.
#
#   bash scripts/bench-lof.sh            # both data sets: blobs (hard) and sensors
#   DATASETS=blobs bash scripts/bench-lof.sh
#
# Installs scikit-learn 1.9.1 into .venv-bench (git-ignored) if missing, writes the data
# with a seeded NumPy generator to a temporary folder, times scikit-learn's
# LocalOutlierFactor(novelty=True).fit + score_samples (best of 5), then runs the release
# bench-lof on the same files: it times fit + score (best of 10, one thread and all cores),
# checks every score against scikit-learn's (relative error <= 1e-9, else exit 1) and
# prints the speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-bench
NEIGHBORS=${NEIGHBORS:-20}
CONTAMINATION=${CONTAMINATION:-auto}
DATASETS=${DATASETS:-"blobs sensors"}

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import sklearn" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "scikit-learn==1.9.1"
fi
swift build -c release --product bench-lof 2>&1 | tail -1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for data in $DATASETS; do
    mkdir -p "$work/$data"
    echo "== $data: 10,000 training + 10,000 test points, 8-D, n_neighbors=$NEIGHBORS, contamination=$CONTAMINATION"
    "$VENV/bin/python" scripts/bench_lof_sklearn.py "$work/$data" --data "$data" \
        --neighbors "$NEIGHBORS" --contamination "$CONTAMINATION" --repeats 5
    .build/release/bench-lof --train "$work/$data/train.csv" --test "$work/$data/test.csv" \
        --expected "$work/$data/sklearn.csv" --sklearn-seconds "$(cat "$work/$data/sklearn_seconds.txt")" \
        --neighbors "$NEIGHBORS" --contamination "$CONTAMINATION" --repeats 10
done
