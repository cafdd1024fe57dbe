"""Tests for minibp.noise: the NEM conditions, the annealed schedule, and noise inside fit."""

import numpy as np
import pytest

from minibp import noise
from minibp.activations import softmax
from minibp.losses import CrossEntropy
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import fit

KIND_SETUP = {  # kind -> (output activation, loss) it belongs to
    "classification": ("softmax", "cross_entropy"),
    "regression": ("identity", "squared_error"),
    "logistic": ("sigmoid", "cross_entropy"),
}


def problem(kind, n=24, seed=0):
    """A small network and data set of the given kind: (network, X, T)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if kind == "classification":
        T = np.eye(3)[rng.integers(0, 3, n)]
    elif kind == "regression":
        T = rng.normal(size=(n, 3))
    else:
        T = rng.integers(0, 2, size=(n, 3)).astype(float)
    network = Network([4, 5, 3], output_activation=KIND_SETUP[kind][0], rng=seed)
    return network, X, T


def outputs_for(kind, rng, shape):
    if kind == "classification":
        return softmax(rng.normal(size=shape))
    if kind == "regression":
        return rng.normal(size=shape)
    return 1 / (1 + np.exp(-rng.normal(size=shape)))


class Recorder:
    """Wraps a noise object and keeps every call's (T, Y, returned targets, variance)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def start_epoch(self, epoch):
        self.inner.start_epoch(epoch)

    def __call__(self, T, Y):
        out = self.inner(T, Y)
        self.calls.append((T.copy(), Y.copy(), out.copy(), self.inner.variance, self.inner.epoch))
        return out


# --- the schedule ----------------------------------------------------------------------------------

def test_annealed_variance_is_v0_over_k_to_the_tau():
    assert noise.annealed_variance(0.1, 1, 1) == pytest.approx(0.1)
    assert noise.annealed_variance(0.1, 1, 4) == pytest.approx(0.025)
    assert noise.annealed_variance(0.1, 2, 4) == pytest.approx(0.1 / 16)
    np.testing.assert_allclose(noise.annealed_variance(1.0, 0, np.arange(1, 6)), np.ones(5))
    np.testing.assert_allclose(noise.annealed_variance(2.0, 1.5, np.array([1, 4, 9])),
                               2.0 / np.array([1, 8, 27]))


@pytest.mark.parametrize("epoch", [0, -1, 1.5, np.array([1, 0])])
def test_annealed_variance_needs_epochs_from_one(epoch):
    with pytest.raises(ValueError, match="epoch"):
        noise.annealed_variance(0.1, 1, epoch)


@pytest.mark.parametrize("v0, tau, name", [(-1e-3, 1, "v0"), (0.1, -1, "tau"), (np.nan, 1, "v0")])
def test_annealed_variance_rejects_bad_numbers(v0, tau, name):
    with pytest.raises(ValueError, match=name):
        noise.annealed_variance(v0, tau, 1)


def test_draw_noise_has_the_promised_scale():
    n = noise.draw_noise((200_000,), 0.04, "gaussian", rng=0)
    assert n.std() == pytest.approx(0.2, rel=0.01)
    u = noise.draw_noise((200_000,), 0.04, "uniform", rng=0)
    assert u.min() >= -0.1 and u.max() < 0.1  # sqrt(v) (u - 1/2), the group's scaling
    assert u.var() == pytest.approx(0.04 / 12, rel=0.02)
    np.testing.assert_array_equal(noise.draw_noise((3, 2), 0.0, rng=1), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="distribution"):
        noise.draw_noise((2,), 0.1, "cauchy")
    with pytest.raises(ValueError, match="variance"):
        noise.draw_noise((2,), -0.1)


# --- the conditions ----------------------------------------------------------------------------------

def test_classification_condition_is_the_sign_of_n_dot_log_a():
    a = np.array([[0.7, 0.2, 0.1]])
    log_a = np.log(a[0])
    up = -log_a / np.linalg.norm(log_a)  # along -ln a: n . ln a < 0
    assert not noise.classification_condition(up[None, :], a)[0]
    assert noise.classification_condition(-up[None, :], a)[0]
    rng = np.random.default_rng(0)
    Y = softmax(rng.normal(size=(500, 4)))
    n = rng.normal(size=(500, 4))
    np.testing.assert_array_equal(noise.classification_condition(n, Y),
                                  np.sum(n * np.log(Y), axis=1) >= 0)


def test_classification_noise_and_its_negative_split_the_draws_in_half():
    """For symmetric noise exactly one of n and -n passes (unless n . ln a = 0): P = 1/2."""
    rng = np.random.default_rng(1)
    Y = softmax(rng.normal(size=(1000, 5)))
    n = rng.normal(size=(1000, 5))
    assert np.all(noise.classification_condition(n, Y) != noise.classification_condition(-n, Y))


def test_classification_condition_survives_underflowed_outputs():
    Y = np.array([[1.0, 0.0]])  # softmax output that underflowed
    assert noise.classification_condition(np.array([[0.1, -0.1]]), Y)[0]
    assert not noise.classification_condition(np.array([[0.1, 0.1]]), Y)[0]


def test_regression_condition_is_the_ball_around_a_minus_t():
    t = np.array([[1.0, 0.0]])
    a = np.array([[0.0, 1.0]])
    centre = a - t  # the ball: centre a - t, radius |a - t|
    for n, inside in [(0 * centre, True), (centre, True), (2 * centre, True),
                      (-0.01 * centre, False), (3 * centre, False),
                      (centre + np.array([[1.0, 1.0]]) / np.sqrt(2) * 1.4, True),
                      (centre + np.array([[1.0, 1.0]]) / np.sqrt(2) * 1.5, False)]:
        assert noise.regression_condition(n, t, a)[0] == inside, n
    rng = np.random.default_rng(2)
    T, Y, n = rng.normal(size=(300, 3)), rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    expected = np.linalg.norm(n - (Y - T), axis=1) <= np.linalg.norm(Y - T, axis=1)
    np.testing.assert_array_equal(noise.regression_condition(n, T, Y), expected)


def test_logistic_condition_uses_the_logit():
    rng = np.random.default_rng(3)
    Y = 1 / (1 + np.exp(-rng.normal(size=(400, 3))))
    n = rng.normal(size=(400, 3))
    expected = np.sum(n * np.log(Y / (1 - Y)), axis=1) >= 0
    np.testing.assert_array_equal(noise.logistic_condition(n, Y), expected)
    saturated = np.array([[1.0, 0.0]])  # logits +inf and -inf, clipped to finite
    assert noise.logistic_condition(np.array([[0.1, -0.1]]), saturated)[0]
    assert not noise.logistic_condition(np.array([[-0.1, 0.1]]), saturated)[0]


def test_nem_condition_dispatches_by_kind():
    rng = np.random.default_rng(4)
    T = np.eye(3)[[0, 1, 2, 1]]
    Y, n = softmax(rng.normal(size=(4, 3))), rng.normal(size=(4, 3))
    np.testing.assert_array_equal(noise.nem_condition("classification", n, T, Y),
                                  noise.classification_condition(n, Y))
    np.testing.assert_array_equal(noise.nem_condition("regression", n, T, Y),
                                  noise.regression_condition(n, T, Y))
    np.testing.assert_array_equal(noise.nem_condition("logistic", n, T, Y),
                                  noise.logistic_condition(n, Y))
    with pytest.raises(ValueError, match="kind"):
        noise.nem_condition("ranking", n, T, Y)


def test_conditions_give_clear_errors():
    with pytest.raises(ValueError, match="noise and outputs"):
        noise.classification_condition(np.zeros((2, 3)), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="targets and outputs"):
        noise.regression_condition(np.zeros((2, 3)), np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="outputs must be probabilities"):
        noise.classification_condition(np.zeros((1, 2)), np.array([[1.5, -0.5]]))
    with pytest.raises(ValueError, match="noise contains"):
        noise.logistic_condition(np.array([[np.nan, 0.0]]), np.array([[0.5, 0.5]]))


def test_nan_outputs_fail_the_test_instead_of_raising():
    assert not noise.classification_condition(np.ones((1, 2)), np.array([[np.nan, 0.5]]))[0]


# --- the cross-entropy error signal with noisy targets ----------------------------------------------

def test_cross_entropy_delta_with_noisy_targets_is_a_minus_t_plus_n():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(6, 4))
    a = softmax(z)
    t = np.eye(4)[rng.integers(0, 4, 6)]
    n = 0.3 * rng.normal(size=(6, 4))  # t + n is no longer a distribution
    delta = CrossEntropy().output_delta(z, a, t + n, "softmax")
    np.testing.assert_array_equal(delta, a - (t + n))
    np.testing.assert_allclose(delta, (a - t) - n, atol=1e-15)


# --- NEMNoise on its own -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", noise.KINDS)
@pytest.mark.parametrize("distribution", noise.DISTRIBUTIONS)
def test_noise_object_keeps_exactly_the_draws_that_pass(kind, distribution):
    rng = np.random.default_rng(6)
    T = np.eye(4)[rng.integers(0, 4, 50)] if kind != "regression" else rng.normal(size=(50, 4))
    Y = outputs_for(kind, rng, (50, 4))
    nem = noise.NEMNoise(kind, v0=0.5, tau=1, distribution=distribution, rng=11)
    blind = noise.NEMNoise(kind, v0=0.5, tau=1, distribution=distribution, blind=True, rng=11)
    twin = np.random.default_rng(11)  # the same stream, to know what was drawn
    for epoch in (1, 2, 3):
        nem.start_epoch(epoch)
        blind.start_epoch(epoch)
        drawn = noise.draw_noise(T.shape, 0.5 / epoch, distribution, twin)
        passed = noise.nem_condition(kind, drawn, T, Y)
        assert 0 < passed.sum() < len(passed)
        np.testing.assert_array_equal(nem(T, Y), T + drawn * passed[:, None])
        np.testing.assert_array_equal(blind(T, Y), T + drawn)  # the same draws, all kept
        assert nem.variance == pytest.approx(0.5 / epoch)
    np.testing.assert_array_equal(nem.accepted_fraction, blind.accepted_fraction)
    assert nem.accepted_fraction.shape == (3,)


def test_noise_object_validates_its_arguments():
    with pytest.raises(ValueError, match="kind"):
        noise.NEMNoise("clustering")
    with pytest.raises(ValueError, match="v0"):
        noise.NEMNoise(v0=-0.1)
    with pytest.raises(ValueError, match="tau"):
        noise.NEMNoise(tau=-1)
    with pytest.raises(ValueError, match="distribution"):
        noise.NEMNoise(distribution="laplace")
    with pytest.raises(ValueError, match="blind"):
        noise.NEMNoise(blind="yes")
    with pytest.raises(ValueError, match="rng"):
        noise.NEMNoise(rng="seed")
    nem = noise.NEMNoise()
    with pytest.raises(ValueError, match="epoch"):
        nem.start_epoch(0)
    with pytest.raises(ValueError, match="T and Y"):
        nem(np.zeros((2, 3)), np.full((2, 4), 0.25))
    assert "NEM" in repr(nem) and "blind" in repr(noise.NEMNoise(blind=True))


def test_noisy_targets_is_the_pure_version_of_the_object():
    rng = np.random.default_rng(7)
    T, Y = np.eye(3)[[0, 1, 2, 2, 0]], softmax(rng.normal(size=(5, 3)))
    nem = noise.NEMNoise("classification", v0=0.2, rng=3)
    drawn = noise.draw_noise(T.shape, 0.2, "gaussian", np.random.default_rng(3))
    np.testing.assert_array_equal(noise.noisy_targets("classification", T, Y, drawn), nem(T, Y))
    np.testing.assert_array_equal(noise.noisy_targets("classification", T, Y, drawn, blind=True),
                                  T + drawn)
    with pytest.raises(ValueError, match="T and noise"):
        noise.noisy_targets("classification", T, Y, drawn[:, :2])


# --- noise inside fit --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", noise.KINDS)
def test_every_accepted_sample_in_training_satisfies_its_condition(kind):
    network, X, T = problem(kind)
    recorder = Recorder(noise.NEMNoise(kind, v0=0.3, tau=1, rng=1))
    fit(network, X, T, loss=KIND_SETUP[kind][1], optimizer=SGD(0.1), epochs=4, batch_size=5,
        rng=0, target_noise=recorder)
    n_accepted = n_rejected = 0
    for T_b, Y_b, T_noisy, variance, epoch in recorder.calls:
        applied = T_noisy - T_b
        kept = np.any(applied != 0, axis=1)
        assert np.all(noise.nem_condition(kind, applied[kept], T_b[kept], Y_b[kept]))
        n_accepted += kept.sum()
        n_rejected += (~kept).sum()
        assert variance == pytest.approx(0.3 / epoch)
    assert n_accepted > 0 and n_rejected > 0
    assert len(recorder.calls) == 4 * 5  # 24 examples in batches of 5: 5 batches per epoch
    fractions = recorder.inner.accepted_fraction
    assert fractions.shape == (4,) and np.all((0 < fractions) & (fractions < 1))


@pytest.mark.parametrize("kind", noise.KINDS)
@pytest.mark.parametrize("blind", [False, True])
def test_zero_variance_trains_exactly_like_no_noise(kind, blind):
    network, X, T = problem(kind)
    twin = network.copy()
    loss = KIND_SETUP[kind][1]
    clean = fit(network, X, T, loss=loss, optimizer=SGD(0.2), epochs=5, batch_size=4, rng=3)
    noisy = fit(twin, X, T, loss=loss, optimizer=SGD(0.2), epochs=5, batch_size=4, rng=3,
                target_noise=noise.NEMNoise(kind, v0=0.0, blind=blind, rng=9))
    for p, q in zip(network.parameters(), twin.parameters()):
        assert np.array_equal(p, q)
    assert clean.loss == noisy.loss


def test_noise_does_not_touch_the_presentation_order():
    network, X, T = problem("classification")
    order_clean, order_noisy = np.random.default_rng(5), np.random.default_rng(5)
    fit(network.copy(), X, T, epochs=3, batch_size=4, rng=order_clean)
    fit(network.copy(), X, T, epochs=3, batch_size=4, rng=order_noisy,
        target_noise=noise.NEMNoise(v0=0.5, rng=1))
    assert order_clean.bit_generator.state == order_noisy.bit_generator.state


def test_history_reports_the_clean_loss():
    network, X, T = problem("classification")
    trained = network.copy()
    history = fit(trained, X, T, epochs=2, batch_size=6, rng=0,
                  target_noise=noise.NEMNoise(v0=0.5, rng=2))
    out = trained.forward(X)
    clean = CrossEntropy().value(out.z[-1], out.output, T, "softmax")
    assert history.loss[-1] == pytest.approx(clean, rel=1e-12)


def test_nem_noise_changes_training_and_blind_noise_differs_from_nem():
    network, X, T = problem("classification")
    runs = {}
    for name, blind in (("nem", False), ("blind", True)):
        net = network.copy()
        fit(net, X, T, optimizer=SGD(0.2), epochs=3, batch_size=4, rng=0,
            target_noise=noise.NEMNoise(v0=0.2, blind=blind, rng=4))
        runs[name] = net.layers[-1].W
    clean = network.copy()
    fit(clean, X, T, optimizer=SGD(0.2), epochs=3, batch_size=4, rng=0)
    assert not np.allclose(runs["nem"], clean.layers[-1].W)
    assert not np.allclose(runs["nem"], runs["blind"])
