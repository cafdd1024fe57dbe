"""Lesson 05 (momentum): the explorers' helpers and the checks' references, refereed by hand.

The exercise checks compare learners with references in ``course.checks.momentum``; these tests
make sure the references themselves are right, against formulas written out independently here
and against the behaviour the lesson claims (the stability bound, the effective step).
"""

import numpy as np
import pytest

from course.checks import CheckFailure
from course.checks import momentum as check
from course.explorers import momentum as lesson
from minibp import Momentum

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers


# --- the lesson's quadratic --------------------------------------------------------------------
def test_the_quadratic_has_the_advertised_eigenvalues_and_minimum():
    np.testing.assert_allclose(np.linalg.eigvalsh(lesson.A), [lesson.LAMBDA_MIN, lesson.LAMBDA_MAX])
    np.testing.assert_allclose(lesson.A @ lesson.W_STAR, lesson.B)
    assert lesson.quadratic_loss(lesson.W_STAR) == 0.0
    assert np.all(lesson.quadratic_loss(np.array([[0.0, 0.0], [3.0, -1.0]])) > 0)


def test_heavy_ball_path_is_the_hand_written_recursion():
    eta, mu = 0.095, 0.5
    path, diverged = lesson.heavy_ball_path(eta, mu, steps=30)
    w, v = lesson.W_START.copy(), np.zeros(2)
    expected = [w.copy()]
    for _ in range(30):
        v = mu * v - eta * (lesson.A @ w - lesson.B)
        w = w + v
        expected.append(w.copy())
    assert not diverged
    np.testing.assert_allclose(path, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_paths_diverge_just_above_the_bound_and_not_just_below(mu):
    bound = lesson.stability_bound(mu)
    assert bound == pytest.approx(2 * (1 + mu) / 20)
    path, diverged = lesson.heavy_ball_path(0.97 * bound, mu, steps=3000)
    assert not diverged and np.linalg.norm(path[-1] - lesson.W_STAR) < 1e-3
    _, diverged = lesson.heavy_ball_path(1.03 * bound, mu, steps=3000)
    assert diverged


def test_quadratic_explorer_says_when_a_path_diverges():
    fig = lesson.quadratic_paths().figure(learning_rate=0.15, momentum=0.6)
    texts = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert any("plain GD" in t and "diverges" in t for t in texts)
    assert not any("momentum" in t and "diverges" in t for t in texts)


def test_bad_inputs_to_the_helpers_name_the_argument():
    with pytest.raises(ValueError, match="momentum"):
        lesson.stability_bound(1.0)
    with pytest.raises(ValueError, match="lambda_max"):
        lesson.stability_bound(0.5, lambda_max=0.0)
    with pytest.raises(ValueError, match="steps"):
        lesson.heavy_ball_path(0.1, 0.5, steps=-1)
    with pytest.raises(ValueError, match="w0"):
        lesson.heavy_ball_path(0.1, 0.5, w0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="learning_rate"):
        lesson.heavy_ball_path(-0.1, 0.5)
    with pytest.raises(ValueError, match="W must hold points"):
        lesson.quadratic_loss(np.zeros((4, 3)))


# --- the checks' references ------------------------------------------------------------------------
def test_momentum_step_reference_is_the_update_rule(rng):
    w, v, g = rng.normal(size=(3, 4))
    w_new, v_new = check._momentum_step(w, v, g, 0.3, 0.8)
    np.testing.assert_allclose(v_new, 0.8 * v - 0.3 * g, rtol=1e-14)
    np.testing.assert_allclose(w_new, w + 0.8 * v - 0.3 * g, rtol=1e-14)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_velocity_on_a_steady_slope_is_the_geometric_sum(mu):
    k, eta = 50, 0.1
    v = check._velocity_from_gradients(np.ones((k, 1)), eta, mu)
    expected = -eta * (1 - mu**k) / (1 - mu)  # mu = 0: only the newest gradient, -eta
    np.testing.assert_allclose(v, [expected], rtol=1e-12)


def test_velocity_on_an_alternating_slope_settles_at_eta_over_one_plus_mu():
    eta, mu, k = 0.1, 0.5, 200
    v = check._velocity_from_gradients(((-1.0) ** np.arange(k))[:, None], eta, mu)
    assert abs(v[0]) == pytest.approx(eta / (1 + mu), rel=1e-12)


def test_convergence_factor_is_the_spectral_radius_of_the_iteration(rng):
    for _ in range(200):
        mu, lam = rng.uniform(0, 0.99), rng.uniform(0.1, 50)
        eta = rng.uniform(0, 2.4 * (1 + mu)) / lam
        # the state (e_k, e_{k-1}) is multiplied by this matrix at every step
        iteration = np.array([[1 + mu - eta * lam, -mu], [1.0, 0.0]])
        expected = np.abs(np.linalg.eigvals(iteration)).max()
        assert check._convergence_factor(eta, lam, mu) == pytest.approx(expected, rel=1e-6)
    assert check._convergence_factor(0.095, 20.0, 0.0) == pytest.approx(0.9)
    assert check._convergence_factor(0.095, 20.0, 0.5) == pytest.approx(np.sqrt(0.5))


def test_convergence_factor_predicts_a_measured_one_dimensional_run():
    eta, lam, mu = 0.05, 4.0, 0.3  # real roots: the larger one dominates after a while
    w, optimizer = np.array([1.0]), Momentum(eta, mu)
    errors = []
    for _ in range(200):
        optimizer.step([w], [lam * w])
        errors.append(abs(w[0]))
    measured = errors[-1] / errors[-2]
    assert measured == pytest.approx(check._convergence_factor(eta, lam, mu), rel=1e-9)


def test_largest_stable_learning_rate_separates_converging_from_diverging_runs(rng):
    for _ in range(5):
        n = int(rng.integers(2, 5))
        M = rng.normal(size=(n, n))
        A = M @ M.T + 0.5 * np.eye(n)
        mu = float(rng.uniform(0, 0.9))
        bound = check._largest_stable_learning_rate(A, mu)
        for factor, converges in ((0.95, True), (1.05, False)):
            w, optimizer = np.ones(n), Momentum(factor * bound, mu)
            for _ in range(3000):
                optimizer.step([w], [A @ w])
                if np.linalg.norm(w) > 1e8:  # diverged: stop before it overflows
                    break
            assert (np.linalg.norm(w) < 1e-3) == converges


def _hand_written_training(W, b, X, T, eta, mu, steps):
    """Full-batch heavy ball on softmax regression with cross-entropy, in plain numpy."""
    params = [np.array(W, dtype=float), np.array(b, dtype=float)]
    velocities = [np.zeros_like(p) for p in params]
    for _ in range(steps):
        W, b = params
        Z = X @ W + b
        Y = np.exp(Z - Z.max(axis=1, keepdims=True))
        Y /= Y.sum(axis=1, keepdims=True)
        delta = (Y - T) / len(X)  # the mean over the batch
        for p, v, g in zip(params, velocities, [X.T @ delta, delta.sum(0)]):
            v *= mu
            v -= eta * g
            p += v
    return tuple(params)


def test_train_with_momentum_reference_matches_a_hand_written_loop(rng):
    cases = [check._lesson_regression()] + [check._random_regression(rng) for _ in range(5)]
    for case in cases:
        for got, expected in zip(check._train_with_momentum(*case), _hand_written_training(*case)):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_train_with_momentum_check_refuses_minibps_gradients():
    from minibp import Dense, Network, training
    from minibp.losses import CrossEntropy
    from minibp.training import train_step

    backward = Network.__dict__["backward"]

    def through_minibp(W, b, X, T, eta, mu, steps):
        network, optimizer = Network.from_layers([Dense(W, b, "softmax")]), Momentum(eta, mu)
        for _ in range(steps):
            train_step(network, X, T, CrossEntropy(), optimizer)
        return tuple(network.parameters())

    with pytest.raises(CheckFailure, match="may not use minibp's network"):
        check.train_with_momentum(through_minibp)
    assert training.train_step is train_step and Network.__dict__["backward"] is backward  # restored


# --- the network explorer ----------------------------------------------------------------------------
def test_digits_runs_are_cached_and_use_the_lectures_configuration():
    history = lesson.digits_run(0.01, 0.9, 0)
    assert lesson.digits_run(0.01, 0.9, 0) is history  # the second call is free
    assert len(history) == lesson.NETWORK_EPOCHS + 1 and history.stopped is None
    # the lecture's table (section 6): first epochs with >= 90% validation accuracy
    assert [lesson.digits_run(0.01, 0.9, s).epochs_to(0.9, "val_accuracy") for s in (0, 1, 2)] == [6, 6, 6]
    assert lesson.digits_run(0.01, 0.0, 0).epochs_to(0.9, "val_accuracy") is None


def test_slider_values_share_cache_entries():
    assert lesson._key(0.30000000000000004) == 0.3
    assert lesson._key(0.1 / (1 - 0.9)) == 1.0
