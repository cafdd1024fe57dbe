"""Tests for minibp.training: fit on XOR, batches, presentation order, history, divergence, errors."""

import re

import numpy as np
import pytest

from minibp import data
from minibp.losses import SquaredError
from minibp.network import Network
from minibp.optimizers import SGD, Momentum
from minibp.training import (
    DivergenceError,
    History,
    accuracy,
    batches,
    evaluate,
    fit,
    sampling_probabilities,
)


def small_problem(n=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    T = rng.integers(0, 2, size=(n, 2)).astype(float)
    return Network([3, 4, 2], rng=seed), X, T


def params_of(network):
    return [p.copy() for p in network.parameters()]


# --- learning XOR ------------------------------------------------------------------------------

def test_fit_learns_xor():
    X, T = data.xor()
    net = Network([2, 4, 1], init="uniform", rng=0)
    history = fit(net, X, T, loss="cross_entropy", optimizer=SGD(2.0), epochs=300, batch_size=4,
                  rng=0)
    assert history.epoch == list(range(301))
    assert len(history) == 301
    assert history.accuracy[-1] == 1.0
    np.testing.assert_array_equal((net.predict(X) >= 0.5).astype(float), T)
    loss = history["loss"]
    assert loss[-1] < 0.1 * loss[0]
    assert np.all(np.diff(loss[::50]) < 0)  # decreasing overall
    assert history.epochs_to(1.0) is not None and history.epochs_to(1.0) <= 300
    assert history.stopped is None


def test_fit_learns_xor_with_momentum_online():
    X, T = data.xor()
    net = Network([2, 4, 1], init="uniform", rng=1)
    history = fit(net, X, T, loss="cross_entropy", optimizer=Momentum(0.3, 0.9), epochs=200,
                  batch_size=1, rng=1)
    assert history.accuracy[-1] == 1.0


def test_history_entry_zero_is_before_training():
    net, X, T = small_problem()
    loss_before = evaluate(net, X, T, "squared_error")[0]
    history = fit(net, X, T, loss="squared_error", optimizer=SGD(0.5), epochs=3)
    assert history.loss[0] == pytest.approx(loss_before, rel=1e-15)
    assert history.updates[0] == 0 and history.time[0] == 0.0
    assert history.loss[-1] == pytest.approx(evaluate(net, X, T, "squared_error")[0], rel=1e-15)
    assert all(a <= b for a, b in zip(history.time, history.time[1:]))


def test_zero_epochs_leaves_the_network_alone():
    net, X, T = small_problem()
    before = params_of(net)
    history = fit(net, X, T, epochs=0)
    assert len(history) == 1 and history.epoch == [0]
    for p, p0 in zip(net.parameters(), before):
        np.testing.assert_array_equal(p, p0)


# --- batches and presentation order -----------------------------------------------------------

@pytest.mark.parametrize("batch_size, per_epoch", [(1, 7), (2, 4), (3, 3), (7, 1), (100, 1)])
def test_updates_per_epoch(batch_size, per_epoch):
    net, X, T = small_problem(n=7)
    history = fit(net, X, T, optimizer=SGD(0.1), epochs=3, batch_size=batch_size)
    assert history.updates == [0, per_epoch, 2 * per_epoch, 3 * per_epoch]


def test_batches_split_the_order_into_consecutive_pieces():
    order = np.array([4, 0, 3, 1, 2])
    pieces = batches(5, 2, order)
    assert [list(p) for p in pieces] == [[4, 0], [3, 1], [2]]


def manual_epochs(network, X, T, loss, eta, batch_size, orders):
    """The training loop written out: forward, output delta, backward, w -= eta dW, per batch."""
    for order in orders:
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            fwd = network.forward(X[rows])
            delta = loss.output_delta(fwd.z[-1], fwd.output, T[rows], network.output_activation)
            grads = network.backward(fwd, delta)
            for l, layer in enumerate(network.layers, start=1):
                layer.W -= eta * grads.dW[l]
                layer.b -= eta * grads.db[l]


def test_shuffle_false_is_the_plain_loop_over_the_data_in_order():
    net, X, T = small_problem(n=7)
    manual = net.copy()
    history = fit(net, X, T, loss="squared_error", optimizer=SGD(0.5), epochs=2, batch_size=3,
                  shuffle=False)
    manual_epochs(manual, X, T, SquaredError(), 0.5, 3, [np.arange(7)] * 2)
    for p, q in zip(net.parameters(), manual.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-15, atol=1e-15)
    assert history.loss[-1] == pytest.approx(evaluate(manual, X, T, "squared_error")[0], rel=1e-14)


def test_shuffle_presents_a_new_permutation_from_rng_each_epoch():
    net, X, T = small_problem(n=7)
    manual = net.copy()
    fit(net, X, T, loss="squared_error", optimizer=SGD(0.5), epochs=3, batch_size=2, rng=11)
    rng = np.random.default_rng(11)
    orders = [rng.permutation(7) for _ in range(3)]
    assert not all(np.array_equal(orders[0], o) for o in orders[1:])
    manual_epochs(manual, X, T, SquaredError(), 0.5, 2, orders)
    for p, q in zip(net.parameters(), manual.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-15, atol=1e-15)


def test_the_order_matters_for_online_learning():
    net, X, T = small_problem(n=7)
    other = net.copy()
    fit(net, X, T, optimizer=SGD(0.5), epochs=1, batch_size=1, shuffle=False)
    fit(other, X, T, optimizer=SGD(0.5), epochs=1, batch_size=1, shuffle=True, rng=0)
    assert not np.allclose(net.layers[0].W, other.layers[0].W)


@pytest.mark.parametrize("sampling", ["uniform", "error_weighted"])
def test_same_seed_same_history_different_seed_different_history(sampling):
    def run(seed):
        net, X, T = small_problem(n=7)
        return fit(net, X, T, optimizer=SGD(0.5), epochs=4, batch_size=1, sampling=sampling,
                   rng=seed)

    first, again, other = run(3), run(3), run(4)
    assert first.loss == again.loss and first.accuracy == again.accuracy
    assert first.loss[0] == other.loss[0]  # same network and data
    assert first.loss[1:] != other.loss[1:]


def test_rng_may_be_a_generator():
    net1, X, T = small_problem()
    net2, _, _ = small_problem()
    h1 = fit(net1, X, T, epochs=2, batch_size=1, rng=5)
    h2 = fit(net2, X, T, epochs=2, batch_size=1, rng=np.random.default_rng(5))
    assert h1.loss == h2.loss


# --- error-weighted sampling ------------------------------------------------------------------

def test_sampling_probabilities_sum_to_one_and_mix_errors_with_uniform():
    e = np.array([0.5, 0.1, 0.0, 1.4])
    np.testing.assert_allclose(sampling_probabilities(e, mix=0.0), e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(sampling_probabilities(e, mix=1.0), np.full(4, 0.25), rtol=1e-15)
    p = sampling_probabilities(e, mix=0.5)
    np.testing.assert_allclose(p, 0.5 * e / 2.0 + 0.5 / 4, rtol=1e-15)
    for mix in (0.0, 0.2, 0.5, 1.0):
        assert sampling_probabilities(e, mix).sum() == pytest.approx(1.0, abs=1e-15)


def test_sampling_probabilities_with_no_error_are_uniform():
    np.testing.assert_array_equal(sampling_probabilities(np.zeros(5), mix=0.0), np.full(5, 0.2))


@pytest.mark.parametrize("losses, mix, pattern", [
    ([0.1, -0.2], 0.5, "per_example_losses"),
    ([0.1, np.nan], 0.5, "per_example_losses"),
    ([], 0.5, "per_example_losses"),
    ([[0.1, 0.2]], 0.5, "per_example_losses"),
    ([0.1, 0.2], 1.5, "mix must be <= 1"),
    ([0.1, 0.2], -0.1, "mix must be >= 0"),
])
def test_sampling_probabilities_bad_arguments(losses, mix, pattern):
    with pytest.raises(ValueError, match=pattern):
        sampling_probabilities(losses, mix)


def test_error_weighted_sampling_draws_with_those_probabilities():
    net, X, T = small_problem(n=7)
    manual = net.copy()
    fit(net, X, T, loss="squared_error", optimizer=SGD(0.5), epochs=2, batch_size=1,
        sampling="error_weighted", sampling_mix=0.3, rng=8)
    rng = np.random.default_rng(8)
    for _ in range(2):  # the probabilities come from the per-example losses before each epoch
        per_example = evaluate(manual, X, T, "squared_error")[2]
        order = rng.choice(7, size=7, p=sampling_probabilities(per_example, 0.3))
        manual_epochs(manual, X, T, SquaredError(), 0.5, 1, [order])
    for p, q in zip(net.parameters(), manual.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-15, atol=1e-15)


# --- divergence -------------------------------------------------------------------------------

def linear_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    T = X @ np.array([[1.0], [2.0], [-1.0]])
    return Network([3, 1], output_activation="identity", rng=0), X, T


def test_a_huge_learning_rate_raises_divergence_error_naming_epoch_and_rate():
    net, X, T = linear_problem()
    stopped = fit(net.copy(), X, T, loss="squared_error", optimizer=SGD(1e8), epochs=50,
                  batch_size=8, on_divergence="stop")
    epoch = len(stopped)  # the epoch that diverged was dropped from the history
    with pytest.raises(DivergenceError, match=rf"diverged at epoch {epoch}\b") as info:
        fit(net, X, T, loss="squared_error", optimizer=SGD(1e8), epochs=50, batch_size=8)
    message = str(info.value)
    assert "learning rate 1e+08" in message and "learning_rate" in message
    assert re.search(rf"after epoch {epoch - 1}\b", message)
    assert isinstance(info.value, RuntimeError)


def test_on_divergence_stop_restores_the_last_finite_parameters():
    net, X, T = linear_problem()
    reference = net.copy()
    # divergence_factor=None: the weights' size stops it, some epochs in.
    history = fit(net, X, T, loss="squared_error", optimizer=SGD(5.0), epochs=50, batch_size=8,
                  on_divergence="stop", divergence_factor=None)
    assert history.stopped is not None and "diverged at epoch" in history.stopped
    last = len(history) - 1
    assert 0 < last < 50 and history.epoch == list(range(last + 1))
    assert np.all(np.isfinite(history["loss"]))
    assert all(np.isfinite(p).all() for p in net.parameters())
    # The parameters are those after epoch `last`, the last one with a finite loss.
    fit(reference, X, T, loss="squared_error", optimizer=SGD(5.0), epochs=last, batch_size=8,
        divergence_factor=None)
    for p, q in zip(net.parameters(), reference.parameters()):
        np.testing.assert_array_equal(p, q)
    for key in History.KEYS:  # every list was trimmed alike
        assert len(getattr(history, key)) == last + 1


def test_a_reasonable_learning_rate_does_not_diverge():
    net, X, T = linear_problem()
    history = fit(net, X, T, loss="squared_error", optimizer=SGD(0.1), epochs=200, batch_size=8)
    assert history.stopped is None and history.loss[-1] < 1e-3 * history.loss[0]


# --- validation, callbacks, history -----------------------------------------------------------

def test_validation_metrics_are_recorded():
    net, X, T = small_problem(n=7)
    rng = np.random.default_rng(1)
    X_val, T_val = rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 2)).astype(float)
    T_val[:, 1] = 1 - T_val[:, 0]  # one-hot rows: accuracy is defined
    T_onehot = np.column_stack([T[:, 0], 1 - T[:, 0]])
    history = fit(net, X, T_onehot, optimizer=SGD(0.5), epochs=3, validation=(X_val, T_val))
    assert len(history.val_loss) == len(history.val_accuracy) == 4
    assert all(isinstance(v, float) for v in history.val_loss + history.val_accuracy)
    loss, acc, _ = evaluate(net, X_val, T_val, "cross_entropy")
    assert history.val_loss[-1] == pytest.approx(loss, rel=1e-15)
    assert history.val_accuracy[-1] == acc
    without = fit(small_problem(n=7)[0], X, T_onehot, epochs=1)
    assert without.val_loss == [None, None]
    with pytest.raises(KeyError, match="no val_loss: fit was given no validation data"):
        without["val_loss"]


def test_callbacks_are_called_at_epoch_zero_and_after_every_epoch():
    net, X, T = small_problem()
    calls = []

    def callback(epoch, network, history):
        calls.append((epoch, network, len(history), history.epoch[-1]))

    fit(net, X, T, epochs=4, callbacks=[callback, lambda e, n, h: calls.append(("second", e))])
    firsts = [c for c in calls if c[0] != "second"]
    assert [c[0] for c in firsts] == [0, 1, 2, 3, 4]
    assert all(c[1] is net for c in firsts)
    assert [(c[2], c[3]) for c in firsts] == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]
    assert [c[1] for c in calls if c[0] == "second"] == [0, 1, 2, 3, 4]


def test_history_records_the_scheduled_learning_rate():
    net, X, T = small_problem()
    opt = SGD(0.4, schedule="step", schedule_options={"drop": 0.5, "every": 2})
    history = fit(net, X, T, optimizer=opt, epochs=5)
    assert history.learning_rate == [0.4, 0.4, 0.4, 0.2, 0.2, 0.1]


def test_history_access():
    history = History()
    history.record(epoch=0, loss=1.0, accuracy=0.5)
    history.record(epoch=1, loss=0.5, accuracy=0.75)
    history.record(epoch=2, loss=0.25, accuracy=None)
    np.testing.assert_array_equal(history["loss"], [1.0, 0.5, 0.25])
    assert np.isnan(history["accuracy"][2])
    assert history.epochs_to(0.7) == 1 and history.epochs_to(0.9) is None
    with pytest.raises(ValueError, match="unknown history key 'lr'"):
        history["lr"]


@pytest.mark.parametrize("Y, T, expected", [
    ([[0.2], [0.7], [0.5]], [[0], [1], [0]], 2 / 3),
    ([[0.1, 0.9], [0.8, 0.2]], [[0, 1], [0, 1]], 0.5),
    ([[0.1], [0.9]], [[0.3], [1.0]], None),
    ([[0.1, 0.9], [0.8, 0.2]], [[1, 1], [0, 1]], None),
])
def test_accuracy(Y, T, expected):
    assert accuracy(np.array(Y, float), np.array(T, float)) == expected


def test_progress_prints(capsys):
    net, X, T = small_problem()
    fit(net, X, T, epochs=10, progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("epoch   10/10  loss")


# --- bad arguments ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, pattern", [
    ({"batch_size": 0}, "batch_size must be >= 1"),
    ({"batch_size": 2.0}, "batch_size must be an integer"),
    ({"epochs": -1}, "epochs must be >= 0"),
    ({"epochs": 1.5}, "epochs must be an integer"),
    ({"sampling": "importance"}, "unknown sampling 'importance'"),
    ({"on_divergence": "ignore"}, "unknown on_divergence 'ignore'"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"rng": 1.5}, "rng must be"),
    ({"validation": (np.zeros((3, 4)), np.zeros((3, 2)))}, r"validation X must have 3 column\(s\)"),
    ({"validation": (np.zeros((3, 3)), np.zeros((3, 1)))}, r"validation T must have 2 column\(s\)"),
])
def test_bad_arguments_raise_naming_them(kwargs, pattern):
    net, X, T = small_problem()
    with pytest.raises(ValueError, match=pattern):
        fit(net, X, T, **kwargs)


def test_mismatched_rows_and_widths_raise():
    net, X, T = small_problem(n=7)
    with pytest.raises(ValueError, match="X and T must have the same number of rows, got 7 and 6"):
        fit(net, X, T[:6])
    with pytest.raises(ValueError, match=r"X must have 3 column\(s\)"):
        fit(net, X[:, :2], T)
    with pytest.raises(ValueError, match=r"T must have 2 column\(s\)"):
        fit(net, X, T[:, :1])
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        fit(net, X, T)
