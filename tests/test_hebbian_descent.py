"""Tests for minibp.hebbian (lesson 10): the four one-layer rules, centering, the experiment."""

import numpy as np
import pytest

from minibp import hebbian
from minibp.activations import get_activation, sigmoid
from minibp.gradcheck import numerical_gradient, relative_error
from minibp.losses import HebbianDescent, SquaredError
from minibp.network import Dense, Network

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers

N_IN, N_OUT, N = 5, 3, 4


def layer(rng, n_in=N_IN, n_out=N_OUT):
    return rng.normal(0.0, 0.7, size=(n_in, n_out)), rng.normal(0.0, 0.5, size=n_out)


def batch(rng, n=N, n_in=N_IN, n_out=N_OUT, targets="binary"):
    x = (rng.random((n, n_in)) < 0.5).astype(float)
    if targets == "binary":
        t = (rng.random((n, n_out)) < 0.5).astype(float)
    else:  # rows of probabilities, for softmax
        t = rng.dirichlet(np.ones(n_out), size=n)
    return x, t


# --- the Hebbian-descent update is gradient descent on the matching loss ------------------------
@pytest.mark.parametrize("activation", ["sigmoid", "identity", "tanh", "softmax"])
@pytest.mark.parametrize("offset", [0.0, 0.5, "vector"])
def test_hebbian_descent_update_is_minus_eta_times_the_matching_loss_gradient(activation, offset,
                                                                               rng):
    W, b = layer(rng)
    x, t = batch(rng, targets="probabilities" if activation == "softmax" else "binary")
    mu = rng.uniform(0.2, 0.8, size=N_IN) if offset == "vector" else offset
    eta = 0.3
    dW, db = hebbian.update("hebbian_descent", W, b, x, t, eta, offset=mu, activation=activation)

    def loss():
        return hebbian.matching_loss(W, b, x, t, offset=mu, activation=activation)

    assert relative_error(dW, -eta * numerical_gradient(loss, W)) < 1e-7
    assert relative_error(db, -eta * numerical_gradient(loss, b)) < 1e-7


def test_matching_loss_is_minibps_hebbian_descent_loss(rng):
    W, b = layer(rng)
    x, t = batch(rng)
    z = (x - 0.5) @ W + b
    expected = HebbianDescent().value(z, sigmoid(z), t, "sigmoid")
    assert hebbian.matching_loss(W, b, x, t, offset=0.5) == pytest.approx(expected, rel=1e-13)


def test_matching_loss_for_sigmoid_is_binary_cross_entropy(rng):
    W, b = layer(rng)
    x, t = batch(rng)
    y = sigmoid(x @ W + b)
    bce = np.mean(-np.sum(t * np.log(y) + (1 - t) * np.log(1 - y), axis=1))
    assert hebbian.matching_loss(W, b, x, t) == pytest.approx(bce, rel=1e-12)


# --- gradient descent is minibp's backprop on squared error for a one-layer net -----------------
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softmax"])
def test_gradient_descent_update_equals_minibp_network_squared_error_gradients(activation, rng):
    W, b = layer(rng)
    x, t = batch(rng, targets="probabilities" if activation == "softmax" else "binary")
    mu = rng.uniform(0.2, 0.8, size=N_IN)
    eta = 0.7
    dW, db = hebbian.update("gradient_descent", W, b, x, t, eta, offset=mu, activation=activation)
    net = Network.from_layers([Dense(W, b, activation)])
    _, grads = net.loss_and_gradients(x - mu, t, SquaredError())
    np.testing.assert_allclose(dW, -eta * grads.dW[1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(db, -eta * grads.db[1], rtol=1e-12, atol=1e-15)


def test_hebbian_descent_update_equals_minibp_network_hebbian_descent_gradients(rng):
    W, b = layer(rng)
    x, t = batch(rng)
    dW, db = hebbian.update("hebbian_descent", W, b, x, t, 0.2)
    _, grads = Network.from_layers([Dense(W, b, "sigmoid")]).loss_and_gradients(
        x, t, HebbianDescent())
    np.testing.assert_allclose(dW, -0.2 * grads.dW[1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(db, -0.2 * grads.db[1], rtol=1e-12, atol=1e-15)


def test_gradient_descent_differs_from_hebbian_descent_by_the_factor_f_prime(rng):
    W, b = layer(rng)
    x, t = batch(rng, n=1)
    z = x @ W + b
    hd, _ = hebbian.update("hebbian_descent", W, b, x, t, 1.0)
    gd, _ = hebbian.update("gradient_descent", W, b, x, t, 1.0)
    np.testing.assert_allclose(gd, hd * get_activation("sigmoid").derivative(z), rtol=1e-12)


# --- the Hebb and covariance rules ------------------------------------------------------------
def test_hebb_rule_is_eta_x_transpose_t(rng):
    W, b = layer(rng)
    x, t = batch(rng, n=1)
    dW, db = hebbian.update("hebb", W, b, x[0], t[0], 0.2)
    np.testing.assert_allclose(dW, 0.2 * np.outer(x[0], t[0]))
    np.testing.assert_allclose(db, 0.2 * t[0])


def test_covariance_rule_centres_inputs_and_targets(rng):
    W, b = layer(rng)
    x, t = batch(rng, n=1)
    mu, nu = rng.uniform(size=N_IN), rng.uniform(size=N_OUT)
    dW, db = hebbian.update("covariance", W, b, x, t, 0.2, offset=mu, target_offset=nu)
    np.testing.assert_allclose(dW, 0.2 * np.outer(x[0] - mu, t[0] - nu))
    np.testing.assert_allclose(db, 0.2 * (t[0] - nu))


def test_hebb_and_covariance_ignore_the_outputs(rng):
    x, t = batch(rng)
    for rule in ("hebb", "covariance"):
        one = hebbian.update(rule, *layer(rng), x, t, 0.5, offset=0.5, target_offset=0.5)
        other = hebbian.update(rule, *layer(rng), x, t, 0.5, offset=0.5, target_offset=0.5)
        np.testing.assert_allclose(one[0], other[0])


def test_update_is_the_mean_over_the_rows(rng):
    W, b = layer(rng)
    x, t = batch(rng)
    dW, db = hebbian.update("hebbian_descent", W, b, x, t, 0.5)
    rows = [hebbian.update("hebbian_descent", W, b, x[n], t[n], 0.5) for n in range(N)]
    np.testing.assert_allclose(dW, np.mean([r[0] for r in rows], axis=0))
    np.testing.assert_allclose(db, np.mean([r[1] for r in rows], axis=0))


# --- centering -----------------------------------------------------------------------------
def test_centering_offsets(rng):
    X = rng.random((6, 3))
    np.testing.assert_array_equal(hebbian.centering_offsets(X, "none"), np.zeros((6, 3)))
    np.testing.assert_allclose(hebbian.centering_offsets(X, "data"), np.tile(X.mean(0), (6, 1)))
    running = hebbian.centering_offsets(X, "running")
    for n in range(6):
        np.testing.assert_allclose(running[n], X[: n + 1].mean(axis=0))
    np.testing.assert_array_equal(hebbian.centering_offsets(X, 0.5), np.full((6, 3), 0.5))


# --- learning a sequence ---------------------------------------------------------------------
@pytest.mark.parametrize("rule", hebbian.RULES)
@pytest.mark.parametrize("centering", ["none", "data", 0.5])
def test_learn_sequence_is_one_update_per_pattern_in_order(rule, centering, rng):
    X, T = batch(rng, n=7)
    W0, b0 = layer(rng)
    W, b, offset = hebbian.learn_sequence(rule, X, T, 0.3, centering, W=W0, b=b0)
    mu = hebbian.centering_offsets(X, centering)
    nu = hebbian.centering_offsets(T, centering)
    W_ref, b_ref = W0.copy(), b0.copy()
    for n in range(7):
        dW, db = hebbian.update(rule, W_ref, b_ref, X[n], T[n], 0.3, mu[n], nu[n])
        W_ref, b_ref = W_ref + dW, b_ref + db
    np.testing.assert_allclose(W, W_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b, b_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(offset, mu[-1])


def test_learn_sequence_does_not_change_the_given_parameters(rng):
    X, T = batch(rng, n=3)
    W0, b0 = layer(rng)
    W_copy, b_copy = W0.copy(), b0.copy()
    hebbian.learn_sequence("hebbian_descent", X, T, 0.3, W=W0, b=b0)
    np.testing.assert_array_equal(W0, W_copy)
    np.testing.assert_array_equal(b0, b_copy)


def test_running_centering_moves_the_offset_without_changing_the_function(rng):
    """Between patterns the bias absorbs the move of mu: with eta = 0 nothing changes at all."""
    X, T = batch(rng, n=6)
    W0, b0 = layer(rng)
    W, b, offset = hebbian.learn_sequence("hebbian_descent", X, T, 0.0, "running", W=W0, b=b0)
    np.testing.assert_allclose(hebbian.predict(W, b, X, offset), hebbian.predict(W0, b0, X, X[0]),
                               rtol=1e-12)


def test_hebb_rule_from_zero_weights_is_the_sum_of_outer_products(rng):
    X, T = batch(rng, n=5)
    W, b, _ = hebbian.learn_sequence("hebb", X, T, 0.2, "none")
    np.testing.assert_allclose(W, 0.2 * X.T @ T)
    np.testing.assert_allclose(b, 0.2 * T.sum(axis=0))


def test_hebbian_descent_learns_one_pattern_with_centering():
    X, T = hebbian.random_pattern_pairs(1, 200, 200, rng=3)
    W, b, offset = hebbian.learn_sequence("hebbian_descent", X, T, 0.2, 0.5)
    error = hebbian.forgetting_curve(hebbian.predict(W, b, X, offset), T)
    # z changes by 0.2 * 0.5 * (|x - 0.5|^2 + 1) = 5.1 from 0: sigmoid(5.1) = 0.994
    assert error[0] == pytest.approx(1 - sigmoid(0.2 * 0.5 * 51.0), rel=1e-12)


# --- the experiment ----------------------------------------------------------------------------
def test_random_pattern_pairs_are_seeded_binary_and_balanced():
    X, T = hebbian.random_pattern_pairs(100, 200, 50, rng=1)
    assert X.shape == (100, 200) and T.shape == (100, 50)
    assert set(np.unique(X)) == {0.0, 1.0} and set(np.unique(T)) == {0.0, 1.0}
    assert abs(X.mean() - 0.5) < 0.01
    X2, _ = hebbian.random_pattern_pairs(100, 200, 50, rng=1)
    np.testing.assert_array_equal(X, X2)


def test_forgetting_curve_is_the_mean_absolute_error_by_age():
    T = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    Y = np.array([[0.5, 0.5], [0.0, 0.8], [1.0, 1.0]])
    np.testing.assert_allclose(hebbian.forgetting_curve(Y, T), [0.0, 0.1, 0.5])


@pytest.mark.parametrize("rule, centering, init", [("hebbian_descent", "data", "sigmoid_uniform"),
                                                   ("gradient_descent", "none", "zeros"),
                                                   ("covariance", "running", "sigmoid_uniform")])
def test_continual_learning_matches_learn_sequence_seed_by_seed(rule, centering, init):
    curves = hebbian.continual_learning(rule, centering, 0.2, n_patterns=12, n_in=20, n_out=8,
                                        seeds=(4, 5), init=init)
    assert curves.shape == (2, 12)
    for row, seed in zip(curves, (4, 5)):
        rng = np.random.default_rng(seed)
        X, T = hebbian.random_pattern_pairs(12, 20, 8, rng=rng)
        np.testing.assert_array_equal(X, hebbian.random_pattern_pairs(12, 20, 8, rng=seed)[0])
        W0 = hebbian.initial_weights(20, 8, init, rng)
        W, b, offset = hebbian.learn_sequence(rule, X, T, 0.2, centering, W=W0, b=np.zeros(8))
        np.testing.assert_allclose(row, hebbian.forgetting_curve(hebbian.predict(W, b, X, offset),
                                                                 T), rtol=1e-10)


def test_initial_weights():
    np.testing.assert_array_equal(hebbian.initial_weights(3, 2, "zeros"), np.zeros((3, 2)))
    W = hebbian.initial_weights(200, 200, "sigmoid_uniform", rng=0)
    r = 4 * np.sqrt(6 / 400)
    assert W.shape == (200, 200) and np.abs(W).max() <= r and np.abs(W).max() > 0.99 * r


def test_the_paper_setup_centered_hebbian_descent_remembers_recent_patterns_best():
    curves = hebbian.continual_learning("hebbian_descent", "data", 0.2, seeds=(0, 1))
    mean = curves.mean(axis=0)
    assert mean[:10].mean() < 0.05 < 0.2 < mean[-10:].mean()
    hebb = hebbian.continual_learning("hebb", "none", 0.2, seeds=(0,))
    assert abs(hebb.mean() - 0.5) < 0.01  # every output pushed to 1: half the bits wrong


# --- bad input ------------------------------------------------------------------------------
def test_bad_input_gets_clear_errors(rng):
    W, b = layer(rng)
    x, t = batch(rng)
    with pytest.raises(ValueError, match="unknown rule"):
        hebbian.update("oja", W, b, x, t, 0.1)
    with pytest.raises(ValueError, match="unknown rule"):
        hebbian.error_term("oja", x, x, x)
    with pytest.raises(ValueError, match="learning_rate must be >= 0"):
        hebbian.update("hebb", W, b, x, t, -0.1)
    with pytest.raises(ValueError, match="x must have 5 column"):
        hebbian.update("hebb", W, b, x[:, :3], t, 0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        hebbian.update("hebb", W, b, x, t[:2], 0.1)
    with pytest.raises(ValueError, match="b must have one entry per output unit"):
        hebbian.update("hebb", W, b[:2], x, t, 0.1)
    with pytest.raises(ValueError, match="offset must be a number or have 5 entries"):
        hebbian.update("hebb", W, b, x, t, 0.1, offset=np.zeros(3))
    with pytest.raises(ValueError, match="unknown centering"):
        hebbian.centering_offsets(x, "median")
    with pytest.raises(ValueError, match="unknown centering"):
        hebbian.centering_offsets(x, True)
    with pytest.raises(ValueError, match="W must have shape"):
        hebbian.learn_sequence("hebb", x, t, 0.1, W=np.zeros((2, 2)), b=np.zeros(2))
    with pytest.raises(ValueError, match="contains 1 NaN"):
        hebbian.learn_sequence("hebb", _with_nan(x), t, 0.1)
    with pytest.raises(ValueError, match="Y and T must have the same shape"):
        hebbian.forgetting_curve(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        hebbian.continual_learning("hebb", seeds=())
    with pytest.raises(ValueError, match="unknown init"):
        hebbian.continual_learning("hebb", init="normal")
    with pytest.raises(ValueError, match="p must be <= 1"):
        hebbian.random_pattern_pairs(p=1.5)


def _with_nan(x):
    x = x.copy()
    x[0, 0] = np.nan
    return x


# --- the lesson's checks and explorers ----------------------------------------------------------
def test_a_known_mistake_gets_its_hint():
    from course.checks import CheckFailure
    from course.checks import hebbian_descent as check

    def with_f_prime(W, b, x, t, mu, eta):
        y = sigmoid((x - mu) @ W + b)
        e = (y - t) * y * (1 - y)
        return W - eta * np.outer(x - mu, e), b - eta * e

    with pytest.raises(CheckFailure, match="Hebbian descent drops f'"):
        check.hebbian_descent_update(with_f_prime)
    with pytest.raises(CheckFailure, match="this is the Hebbian-descent update"):
        check.squared_error_update(lambda W, b, x, t, mu, eta: (
            W - eta * np.outer(x - mu, sigmoid((x - mu) @ W + b) - t),
            b - eta * (sigmoid((x - mu) @ W + b) - t)))


def test_saturation_explorer_signals_are_minibps_losses():
    from course.explorers.hebbian_descent import unit_signals

    z = np.linspace(-8, 8, 9)[:, None]
    y, t = sigmoid(z), np.full_like(z, 0.3)
    got = unit_signals(z, 0.3)
    np.testing.assert_allclose(got["delta_squared_error"],
                               SquaredError().output_delta(z, y, t, "sigmoid"), rtol=1e-12)
    np.testing.assert_allclose(got["delta_hebbian_descent"],
                               HebbianDescent().output_delta(z, y, t, "sigmoid"), rtol=1e-12)
    np.testing.assert_allclose(got["matching_loss"][:, 0],
                               HebbianDescent().per_example(z, y, t, "sigmoid"), rtol=1e-12)
    assert unit_signals(-6.0, 1.0)["delta_hebbian_descent"] == pytest.approx(sigmoid(np.array([-6.0]))[0] - 1)


def test_forgetting_explorer_caches_the_experiment():
    from course.explorers import hebbian_descent as module

    mean, std = module.forgetting_curves("hebbian_descent", "data", 0.2)
    curves = hebbian.continual_learning("hebbian_descent", "data", 0.2,
                                        seeds=module.EXPLORER_SEEDS)
    np.testing.assert_allclose(mean, curves.mean(axis=0))
    np.testing.assert_allclose(std, curves.std(axis=0))
    assert module.forgetting_curves("hebbian_descent", "data", 0.2)[0] is mean  # cached
