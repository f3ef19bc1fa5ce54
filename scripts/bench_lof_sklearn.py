"""scikit-learn side of the LOF benchmark (run by scripts/bench-lof.sh).

Writes the benchmark data (deterministic: seeded NumPy generator) to OUTDIR/train.csv and
OUTDIR/test.csv, times LocalOutlierFactor(novelty=True).fit(train) + score_samples(test),
and writes sklearn's score_samples / decision_function / predict to OUTDIR/sklearn.csv and
the best wall time in seconds to OUTDIR/sklearn_seconds.txt.

Usage: python bench_lof_sklearn.py OUTDIR [--train N] [--test N] [--dims D]
                                   [--neighbors K] [--contamination C] [--repeats R]
"""
import argparse
import os
import time

import numpy as np
import sklearn
from sklearn.neighbors import LocalOutlierFactor


def make_blobs(rng, n, dims):
    """Five Gaussian clusters of different spreads plus 2% uniform background noise:
    full-rank 8-D data, the hard case for any exact neighbour search."""
    centers = rng.uniform(-10, 10, size=(5, dims))
    spreads = rng.uniform(0.5, 2.0, size=5)
    labels = rng.integers(0, 5, size=n)
    x = centers[labels] + rng.normal(size=(n, dims)) * spreads[labels, None]
    noise = rng.random(n) < 0.02
    x[noise] = rng.uniform(-15, 15, size=(noise.sum(), dims))
    return x


def make_sensors(rng, n, dims, mixing):
    """Sensor-like data: `dims` readings driven by 3 latent factors (demand, supply
    pressure, temperature) through a fixed mixing matrix, plus 1% sensor noise and 2%
    anomalies off the manifold. Low intrinsic dimension, as pipeline readings are."""
    latent = rng.normal(size=(n, 3)) * [3.0, 1.5, 0.7]
    x = latent @ mixing + rng.normal(size=(n, dims)) * 0.05
    anomalies = rng.random(n) < 0.02
    x[anomalies] += rng.normal(size=(anomalies.sum(), dims)) * 2.0
    return x


def make_data(rng, n, dims, kind, mixing):
    return make_blobs(rng, n, dims) if kind == "blobs" else make_sensors(rng, n, dims, mixing)


def write_csv(path, x):
    """Headerless CSV with round-trip (repr) precision."""
    with open(path, "w") as out:
        for row in x.tolist():
            out.write(",".join(repr(v) for v in row) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--train", type=int, default=10_000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--dims", type=int, default=8)
    parser.add_argument("--neighbors", type=int, default=20)
    parser.add_argument("--contamination", default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", choices=["blobs", "sensors"], default="blobs")
    args = parser.parse_args()

    rng = np.random.default_rng(20261125)
    mixing = rng.normal(size=(3, args.dims))
    train = make_data(rng, args.train, args.dims, args.data, mixing)
    test = make_data(rng, args.test, args.dims, args.data, mixing)
    write_csv(os.path.join(args.outdir, "train.csv"), train)
    write_csv(os.path.join(args.outdir, "test.csv"), test)
    # Re-read what was written so both sides score exactly the same numbers.
    train = np.loadtxt(os.path.join(args.outdir, "train.csv"), delimiter=",")
    test = np.loadtxt(os.path.join(args.outdir, "test.csv"), delimiter=",")

    contamination = args.contamination
    if contamination != "auto":
        contamination = float(contamination)
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        lof = LocalOutlierFactor(
            n_neighbors=args.neighbors, novelty=True, contamination=contamination
        ).fit(train)
        scores = lof.score_samples(test)
        best = min(best, time.perf_counter() - start)
    decision = scores - lof.offset_
    predict = np.where(decision < 0, -1, 1)
    with open(os.path.join(args.outdir, "sklearn.csv"), "w") as out:
        out.write("score_samples,decision_function,predict\n")
        for s, d, p in zip(scores.tolist(), decision.tolist(), predict.tolist()):
            out.write(f"{s!r},{d!r},{p}\n")
    with open(os.path.join(args.outdir, "sklearn_seconds.txt"), "w") as out:
        out.write(f"{best!r}\n")
    print(
        f"scikit-learn {sklearn.__version__} ({lof._fit_method}, {args.data}): fit {args.train} + "
        f"score_samples {args.test} in {args.dims}-D, k={args.neighbors}: "
        f"best of {args.repeats} = {best:.4f} s"
    )


if __name__ == "__main__":
    main()
