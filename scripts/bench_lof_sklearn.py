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


def make_data(rng, n, dims):
    """Five Gaussian clusters of different spreads plus 2% uniform background noise."""
    centers = rng.uniform(-10, 10, size=(5, dims))
    spreads = rng.uniform(0.5, 2.0, size=5)
    labels = rng.integers(0, 5, size=n)
    x = centers[labels] + rng.normal(size=(n, dims)) * spreads[labels, None]
    noise = rng.random(n) < 0.02
    x[noise] = rng.uniform(-15, 15, size=(noise.sum(), dims))
    return x


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
    args = parser.parse_args()

    rng = np.random.default_rng(20261125)
    train = make_data(rng, args.train, args.dims)
    test = make_data(rng, args.test, args.dims)
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
        f"scikit-learn {sklearn.__version__} ({lof._fit_method}): fit {args.train} + "
        f"score_samples {args.test} in {args.dims}-D, k={args.neighbors}: "
        f"best of {args.repeats} = {best:.4f} s"
    )


if __name__ == "__main__":
    main()
