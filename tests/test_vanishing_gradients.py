"""Lesson 07 (vanishing gradients): the explorer's helpers, the checks' references, and the
benchmark whose stored results the lecture loads."""

import json
import math

import numpy as np
import pytest

from course.checks import vanishing_gradients as check
from course.explorers import vanishing_gradients as lesson
from minibp import SGD, Network, data, fit, initializers
from minibp.diagnostics import layer_statistics
from minibp.gradcheck import numerical_gradient, relative_error

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


# --- skip (residual) connections ------------------------------------------------------------
def test_skips_go_around_the_hidden_layers_whose_width_does_not_change():
    network = Network([64, 100, 100, 100, 10], "sigmoid", "softmax", rng=0)
    assert lesson.skip_layers(network) == [False, True, True, False]
    assert lesson.skip_layers(Network([3, 3, 3], "tanh", "sigmoid", rng=0)) == [True, False]


@pytest.mark.parametrize("activation", ["sigmoid", ["tanh", "relu", "softsign"]])
def test_residual_backward_agrees_with_finite_differences(activation, rng):
    network = Network([5, 4, 4, 4, 3], activation, "softmax", rng=1)
    X = rng.normal(size=(6, 5))
    T = np.eye(3)[rng.integers(0, 3, size=6)]
    _, grads = lesson.residual_loss_and_gradients(network, X, T)
    for l, layer in enumerate(network.layers, start=1):
        for array, gradient in ((layer.W, grads.dW[l]), (layer.b, grads.db[l])):
            numerical = numerical_gradient(
                lambda: lesson.residual_loss_and_gradients(network, X, T)[0], array)
            assert relative_error(numerical, gradient) < 1e-7, f"layer {l}"


def test_the_identity_path_adds_the_gradient_from_above(rng):
    # g_1 = delta_2 W_2^T + g_2 across the skip of layer 2: delta_1 = g_1 * f'(z_1)
    network = Network([3, 4, 4, 2], "tanh", "softmax", rng=4)
    X = rng.normal(size=(5, 3))
    forward = lesson.residual_forward(network, X)
    np.testing.assert_allclose(forward.a[2], forward.a[1] + np.tanh(forward.z[2]), rtol=1e-14)
    grads = lesson.residual_backward(network, forward, rng.normal(size=(5, 2)))
    g_2 = grads.delta[3] @ network.layers[2].W.T
    g_1 = grads.delta[2] @ network.layers[1].W.T + g_2
    np.testing.assert_allclose(grads.delta[1], g_1 * (1 - np.tanh(forward.z[1]) ** 2), rtol=1e-12)


def test_without_skips_it_is_the_plain_network(rng):
    network = Network([4, 6, 6, 6, 3], "relu", "softmax", rng=3)
    X, T = rng.normal(size=(7, 4)), np.eye(3)[rng.integers(0, 3, size=7)]
    value, grads = lesson.residual_loss_and_gradients(network, X, T, skips=False)
    plain_value, plain = network.loss_and_gradients(X, T, "cross_entropy")
    assert value == pytest.approx(plain_value, rel=1e-14)
    for mine, theirs in zip(grads.as_list(), plain.as_list()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=1e-16)


def test_train_residual_without_skips_is_fits_recipe():
    X, labels = data.digits()
    X, T = X[:60], data.one_hot(labels[:60], 10)
    network = Network([64, 20, 20, 10], "tanh", "softmax", rng=5)
    twin = network.copy()
    record = lesson.train_residual(network, X, T, epochs=2, learning_rate=0.1, batch_size=10,
                                   rng=5, skips=False)
    history = fit(twin, X, T, "cross_entropy", SGD(0.1), epochs=2, batch_size=10, rng=5)
    np.testing.assert_allclose(record["loss"], history["loss"], rtol=1e-12)
    np.testing.assert_allclose(record["accuracy"], history["accuracy"], rtol=0)
    for mine, theirs in zip(network.parameters(), twin.parameters()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_skips_keep_the_sigmoid_deltas_from_vanishing():
    X, labels = data.digits()
    X, T = X[:200], data.one_hot(labels[:200], 10)
    network = Network([64] + [100] * 10 + [10], "sigmoid", "softmax", rng=0)
    spread = {skips: [d.std() for d in lesson.residual_loss_and_gradients(
        network, X, T, skips=skips)[1].delta[1:]] for skips in (False, True)}
    assert spread[False][0] / spread[False][9] < 1e-4
    assert spread[True][0] / spread[True][9] > 0.5


def test_residual_helpers_name_bad_arguments():
    network = Network([3, 3, 3, 2], "tanh", "softmax", rng=0)
    with pytest.raises(ValueError, match="skips"):
        lesson.residual_forward(network, np.ones((2, 3)), skips="yes")
    with pytest.raises(ValueError, match="X must have 3 column"):
        lesson.residual_forward(network, np.ones((2, 4)))
    with pytest.raises(ValueError, match="epochs"):
        lesson.train_residual(network, np.ones((2, 3)), np.eye(2), epochs=-1)


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
    followup = results["relu_followup"][1]
    assert followup["setting"] == {"clip_norm": 1.0} and len(followup["test_accuracy"]) == 3
    assert len(followup["first_epoch_step_norms"]) == 141  # one per batch of 10 of 1402 digits
    assert followup["twin_distance"][0] == pytest.approx(1e-12, rel=0.1)  # the perturbation
    assert [r["clip_norm"] for r in results["clipping"]] == [None, 1.0]
    assert [r["skips"] for r in results["residual"]] == [False, True]


def test_rerunning_only_some_parts_keeps_the_others(sweep_script, tmp_path):
    out = tmp_path / "quick.json"
    assert sweep_script.main(["--quick", "--out", str(out)]) == 0
    before = json.loads(out.read_text())
    assert sweep_script.main(["--quick", "--out", str(out), "--parts", "residual"]) == 0
    after = json.loads(out.read_text())
    assert after == before  # everything seeded: the rerun part comes out the same


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

    for part, varied in (("relu_followup", "settings"), ("clipping", "clip_norm"), ("residual", "skips")):
        assert len(stored[part]) == len(config[part][varied]) * len(config[part]["seeds"])
    # Seed 0 of the clipped exploding network and of the network with skips, two epochs again
    # (both runs are tame over two epochs: a twin 1e-12 away stays within 1e-5).
    split = module.digits_split(config)
    short = {**config["clipping"], "epochs": 2, "recorded_epochs": [0, 1, 2]}
    rerun = module.run_recorded(short, 0, config, split, "uniform", config["learning_rate"], 1.0)
    (first,) = [run for run in stored["clipping"] if (run["clip_norm"], run["seed"]) == (1.0, 0)]
    np.testing.assert_allclose(rerun["test_accuracy"], first["test_accuracy"][:3], atol=1e-4)
    np.testing.assert_allclose(rerun["loss"], first["loss"][:3], rtol=1e-3)
    short = {**config["residual"], "epochs": 2, "recorded_epochs": [0, 1]}
    rerun = module.run_residual(short, 0, True, config, split)
    (first,) = [run for run in stored["residual"] if (run["skips"], run["seed"]) == (True, 0)]
    np.testing.assert_allclose(rerun["test_accuracy"], first["test_accuracy"][:3], atol=1e-4)
    np.testing.assert_allclose(rerun["gradient_norm"], first["gradient_norm"][:2], rtol=1e-3)
