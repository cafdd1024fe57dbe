"""Lesson 07 (vanishing gradients): the explorer's helpers, the checks' references, and the
benchmark whose stored results the lecture loads."""

import json
import math

import numpy as np
import pytest

from course.checks import vanishing_gradients as check
from course.explorers import vanishing_gradients as lesson
from minibp import Network, data, initializers
from minibp.diagnostics import layer_statistics

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers


@pytest.fixture
def sweep_script(benchmark_script):
    return benchmark_script("vanishing_gradients_sweep")


# --- the explorer's helpers -----------------------------------------------------------------
@pytest.mark.parametrize("c", [0.0, 2.5, 16.0])
def test_shifted_standard_init_is_the_negative_mean_init(c):
    W = lesson.shifted("glorot_standard", c)(64, 100, rng=7)
    np.testing.assert_array_equal(W, initializers.negative_mean(64, 100, rng=7, c=c))


def test_layer_gradients_at_init_are_the_networks_own_statistics():
    norms, spreads = lesson.layer_gradients_at_init("sigmoid", 3, "glorot_standard", 4.0)
    X, labels = data.digits()
    X, T = X[:lesson.PROBE_SIZE], data.one_hot(labels[:lesson.PROBE_SIZE], 10)
    network = Network([64, 100, 100, 100, 10], "sigmoid", "softmax", init="negative_mean",
                      init_options={"c": 4.0}, rng=0)
    stats = layer_statistics(network, X, T, "cross_entropy")
    np.testing.assert_allclose(norms, [s["gradient_norm"] for s in stats], rtol=1e-12)
    np.testing.assert_allclose(spreads, [s["delta_std"] for s in stats], rtol=1e-12)


def test_sigmoid_gradients_vanish_toward_the_input_and_relu_he_ones_do_not():
    norms, _ = lesson.layer_gradients_at_init("sigmoid", 10)
    assert np.all(np.diff(norms[:10]) > 0)  # each layer's gradient larger than the one below
    assert norms[0] / norms[9] < 1e-4
    norms, _ = lesson.layer_gradients_at_init("relu", 10, "he_normal")
    assert 0.2 < norms[0] / norms[9] < 5


@pytest.mark.parametrize("kwargs, name", [
    (dict(activation="identity"), "activation"), (dict(depth=0), "depth"),
    (dict(init="uniform"), "init"), (dict(c="big"), "c"), (dict(seed=1.5), "seed"),
])
def test_bad_settings_name_the_argument(kwargs, name):
    settings = dict(activation="tanh", depth=2, init="glorot_normalized", c=0.0, seed=0) | kwargs
    with pytest.raises(ValueError, match=name):
        lesson.layer_gradients_at_init(**settings)


# --- the checks' references -----------------------------------------------------------------
def test_delta_norms_reference_is_the_recursion_written_out(rng):
    network = Network([3, 5, 4, 2], "tanh", "sigmoid", rng=1)
    forward = network.forward(rng.normal(size=(6, 3)))
    delta_3 = rng.normal(size=(6, 2))
    delta_2 = (delta_3 @ network.layers[2].W.T) * (1 - forward.a[2] ** 2)
    delta_1 = (delta_2 @ network.layers[1].W.T) * (1 - forward.a[1] ** 2)
    np.testing.assert_allclose(check._delta_norms(network, forward, delta_3),
                               [np.linalg.norm(d) for d in (delta_1, delta_2, delta_3)], rtol=1e-12)


def test_layer_gradient_norms_reference_matches_backward(rng):
    network = Network([3, 5, 2], "relu", "sigmoid", rng=2)
    forward = network.forward(rng.normal(size=(7, 3)))
    grads = network.backward(forward, rng.normal(size=(7, 2)))
    np.testing.assert_allclose(check._layer_gradient_norms(forward.a[:-1], grads.delta[1:]),
                               [np.linalg.norm(grads.dW[1]), np.linalg.norm(grads.dW[2])],
                               rtol=1e-12)


@pytest.mark.parametrize("gain, fraction, layers", [(0.25, 1e-3, 5), (0.25, 1e-6, 10), (0.5, 0.5, 1),
                                                    (0.5, 0.49, 2), (0.9, 1.0, 0)])
def test_layers_to_vanish_reference(gain, fraction, layers):
    assert check._layers_to_vanish(gain, fraction) == layers
    assert gain ** layers <= fraction and (layers == 0 or gain ** (layers - 1) > fraction)


def test_update_ratios_reference_is_the_recorders_formula():
    before = [np.array([[3.0, 4.0]]), np.eye(2)]
    after = [np.array([[3.0, 4.5]]), 2 * np.eye(2)]
    np.testing.assert_allclose(check._update_ratios(before, after), [0.1, 1.0])


# --- the benchmark and its stored results ---------------------------------------------------
def test_the_benchmark_runs_quickly_in_quick_mode(sweep_script, tmp_path):
    out = tmp_path / "quick.json"
    assert sweep_script.main(["--quick", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    run = results["depths"][0]
    assert np.array(run["gradient_norm"]).shape == (len(run["recorded_epochs"]), run["depth"] + 1)
    assert run["update_ratio"][0] == [None] * (run["depth"] + 1)  # nothing moved before epoch 1
    assert [r["init_options"]["c"] for r in results["negative_mean"]] == [0, 4]


def test_the_stored_results_come_from_this_script(sweep_script):
    module = sweep_script
    stored = json.loads(module.RESULTS.read_text())
    assert stored["config"] == json.loads(json.dumps(module.CONFIG))
    config = module.CONFIG
    part = config["depths"]
    assert len(stored["depths"]) == len(part["activations"]) * len(part["depths"]) * len(part["seeds"])
    assert len(stored["negative_mean"]) == len(config["negative_mean"]["c"]) * len(
        config["negative_mean"]["seeds"])
    # Seed 0 of one condition, re-run for two epochs, gives the stored first epochs.
    rerun = module.run("tanh", 2, part["init"], 0, 2, [0, 1, 2], config, module.digits_split(config))
    (first,) = [run for run in stored["depths"]
                if (run["activation"], run["depth"], run["seed"]) == ("tanh", 2, 0)]
    np.testing.assert_allclose(rerun["test_accuracy"], first["test_accuracy"][:3], atol=1e-4)
    np.testing.assert_allclose(rerun["gradient_norm"], first["gradient_norm"][:3], rtol=1e-3)
    assert not math.isnan(first["test_accuracy"][-1])
