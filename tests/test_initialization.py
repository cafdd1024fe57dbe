"""Lesson 06 (initialization): the explorer's helper, the checks' references, and the benchmark
whose stored results the lecture loads."""

import json

import numpy as np
import pytest

from course.checks import initialization as check
from course.explorers import initialization as lesson
from minibp import Network, data, initializers
from minibp.diagnostics import layer_statistics

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers


@pytest.fixture
def sweep_script(benchmark_script):
    return benchmark_script("initialization_sweep")


# --- the explorer's helper ------------------------------------------------------------------
def test_hidden_layers_at_init_are_the_networks_own_statistics():
    arrays = lesson.hidden_layers_at_init("tanh", "glorot_standard", 3, 20)
    X, labels = data.digits()
    X, T = X[:lesson.PROBE_SIZE], data.one_hot(labels[:lesson.PROBE_SIZE], 10)
    network = Network([64, 20, 20, 20, 10], "tanh", "softmax", init="glorot_standard", rng=0)
    stats = layer_statistics(network, X, T, "cross_entropy", keep_arrays=True)
    assert len(arrays) == 3
    for (a, delta), s in zip(arrays, stats):
        np.testing.assert_array_equal(a, s["a"])
        np.testing.assert_array_equal(delta, s["delta"])


def test_hidden_layers_at_init_are_cached():
    first = lesson.hidden_layers_at_init("relu", "he_normal", 2, 30)
    assert lesson.hidden_layers_at_init("relu", "he_normal", 2, 30) is first


@pytest.mark.parametrize("kwargs, name", [
    (dict(activation="softmax"), "activation"), (dict(init="zeros"), "init"),
    (dict(depth=0), "depth"), (dict(width=2.5), "width"), (dict(seed=-1), "seed"),
])
def test_bad_settings_name_the_argument(kwargs, name):
    settings = dict(activation="tanh", init="uniform", depth=2, width=10, seed=0) | kwargs
    with pytest.raises(ValueError, match=name):
        lesson.hidden_layers_at_init(**settings)


def test_the_normalized_init_keeps_tanh_gradients_alike_across_layers():
    # The lesson's section 5.3 claim, on the explorer's probe: standard shrinks, normalized less.
    def ratio(init):
        arrays = lesson.hidden_layers_at_init("tanh", init, 5, 100)
        return arrays[0][1].std() / arrays[-1][1].std()

    assert ratio("glorot_standard") < 0.2 < 0.5 < ratio("glorot_normalized") < 1.5


# --- the checks' references -----------------------------------------------------------------
def test_net_input_variance_predicts_the_measured_variance():
    rng = np.random.default_rng(3)
    a = rng.uniform(0.0, 1.0, size=(50, 80))  # mean 0.5, so E[a^2] = 1/3 is 4 times Var a
    var_W = 2 / (80 + 60)
    z = [a @ initializers.glorot_normalized(80, 60, rng=rng) for _ in range(400)]
    predicted = check._net_input_variance(a, var_W)
    assert np.var(z) == pytest.approx(predicted, rel=0.03)
    assert np.var(z) != pytest.approx(80 * var_W * a.var(), rel=0.3)


def test_the_initializer_checks_pass_minibps_own_initializers(capsys):
    check.xavier_normal(lambda n_in, n_out, rng: initializers.xavier_normal(n_in, n_out, rng=rng))
    check.glorot_uniform(lambda n_in, n_out, rng: initializers.glorot_normalized(n_in, n_out, rng=rng))
    check.he_normal(lambda n_in, n_out, rng: initializers.he_normal(n_in, n_out, rng=rng))
    assert capsys.readouterr().out.count("Correct") == 3


def test_gradient_spread_ratio_reference():
    deltas = [np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]]), np.array([[2.0, -2.0], [-2.0, 2.0]])]
    assert check._gradient_spread_ratio(deltas) == pytest.approx(0.5)


# --- the benchmark and its stored results ---------------------------------------------------
def test_the_benchmark_runs_quickly_in_quick_mode(sweep_script, tmp_path):
    out = tmp_path / "quick.json"
    assert sweep_script.main(["--quick", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert {run["init"] for run in results["main"]} == {"glorot_standard", "glorot_normalized"}
    run = results["main"][0]
    assert len(run["test_accuracy"]) == run["epochs"] + 1
    assert np.array(run["activation_mean"]).shape == (len(run["recorded_epochs"]), 5)
    assert np.sum(run["final_histograms"], axis=1) == pytest.approx(np.ones(5), abs=1e-4)  # rounded counts


def test_the_stored_results_come_from_this_script(sweep_script):
    module = sweep_script
    stored = json.loads(module.RESULTS.read_text())
    assert stored["config"] == json.loads(json.dumps(module.CONFIG))
    config = module.CONFIG
    pairs = {(run["activation"], run["init"], run["seed"]) for run in stored["main"]}
    assert pairs == {(a, i, s) for a in config["activations"] for i in config["inits"]
                     for s in config["seeds"]}
    # Seed 0 of one condition, re-run for two epochs, gives the stored first epochs.
    rerun = module.run("tanh", "glorot_normalized", 0, config, module.digits_split(config), epochs=2)
    (first,) = [run for run in stored["main"]
                if (run["activation"], run["init"], run["seed"]) == ("tanh", "glorot_normalized", 0)]
    np.testing.assert_allclose(rerun["test_accuracy"], first["test_accuracy"][:3], atol=1e-6)
    np.testing.assert_allclose(rerun["activation_std"], first["activation_std"][:3], atol=1e-5)
