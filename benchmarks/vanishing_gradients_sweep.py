"""Lesson 07's training experiments at full length: per-layer gradients of deep nets on the digits.

    OMP_NUM_THREADS=1 python benchmarks/vanishing_gradients_sweep.py   # writes benchmarks/results/
    OMP_NUM_THREADS=1 python benchmarks/vanishing_gradients_sweep.py --parts clipping residual
    python benchmarks/vanishing_gradients_sweep.py --quick --out /tmp/quick.json   # smoke test

``--parts`` reruns only the named parts and keeps the others of the existing JSON as they are
(their configuration must not have changed).

OMP_NUM_THREADS=1: the matrices are small, and BLAS threads only fight over the cores (they
multiplied the CPU time by about 4 on a busy laptop); the numbers do not depend on it.

One process, about 5 minutes of CPU (up to 20 on a busy 2-core laptop). Everything is seeded:
run it twice and the JSON is identical. The lecture (notebooks/07_vanishing_gradients.ipynb)
loads the JSON, re-runs seed 0 of a few conditions live for fewer epochs with the same
recipe, and prints both so a reader can see they agree.

The setup (ours): the 8x8 digits split once into 1402 training and 395 test images; networks
64 - depth x 100 - 10 with softmax outputs and cross-entropy, biases 0, SGD with batches of 10
and learning rate 0.1. Seed s draws the initial weights and the presentation order. The
statistics are measured on a fixed probe of 300 test images (``diagnostics.Recorder``).

Five parts:

1. depths — sigmoid, tanh, softsign, ReLU and leaky ReLU hidden units with Glorot's normalized
   init, 2 to 10 hidden layers: per layer the weight-gradient norm, the spread of delta and
   the update/weight ratio of the epoch, at a few epochs; the test accuracy after every epoch.
2. negative_mean — 10-hidden-layer sigmoid nets with the negative-mean init of Yilmaz & Poli
   (U[-1/sqrt(n_in), 1/sqrt(n_in)] - c / n_in) for a sweep of c: the test accuracy after every
   epoch and the per-layer gradient norms at a few epochs.
3. relu_followup — why the 10-layer ReLU networks of part 1 end erratic: the same networks
   under a few changes of the recipe (learning rate, clipping, He's init), with what each
   epoch did: training loss, test accuracy, dead units (hidden units whose net input is <= 0
   on every training image), the global gradient norm of the steps (before any clipping),
   and how far a twin run drifts whose initial weights differ in the 12th digit
   (``PERTURBATION``): the sensitivity of the run to rounding.
4. clipping — the exploding network of lesson 07 section 2 (ReLU, U[-1, 1] weights) with and
   without gradient clipping by global norm: the same records, per-layer gradient norms.
5. residual — 10-layer sigmoid networks with and without skip connections
   (``course.explorers.vanishing_gradients.train_residual``): per-layer gradient norms and
   the test accuracy after every epoch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sweep_common import digits_split, to_json

from course.explorers.vanishing_gradients import residual_loss_and_gradients, train_residual
from minibp.diagnostics import Recorder
from minibp.network import Network
from minibp.optimizers import SGD, global_norm
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
    "relu_followup": {
        "activation": "relu",
        "depth": 10,
        "epochs": 10,
        "recorded_epochs": [0, 1, 2, 5, 10],
        "seeds": [0, 1, 2, 3, 4],
        # changes to the recipe of part 1 (init glorot_normalized, learning rate 0.1)
        "settings": [{}, {"learning_rate": 0.03}, {"learning_rate": 0.01}, {"clip_norm": 5.0},
                     {"clip_norm": 1.0}, {"init": "he_normal"}],
    },
    "clipping": {
        "activation": "relu",
        "depth": 10,
        "init": "uniform",
        "epochs": 10,
        "recorded_epochs": [0, 1, 2, 5, 10],
        "seeds": [0, 1, 2, 3, 4],
        "clip_norm": [None, 1.0, 5.0],
    },
    "residual": {
        "activation": "sigmoid",
        "depth": 10,
        "init": "glorot_normalized",
        "epochs": 10,
        "recorded_epochs": [0, 1, 5, 10],
        "seeds": [0, 1, 2, 3, 4],
        "skips": [False, True],
    },
}
PARTS = ("depths", "negative_mean", "relu_followup", "clipping", "residual")
PERTURBATION = 1e-12  # the twin run's initial weights: W (1 + 1e-12 u), u ~ N(0, 1) per entry

QUICK = {  # a few seconds: for the test that keeps this script working
    **CONFIG,
    "depths": {**CONFIG["depths"], "activations": ["sigmoid"], "depths": [2], "epochs": 2,
               "recorded_epochs": [0, 2], "seeds": [0]},
    "negative_mean": {**CONFIG["negative_mean"], "depth": 2, "c": [0, 4], "epochs": 2,
                      "recorded_epochs": [0, 2], "seeds": [0]},
    "relu_followup": {**CONFIG["relu_followup"], "depth": 2, "epochs": 2, "recorded_epochs": [0, 2],
                      "seeds": [0], "settings": [{}, {"clip_norm": 1.0}]},
    "clipping": {**CONFIG["clipping"], "depth": 2, "epochs": 2, "recorded_epochs": [0, 2],
                 "seeds": [0], "clip_norm": [None, 1.0]},
    "residual": {**CONFIG["residual"], "depth": 3, "epochs": 2, "recorded_epochs": [0, 2],
                 "seeds": [0]},
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


class NormRecordingSGD(SGD):
    """SGD that remembers the global norm of every step's gradient, before clipping."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.norms = []

    def gradients(self, params, grads):
        self.norms.append(global_norm(grads))
        return super().gradients(params, grads)


def dead_fraction(network, X):
    """Per hidden layer, the fraction of units whose net input is <= 0 on every row of X: a
    ReLU unit that outputs 0 for every image and so passes no gradient back for any."""
    forward = network.forward(X)
    return [float(np.mean(np.all(forward.z[l] <= 0, axis=0))) for l in range(1, network.depth)]


def run_recorded(part, seed, config, split, init, learning_rate, clip_norm=None):
    """One run of parts 3 and 4 and its twin with perturbed initial weights: per epoch the
    training loss, the test accuracy, the dead units, the steps' global gradient norms
    (median, max, fraction above clip_norm or None; one more epoch than the rest when the run
    blew up), the twin's relative weight distance."""
    X_train, T_train, X_test, T_test = split
    probe = (X_test[:config["probe_size"]], T_test[:config["probe_size"]])
    sizes = [64] + [config["width"]] * part["depth"] + [10]
    runs = []
    for twin in (False, True):
        network = Network(sizes, part["activation"], "softmax", init=init, rng=seed)
        if twin:
            noise = np.random.default_rng(10_000 + seed)
            for layer in network.layers:
                layer.W *= 1.0 + PERTURBATION * noise.standard_normal(layer.W.shape)
        optimizer = NormRecordingSGD(learning_rate, clip_norm=clip_norm)
        recorder = Recorder(*probe, loss="cross_entropy", epochs=part["recorded_epochs"])
        weights, dead = [], []

        def callback(epoch, network, history, weights=weights, dead=dead):
            weights.append(np.concatenate([layer.W.ravel() for layer in network.layers]))
            dead.append(dead_fraction(network, X_train))

        history = fit(network, X_train, T_train, loss="cross_entropy", optimizer=optimizer,
                      epochs=part["epochs"], batch_size=config["batch_size"],
                      validation=(X_test, T_test), rng=seed, callbacks=[recorder, callback],
                      on_divergence="stop")
        runs.append((history, recorder, optimizer, weights, dead))
    (history, recorder, optimizer, weights, dead), twin = runs[0], runs[1]
    # one row per epoch begun (a run that blew up keeps the norms of its last epoch too)
    steps_per_epoch = -(-X_train.shape[0] // config["batch_size"])
    steps = np.array(optimizer.norms).reshape(-1, steps_per_epoch)
    return {
        "seed": seed, "init": init, "learning_rate": learning_rate, "clip_norm": clip_norm,
        "stopped": history.stopped, "twin_stopped": twin[0].stopped,
        "loss": _rounded(history["loss"]), "test_accuracy": _rounded(history["val_accuracy"], 4),
        "dead_fraction": _rounded(dead, 3),
        "step_norm_median": _rounded(np.median(steps, axis=1)) if steps.size else [],
        "step_norm_max": _rounded(np.max(steps, axis=1)) if steps.size else [],
        "steps_clipped": (_rounded(np.mean(steps > clip_norm, axis=1), 3)
                          if clip_norm is not None and steps.size else None),
        "first_epoch_step_norms": _rounded(steps[0], 3) if steps.size else [],
        "twin_distance": _rounded([np.linalg.norm(w - v) / np.linalg.norm(w)
                                   for w, v in zip(weights, twin[3])], 3),
        "twin_test_accuracy": _rounded(twin[0]["val_accuracy"], 4),
        "recorded_epochs": recorder.recorded_epochs,
        "gradient_norm": _rounded(recorder.series("gradient_norm")),
    }


def run_residual(part, seed, skips, config, split):
    """One 10-layer network trained with (or without) skips: test accuracy per epoch and the
    per-layer gradient norms and delta spreads on the probe at the recorded epochs."""
    X_train, T_train, X_test, T_test = split
    probe = (X_test[:config["probe_size"]], T_test[:config["probe_size"]])
    network = Network([64] + [config["width"]] * part["depth"] + [10], part["activation"],
                      "softmax", init=part["init"], rng=seed)
    recorded = {"epochs": [], "gradient_norm": [], "delta_std": []}

    def callback(epoch, network):
        if epoch in part["recorded_epochs"]:
            grads = residual_loss_and_gradients(network, *probe, skips=skips)[1]
            recorded["epochs"].append(epoch)
            recorded["gradient_norm"].append([np.linalg.norm(g) for g in grads.dW[1:]])
            recorded["delta_std"].append([d.std() for d in grads.delta[1:]])

    history = train_residual(network, X_train, T_train, part["epochs"], config["learning_rate"],
                             config["batch_size"], rng=seed, skips=skips,
                             validation=(X_test, T_test), callback=callback)
    return {"seed": seed, "skips": skips, "loss": _rounded(history["loss"]),
            "test_accuracy": _rounded(history["accuracy"], 4),
            "recorded_epochs": recorded["epochs"],
            "gradient_norm": _rounded(recorded["gradient_norm"]),
            "delta_std": _rounded(recorded["delta_std"])}


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
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                        help="rerun only these parts; keep the others of --out")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else CONFIG
    results = {"config": config}
    if set(args.parts) != set(PARTS):
        stored = json.loads(args.out.read_text())
        for name in set(PARTS) - set(args.parts):
            if stored["config"].get(name) != json.loads(json.dumps(config[name])):
                raise SystemExit(f"the stored part {name!r} has another configuration: rerun it too")
            results[name] = stored[name]
    split = digits_split(config)
    started = time.process_time()

    if "depths" in args.parts:
        part = config["depths"]
        results["depths"] = []
        for activation in part["activations"]:
            for depth in part["depths"]:
                for seed in part["seeds"]:
                    result = run(activation, depth, part["init"], seed, part["epochs"],
                                 part["recorded_epochs"], config, split)
                    results["depths"].append(result)
                    print(f"{activation:>10} depth {depth:2d} seed {seed}: test accuracy "
                          f"{result['test_accuracy'][-1]:.3f}", flush=True)

    if "negative_mean" in args.parts:
        part = config["negative_mean"]
        results["negative_mean"] = []
        for c in part["c"]:
            for seed in part["seeds"]:
                result = run("sigmoid", part["depth"], "negative_mean", seed, part["epochs"],
                             part["recorded_epochs"], config, split, init_options={"c": c})
                results["negative_mean"].append(result)
                print(f"negative mean c = {c:>2}, seed {seed}: test accuracy "
                      f"{result['test_accuracy'][-1]:.3f}", flush=True)

    if "relu_followup" in args.parts:
        part = config["relu_followup"]
        results["relu_followup"] = []
        for setting in part["settings"]:
            for seed in part["seeds"]:
                result = run_recorded(part, seed, config, split,
                                      setting.get("init", config["depths"]["init"]),
                                      setting.get("learning_rate", config["learning_rate"]),
                                      setting.get("clip_norm"))
                results["relu_followup"].append({"setting": setting, **result})
                print(f"relu follow-up {setting}, seed {seed}: test accuracy "
                      f"{result['test_accuracy'][-1]:.3f}", flush=True)

    if "clipping" in args.parts:
        part = config["clipping"]
        results["clipping"] = []
        for clip_norm in part["clip_norm"]:
            for seed in part["seeds"]:
                result = run_recorded(part, seed, config, split, part["init"],
                                      config["learning_rate"], clip_norm)
                results["clipping"].append(result)
                print(f"clipping {clip_norm}, seed {seed}: stopped {result['stopped'] is not None}, "
                      f"test accuracy {result['test_accuracy'][-1]:.3f}", flush=True)

    if "residual" in args.parts:
        part = config["residual"]
        results["residual"] = []
        for skips in part["skips"]:
            for seed in part["seeds"]:
                result = run_residual(part, seed, skips, config, split)
                results["residual"].append(result)
                print(f"residual skips={skips}, seed {seed}: test accuracy "
                      f"{result['test_accuracy'][-1]:.3f}", flush=True)

    results = {key: results[key] for key in ("config", *PARTS)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(results))
    print(f"wrote {args.out} ({time.process_time() - started:.0f} s of CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
