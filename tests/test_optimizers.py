"""Tests for minibp.optimizers: SGD and heavy-ball momentum on a quadratic, schedules, errors."""

import numpy as np
import pytest

from minibp.optimizers import SCHEDULES, SGD, Momentum

# f(w) = 1/2 w^T A w - b^T w: an ill-conditioned bowl (condition number 10), minimum A^-1 b.
A = np.diag([1.0, 10.0])
B = np.array([1.0, -2.0])
W_STAR = np.array([1.0, -0.2])
LAMBDA_MAX = 10.0


def run(optimizer, steps, w0=(3.0, 2.0)):
    w = np.array(w0, dtype=np.float64)
    for _ in range(steps):
        optimizer.step([w], [A @ w - B])
    return w


@pytest.mark.parametrize("optimizer", [SGD(0.15), Momentum(0.1, 0.5), Momentum(0.05, 0.9)],
                         ids=repr)
def test_reaches_the_minimum_of_an_ill_conditioned_quadratic(optimizer):
    w = run(optimizer, 1000)
    assert np.max(np.abs(w - W_STAR)) < 1e-8


def stability_threshold(mu):
    """Heavy ball on a quadratic converges iff 0 < eta lambda < 2 (1 + mu) for every eigenvalue."""
    return 2.0 * (1.0 + mu) / LAMBDA_MAX


OPTIMIZERS = [
    ("SGD", 0.0, lambda eta: SGD(eta)),
    ("Momentum(0)", 0.0, lambda eta: Momentum(eta, 0.0)),
    ("Momentum(0.5)", 0.5, lambda eta: Momentum(eta, 0.5)),
    ("Momentum(0.9)", 0.9, lambda eta: Momentum(eta, 0.9)),
]


@pytest.mark.parametrize("label, mu, make", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_converges_just_below_the_stability_limit(label, mu, make):
    w = run(make(0.95 * stability_threshold(mu)), 1000)
    assert np.max(np.abs(w - W_STAR)) < 1e-8


@pytest.mark.parametrize("label, mu, make", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_diverges_just_above_the_stability_limit(label, mu, make):
    w = run(make(1.05 * stability_threshold(mu)), 200)
    assert np.all(np.isfinite(w))
    assert np.max(np.abs(w - W_STAR)) > 1e6


def test_plain_gradient_descent_limit_is_two_over_lambda_max():
    assert stability_threshold(0.0) == 2.0 / LAMBDA_MAX
    w = run(SGD(0.199), 3000)
    assert np.max(np.abs(w - W_STAR)) < 1e-8
    w = run(SGD(0.201), 3000)
    assert np.max(np.abs(w - W_STAR)) > 1e3


def test_sgd_step_is_w_minus_eta_g():
    w = np.array([1.0, 2.0])
    b = np.array([[0.5]])
    SGD(0.1).step([w, b], [np.array([10.0, -20.0]), np.array([[1.0]])])
    np.testing.assert_allclose(w, [0.0, 4.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(b, [[0.4]], rtol=0, atol=1e-15)


def test_momentum_velocity_is_the_weighted_sum_of_past_gradients(rng):
    eta, mu = 0.3, 0.8
    opt = Momentum(eta, mu)
    w0 = rng.normal(size=(2, 3))
    w = w0.copy()
    gradients = [rng.normal(size=(2, 3)) for _ in range(6)]
    for k, g in enumerate(gradients):
        opt.step([w], [g])
        expected_v = -eta * sum(mu ** (k - j) * gradients[j] for j in range(k + 1))
        np.testing.assert_allclose(opt.velocities[0], expected_v, rtol=1e-13, atol=1e-15)
    # w_k = w_0 + v_1 + ... + v_k
    expected_w = w0 + sum(-eta * sum(mu ** (k - j) * gradients[j] for j in range(k + 1))
                          for k in range(len(gradients)))
    np.testing.assert_allclose(w, expected_w, rtol=1e-13, atol=1e-14)


def test_momentum_on_a_constant_slope_approaches_eta_over_one_minus_mu():
    opt = Momentum(0.1, 0.9)
    w = np.zeros(1)
    for _ in range(400):
        opt.step([w], [np.ones(1)])
    assert opt.velocities[0][0] == pytest.approx(-0.1 / (1 - 0.9), rel=1e-12)


def test_momentum_zero_is_sgd_and_reset_forgets_the_velocity(rng):
    w1 = rng.normal(size=3)
    w2 = w1.copy()
    sgd, heavy = SGD(0.2), Momentum(0.2, 0.0)
    for _ in range(5):
        g = rng.normal(size=3)
        sgd.step([w1], [g])
        heavy.step([w2], [g])
    np.testing.assert_allclose(w1, w2, rtol=0, atol=1e-15)
    heavy = Momentum(0.2, 0.9)
    heavy.step([w2], [np.ones(3)])
    assert heavy.velocities is not None
    heavy.reset()
    assert heavy.velocities is None


# --- learning-rate schedules --------------------------------------------------------------------

@pytest.mark.parametrize("schedule, options, expected", [
    ("constant", {}, {1: 0.4, 2: 0.4, 100: 0.4}),
    ("step", {}, {1: 0.4, 10: 0.4, 11: 0.2, 20: 0.2, 21: 0.1, 31: 0.05}),
    ("step", {"drop": 0.1, "every": 3}, {1: 0.4, 3: 0.4, 4: 0.04, 7: 0.004}),
    ("inverse_time", {}, {1: 0.4, 11: 0.2, 31: 0.1}),
    ("inverse_time", {"decay": 1.0}, {1: 0.4, 2: 0.2, 4: 0.1}),
    ("exponential", {}, {1: 0.4, 21: 0.4 * np.exp(-1.0), 41: 0.4 * np.exp(-2.0)}),
    ("exponential", {"decay": np.log(2.0)}, {1: 0.4, 2: 0.2, 3: 0.1}),
])
def test_schedules_give_the_exact_learning_rates(schedule, options, expected):
    opt = SGD(0.4, schedule=schedule, schedule_options=options)
    assert opt.learning_rate == 0.4  # before the first epoch
    for epoch, eta in expected.items():
        opt.start_epoch(epoch)
        assert isinstance(opt.learning_rate, float)
        assert opt.learning_rate == pytest.approx(eta, rel=1e-15, abs=0)
    assert opt.initial_learning_rate == 0.4


def test_the_schedule_sets_the_step_size():
    opt = SGD(1.0, schedule="step", schedule_options={"drop": 0.5, "every": 1})
    opt.start_epoch(3)  # eta = 1/4
    w = np.zeros(1)
    opt.step([w], [np.ones(1)])
    assert w[0] == -0.25
    momentum = Momentum(1.0, 0.5, schedule="inverse_time", schedule_options={"decay": 1.0})
    momentum.start_epoch(2)  # eta = 1/2
    momentum.step([w], [np.ones(1)])
    assert w[0] == -0.75


def test_the_schedules_are_registered():
    assert set(SCHEDULES) == {"constant", "step", "inverse_time", "exponential"}


def test_repr():
    assert repr(SGD(0.5)) == "SGD(learning_rate=0.5)"
    assert repr(Momentum(0.5, 0.9)) == "Momentum(learning_rate=0.5, momentum=0.9)"


# --- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, float("nan"), "0.9"])
def test_momentum_outside_zero_one_raises(momentum):
    with pytest.raises(ValueError, match="momentum must"):
        Momentum(0.1, momentum)


@pytest.mark.parametrize("make", [SGD, Momentum])
@pytest.mark.parametrize("eta", [-0.1, float("inf"), None])
def test_bad_learning_rate_raises(make, eta):
    with pytest.raises(ValueError, match="learning_rate must"):
        make(eta)


@pytest.mark.parametrize("make", [SGD, Momentum])
def test_unknown_schedule_raises_listing_the_schedules(make):
    with pytest.raises(ValueError, match="unknown schedule 'cosine'") as info:
        make(0.1, schedule="cosine")
    for name in SCHEDULES:
        assert name in str(info.value)


@pytest.mark.parametrize("schedule, options, argument", [
    ("step", {"drop": 1.5}, "drop"),
    ("step", {"every": 0}, "every"),
    ("inverse_time", {"decay": -1.0}, "decay"),
    ("exponential", {"decay": -1.0}, "decay"),
])
def test_bad_schedule_options_raise_naming_them(schedule, options, argument):
    with pytest.raises(ValueError, match=f"{argument} must be"):
        SGD(0.1, schedule=schedule, schedule_options=options)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1, 0.9)])
def test_mismatched_params_and_grads_raise(make):
    params = [np.zeros((2, 3)), np.zeros(3)]
    with pytest.raises(ValueError, match=r"grads must have one array per parameter \(2\), got 1"):
        make().step(params, [np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"grads\[1\] must have shape \(3,\) like params\[1\]"):
        make().step(params, [np.zeros((2, 3)), np.zeros(2)])
    np.testing.assert_array_equal(params[0], 0.0)  # nothing was changed


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1, 0.9)])
def test_update_is_step_without_the_checks(make, rng):
    # fit's training step calls update(); it must move the weights exactly as step() does
    checked, unchecked = make(), make()
    w0 = rng.normal(size=(2, 3))
    w1, w2 = w0.copy(), w0.copy()
    for _ in range(3):
        g = rng.normal(size=(2, 3))
        checked.step([w1], [g])
        unchecked.update([w2], [g])
    assert np.all(w1 != w0)
    np.testing.assert_array_equal(w1, w2)
