"""Lesson 09's experiment at full size: does the power error signal speed up deep sigmoid MLPs?

    python benchmarks/power_error_sweep.py           # writes benchmarks/results/power_error_sweep.json
    python benchmarks/power_error_sweep.py --quick --out /tmp/power_error_quick.json   # smoke test

The full run takes about 8 minutes on a busy 2-core laptop; it uses one process and one BLAS
thread. Everything is seeded: run it twice and the JSON is identical. The JSON records the
configuration, every seed and the minibp version, so the lecture
(notebooks/09_power_error.ipynb) can re-run a few of the same runs live and get the same numbers.

What is run (Knoblauch 2021's rule, delta_out = sign(y - t) |y - t|^q, at laptop scale):

- data: the 8x8 digits (``minibp.data.digits``), split once with seed ``split_seed`` into 70 %
  / 30 %; the first ``n_train`` rows of the 70 % train, the 30 % is the validation set.
- networks: 64 -> ``width`` x depth -> 10, sigmoid hidden and output units (one per class,
  one-hot 0/1 targets), Glorot's normalized initialization, zero biases.
- training: plain SGD with a constant learning rate, mini-batches of ``batch_size``, a new
  presentation order each epoch, ``PowerError(q)`` as the output error signal.
- learning rate, tuned per (depth, q) on the same grid ``learning_rates`` for every q: each grid
  point is trained on the ``tuning_seeds``; the one with the highest mean training accuracy
  over all epochs (the area under the learning curve: fast *and* high) wins, and whether it
  sits at an edge of the grid is recorded. (The size of the error signal changes with q —
  at an output error of 1/2 it is (1/2)^q — so each q needs its own learning rate.)
- evaluation: the chosen learning rate is re-run on *fresh* ``seeds`` (so the choice does not
  flatter it): training and validation accuracy after every epoch, the first epoch whose
  training accuracy reaches ``target_accuracy`` (None if it never does).

Seeding: run seed s builds the network with ``Network(..., rng=s)`` and shuffles with
``numpy.random.default_rng(1000 + s)``, so all conditions of one seed start from the same
weights and see the examples in the same order.
"""

from __future__ import annotations

import os

# One BLAS thread: the matrices are tiny, and on a busy 2-core machine a second BLAS thread
# waiting for a core makes every product ~10x slower. Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
from sweep_common import to_json

import minibp
from minibp import data
from minibp.losses import PowerError
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import fit

RESULTS = Path(__file__).resolve().parent / "results" / "power_error_sweep.json"

CONFIG = {
    "split_seed": 0,
    "val_fraction": 0.3,
    "n_train": 800,
    "width": 32,
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "init": "glorot_normalized",
    "batch_size": 32,
    "depths": [2, 4, 5],
    "epochs": [100, 200, 300],  # one per depth: deeper nets sit longer on the plateau
    "qs": [0.25, 0.5, 1.0, 1.5, 2.0, 3.0],
    "learning_rates": [0.5, 1.0, 2.0, 4.0, 8.0],
    "tuning_seeds": [100, 101],
    "seeds": [0, 1, 2, 3, 4],
    "target_accuracy": 0.9,
}

QUICK = {  # about a second: for the test that keeps this script working
    **CONFIG,
    "n_train": 200,
    "depths": [1],
    "epochs": [3],
    "qs": [0.5, 2.0],
    "learning_rates": [1.0, 2.0],
    "tuning_seeds": [100],
    "seeds": [0, 1],
}


def digits_split(cfg):
    """(X_train, T_train, X_val, T_val): the digits with one-hot targets, split as in ``cfg``."""
    X, labels = data.digits()
    X_train, T_train, X_val, T_val = data.train_val_split(
        X, data.one_hot(labels, 10), cfg["val_fraction"], rng=cfg["split_seed"])
    return X_train[:cfg["n_train"]], T_train[:cfg["n_train"]], X_val, T_val


def correct(network, X, T):
    """How many rows of X the network classifies right (largest output = the one-hot 1)."""
    return int(np.sum(network.predict(X).argmax(axis=1) == T.argmax(axis=1)))


def train_run(depth, q, learning_rate, seed, epochs, split, cfg):
    """Train one network with ``fit``; return {"train_correct": [...], "val_correct": [...]}.

    One entry per epoch 0..E (epoch 0 is before training): how many training and validation
    digits the network classifies right. Counts, not losses: the power losses of different q
    are different functions, so accuracy is what we compare.
    """
    X_train, T_train, X_val, T_val = split
    network = Network([X_train.shape[1]] + [cfg["width"]] * depth + [T_train.shape[1]],
                      activation=cfg["activation"], output_activation=cfg["output_activation"],
                      init=cfg["init"], rng=seed)
    counts = {"train_correct": [], "val_correct": []}

    def count(epoch, net, history):
        counts["train_correct"].append(correct(net, X_train, T_train))
        counts["val_correct"].append(correct(net, X_val, T_val))

    fit(network, X_train, T_train, loss=PowerError(q), optimizer=SGD(learning_rate), epochs=epochs,
        batch_size=cfg["batch_size"], rng=1000 + seed, callbacks=[count])
    return counts


def epochs_to(accuracy, target):
    """The first epoch (index) whose accuracy reaches ``target``, or None if none does."""
    reached = np.flatnonzero(np.asarray(accuracy) >= target)
    return int(reached[0]) if reached.size else None


def _progress(message):
    print(message, file=sys.stderr, flush=True)


def sweep(cfg, log=_progress):
    """Tune the learning rate per (depth, q) on the tuning seeds, then evaluate on fresh seeds.

    ``log(message)`` is told how far it got after each (depth, q).
    """
    split = digits_split(cfg)
    n_train, n_val = split[0].shape[0], split[2].shape[0]
    tuning, chosen, runs = [], [], []
    started = time.perf_counter()
    for depth, epochs in zip(cfg["depths"], cfg["epochs"]):
        for q in cfg["qs"]:
            grid = [float(rate) for rate in cfg["learning_rates"]]
            scores = []
            for learning_rate in grid:
                per_seed = []
                for seed in cfg["tuning_seeds"]:
                    run = train_run(depth, q, learning_rate, seed, epochs, split, cfg)
                    accuracy = np.array(run["train_correct"]) / n_train
                    per_seed.append(float(accuracy[1:].mean()))
                    tuning.append({"depth": depth, "q": q, "learning_rate": learning_rate,
                                   "seed": seed, "mean_train_accuracy": round(per_seed[-1], 6),
                                   "epochs_to_target": epochs_to(accuracy, cfg["target_accuracy"]),
                                   "final_train_accuracy": round(float(accuracy[-1]), 6)})
                scores.append(float(np.mean(per_seed)))
            best = int(np.argmax(scores))
            edge = "low" if best == 0 else "high" if best == len(grid) - 1 else None
            chosen.append({"depth": depth, "q": q, "learning_rate": grid[best], "grid_edge": edge})
            for seed in cfg["seeds"]:
                run = train_run(depth, q, grid[best], seed, epochs, split, cfg)
                accuracy = np.array(run["train_correct"]) / n_train
                runs.append({"depth": depth, "q": q, "learning_rate": grid[best], "seed": seed,
                             "epochs_to_target": epochs_to(accuracy, cfg["target_accuracy"]),
                             **run})
            log(f"depth {depth}  q {q:<4g}  learning rate {grid[best]:.3g}"
                f"{' (grid edge: ' + edge + ')' if edge else ''}  "
                f"{time.perf_counter() - started:6.0f} s")
    return {"n_train": n_train, "n_val": n_val, "tuning": tuning, "chosen": chosen, "runs": runs}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny configuration (smoke test)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"output file (default {RESULTS})")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else CONFIG
    results = sweep(cfg)
    document = {
        "description": "Lesson 09: power error signal sign(y - t)|y - t|^q in deep sigmoid MLPs on "
                       "the 8x8 digits; learning rate tuned per (depth, q), then fresh seeds; "
                       "made by benchmarks/power_error_sweep.py",
        "command": "python benchmarks/power_error_sweep.py" + (" --quick" if args.quick else ""),
        "minibp_version": minibp.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "config": cfg,
        **results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(document))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
