"""Tests for minibp.optimizers: SGD and heavy-ball momentum on a quadratic, schedules, gradient
clipping and weight decay, errors."""

import inspect

import numpy as np
import pytest

from minibp.network import Network
from minibp.optimizers import SCHEDULES, SGD, Momentum, clip_by_global_norm, global_norm
from minibp.training import fit

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


# --- gradient clipping by global norm and weight decay (lesson 07) --------------------------------

def _pair(rng, norm):
    """A weight matrix's and a bias's gradients whose global norm is exactly ``norm``."""
    g_W, g_b = rng.normal(size=(2, 3)), rng.normal(size=3)
    scale = norm / np.sqrt(np.sum(g_W**2) + np.sum(g_b**2))
    return [g_W * scale, g_b * scale]


def test_global_norm_is_the_norm_of_all_entries_together(rng):
    grads = [rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=(2, 2, 3))]
    flat = np.concatenate([g.ravel() for g in grads])
    assert global_norm(grads) == pytest.approx(np.linalg.norm(flat), rel=1e-14)


def test_clip_by_global_norm_scales_every_array_by_one_factor(rng):
    grads = _pair(rng, 10.0)
    before = [g.copy() for g in grads]
    clipped = clip_by_global_norm(grads, 2.0)
    for g, c in zip(grads, clipped):
        np.testing.assert_allclose(c, 0.2 * g, rtol=1e-14, atol=0)
    assert global_norm(clipped) == pytest.approx(2.0, rel=1e-14)
    for g, b in zip(grads, before):  # the inputs are left as they were
        np.testing.assert_array_equal(g, b)


@pytest.mark.parametrize("norm", [0.0, 0.5, 1.999, 2.0])
def test_clip_by_global_norm_leaves_gradients_at_or_below_the_threshold_alone(rng, norm):
    grads = _pair(rng, norm) if norm else [np.zeros((2, 3)), np.zeros(3)]
    for g, c in zip(grads, clip_by_global_norm(grads, 2.0)):
        np.testing.assert_array_equal(c, g)  # no 0/0 for zero gradients either


@pytest.mark.parametrize("make", [lambda **o: SGD(0.5, **o), lambda **o: Momentum(0.5, 0.9, **o)],
                         ids=["SGD", "Momentum"])
def test_clipped_step_is_exactly_the_scaled_step_and_keeps_its_direction(make, rng):
    grads = _pair(rng, 8.0)
    params = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    plain, clipped = [p.copy() for p in params], [p.copy() for p in params]
    make().step(plain, [g / 8.0 for g in grads])  # the same direction at length 1 = clip_norm
    make(clip_norm=1.0).step(clipped, grads)
    for p, c in zip(plain, clipped):
        np.testing.assert_allclose(c, p, rtol=1e-14, atol=1e-15)
    step = np.concatenate([(c - p0).ravel() for c, p0 in zip(clipped, params)])
    direction = np.concatenate([g.ravel() for g in grads])
    assert np.linalg.norm(step) == pytest.approx(0.5 * 1.0, rel=1e-13)  # eta * clip_norm
    cosine = -step @ direction / (np.linalg.norm(step) * np.linalg.norm(direction))
    assert cosine == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("make", [lambda **o: SGD(0.5, **o), lambda **o: Momentum(0.5, 0.9, **o)],
                         ids=["SGD", "Momentum"])
def test_clipping_does_nothing_below_the_threshold(make, rng):
    params = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    plain, clipped = [p.copy() for p in params], [p.copy() for p in params]
    plain_opt, clipped_opt = make(), make(clip_norm=5.0)
    for _ in range(4):
        grads = _pair(rng, float(rng.uniform(0.1, 4.9)))
        plain_opt.step(plain, grads)
        clipped_opt.step(clipped, grads)
    for p, c in zip(plain, clipped):
        np.testing.assert_array_equal(c, p)


def test_fit_takes_clipped_steps():
    # fit calls update(), not step(): the clipping must act there too
    network = Network([3, 4, 2], "tanh", "sigmoid", rng=0)
    X = np.random.default_rng(1).normal(size=(8, 3))
    T = (X[:, :2] > 0).astype(float)
    before = [p.copy() for p in network.parameters()]
    assert global_norm(network.gradients(X, T, "cross_entropy").as_list()) > 1e-3
    fit(network, X, T, "cross_entropy", SGD(1.0, clip_norm=1e-3), epochs=1, batch_size=8,
        shuffle=False)
    moved = global_norm([p - b for p, b in zip(network.parameters(), before)])
    assert moved == pytest.approx(1e-3, rel=1e-12)


@pytest.mark.parametrize("make", [lambda **o: SGD(0.1, **o), lambda **o: Momentum(0.1, 0.0, **o)],
                         ids=["SGD", "Momentum(0)"])
def test_weight_decay_adds_lambda_w_to_weights_not_to_biases(make, rng):
    W, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    g_W, g_b = rng.normal(size=(2, 3)), rng.normal(size=3)
    W_new, b_new = W.copy(), b.copy()
    make(weight_decay=0.5).step([W_new, b_new], [g_W, g_b])
    np.testing.assert_allclose(W_new, W - 0.1 * (g_W + 0.5 * W), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(b_new, b - 0.1 * g_b, rtol=1e-14, atol=1e-15)


def test_weight_decay_alone_shrinks_the_weights_geometrically():
    W, b = np.full((2, 2), 3.0), np.full(2, 3.0)
    optimizer = SGD(0.1, weight_decay=0.5)
    for _ in range(10):
        optimizer.step([W, b], [np.zeros((2, 2)), np.zeros(2)])
    np.testing.assert_allclose(W, 3.0 * 0.95**10, rtol=1e-13)
    np.testing.assert_array_equal(b, 3.0)


def test_weight_decay_is_gradient_descent_on_the_l2_penalized_loss(central_difference):
    # g + lambda W is the gradient of L + (lambda / 2) sum_l ||W_l||^2 (biases not penalized)
    network = Network([3, 4, 2], "tanh", "sigmoid", rng=2)
    X = np.random.default_rng(3).normal(size=(5, 3))
    T = (X[:, 1:] > 0).astype(float)
    lam, eta = 0.3, 0.2

    def penalized(W_1):
        trial = network.copy()
        trial.layers[0].W[...] = W_1
        value = trial.loss_and_gradients(X, T, "cross_entropy")[0]
        return value + lam / 2 * sum(np.sum(layer.W**2) for layer in trial.layers)

    expected = network.layers[0].W - eta * central_difference(penalized, network.layers[0].W)
    optimizer = SGD(eta, weight_decay=lam)
    optimizer.step(network.parameters(), network.gradients(X, T, "cross_entropy").as_list())
    np.testing.assert_allclose(network.layers[0].W, expected, rtol=1e-7, atol=1e-9)


def test_clipping_sees_the_loss_gradient_and_the_decay_is_added_after(rng):
    W, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    grads = _pair(rng, 10.0)
    W_new, b_new = W.copy(), b.copy()
    SGD(1.0, clip_norm=1.0, weight_decay=0.25).step([W_new, b_new], grads)
    np.testing.assert_allclose(W_new, W - (0.1 * grads[0] + 0.25 * W), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(b_new, b - 0.1 * grads[1], rtol=1e-14, atol=1e-15)


def test_repr_shows_the_options_that_are_set():
    assert repr(SGD(0.5, clip_norm=1.0)) == "SGD(learning_rate=0.5, clip_norm=1)"
    assert repr(Momentum(0.5, 0.9, weight_decay=1e-4)) == \
        "Momentum(learning_rate=0.5, momentum=0.9, weight_decay=0.0001)"


@pytest.mark.parametrize("make", [SGD, Momentum])
@pytest.mark.parametrize("clip_norm", [0, -1.0, float("nan"), float("inf"), "1", True, [1.0]])
def test_bad_clip_norm_raises_naming_it(make, clip_norm):
    with pytest.raises(ValueError, match="clip_norm must"):
        make(0.1, clip_norm=clip_norm)


@pytest.mark.parametrize("make", [SGD, Momentum])
@pytest.mark.parametrize("weight_decay", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_weight_decay_raises_naming_it(make, weight_decay):
    with pytest.raises(ValueError, match="weight_decay must"):
        make(0.1, weight_decay=weight_decay)


@pytest.mark.parametrize("max_norm", [0.0, -2.0, float("nan"), None])
def test_clip_by_global_norm_refuses_a_bad_threshold(max_norm):
    with pytest.raises(ValueError, match="max_norm must"):
        clip_by_global_norm([np.ones(3)], max_norm)


def test_both_optimizers_have_one_signature_for_the_options():
    sgd = inspect.signature(SGD).parameters
    momentum = inspect.signature(Momentum).parameters
    for name, default in (("clip_norm", None), ("weight_decay", 0.0)):
        assert sgd[name].default == momentum[name].default == default
