"""Lesson 07's training experiments at full length: per-layer gradients of deep nets on the digits.

    OMP_NUM_THREADS=1 python benchmarks/vanishing_gradients_sweep.py   # writes benchmarks/results/
    python benchmarks/vanishing_gradients_sweep.py --quick --out /tmp/quick.json   # smoke test

OMP_NUM_THREADS=1: the matrices are small, and BLAS threads only fight over the cores (they
multiplied the CPU time by about 4 on a busy laptop); the numbers do not depend on it.

One process, about 3 minutes of CPU (up to 15 on a busy 2-core laptop). Everything is seeded:
run it twice and the JSON is identical. The lecture (notebooks/07_vanishing_gradients.ipynb)
loads the JSON, re-runs seed 0 of a few conditions live for fewer epochs with the same
recipe, and prints both so a reader can see they agree.

The setup (ours): the 8x8 digits split once into 1402 training and 395 test images; networks
64 - depth x 100 - 10 with softmax outputs and cross-entropy, biases 0, SGD with batches of 10
and learning rate 0.1. Seed s draws the initial weights and the presentation order. The
statistics are measured on a fixed probe of 300 test images (``diagnostics.Recorder``).

Two parts:

1. depths — sigmoid, tanh, softsign, ReLU and leaky ReLU hidden units with Glorot's normalized
   init, 2 to 10 hidden layers: per layer the weight-gradient norm, the spread of delta and
   the update/weight ratio of the epoch, at a few epochs; the test accuracy after every epoch.
2. negative_mean — 10-hidden-layer sigmoid nets with the negative-mean init of Yilmaz & Poli
   (U[-1/sqrt(n_in), 1/sqrt(n_in)] - c / n_in) for a sweep of c: the test accuracy after every
   epoch and the per-layer gradient norms at a few epochs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sweep_common import digits_split

from minibp.diagnostics import Recorder
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import fit

RESULTS = Path(__file__).resolve().parent / "results" / "vanishing_gradients_sweep.json"

CONFIG = {
    "val_fraction": 0.22,  # data.train_val_split(X, T, 0.22, rng=0): 1402 train, 395 test
    "split_seed": 0,
    "width": 100,
    "learning_rate": 0.1,
    "batch_size": 10,
    "probe_size": 300,  # the first 300 test images
    "depths": {
        "activations": ["sigmoid", "tanh", "softsign", "relu", "leaky_relu"],
        "depths": [2, 4, 6, 8, 10],
        "init": "glorot_normalized",
        "epochs": 10,
        "recorded_epochs": [0, 1, 2, 5, 10],
        "seeds": [0, 1, 2],
    },
    "negative_mean": {
        "depth": 10,
        "c": [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16],
        "epochs": 60,
        "recorded_epochs": [0, 1, 10, 30, 60],
        "seeds": [0, 1, 2],
    },
}

QUICK = {  # a few seconds: for the test that keeps this script working
    **CONFIG,
    "depths": {**CONFIG["depths"], "activations": ["sigmoid"], "depths": [2], "epochs": 2,
               "recorded_epochs": [0, 2], "seeds": [0]},
    "negative_mean": {**CONFIG["negative_mean"], "depth": 2, "c": [0, 4], "epochs": 2,
                      "recorded_epochs": [0, 2], "seeds": [0]},
}


def run(activation, depth, init, seed, epochs, recorded_epochs, config, split, init_options=None):
    """Train one network; return per-layer statistics at ``recorded_epochs`` and the accuracies.

    The lecture writes out this same recipe and runs it with fewer epochs.
    """
    X_train, T_train, X_test, T_test = split
    probe = (X_test[:config["probe_size"]], T_test[:config["probe_size"]])
    network = Network([64] + [config["width"]] * depth + [10], activation, "softmax", init=init,
                      rng=seed, init_options=init_options)
    recorder = Recorder(*probe, loss="cross_entropy", epochs=recorded_epochs)
    history = fit(network, X_train, T_train, loss="cross_entropy",
                  optimizer=SGD(config["learning_rate"]), epochs=epochs,
                  batch_size=config["batch_size"], validation=(X_test, T_test), rng=seed,
                  callbacks=[recorder], on_divergence="stop")
    return {
        "activation": activation, "depth": depth, "init": init, "seed": seed,
        "init_options": init_options or {}, "epochs": epochs, "stopped": history.stopped,
        "recorded_epochs": recorder.recorded_epochs,
        "gradient_norm": _rounded(recorder.series("gradient_norm")),
        "delta_std": _rounded(recorder.series("delta_std")),
        "update_ratio": _rounded(recorder.series("update_ratio")),
        "test_accuracy": _rounded(history["val_accuracy"], 4),
    }


def _rounded(array, digits=4):
    """Nested lists with ``digits`` significant digits (gradients span dozens of decades);
    NaN (the update ratio before the first epoch) becomes null."""
    array = np.asarray(array, dtype=float)
    if array.ndim > 1:
        return [_rounded(row, digits) for row in array]
    return [float(f"{x:.{digits}g}") if np.isfinite(x) else None for x in array]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run, for testing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    config = QUICK if args.quick else CONFIG
    split = digits_split(config)
    started = time.process_time()

    part = config["depths"]
    depth_runs = []
    for activation in part["activations"]:
        for depth in part["depths"]:
            for seed in part["seeds"]:
                result = run(activation, depth, part["init"], seed, part["epochs"],
                             part["recorded_epochs"], config, split)
                depth_runs.append(result)
                print(f"{activation:>10} depth {depth:2d} seed {seed}: test accuracy "
                      f"{result['test_accuracy'][-1]:.3f}", flush=True)

    part = config["negative_mean"]
    negative_mean_runs = []
    for c in part["c"]:
        for seed in part["seeds"]:
            result = run("sigmoid", part["depth"], "negative_mean", seed, part["epochs"],
                         part["recorded_epochs"], config, split, init_options={"c": c})
            negative_mean_runs.append(result)
            print(f"negative mean c = {c:>2}, seed {seed}: test accuracy "
                  f"{result['test_accuracy'][-1]:.3f}", flush=True)

    results = {"config": config, "depths": depth_runs, "negative_mean": negative_mean_runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({time.process_time() - started:.0f} s of CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
