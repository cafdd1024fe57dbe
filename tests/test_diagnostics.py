"""Tests for minibp.diagnostics: per-layer statistics on known networks and the Recorder callback."""

import numpy as np
import pytest

from minibp.diagnostics import Recorder, layer_statistics
from minibp.network import Dense, Network
from minibp.optimizers import SGD
from minibp.training import fit

KEYS = {"layer", "activation_mean", "activation_std", "saturated", "delta_std", "gradient_norm",
        "weight_norm"}


def zero_network():
    return Network.from_layers([Dense(np.zeros((3, 4)), np.zeros(4), "sigmoid"),
                                Dense(np.zeros((4, 2)), np.zeros(2), "sigmoid")])


def probe():
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, 3)), np.zeros((6, 2))


def test_all_zero_weights_give_known_statistics():
    X, T = probe()
    stats = layer_statistics(zero_network(), X, T, "squared_error")
    assert [s["layer"] for s in stats] == [1, 2] and all(set(s) == KEYS for s in stats)
    for s in stats:
        assert s["activation_mean"] == 0.5  # sigmoid(0), exactly
        assert s["activation_std"] == 0.0
        assert s["saturated"] == 0.0
        assert s["weight_norm"] == 0.0
    # Output: delta_2 = (y - t) y (1 - y) = 0.5 * 0.25 for every unit and example.
    assert stats[1]["delta_std"] == 0.0
    # dW_2 = a_1^T delta_2 / N: every entry 0.5 * 0.125, 4 x 2 of them.
    assert stats[1]["gradient_norm"] == pytest.approx(0.0625 * np.sqrt(8), rel=1e-15)
    # Hidden: delta_1 = delta_2 W_2^T f' = 0 with W_2 = 0, so no gradient reaches layer 1.
    assert stats[0]["delta_std"] == 0.0 and stats[0]["gradient_norm"] == 0.0


def test_weight_norm_is_the_frobenius_norm():
    net = Network.from_layers([Dense([[3.0], [4.0]], [0.0], "tanh")])
    stats = layer_statistics(net, [[1.0, 1.0]], [[0.0]])
    assert stats[0]["weight_norm"] == 5.0


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_huge_weights_saturate_every_unit(activation):
    rng = np.random.default_rng(2)
    X = rng.uniform(1.0, 2.0, size=(8, 3))  # positive inputs: every z >= 150
    net = Network.from_layers([Dense(np.full((3, 4), 50.0), np.zeros(4), activation),
                               Dense(np.full((4, 1), 50.0), np.zeros(1), activation)])
    stats = layer_statistics(net, X, np.zeros((8, 1)))
    assert [s["saturated"] for s in stats] == [1.0, 1.0]


def test_saturated_counts_units_below_a_tenth_of_the_max_derivative():
    # sigmoid'(z) < 0.025 exactly when |z| > 3.63...; one unit in, one out of each pair.
    net = Network.from_layers([Dense([[3.0, 4.0, -3.0, -4.0]], np.zeros(4), "sigmoid")])
    stats = layer_statistics(net, [[1.0]], [[0.0, 0.0, 0.0, 0.0]])
    assert stats[0]["saturated"] == 0.5


def test_dead_relus_are_saturated():
    net = Network.from_layers([Dense([[1.0, -1.0, -2.0, 1.0]], np.zeros(4), "relu")])
    stats = layer_statistics(net, [[1.0], [2.0]], np.zeros((2, 4)))
    assert stats[0]["saturated"] == 0.5


def test_keep_arrays():
    X, T = probe()
    net = Network([3, 5, 2], rng=0)
    stats = layer_statistics(net, X, T, keep_arrays=True)
    fwd = net.forward(X)
    for l, s in enumerate(stats, start=1):
        np.testing.assert_array_equal(s["a"], fwd.a[l])
        assert s["delta"].shape == fwd.a[l].shape
        assert s["activation_std"] == pytest.approx(fwd.a[l].std(), rel=1e-15)
        assert s["delta_std"] == pytest.approx(s["delta"].std(), rel=1e-15)
    assert "a" not in layer_statistics(net, X, T)[0]


def test_layer_statistics_validates_targets():
    X, T = probe()
    with pytest.raises(ValueError, match=r"T must have 2 column\(s\)"):
        layer_statistics(zero_network(), X, T[:, :1])


def recorded_run(epochs_to_record, epochs=5):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(10, 3))
    T = rng.integers(0, 2, size=(10, 2)).astype(float)
    net = Network([3, 4, 4, 2], rng=3)
    recorder = Recorder(X, T, epochs=epochs_to_record)
    weights = []
    fit(net, X, T, optimizer=SGD(0.5), epochs=epochs, batch_size=5, rng=0,
        callbacks=[recorder, lambda e, n, h: weights.append([layer.W.copy() for layer in n.layers])])
    return recorder, weights


def test_recorder_records_the_chosen_epochs():
    recorder, weights = recorded_run([0, 2, 5])
    assert recorder.recorded_epochs == [0, 2, 5]
    first, *later = recorder.snapshots
    assert all(np.isnan(entry["update_ratio"]) for entry in first["layers"])
    for snapshot in later:
        assert all(entry["update_ratio"] > 0 for entry in snapshot["layers"])
    # update_ratio compares with the weights one epoch earlier (epoch 1 for the epoch-2 snapshot).
    for l, entry in enumerate(later[0]["layers"]):
        W, W_before = weights[2][l], weights[1][l]
        assert entry["update_ratio"] == pytest.approx(
            np.linalg.norm(W - W_before) / np.linalg.norm(W_before), rel=1e-12)


def test_recorder_records_every_epoch_by_default():
    recorder, _ = recorded_run(None, epochs=3)
    assert recorder.recorded_epochs == [0, 1, 2, 3]


def test_recorder_series():
    recorder, _ = recorded_run([0, 2, 5])
    series = recorder.series("saturated")
    assert series.shape == (3, 3)
    assert series[1, 2] == recorder.snapshots[1]["layers"][2]["saturated"]
    assert recorder.series("update_ratio").shape == (3, 3)
    with pytest.raises(ValueError, match="unknown statistic 'entropy'"):
        recorder.series("entropy")


def test_recorder_series_before_recording_raises():
    with pytest.raises(ValueError, match="nothing recorded yet"):
        Recorder(np.zeros((1, 3)), np.zeros((1, 2))).series("saturated")
