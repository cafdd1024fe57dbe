"""Tests for minibp.losses: each output delta is the derivative of its loss; the power-error family."""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from minibp import losses
from minibp.activations import ACTIVATIONS, get_activation, sigmoid
from minibp.gradcheck import relative_error
from minibp.losses import (
    CrossEntropy,
    HebbianDescent,
    PowerError,
    SquaredError,
    get_loss,
    power_loss,
)

N, K = 6, 3
EPS = 1e-6


def make_batch(activation, targets, rng):
    """z (N, K) away from ReLU's kink, y = f(z), and targets of the requested kind."""
    z = rng.normal(0.0, 1.5, size=(N, K))
    z = np.where(np.abs(z) < 0.05, 0.3, z)
    if targets == "binary":
        t = rng.integers(0, 2, size=(N, K)).astype(float)
    elif targets == "probabilities":  # rows summing to 1
        t = rng.dirichlet(np.ones(K), size=N)
    elif targets == "unit":
        t = rng.uniform(0.0, 1.0, size=(N, K))
    else:
        t = rng.normal(0.0, 1.0, size=(N, K))
    return z, get_activation(activation)(z), t


def per_example_derivative(loss, z, t, activation):
    """d per_example_n / d z_nk by centred differences (row n only depends on z[n])."""
    f = get_activation(activation)
    grad = np.empty_like(z)
    for k in range(z.shape[1]):
        plus, minus = z.copy(), z.copy()
        plus[:, k] += EPS
        minus[:, k] -= EPS
        grad[:, k] = (loss.per_example(plus, f(plus), t, activation)
                      - loss.per_example(minus, f(minus), t, activation)) / (2 * EPS)
    return grad


CASES = (
    [(SquaredError(), act, "real") for act in ACTIVATIONS]
    + [(CrossEntropy(), "sigmoid", "unit"), (CrossEntropy(), "sigmoid", "binary"),
       (CrossEntropy(), "softmax", "probabilities")]
    + [(PowerError(q), "sigmoid", "binary") for q in (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)]
    + [(PowerError(q), "identity", "real") for q in (0.5, 2.0)]
    + [(HebbianDescent(), act, "unit") for act in ACTIVATIONS]
)


@pytest.mark.parametrize("loss, activation, targets", CASES,
                         ids=[f"{c[0]!r}-{c[1]}-{c[2]}" for c in CASES])
def test_output_delta_is_the_derivative_of_the_per_example_loss(loss, activation, targets, rng):
    z, y, t = make_batch(activation, targets, rng)
    delta = loss.output_delta(z, y, t, activation)
    assert delta.shape == (N, K)
    numeric = per_example_derivative(loss, z, t, activation)
    assert relative_error(delta, numeric) < 1e-7
    np.testing.assert_allclose(delta, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("loss, activation, targets", CASES,
                         ids=[f"{c[0]!r}-{c[1]}-{c[2]}" for c in CASES])
def test_value_is_the_mean_of_per_example(loss, activation, targets, rng):
    z, y, t = make_batch(activation, targets, rng)
    per_example = loss.per_example(z, y, t, activation)
    assert per_example.shape == (N,)
    value = loss.value(z, y, t, activation)
    assert isinstance(value, float)
    assert value == pytest.approx(np.mean(per_example), rel=1e-15)


def test_squared_error_known_value_and_delta():
    z = np.array([[0.0, 1.0]])
    y = np.array([[1.0, 3.0]])
    t = np.array([[0.0, 1.0]])
    assert SquaredError().value(z, y, t, "identity") == 0.5 * (1.0 + 4.0)
    np.testing.assert_array_equal(SquaredError().output_delta(z, y, t, "identity"), [[1.0, 2.0]])
    y = sigmoid(z)  # through sigmoid': (y - t) y (1 - y)
    np.testing.assert_allclose(SquaredError().output_delta(z, y, t, "sigmoid"),
                               (y - t) * y * (1 - y), rtol=1e-15)


def test_cross_entropy_equals_its_textbook_formulas(rng):
    z, y, t = make_batch("sigmoid", "unit", rng)
    textbook = -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y), axis=1)
    np.testing.assert_allclose(CrossEntropy().per_example(z, y, t, "sigmoid"), textbook, rtol=1e-12)
    z, y, t = make_batch("softmax", "probabilities", rng)
    textbook = -np.sum(t * np.log(y), axis=1)
    np.testing.assert_allclose(CrossEntropy().per_example(z, y, t, "softmax"), textbook, rtol=1e-12)


def test_cross_entropy_is_finite_for_saturated_outputs():
    z = np.array([[-800.0, 800.0]])
    y = sigmoid(z)  # exactly 0 and 1: ln y would be -inf
    t = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(CrossEntropy().per_example(z, y, t, "sigmoid"), [1600.0], rtol=1e-15)
    soft = get_activation("softmax")
    np.testing.assert_allclose(CrossEntropy().per_example(z, soft(z), t, "softmax"), [1600.0],
                               rtol=1e-15)


@pytest.mark.parametrize("activation, targets", [("sigmoid", "unit"), ("sigmoid", "binary"),
                                                 ("softmax", "probabilities")])
def test_hebbian_descent_is_cross_entropy_for_sigmoid_and_softmax(activation, targets, rng):
    z, y, t = make_batch(activation, targets, rng)
    hebbian, cross_entropy = HebbianDescent(), CrossEntropy()
    np.testing.assert_array_equal(hebbian.output_delta(z, y, t, activation),
                                  cross_entropy.output_delta(z, y, t, activation))
    if activation == "sigmoid":  # binary cross-entropy, written out independently
        expected = -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y), axis=1)
    else:
        expected = -np.sum(t * np.log(y), axis=1)
    np.testing.assert_allclose(hebbian.per_example(z, y, t, activation), expected, rtol=1e-12)
    assert hebbian.value(z, y, t, activation) == pytest.approx(
        cross_entropy.value(z, y, t, activation), rel=1e-13)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_hebbian_descent_delta_is_y_minus_t_for_any_output(activation, rng):
    z, y, t = make_batch(activation, "unit", rng)
    np.testing.assert_array_equal(HebbianDescent().output_delta(z, y, t, activation), y - t)


def test_hebbian_descent_for_identity_is_half_squared_error_minus_half_squared_target(rng):
    z, y, t = make_batch("identity", "real", rng)
    expected = 0.5 * np.sum((y - t) ** 2, axis=1) - 0.5 * np.sum(t**2, axis=1)
    np.testing.assert_allclose(HebbianDescent().per_example(z, y, t, "identity"), expected,
                               rtol=1e-12)


def test_power_error_with_q_one_is_cross_entropy_for_sigmoid(rng):
    z, y, t = make_batch("sigmoid", "binary", rng)
    power, cross_entropy = PowerError(q=1), CrossEntropy()
    np.testing.assert_allclose(power.output_delta(z, y, t, "sigmoid"),
                               cross_entropy.output_delta(z, y, t, "sigmoid"), rtol=0, atol=1e-16)
    np.testing.assert_allclose(power.per_example(z, y, t, "sigmoid"),
                               cross_entropy.per_example(z, y, t, "sigmoid"), rtol=1e-14)
    assert power.value(z, y, t, "sigmoid") == pytest.approx(
        cross_entropy.value(z, y, t, "sigmoid"), rel=1e-14)


@pytest.mark.parametrize("q", [0.5, 1.0, 2.0, 3.0])
def test_power_error_delta_is_signed_power_of_the_error(q):
    z = np.array([[0.2, -1.0, 3.0]])
    y = sigmoid(z)
    t = np.array([[1.0, 0.0, 1.0]])
    e = y - t
    np.testing.assert_allclose(PowerError(q).output_delta(z, y, t, "sigmoid"),
                               np.sign(e) * np.abs(e) ** q, rtol=1e-15)


def test_power_error_identity_value_known():
    z = np.array([[1.0, -2.0]])
    t = np.array([[0.0, 0.0]])
    assert PowerError(2).value(z, z, t, "identity") == pytest.approx((1 + 8) / 3, rel=1e-15)


# --- the power-loss family L_q(e) = int_0^e u^(q-1) / (1 - u) du ------------------------------

def closed_form_exact(e, q, s=None):
    """-ln(1 - e) - sum_{k<q} e^k / k for integer q, in 60-digit decimal arithmetic.

    With the logit ``s`` given, e = 1 / (1 + exp(-s)) is computed in decimal too, so the
    reference does not inherit the float64 rounding of e near 1.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        e = Decimal(float(e)) if s is None else 1 / (1 + (-Decimal(float(s))).exp())
        value = -(1 - e).ln() - sum(e**k / k for k in range(1, q))
        return float(value)


E_VALUES = [1e-3, 3e-3, 0.01, 0.1, 0.3, 0.5, 0.5 + 1e-9, 0.6, 0.9, 0.999, 1 - 1e-9]


@pytest.mark.parametrize("q", [1, 2, 3, 4])
@pytest.mark.parametrize("numerical", [True, False, None])
def test_power_loss_routes_match_the_closed_form_for_integer_q(q, numerical):
    e_wanted = np.array(E_VALUES)
    s = np.log(e_wanted) - np.log1p(-e_wanted)
    got = losses._power_loss_from_logit(s, q, numerical=numerical)
    expected = [closed_form_exact(None, q, s=x) for x in s]  # the function works from s
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_power_loss_numerical_route_matches_minibps_closed_form():
    e = np.array(E_VALUES)
    s = np.log(e) - np.log1p(-e)
    for q in (1, 2, 3, 4):
        np.testing.assert_allclose(losses._power_loss_from_logit(s, q, numerical=True),
                                   losses._power_loss_from_logit(s, q), rtol=1e-12, atol=0)


@pytest.mark.parametrize("q", [2, 3, 4])
def test_power_loss_of_tiny_errors_stays_positive_and_accurate(q):
    # The closed form -ln(1 - e) - e - ... cancels catastrophically for tiny e (it used to go
    # negative); the value must stay the leading term e^q / q of the series.
    e = np.array([1e-4, 1e-5, 1e-6, 1e-7])
    s = np.log(e) - np.log1p(-e)
    e = sigmoid(s)
    value = power_loss(e, q)
    assert np.all(value > 0)
    np.testing.assert_allclose(value, e**q / q * (1 + q / (q + 1) * e), rtol=1e-8)


def test_power_loss_closed_form_for_q_two():
    e = np.array([0.0, 0.05, 0.2, 0.5, 0.7, 0.9, 0.99])
    expected = [-math.log1p(-x) - x for x in e]
    np.testing.assert_allclose(power_loss(e, 2), expected, rtol=1e-12, atol=1e-300)
    assert power_loss(0.0, 2) == 0.0


def test_power_loss_with_q_one_is_binary_cross_entropy():
    e = np.array([0.01, 0.3, 0.8])
    np.testing.assert_allclose(power_loss(e, 1), -np.log1p(-e), rtol=1e-13)


@pytest.mark.parametrize("q", [0.25, 0.5, 1.5, 2.5])
def test_power_loss_non_integer_q_matches_quadrature(q):
    # An independent integral of u^(q-1) / (1 - u) on [0, e], by the substitution u = e v^(1/q)
    # (which removes the u^(q-1) singularity) and a fine midpoint rule.
    for e in (0.05, 0.4, 0.8):
        v = (np.arange(200000) + 0.5) / 200000
        u = e * v ** (1 / q)
        expected = np.mean(e**q / q / (1 - u))
        assert power_loss(e, q) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("q", [0.5, 1, 2, 3, 2.5])
def test_power_loss_near_e_equal_one_is_finite_and_large(q):
    value = power_loss(1 - 1e-12, q)
    assert np.isfinite(value) and value > 20.0
    # From the logit, e = sigmoid(40) is 1 in float64 and yet nothing is lost:
    # L_q = -ln(1 - e) - sum_{k<q} 1/k + O(e^-40) for integer q.
    if q == round(q):
        expected = 40.0 - sum(1 / k for k in range(1, int(q)))
        assert losses._power_loss_from_logit(40.0, q) == pytest.approx(expected, rel=1e-14)
        assert losses._power_loss_from_logit(40.0, q, numerical=True) == pytest.approx(
            expected, rel=1e-13)


def test_power_loss_is_increasing_in_e_and_zero_at_zero():
    e = np.linspace(0.0, 0.999, 500)
    for q in (0.5, 1.0, 2.0, 3.5):
        values = power_loss(e, q)
        assert values[0] == 0.0
        assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("e", [-0.1, 1.0, 1.5, np.nan])
def test_power_loss_rejects_errors_outside_zero_one(e):
    with pytest.raises(ValueError, match="e must hold absolute errors"):
        power_loss(e, 2)


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["tanh", "identity", "relu", "softsign"])
def test_cross_entropy_needs_a_sigmoid_or_softmax_output(activation, rng):
    z, y, t = make_batch(activation, "unit", rng)
    for method in ("output_delta", "per_example", "value"):
        with pytest.raises(ValueError, match=f"output activation, got '{activation}'"):
            getattr(CrossEntropy(), method)(z, y, t, activation)


def test_power_error_value_needs_binary_targets_for_sigmoid(rng):
    z, y, t = make_batch("sigmoid", "unit", rng)
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        PowerError(2).value(z, y, t, "sigmoid")


@pytest.mark.parametrize("activation", ["softmax", "tanh"])
def test_power_error_value_is_undefined_for_other_outputs(activation, rng):
    z, y, t = make_batch(activation, "binary", rng)
    with pytest.raises(ValueError, match=f"sigmoid or identity outputs, got '{activation}'"):
        PowerError(2).value(z, y, t, activation)
    assert PowerError(2).output_delta(z, y, t, activation).shape == (N, K)  # the signal works


@pytest.mark.parametrize("q", [0, -1, -0.5, float("nan"), float("inf"), "2", True])
def test_q_must_be_a_positive_number(q):
    with pytest.raises(ValueError, match="q must"):
        PowerError(q)
    with pytest.raises(ValueError, match="q must"):
        power_loss(0.5, q)


@pytest.mark.parametrize("loss", [SquaredError(), CrossEntropy(), PowerError(2), HebbianDescent()])
@pytest.mark.parametrize("method", ["output_delta", "per_example", "value"])
def test_nan_in_targets_raises_naming_the_targets(loss, method, rng):
    z, y, t = make_batch("sigmoid", "binary", rng)
    t[2, 1] = np.nan
    with pytest.raises(ValueError, match="targets contains 1 NaN"):
        getattr(loss, method)(z, y, t, "sigmoid")


@pytest.mark.parametrize("loss", [SquaredError(), CrossEntropy(), PowerError(2), HebbianDescent()])
def test_shape_mismatch_raises(loss, rng):
    z, y, t = make_batch("sigmoid", "binary", rng)
    with pytest.raises(ValueError, match="outputs y and targets must have the same shape"):
        loss.output_delta(z, y, t[:, :2], "sigmoid")
    with pytest.raises(ValueError, match="outputs y and targets must have the same shape"):
        loss.per_example(z, y, t[:4], "sigmoid")
    with pytest.raises(ValueError, match="net inputs z and outputs y must have the same shape"):
        loss.output_delta(z[:, :2], y, t, "sigmoid")


def test_a_single_example_may_be_a_vector():
    z = np.array([0.5, -0.5])
    y = sigmoid(z)
    t = np.array([1.0, 0.0])
    assert SquaredError().output_delta(z, y, t, "sigmoid").shape == (1, 2)
    assert CrossEntropy().per_example(z, y, t, "sigmoid").shape == (1,)


def test_get_loss():
    for name, cls in losses.LOSSES.items():
        assert isinstance(get_loss(name), cls) and get_loss(name).name == name
    custom = PowerError(q=2.5)
    assert get_loss(custom) is custom
    assert repr(custom) == "PowerError(q=2.5)"
    with pytest.raises(ValueError, match="unknown loss 'hinge'") as info:
        get_loss("hinge")
    for name in losses.LOSSES:
        assert name in str(info.value)
