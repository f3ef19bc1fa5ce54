#!/usr/bin/env python3
"""Trains the PINN detector's network (docs/PINN.md) from the inputs `fluxion train pinn` forms.

Usage: train.py --in DIR --out WEIGHTS.json [--seed K] [--epochs N] [--hidden H]
                [--physics-weight W] [--validation F] [--max-seconds S] [--no-progress]

DIR holds x.npy (vectors × inputs), y.npy (vectors × 4: open, position 0…1, size fraction,
age s), case.npy (case of each vector) and meta.json (geometry). The network: inputs normalized,
two tanh layers of H, four outputs (leak logit; position: sigmoid; size: softplus × size_scale;
age: softplus × age_scale_s).

The loss (each term printed as it trains):
  data     binary cross-entropy of the leak probability; for vectors with a leak open, squared
           errors of position, size and age (scaled to order one);
  physics  label-free residuals of the governing equations evaluated on the network's own
           outputs and the measured inputs, weighted by its (stopped-gradient) probability:
           - mass balance with line pack: the predicted outflow (size × the nominal flow of the
             pipe at the predicted position) equals the boundary imbalance
             Σ in − Σ out − d(line pack)/dt read from the inputs (over the long window's newest
             ten minutes where the inputs have one, else over the short window's newest blocks);
           - wave arrival: each line pressure transmitter's drop arrives at
             t0 + |x_i − x_leak| / a, i.e. its age equals age − |x_i − x̂|/a, where a drop is seen
             and the network places it inside the inputs' window.
--physics-weight 0 trains on the data terms alone (the ablation).

Cases, not vectors, are split into training and validation (vectors of one case are alike);
training stops when the validation loss has not improved for 30 epochs; the weights of the best
epoch are written. Deterministic for a seed on a given machine (JAX on CPU).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np


def fail(message):
    print(f"train.py: {message}", file=sys.stderr)
    sys.exit(1)


def load(directory):
    try:
        x = np.load(os.path.join(directory, "x.npy")).astype(np.float64)
        y = np.load(os.path.join(directory, "y.npy")).astype(np.float64)
        cases = np.load(os.path.join(directory, "case.npy")).astype(np.int64)
        with open(os.path.join(directory, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{directory}: not a PINN training input ({e})")
    if x.ndim != 2 or y.shape != (x.shape[0], 4) or cases.shape != (x.shape[0],):
        fail(f"{directory}: shapes x {x.shape}, y {y.shape}, case {cases.shape} do not agree")
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        fail(f"{directory}: non-finite inputs or labels")
    return x, y, cases, meta


def physics_inputs(x, meta):
    """Measured quantities the physics terms compare the outputs with, from the raw inputs."""
    blocks, p = meta["blocks"], meta["pressure_channels"]
    block_s = meta["block_s"]
    short = meta["channels"] * blocks
    v = x[:, :short].reshape(x.shape[0], meta["channels"], blocks)  # channel, block (0: newest)
    long_blocks = meta.get("long_blocks", 0)
    if long_blocks > 0:
        # The long window's last channel: the mass balance with line pack averaged over the
        # newest 1, 2, … blocks; the physics term takes its newest ten minutes.
        lv = x[:, meta["long_offset"]:].reshape(x.shape[0], -1, long_blocks)
        k = max(1, min(long_blocks, int(round(600 / meta["long_block_s"]))))
        imbalance = lv[:, -1, k - 1].copy()
    else:
        k = min(4, blocks - 1)
        inflow, outflow, pack = v[:, p, :], v[:, p + 1, :], v[:, p + 2, :]
        pack_rate = (pack[:, 0] - pack[:, k]) / (k * block_s) * meta["pack_rate_to_flow"]
        imbalance = (inflow[:, :k].mean(axis=1) - outflow[:, :k].mean(axis=1)) - pack_rate
    imbalance /= meta["nominal_flow"]
    # Arrival of the drop at each line transmitter: the oldest block from which the change stays
    # below −4 σ (σ: the spread of that channel's changes over all vectors, a robust estimate).
    positions = np.array(meta["pressure_positions"], dtype=np.float64)
    on_line = positions >= 0
    dp = v[:, :p, :]
    if blocks < 2:  # no short window to see a front in
        zero = np.zeros((x.shape[0], p))
        return imbalance, zero, zero, np.where(on_line, positions, 0.0)
    sigma = 1.4826 * np.median(np.abs(dp - np.median(dp, axis=(0, 2), keepdims=True)), axis=(0, 2)) + 1e-9
    below = dp < -4 * sigma[None, :, None]
    # persistent: every newer block below too → cumulative product from the newest block
    persistent = np.cumprod(below, axis=2).astype(bool)
    count = persistent.sum(axis=2)  # blocks since arrival
    seen = (count > 0) & (count < blocks) & on_line[None, :]
    age = (count - 0.5) * block_s
    return imbalance, age, seen.astype(np.float64), np.where(on_line, positions, 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--physics-weight", type=float, default=1.0)
    ap.add_argument("--validation", type=float, default=0.2)
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args()
    if not (0 < a.validation < 1) or a.epochs < 1 or a.hidden < 1 or not math.isfinite(a.physics_weight) \
            or a.physics_weight < 0:
        fail("--validation in (0, 1), --epochs and --hidden ≥ 1, --physics-weight ≥ 0")

    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    import jax
    import jax.numpy as jnp
    import optax

    jax.config.update("jax_enable_x64", False)
    x, y, cases, meta = load(a.inp)
    imbalance, arr_age, arr_seen, arr_pos = physics_inputs(x, meta)

    rng = np.random.default_rng(a.seed)
    ids = np.unique(cases)
    rng.shuffle(ids)
    n_val = max(1, int(round(len(ids) * a.validation)))
    if len(ids) - n_val < 1:
        fail(f"{len(ids)} cases: too few to keep {n_val} for validation")
    val_ids = set(ids[:n_val].tolist())
    is_val = np.array([c in val_ids for c in cases])

    mean = x[~is_val].mean(axis=0)
    std = x[~is_val].std(axis=0)
    std = np.where(std > 1e-9, std, 1.0)
    xn = ((x - mean) / std).astype(np.float32)
    open_ = y[:, 0]
    size_scale = float(max(np.percentile(y[open_ > 0, 2], 90) if (open_ > 0).any() else 0.05, 1e-3))
    age_scale = float(max(np.percentile(y[open_ > 0, 3], 90) if (open_ > 0).any() else 60.0, 1.0))
    line_m, wave = meta["line_length_m"], meta["wave_speed_m_per_s"]
    block_s = meta["block_s"]
    window_s = meta["blocks"] * block_s

    def arrays(mask):
        return tuple(jnp.asarray(v[mask], dtype=jnp.float32) for v in (
            xn, y, imbalance, arr_age, arr_seen))

    train, val = arrays(~is_val), arrays(is_val)
    pos = jnp.asarray(arr_pos, dtype=jnp.float32)
    # Nominal flow of the pipe at a line position, over the line's largest (the imbalance's unit):
    # a size fraction at position u is an outflow of size × nominal(u).
    ends = jnp.asarray(meta.get("line_pipe_ends", [1.0]), dtype=jnp.float32)
    nominal_share = jnp.asarray(
        np.asarray(meta.get("line_pipe_nominal_flows", [meta["nominal_flow"]])) / meta["nominal_flow"],
        dtype=jnp.float32)

    def share_at(u):
        k = jnp.clip(jnp.searchsorted(ends, u), 0, ends.shape[0] - 1)
        return nominal_share[k]

    key = jax.random.PRNGKey(a.seed)
    sizes = [x.shape[1], a.hidden, a.hidden, 4]
    params = []
    for i in range(3):
        key, sub = jax.random.split(key)
        w = jax.random.normal(sub, (sizes[i + 1], sizes[i])) * math.sqrt(1.0 / sizes[i])
        params.append((w, jnp.zeros(sizes[i + 1])))

    def forward(params, xb):
        h = xb
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w.T + b)
        w, b = params[-1]
        o = h @ w.T + b
        return o[:, 0], jax.nn.sigmoid(o[:, 1]), jax.nn.softplus(o[:, 2]) * size_scale, \
            jax.nn.softplus(o[:, 3]) * age_scale

    def terms(params, batch):
        xb, yb, imb, age_i, seen_i = batch
        logit, u, q, age = forward(params, xb)
        is_open = yb[:, 0]
        bce = optax.sigmoid_binary_cross_entropy(logit, is_open).mean()
        n_open = jnp.maximum(is_open.sum(), 1.0)
        loc = (is_open * ((u - yb[:, 1]) * 20) ** 2).sum() / n_open          # 5 % of the line → 1
        size = (is_open * ((q - yb[:, 2]) / size_scale * 4) ** 2).sum() / n_open
        onset = (is_open * ((age - yb[:, 3]) / age_scale * 4) ** 2).sum() / n_open
        weight = jax.lax.stop_gradient(jax.nn.sigmoid(logit))
        outflow = q * jax.lax.stop_gradient(share_at(u))
        mass = (weight * ((outflow - imb) / size_scale) ** 2).mean()
        travel = jnp.abs(pos[None, :] - u[:, None]) * line_m / wave
        expected = age[:, None] - travel
        # Only where the network places the drop inside the inputs' window can its age be seen
        # there (older drops have left the window: the baseline is then after the leak too).
        inside = jax.lax.stop_gradient(((expected > 0) & (expected < window_s)).astype(jnp.float32))
        mask = seen_i * inside
        residual = (age_i - expected) / (10 * block_s)
        arrival = (weight[:, None] * mask * residual ** 2).sum() / jnp.maximum(mask.sum(), 1.0)
        return bce, loc, size, onset, mass, arrival

    def loss(params, batch):
        bce, loc, size, onset, mass, arrival = terms(params, batch)
        return bce + loc + size + onset + a.physics_weight * (mass + arrival)

    opt = optax.adam(1e-3)
    state = opt.init(params)

    @jax.jit
    def step(params, state, batch):
        value, grads = jax.value_and_grad(loss)(params, batch)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    evaluate = jax.jit(terms)
    n = train[0].shape[0]
    batch = min(512, n)
    best, best_params, best_epoch, history = float("inf"), params, 0, []
    started = time.monotonic()
    for epoch in range(1, a.epochs + 1):
        order = rng.permutation(n)
        for i in range(0, n - batch + 1, batch):
            idx = order[i:i + batch]
            params, state, _ = step(params, state, tuple(t[idx] for t in train))
        tr = [float(v) for v in evaluate(params, train)]
        va = [float(v) for v in evaluate(params, val)]
        val_loss = sum(va[:4]) + a.physics_weight * (va[4] + va[5])
        history.append({"epoch": epoch, "train": tr, "validation": va})
        if val_loss < best - 1e-6:
            best, best_params, best_epoch = val_loss, params, epoch
        if not a.no_progress:
            width = 24
            filled = epoch * width // a.epochs
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] epoch {epoch}/{a.epochs}  "
                  f"bce {tr[0]:.3f} loc {tr[1]:.3f} size {tr[2]:.3f} onset {tr[3]:.3f} "
                  f"| mass {tr[4]:.3f} arrival {tr[5]:.3f} | val {val_loss:.3f} (best {best_epoch})",
                  end="", file=sys.stderr, flush=True)
        if epoch - best_epoch >= 30 or time.monotonic() - started > a.max_seconds:
            break
    if not a.no_progress:
        print(file=sys.stderr)
    first, last = history[0], history[-1]
    layers = [{"inputs": int(w.shape[1]), "outputs": int(w.shape[0]),
               "weights": np.asarray(w, dtype=np.float64).ravel().tolist(),
               "biases": np.asarray(b, dtype=np.float64).tolist()} for w, b in best_params]
    for layer in layers:
        if not all(math.isfinite(v) for v in layer["weights"] + layer["biases"]):
            fail("training diverged (non-finite weights)")
    # Vectors with the network's answers as JAX computes them: `fluxion train pinn` runs the
    # model file's own forward pass on them and refuses a model whose answers differ.
    pick = np.flatnonzero(is_val)[:: max(1, int(is_val.sum()) // 4)][:4]
    logit, u, q, age = forward(best_params, jnp.asarray(xn[pick]))
    checks = [{"input": x[i].tolist(), "output": [float(jax.nn.sigmoid(logit[k])), float(u[k]), float(q[k]),
                                                   float(age[k])]} for k, i in enumerate(pick)]
    summary = (f"best epoch {best_epoch} of {len(history)}, validation loss {best:.4f} "
               f"(first epoch {sum(first['validation'][:4]):.4f} data)")
    out = {
        "layers": layers, "mean": mean.tolist(), "std": std.tolist(), "size_scale": size_scale,
        "age_scale_s": age_scale, "checks": checks,
        "training": {
            "trainer": "Plugins/PINN/trainer/train.py", "jax": jax.__version__, "optax": optax.__version__,
            "seed": str(a.seed), "physics_weight": str(a.physics_weight), "hidden": str(a.hidden),
            "epochs_run": str(len(history)), "best_epoch": str(best_epoch),
            "train_loss_first": " ".join(f"{v:.4f}" for v in first["train"]),
            "train_loss_last": " ".join(f"{v:.4f}" for v in last["train"]),
            "validation_loss_best": f"{best:.4f}", "vectors": str(x.shape[0]),
            "validation_cases": str(n_val), "summary": summary,
        },
    }
    tmp = a.out + ".partial"
    with open(tmp, "w") as f:
        json.dump(out, f)
    os.replace(tmp, a.out)
    print(summary)


if __name__ == "__main__":
    main()
