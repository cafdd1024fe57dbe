"""Bad input gets a clear error that names the argument; nothing bad passes silently.

One test per class of input (issue: the audit of the public API). Each message is matched, so
a test fails if the error comes from numpy instead of minibp.
"""

import time

import numpy as np
import pytest

from minibp import (
    SGD,
    DivergenceError,
    Momentum,
    Network,
    bidirectional,
    data,
    diagnostics,
    fit,
    get_activation,
    get_loss,
    hebbian,
    noise,
)
from minibp.gradcheck import check_network_gradients, numerical_gradient
from minibp.losses import CrossEntropy, HebbianDescent, PowerError, SquaredError, power_loss
from minibp.training import History, evaluate


def moons(n=40):
    X, labels = data.moons(n, noise=0.1, rng=0)
    return X, data.one_hot(labels, 2), labels


# --- divergence that stays finite ------------------------------------------------------------
def test_a_loss_far_above_its_start_stops_the_run_even_while_finite():
    X, T, _ = moons()
    net = Network([2, 8, 2], activation="tanh", output_activation="softmax", rng=0)
    start = evaluate(net, X, T, "cross_entropy")[0]
    history = fit(net, X, T, "cross_entropy", SGD(1000.0), epochs=20, on_divergence="stop")
    assert history.stopped and "more than 100 times its" in history.stopped
    assert np.all(np.isfinite(history["loss"])) and max(history.loss) <= 100 * start
    # Switched off, the same run goes on to the end with its loss far above the start.
    free = fit(Network([2, 8, 2], activation="tanh", output_activation="softmax", rng=0), X, T,
               "cross_entropy", SGD(1000.0), epochs=20, divergence_factor=None)
    assert free.stopped is None and max(free.loss) > 100 * start


def test_weights_beyond_any_sane_scale_stop_the_run():
    X, T, _ = moons()
    net = Network([2, 8, 1], activation="tanh", output_activation="identity", rng=0)
    with pytest.raises(DivergenceError, match="a weight grew to .*more than 1e\\+06"):
        fit(net, X, T[:, :1], "squared_error", Momentum(1.0, 0.99), epochs=50, divergence_factor=None)
    assert all(np.all(np.abs(p) <= 1e6) for p in net.parameters())  # the last good epoch's


def test_a_raised_divergence_leaves_the_last_good_parameters_not_nan():
    X, T, _ = moons()
    net = Network([2, 8, 2], activation="tanh", output_activation="softmax", rng=0)
    with pytest.raises(DivergenceError):
        fit(net, X, T, "cross_entropy", SGD(1e6), epochs=5)
    assert all(np.all(np.isfinite(p)) for p in net.parameters())
    assert np.all(np.isfinite(net.predict(X)))


def test_bad_divergence_factor_is_named():
    X, T, _ = moons()
    with pytest.raises(ValueError, match="divergence_factor must be > 1"):
        fit(Network([2, 2], output_activation="softmax"), X, T, divergence_factor=0.5)


def test_bidirectional_training_that_blows_up_raises_divergence_error():
    X, T, _ = moons()
    model = bidirectional.BidirectionalNetwork((2, 4, 2))
    with pytest.raises(DivergenceError, match="bidirectional training diverged at epoch"):
        bidirectional.train(model, X, T, epochs=30, optimizer=SGD(1e6))  # NaN within epoch 1


# --- a history entry that was never recorded --------------------------------------------------
def test_missing_history_entries_raise_a_clear_key_error():
    X, T, _ = moons()
    history = fit(Network([2, 3, 2], output_activation="softmax"), X, T, epochs=1)
    with pytest.raises(KeyError, match="no val_accuracy: fit was given no validation data"):
        history["val_accuracy"]
    regression = fit(Network([2, 1], output_activation="identity"), X, X[:, :1], "squared_error",
                     epochs=1)
    with pytest.raises(KeyError, match="no accuracy: the targets are not class labels"):
        regression["accuracy"]
    assert History()["loss"].shape == (0,)  # empty, not an error, before training


# --- empty batches, complex numbers, bools and integers -----------------------------------------
@pytest.mark.parametrize("call", [
    lambda X, T: SquaredError().value(X, X, X, "identity"),
    lambda X, T: CrossEntropy().output_delta(X, X, X, "softmax"),
    lambda X, T: Network([2, 2]).loss_and_gradients(X, T),
    lambda X, T: evaluate(Network([2, 2]), X, T, "squared_error"),
    lambda X, T: fit(Network([2, 2]), X, T, "squared_error"),
    lambda X, T: check_network_gradients(Network([2, 2]), X, T),
    lambda X, T: diagnostics.layer_statistics(Network([2, 2]), X, T),
    lambda X, T: hebbian.learn_sequence("hebbian_descent", X, T, 0.1),
    lambda X, T: hebbian.matching_loss(np.zeros((2, 2)), np.zeros(2), X, T),
    lambda X, T: bidirectional.BidirectionalNetwork((2, 3, 2)).gradients(X, T),
])
def test_empty_batches_are_refused_by_name(call):
    empty = np.zeros((0, 2))
    with pytest.raises(ValueError, match=r"(X|x|z|y|targets) is empty \(shape \(0, 2\)\)"):
        call(empty, empty)


@pytest.mark.parametrize("call", [
    lambda v: Network([2, 2]).forward(v),
    lambda v: SquaredError().value(v, v, v, "identity"),
    lambda v: data.one_hot(v[:, 0]),
    lambda v: hebbian.predict(np.zeros((2, 2)), np.zeros(2), v),
])
def test_complex_numbers_are_refused_not_truncated(call):
    with pytest.raises(ValueError, match="must hold real numbers, got complex values"):
        call(np.array([[1 + 2j, 0.5], [0.25, 1.0]]))


def test_bool_and_integer_arrays_count_as_numbers():
    net = Network([2, 1], output_activation="identity", rng=0)
    floats = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(net.predict(floats.astype(bool)), net.predict(floats))
    np.testing.assert_array_equal(net.predict(floats.astype(np.int64)), net.predict(floats))


# --- the power-error loss ----------------------------------------------------------------------
def test_power_error_refuses_q_too_large_to_matter_instead_of_hanging():
    for make in (PowerError, lambda q: power_loss(0.5, q)):
        for q in (101, 1e8, 1e300):
            with pytest.raises(ValueError, match="q must be <= 100"):
                make(q)
    started = time.perf_counter()
    PowerError(100).value(np.zeros((5, 3)), np.full((5, 3), 0.5), np.zeros((5, 3)), "sigmoid")
    assert time.perf_counter() - started < 1.0  # the largest q allowed is quick


# --- gradient checking ----------------------------------------------------------------------
@pytest.mark.parametrize("w, message", [
    (np.ones(3, dtype=np.float32), "w must be a float64 numpy array"),
    (np.ones(3, dtype=np.int64), "w must be a float64 numpy array"),
    (np.ones(3, dtype=bool), "w must be a float64 numpy array"),
    ([1.0, 2.0], "w must be a float64 numpy array"),
])
def test_numerical_gradient_refuses_arrays_it_would_get_wrong(w, message):
    with pytest.raises(ValueError, match=message):
        numerical_gradient(lambda: 0.0, w)


def test_numerical_gradient_on_a_read_only_array_says_to_copy_it():
    w = data.worked_example().W1 if hasattr(data.worked_example(), "W1") else np.ones(3)
    w = np.array(w, dtype=np.float64)
    w.flags.writeable = False
    with pytest.raises(ValueError, match=r"w is read-only.*w = w.copy\(\)"):
        numerical_gradient(lambda: float(np.sum(w)), w)


# --- optimizers -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_optimizers_refuse_non_finite_gradients(bad):
    for optimizer in (SGD(0.1), Momentum(0.1, 0.9)):
        w = np.ones(3)
        with pytest.raises(ValueError, match=r"grads\[0\] contains NaN or inf"):
            optimizer.step([w], [np.array([0.0, bad, 0.0])])
        np.testing.assert_array_equal(w, np.ones(3))  # untouched


def test_a_momentum_reused_on_other_shapes_says_what_to_do():
    optimizer = Momentum(0.1, 0.9)
    optimizer.step([np.ones(3)], [np.ones(3)])
    with pytest.raises(ValueError, match=r"velocities belong to parameters of shapes \[\(3,\)\].*reset\(\)"):
        optimizer.step([np.ones(4)], [np.ones(4)])
    optimizer.reset()
    optimizer.step([np.ones(4)], [np.ones(4)])  # fine after reset()


@pytest.mark.parametrize("schedule", ["constant", "step", "inverse_time", "exponential"])
@pytest.mark.parametrize("epoch", [0, -1, 1.5])
def test_start_epoch_needs_an_epoch_from_one(schedule, epoch):
    with pytest.raises(ValueError, match="epoch must be"):
        SGD(0.1, schedule=schedule).start_epoch(epoch)


def test_optimizers_refuse_parameters_they_cannot_update_in_place():
    with pytest.raises(ValueError, match=r"params\[0\] must be a float64 numpy array"):
        SGD(0.1).step([np.ones(3, dtype=np.int64)], [np.ones(3)])
    with pytest.raises(ValueError, match=r"grads\[0\] must hold real numbers"):
        SGD(0.1).step([np.ones(2)], [np.array([1j, 0])])


# --- softmax cross-entropy targets --------------------------------------------------------------
@pytest.mark.parametrize("targets", [[[1.0, 1.0, 0.0]], [[0.5, 0.2, 0.2]], [[1.5, -0.5, 0.0]]])
def test_softmax_cross_entropy_refuses_targets_that_are_not_probabilities(targets):
    net = Network([2, 3], output_activation="softmax", rng=0)
    with pytest.raises(ValueError, match="must be probabilities: each row >= 0 and summing to 1"):
        net.loss_and_gradients([[0.1, 0.2]], targets, "cross_entropy")


def test_soft_targets_that_sum_to_one_are_fine_and_the_gradient_matches_the_loss():
    net = Network([2, 3], output_activation="softmax", rng=0)
    X, T = [[0.1, 0.2], [0.3, -0.4]], [[0.7, 0.2, 0.1], [0.0, 0.5, 0.5]]
    report = check_network_gradients(net, X, T, "cross_entropy")
    assert max(max(r["dW"], r["db"]) for r in report) < 1e-7
    # Hebbian descent takes any targets: its delta is the gradient of its matching loss.
    report = check_network_gradients(net, X, [[1.0, 1.0, 0.0], [0.0, 2.0, 0.0]], HebbianDescent())
    assert max(max(r["dW"], r["db"]) for r in report) < 1e-7


# --- Python's or numpy's messages where ours belong -------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: get_activation(["tanh"]), "unknown activation \\['tanh'\\]; expected one of"),
    (lambda: get_loss(["cross_entropy"]), "unknown loss \\['cross_entropy'\\]; expected one of"),
    (lambda: Network([2, 2], rng=-1), "rng must be a seed >= 0"),
    (lambda: fit(Network([2, 2]), [[0, 0]], [[0, 0]], "squared_error", optimizer="sgd"),
     "optimizer must be an optimizer such as SGD"),
    (lambda: fit(Network([2, 2]), [[0, 0]], [[0, 0]], "squared_error", validation=([[0, 0]],)),
     "validation must be a pair \\(X_val, T_val\\) or None, got a tuple of length 1"),
    (lambda: fit(Network([2, 2]), [[0, 0]], [[0, 0]], "squared_error",
                 validation=([[0, 0]], [[0, 0]], [[0, 0]])), "got a tuple of length 3"),
    (lambda: fit(Network([2, 2]), [[0, 0]], [[0, 0]], "squared_error", callbacks=print),
     "callbacks must be a list of functions"),
    (lambda: noise.noisy_targets("classification", [[0, 1]], [[0.5, 0.5]], [[0.1, 0]], blind="no"),
     "blind must be True or False, got 'no'"),
    (lambda: noise.NEMNoise(blind="yes"), "blind must be True or False"),
    (lambda: data.one_hot([1e19]), "labels must be class indices below 100000"),
    (lambda: hebbian.matching_loss(np.zeros((3, 2)), np.zeros(2), np.zeros((4, 3)), [0.0, 1.0]),
     "x and t must have the same number of rows, got 4 and 1"),
    (lambda: diagnostics.layer_statistics(Network([2, 2]), np.zeros((3, 2)), np.zeros((2, 2))),
     "T must have one row per example of X \\(3\\), got 2"),
    (lambda: diagnostics.Recorder(np.zeros((3, 2)), np.zeros((2, 2))),
     "Recorder X and Recorder T must have the same number of rows"),
    (lambda: diagnostics.Recorder(np.zeros((3, 2)), np.zeros((3, 2)), epochs=5),
     "epochs must be a list of epoch numbers or None"),
    (lambda: diagnostics.Recorder("digits", np.zeros((3, 2))), "Recorder X must be an array of numbers"),
])
def test_our_message_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_callbacks_none_means_no_callbacks():
    X, T, _ = moons()
    assert len(fit(Network([2, 2], output_activation="softmax"), X, T, epochs=1, callbacks=None)) == 2


# --- API seams ------------------------------------------------------------------------------
def test_gradients_without_a_loss_value_where_only_the_value_is_undefined():
    net = Network([2, 3, 2], activation="tanh", output_activation="tanh", rng=0)
    X, T = [[0.1, 0.2], [0.3, -0.4]], [[0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match="defined for sigmoid or identity outputs"):
        net.loss_and_gradients(X, T, PowerError(0.5))
    grads = net.gradients(X, T, PowerError(0.5))
    forward = net.forward(X)
    expected = net.backward(forward, PowerError(0.5).output_delta(forward.z[-1], forward.output, T, "tanh"))
    for got, want in zip(grads.as_list(), expected.as_list()):
        np.testing.assert_array_equal(got, want)
