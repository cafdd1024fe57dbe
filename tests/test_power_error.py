"""Lesson 09: the q sweep script, its committed results, and the lesson's explorer helpers."""

import json

import numpy as np
import pytest

from course.explorers import power_error as explorer
from minibp import SGD, Network, PowerError, fit
from minibp.losses import power_loss

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers


@pytest.fixture
def script(benchmark_script):
    return benchmark_script("power_error_sweep")


@pytest.fixture(scope="module")
def committed():
    return explorer.load_sweep()


def _quiet(message):
    pass


# --- the script ----------------------------------------------------------------------------
def test_quick_sweep_is_complete_and_deterministic(script):
    cfg = script.QUICK
    first = script.sweep(cfg, log=_quiet)
    assert first == script.sweep(cfg, log=_quiet)
    per_cell = len(cfg["depths"]) * len(cfg["qs"])
    assert len(first["runs"]) == per_cell * len(cfg["seeds"])
    assert len(first["tuning"]) == per_cell * len(cfg["learning_rates"]) * len(cfg["tuning_seeds"])
    assert len(first["chosen"]) == per_cell
    for choice in first["chosen"]:
        assert choice["learning_rate"] in cfg["learning_rates"]
        assert choice["grid_edge"] in (None, "low", "high")
    for run in first["runs"]:
        epochs = cfg["epochs"][cfg["depths"].index(run["depth"])]
        assert len(run["train_correct"]) == len(run["val_correct"]) == epochs + 1


def test_main_writes_json_that_says_what_was_run(script, tmp_path):
    out = tmp_path / "quick.json"
    assert script.main(["--quick", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["command"].endswith("--quick")
    assert document["config"] == json.loads(json.dumps(script.QUICK))
    for key in ("minibp_version", "numpy_version", "n_train", "n_val", "tuning", "chosen", "runs"):
        assert key in document


def test_train_run_counts_what_fit_reports(script):
    """train_run's counts are fit's accuracies for the same seed and order."""
    cfg = {**script.QUICK, "n_train": 120}
    split = script.digits_split(cfg)
    X, T, X_val, T_val = split
    run = script.train_run(1, 2.0, 1.0, 3, 4, split, cfg)
    network = Network([64, cfg["width"], 10], init=cfg["init"], rng=3)
    history = fit(network, X, T, loss=PowerError(2.0), optimizer=SGD(1.0), epochs=4,
                  batch_size=cfg["batch_size"], rng=1000 + 3, validation=(X_val, T_val))
    np.testing.assert_allclose(np.array(run["train_correct"]) / len(X), history["accuracy"])
    np.testing.assert_allclose(np.array(run["val_correct"]) / len(X_val), history["val_accuracy"])


def test_epochs_to(script):
    assert script.epochs_to([0.1, 0.5, 0.9, 0.95], 0.9) == 2
    assert script.epochs_to([0.1, 0.5], 0.9) is None
    assert script.epochs_to([0.95], 0.9) == 0


# --- the committed results -----------------------------------------------------------------
def test_committed_results_are_the_full_configuration(script, committed):
    assert committed["command"] == "python benchmarks/power_error_sweep.py"
    assert committed["config"] == json.loads(json.dumps(script.CONFIG))
    cfg = committed["config"]
    assert len(committed["runs"]) == len(cfg["depths"]) * len(cfg["qs"]) * len(cfg["seeds"])
    for run in committed["runs"]:
        accuracy = np.array(run["train_correct"]) / committed["n_train"]
        assert run["epochs_to_target"] == script.epochs_to(accuracy, cfg["target_accuracy"])
        assert run["seed"] not in cfg["tuning_seeds"]  # reported seeds are fresh


def test_committed_results_are_what_the_code_computes(script, committed):
    """Re-run the first epochs of two committed runs: the file matches today's code.

    Exact counts are safe for 8 epochs: the 4-layer runs part from the file only from about
    epoch 33, on the plateau, under other BLAS kernels (lesson 09, section 5)."""
    cfg = committed["config"]
    split = script.digits_split(cfg)
    for depth, q, seed in [(2, 1.0, 0), (4, 0.5, 1)]:
        (saved,) = [r for r in committed["runs"]
                    if (r["depth"], r["q"], r["seed"]) == (depth, q, seed)]
        run = script.train_run(depth, q, saved["learning_rate"], seed, 8, split, cfg)
        assert run["train_correct"] == saved["train_correct"][:9]
        assert run["val_correct"] == saved["val_correct"][:9]


def test_summary_rows(committed):
    rows = explorer.sweep_summary(committed)
    assert len(rows) == len(committed["chosen"])
    for row in rows:
        assert 0 <= row["reached"] <= row["seeds"]
        assert (row["faster_than_q1"] is None) == (row["q"] == 1.0)
        assert (row["epochs_mean"] is None) == (row["reached"] == 0)
        assert 0.0 <= row["train_mean"] <= 1.0 and 0.0 <= row["val_mean"] <= 1.0


def test_missing_results_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="power_error_sweep.py"):
        explorer.load_sweep(tmp_path / "nothing.json")


def test_runs_of_unknown_cell_names_what_exists(committed):
    with pytest.raises(ValueError, match="no runs with depth 7"):
        explorer.runs_of(committed, 7, 1.0)


# --- the analytic helpers ----------------------------------------------------------------------
@pytest.mark.parametrize("q", [0.25, 1.0, 2.5])
def test_loss_family_curves(q):
    loss, signal, ratio = explorer.loss_family(q)
    e = explorer.ERRORS
    np.testing.assert_allclose(loss, power_loss(e, q))
    np.testing.assert_allclose(signal, e**q)
    assert ratio[0] == q  # the limit of e^q / L_q(e) as e -> 0
    assert ratio[1] == pytest.approx(q, rel=0.01)
    assert np.all(np.diff(ratio) < 0)  # falls toward 0 as e -> 1


def test_ratio_grows_with_q_at_every_error():
    ratios = np.array([explorer.loss_family(q)[2][1:] for q in (0.25, 0.5, 1.0, 2.0, 3.0)])
    assert np.all(np.diff(ratios, axis=0) > 0)


def test_layer_gradient_to_loss():
    shallow = explorer.layer_gradient_to_loss(1.0, 1)
    deep = explorer.layer_gradient_to_loss(1.0, 6)
    assert shallow.shape == (2,) and deep.shape == (7,)
    assert np.all(deep > 0)
    assert deep[0] < deep[-1] / 10  # the first layer gets far less than the last: sigmoid depth
