"""Lesson 11's experiments at full size: NEM noise vs blind noise vs none, and bidirectional training.

    python benchmarks/noise_sweep.py                 # writes benchmarks/results/noise_sweep.json
    python benchmarks/noise_sweep.py --quick --out /tmp/noise_sweep_quick.json   # smoke test

The full run needs about 90 s of CPU time in one process (4 minutes of wall time on a busy
2-core machine). Everything is seeded: run it twice and the JSON is identical. The JSON records the
configuration and every seed, so the lecture (notebooks/11_noise_and_bidirectional.ipynb) can
re-run a few of the same seeds live and check that it gets the same numbers.

Three parts, on the 8x8 digits with a small training subset (the rest is the test set):

1. grid   — a 64-32-10 sigmoid/softmax network trained with SGD and cross-entropy, without
            noise, with blind noise and with NEM noise on the targets, for every (v0, tau) of a
            small grid; the per-epoch training cross-entropy (clean targets) of every seed, the
            final test accuracy, and the fraction of noise draws that passed the NEM test.
2. sizes  — the NEM setting with the lowest mean final training cross-entropy in the grid
            (chosen there, then re-run on *fresh* seeds so the choice does not flatter it),
            for several training-subset sizes.
3. bidirectional — forward-only vs bidirectional training (backward_weight 0 or 1), each
            without noise, with blind noise and with NEM noise (classification noise on the
            class targets, regression noise on the pixels the backward pass regresses toward),
            and, for bidirectional training, NEM noise in one direction only; on fresh seeds:
            forward cross-entropy, backward error, test accuracy, and the distance of each
            class's backward image to that class's mean image over epochs.

Seeding: run seed s splits np.random.SeedSequence(s) into five generators — the training
subset, the initial weights, the presentation order, the (forward) noise, the backward pass's
noise — so the conditions of one seed
share data, start and order and differ only in the noise; blind and NEM noise of one seed draw
the very same noise numbers (NEM then zeroes some of them).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sweep_common import to_json

from minibp import bidirectional, data, noise
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import accuracy, fit

RESULTS = Path(__file__).resolve().parent / "results" / "noise_sweep.json"

CONFIG = {
    "n_train": 250,
    "sizes": [64, 32, 10],
    "activation": "sigmoid",
    "init": "xavier_normal",
    "learning_rate": 0.2,
    "batch_size": 16,
    "epochs": 40,
    "distribution": "gaussian",
    "grid": {"v0": [1e-4, 1e-3, 1e-2, 1e-1], "tau": [1, 2], "seeds": list(range(20))},
    "sizes_sweep": {"n_train": [100, 250, 500, 1000], "seeds": list(range(100, 120))},
    "bidirectional": {"seeds": list(range(200, 210)), "backward_output_activation": "identity"},
}

QUICK = {  # a few seconds: for the test that keeps this script working
    **CONFIG,
    "epochs": 3,
    "grid": {"v0": [1e-2], "tau": [1], "seeds": [0, 1]},
    "sizes_sweep": {"n_train": [100], "seeds": [100]},
    "bidirectional": {"seeds": [200], "backward_output_activation": "identity"},
}


def generators(seed):
    """Five independent generators for one run: subset, weights, order, and two for noise."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]


def digits_split(n_train, rng):
    """A random training subset of n_train digits (one-hot targets) and the rest as test set."""
    X, labels = data.digits()
    order = rng.permutation(len(labels))
    train, test = order[:n_train], order[n_train:]
    return (X[train], data.one_hot(labels[train], 10), labels[train],
            X[test], data.one_hot(labels[test], 10))


def make_noise(kind, condition, v0, tau, rng, cfg):
    """None for "none"; else NEMNoise of ``kind``, blind or not, drawing from ``rng``."""
    if condition == "none":
        return None
    return noise.NEMNoise(kind, v0=v0, tau=tau, distribution=cfg["distribution"],
                          blind=(condition == "blind"), rng=rng)


def noise_run(seed, condition, v0, tau, cfg, n_train=None):
    """One training run of the grid: {"loss": per-epoch training CE, "test_accuracy", "accepted"}."""
    subset_rng, init_rng, order_rng, noise_rng, _ = generators(seed)
    X, T, _, X_test, T_test = digits_split(n_train or cfg["n_train"], subset_rng)
    network = Network(cfg["sizes"], activation=cfg["activation"], output_activation="softmax",
                      init=cfg["init"], rng=init_rng)
    target_noise = make_noise("classification", condition, v0, tau, noise_rng, cfg)
    history = fit(network, X, T, loss="cross_entropy", optimizer=SGD(cfg["learning_rate"]),
                  epochs=cfg["epochs"], batch_size=cfg["batch_size"], rng=order_rng,
                  target_noise=target_noise)
    return {"loss": history.loss,
            "test_accuracy": accuracy(network.predict(X_test), T_test),
            "accepted": None if target_noise is None else target_noise.accepted_fraction.tolist()}


def class_means(X, labels):
    """(10, 64): the mean image of each class in X."""
    return np.array([X[labels == k].mean(axis=0) for k in range(10)])


def bidirectional_run(seed, backward_weight, condition, v0, tau, cfg):
    """One run of part 3; returns per-epoch curves, final accuracies and backward images."""
    subset_rng, init_rng, order_rng, forward_rng, backward_rng = generators(seed)
    X, T, labels, X_test, T_test = digits_split(cfg["n_train"], subset_rng)
    model = bidirectional.BidirectionalNetwork(
        cfg["sizes"], activation=cfg["activation"], init=cfg["init"], rng=init_rng,
        backward_output_activation=cfg["bidirectional"]["backward_output_activation"])
    # "nem_forward" / "nem_backward": NEM noise in one direction only (which one helps?).
    forward_noise = backward_noise = None
    if condition in ("blind", "nem", "nem_forward"):
        forward_noise = make_noise("classification", condition.replace("_forward", ""), v0, tau,
                                   forward_rng, cfg)
    if condition in ("blind", "nem", "nem_backward") and backward_weight > 0:
        backward_noise = make_noise("regression", condition.replace("_backward", ""), v0, tau,
                                    backward_rng, cfg)
    centroids = class_means(X, labels)
    distance = []

    def centroid_distance(epoch, model, history):
        images = model.reconstruct(np.eye(10))
        distance.append(float(np.mean(np.linalg.norm(images - centroids, axis=1))))

    history = bidirectional.train(
        model, X, T, epochs=cfg["epochs"], batch_size=cfg["batch_size"],
        optimizer=SGD(cfg["learning_rate"]), backward_weight=backward_weight,
        forward_noise=forward_noise, backward_noise=backward_noise, rng=order_rng,
        callbacks=[centroid_distance])
    return {
        "forward_error": history.forward_error,
        "backward_error": history.backward_error,
        "centroid_distance": distance,
        "train_accuracy": history.accuracy[-1],
        "test_accuracy": accuracy(model.predict(X_test), T_test),
        "forward_accepted": (None if forward_noise is None
                             else forward_noise.accepted_fraction.tolist()),
        "backward_accepted": (None if backward_noise is None
                              else backward_noise.accepted_fraction.tolist()),
    }


def _round(value, digits=6):
    """Floats to ``digits`` significant digits, recursively (a smaller, stable JSON)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v, digits) for v in value]
    return value


def _collect(runs, curves=("loss",)):
    """Per-seed run dicts -> one entry: per-seed values, but only the mean of acceptance curves.

    Keys in ``curves`` keep every seed's per-epoch curve; a key ending in "accepted" becomes
    "<key>_mean" (per epoch, mean over seeds) and "<key>_per_seed" (per seed, mean over
    epochs); any other curve is cut to its final value, "final_<key>". Scalars stay per seed.
    """
    entry = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        if key.endswith("accepted"):
            entry[f"{key}_mean"] = (None if values[0] is None
                                    else np.mean(values, axis=0).tolist())
            entry[f"{key}_per_seed"] = (None if values[0] is None
                                        else np.mean(values, axis=1).tolist())
        elif isinstance(values[0], list) and key not in curves:
            entry[f"final_{key}"] = [v[-1] for v in values]
        else:
            entry[key] = values
    return entry


def sweep(cfg, log=print):
    started = time.perf_counter()
    results = {"grid": [], "sizes_sweep": [], "bidirectional": []}

    grid = cfg["grid"]
    conditions = [("none", None, None)] + [
        (condition, v0, tau) for tau in grid["tau"] for v0 in grid["v0"]
        for condition in ("blind", "nem")]
    for condition, v0, tau in conditions:
        runs = [noise_run(s, condition, v0 or 0.0, tau or 1, cfg) for s in grid["seeds"]]
        results["grid"].append({"noise": condition, "v0": v0, "tau": tau, **_collect(runs)})
        log(f"grid {condition:5} v0={v0} tau={tau}  {time.perf_counter() - started:6.1f} s")

    # The NEM setting with the lowest mean final training cross-entropy, paired per seed.
    none_final = np.array([loss[-1] for loss in results["grid"][0]["loss"]])
    # (paired per seed: the ratio to the same seed's run without noise)
    best = min((entry for entry in results["grid"] if entry["noise"] == "nem"),
               key=lambda e: np.mean(np.array([loss[-1] for loss in e["loss"]]) / none_final))
    chosen = {"v0": best["v0"], "tau": best["tau"]}
    results["chosen"] = chosen

    for n_train in cfg["sizes_sweep"]["n_train"]:
        for condition in ("none", "blind", "nem"):
            runs = [noise_run(s, condition, chosen["v0"], chosen["tau"], cfg, n_train=n_train)
                    for s in cfg["sizes_sweep"]["seeds"]]
            results["sizes_sweep"].append({"n_train": n_train, "noise": condition,
                                           **_collect(runs, curves=())})
            log(f"sizes {n_train:5} {condition:5}  {time.perf_counter() - started:6.1f} s")

    bidirectional_conditions = [(0.0, c) for c in ("none", "blind", "nem")] + [
        (1.0, c) for c in ("none", "blind", "nem", "nem_forward", "nem_backward")]
    for backward_weight, condition in bidirectional_conditions:
        runs = [bidirectional_run(s, backward_weight, condition, chosen["v0"], chosen["tau"], cfg)
                for s in cfg["bidirectional"]["seeds"]]
        results["bidirectional"].append({
            "backward_weight": backward_weight, "noise": condition,
            **_collect(runs, curves=("forward_error", "backward_error", "centroid_distance"))})
        log(f"bidirectional w={backward_weight} {condition:12}  "
            f"{time.perf_counter() - started:6.1f} s")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny configuration (smoke test)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"output file (default {RESULTS})")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else CONFIG
    results = sweep(cfg)
    document = {
        "description": "Lesson 11: NEM vs blind vs no noise on a small digits subset, and "
                       "bidirectional training; made by benchmarks/noise_sweep.py",
        "command": "python benchmarks/noise_sweep.py" + (" --quick" if args.quick else ""),
        "config": cfg,
        **_round(results),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(document))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
