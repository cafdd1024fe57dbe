"""Lesson 04's own pieces: its explorers' problems and cached runs, decision_boundary, checks."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course.checks import CheckFailure  # noqa: E402
from course.checks import training as check  # noqa: E402
from course.explorers import training as explorer  # noqa: E402
from minibp import Network  # noqa: E402

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers


@pytest.mark.parametrize("problem, n_train, n_val, n_classes", [
    (explorer.spirals_problem, 180, 60, 3),
    (explorer.moons_problem, 90, 30, 2),
    (explorer.circles_problem, 30, 300, 2),
])
def test_problems_have_their_documented_shapes_and_cannot_be_changed(problem, n_train, n_val, n_classes):
    X, labels, X_val, labels_val = problem()
    assert X.shape == (n_train, 2) and labels.shape == (n_train,)
    assert X_val.shape == (n_val, 2) and labels_val.shape == (n_val,)
    assert set(np.unique(np.concatenate([labels, labels_val]))) == set(range(n_classes))
    with pytest.raises(ValueError):
        X[0, 0] = 1.0  # cached and shared between explorers and lectures: read-only


def test_runs_are_cached_and_seeded():
    network, history = explorer.schedule_run(1.0, "constant")
    assert explorer.schedule_run(1.0, "constant")[1] is history  # the cache
    assert len(history) == explorer.SCHEDULE_EPOCHS + 1
    X, labels, _, _ = explorer.spirals_problem()
    again = Network([2, 24, 3], activation="tanh", output_activation="softmax", rng=0)
    _, fresh = explorer._fit(explorer.spirals_problem(), again, 1.0, explorer.SCHEDULE_EPOCHS, 10)
    np.testing.assert_allclose(fresh["loss"], history["loss"])
    np.testing.assert_allclose(again.predict(X), network.predict(X))


def test_a_decaying_schedule_rescues_a_too_large_learning_rate():
    """The lecture's claim for eta_0 = 3 on the spirals, as a test: constant jumps, decays settle."""
    constant = explorer.schedule_run(3.0, "constant")[1]["loss"][-10:]
    assert constant.max() > 0.1
    for schedule in ("step", "inverse_time", "exponential"):
        assert explorer.schedule_run(3.0, schedule)[1]["loss"][-10:].max() < 0.1


def test_small_batches_make_more_updates_and_learn_more_per_epoch():
    online, full = explorer.batch_run(1)[1], explorer.batch_run(90)[1]
    assert online.updates[-1] == 90 * explorer.BATCH_EPOCHS and full.updates[-1] == explorer.BATCH_EPOCHS
    assert online.loss[-1] < full.loss[-1]


def test_one_hidden_unit_underfits_the_circles():
    one = explorer.capacity_run(1)[1]
    many = explorer.capacity_run(64)[1]
    assert one.val_accuracy[-1] < 0.6  # a straight line through two circles: chance
    assert many.accuracy[-1] > 0.9 and many["val_accuracy"].max() > many.val_accuracy[-1]


def test_decision_boundary_draws_one_output_or_several_and_returns_its_limits():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    labels = np.array([0, 1, 1])
    for network in (Network([2, 3, 1], rng=0),
                    Network([2, 3, 3], output_activation="softmax", rng=0)):
        ax = Figure().subplots()
        limits = explorer.decision_boundary(ax, network, X, labels, resolution=20)
        assert limits == ((-0.35, 1.35), (-0.35, 1.35))
        assert ax.images and ax.collections
    with pytest.raises(ValueError, match="X must have shape"):
        explorer.decision_boundary(Figure().subplots(), network, np.zeros((3, 3)), labels)
    with pytest.raises(ValueError, match="labels must have shape"):
        explorer.decision_boundary(Figure().subplots(), network, X, labels[:2])


def test_minibatch_check_explains_a_missing_remainder():
    def without_rest(n, size, rng):
        order = rng.permutation(n)
        return [order[i:i + size] for i in range(0, n - size + 1, size)]

    with pytest.raises(CheckFailure, match="last, smaller batch is missing"):
        check.minibatch_indices(without_rest)


def test_sgd_epoch_check_gives_every_case_a_fresh_network():
    seen = []

    def recording_epoch(network, X, T, batch_size, learning_rate, rng):
        seen.append(network)
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            _, grads = network.loss_and_gradients(X[batch], T[batch], "cross_entropy")
            for w, g in zip(network.parameters(), grads.as_list()):
                w -= learning_rate * g

    check.sgd_epoch(recording_epoch)
    assert len({id(network) for network in seen}) == len(seen)


def test_tanh_softmax_epoch_check_refuses_minibps_gradients():
    from minibp import Dense

    backward = Network.__dict__["backward"]

    def through_minibp(W1, b1, W2, b2, X, T, batch_size, learning_rate, rng):
        network = Network.from_layers([Dense(W1, b1, "tanh"), Dense(W2, b2, "softmax")])
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            _, grads = network.loss_and_gradients(X[batch], T[batch], "cross_entropy")
            for w, g in zip(network.parameters(), grads.as_list()):
                w -= learning_rate * g

    with pytest.raises(CheckFailure, match="may not use minibp's network"):
        check.tanh_softmax_epoch(through_minibp)
    assert Network.__dict__["backward"] is backward  # restored after the check


def test_early_stopping_reference_on_a_hand_made_curve():
    curve = [0.9, 0.5, 0.6, 0.4, 0.45, 0.5, 0.55, 0.3]
    assert check._early_stopping(curve, 3) == (3, 6)
    assert check._early_stopping(curve, 10) == (7, 7)
    assert check._early_stopping([1.0, 1.0, 1.0], 1) == (0, 1)
