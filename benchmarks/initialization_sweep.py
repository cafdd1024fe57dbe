"""Lesson 06's training experiments at full length: Glorot & Bengio's observations on the digits.

    OMP_NUM_THREADS=1 python benchmarks/initialization_sweep.py   # writes benchmarks/results/
    python benchmarks/initialization_sweep.py --quick --out /tmp/quick.json   # smoke test

OMP_NUM_THREADS=1: the matrices are small, and BLAS threads only fight over the cores (they
multiplied the CPU time by about 4 on a busy laptop); the numbers do not depend on it.

One process, about 3 minutes of CPU (up to 10 on a busy 2-core laptop). Everything is seeded:
run it twice and the JSON is identical up to the last printed digit. The lecture
(notebooks/06_initialization.ipynb) loads the JSON, re-runs seed 0 of every (activation, init)
pair live for 4 epochs with the same recipe, and prints both so a reader can see they agree.

The setup (ours, not the paper's): the 8x8 digits split once into 1402 training and 395 test
images; a 64-100-100-100-100-100-10 network, softmax output, cross-entropy, biases 0, SGD with
batches of 10 and one learning rate for every condition; sigmoid, tanh and softsign hidden
units, each with Glorot's "standard" init U[-1/sqrt(n_in), 1/sqrt(n_in)] and his "normalized"
init U[-sqrt(6/(n_in+n_out)), +...]. Seed s draws the initial weights (``rng=s``) and the
presentation order (``rng=s`` in ``fit``).

Two parts:

1. main — every (activation, init) pair for every seed: per recorded epoch and hidden layer
   the mean and standard deviation of the activations and the fraction of saturated units on
   a fixed probe of 300 test images; the test accuracy after every epoch; histograms of each
   hidden layer's activations on the probe after the last epoch.
2. sigmoid_learning_rates — sigmoid nets with other learning rates, to see whether the
   plateau at chance is only a matter of the learning rate.
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

RESULTS = Path(__file__).resolve().parent / "results" / "initialization_sweep.json"

CONFIG = {
    "val_fraction": 0.22,  # data.train_val_split(X, T, 0.22, rng=0): 1402 train, 395 test
    "split_seed": 0,
    "hidden": [100, 100, 100, 100, 100],
    "learning_rate": 0.1,
    "batch_size": 10,
    "epochs": 100,
    "probe_size": 300,  # the first 300 test images
    "activations": ["sigmoid", "tanh", "softsign"],
    "inits": ["glorot_standard", "glorot_normalized"],
    "seeds": [0, 1, 2, 3, 4],
    "histogram_bins": 40,
    "sigmoid_learning_rates": {"learning_rates": [0.03, 0.3, 1.0], "seeds": [0, 1, 2]},
}

QUICK = {  # a few seconds: for the test that keeps this script working
    **CONFIG,
    "epochs": 2,
    "seeds": [0],
    "activations": ["tanh"],
    "sigmoid_learning_rates": {"learning_rates": [1.0], "seeds": [0]},
}


def recorded_epochs(epochs):
    """Every epoch up to 10, then every 5th: the early drift and the long run."""
    return sorted(set(range(min(epochs, 10) + 1)) | set(range(0, epochs + 1, 5)) | {epochs})


def histogram_range(activation):
    return (0.0, 1.0) if activation == "sigmoid" else (-1.0, 1.0)


def run(activation, init, seed, config, split, epochs=None, learning_rate=None):
    """Train one network and record what lesson 06 plots; returns a dict of plain lists.

    ``epochs`` and ``learning_rate`` default to the configuration's. The lecture calls this
    same recipe (written out there) with fewer epochs.
    """
    X_train, T_train, X_test, T_test = split
    epochs = config["epochs"] if epochs is None else epochs
    learning_rate = config["learning_rate"] if learning_rate is None else learning_rate
    probe = (X_test[:config["probe_size"]], T_test[:config["probe_size"]])
    network = Network([64] + config["hidden"] + [10], activation, "softmax", init=init, rng=seed)
    recorder = Recorder(*probe, loss="cross_entropy", epochs=recorded_epochs(epochs),
                        keep_arrays=False)
    history = fit(network, X_train, T_train, loss="cross_entropy", optimizer=SGD(learning_rate),
                  epochs=epochs, batch_size=config["batch_size"], validation=(X_test, T_test),
                  rng=seed, callbacks=[recorder], on_divergence="stop")
    n_hidden = len(config["hidden"])
    final = network.forward(probe[0]).a[1:n_hidden + 1]
    bins = np.linspace(*histogram_range(activation), config["histogram_bins"] + 1)
    return {
        "activation": activation, "init": init, "seed": seed, "learning_rate": learning_rate,
        "epochs": epochs, "stopped": history.stopped,
        "recorded_epochs": recorder.recorded_epochs,
        "activation_mean": _rounded(recorder.series("activation_mean")[:, :n_hidden]),
        "activation_std": _rounded(recorder.series("activation_std")[:, :n_hidden]),
        "saturated": _rounded(recorder.series("saturated")[:, :n_hidden]),
        "test_accuracy": _rounded(history["val_accuracy"]),
        "final_histogram_edges": _rounded(bins),
        "final_histograms": [_rounded(np.histogram(a, bins=bins)[0] / a.size) for a in final],
    }


def _rounded(array, digits=6):
    return np.round(np.asarray(array, dtype=float), digits).tolist()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run, for testing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    config = QUICK if args.quick else CONFIG
    split = digits_split(config)
    started = time.process_time()
    main_runs = []
    for activation in config["activations"]:
        for init in config["inits"]:
            for seed in config["seeds"]:
                result = run(activation, init, seed, config, split)
                main_runs.append(result)
                print(f"{activation:>8} {init:>17} seed {seed}: test accuracy "
                      f"{result['test_accuracy'][-1]:.3f}", flush=True)
    lr_runs = []
    part = config["sigmoid_learning_rates"]
    for learning_rate in part["learning_rates"]:
        for init in config["inits"]:
            for seed in part["seeds"]:
                result = run("sigmoid", init, seed, config, split, learning_rate=learning_rate)
                lr_runs.append({key: result[key] for key in
                                ("activation", "init", "seed", "learning_rate", "epochs",
                                 "stopped", "test_accuracy")})
                print(f" sigmoid {init:>17} seed {seed} learning rate {learning_rate:g}: "
                      f"test accuracy {result['test_accuracy'][-1]:.3f}", flush=True)
    results = {"config": config, "main": main_runs, "sigmoid_learning_rates": lr_runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({time.process_time() - started:.0f} s of CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
