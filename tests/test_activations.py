"""Tests for minibp.activations: every f' against finite differences, softmax's vjp, potentials."""

import dataclasses
import warnings

import numpy as np
import pytest

from minibp import activations
from minibp.activations import ACTIVATIONS, get_activation
from minibp.gradcheck import relative_error

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.elementwise]
EPS = 1e-6


def test_the_registry_holds_the_documented_activations():
    assert set(ACTIVATIONS) == {
        "identity", "sigmoid", "tanh", "softsign", "relu", "leaky_relu", "softmax"
    }
    assert ELEMENTWISE == [n for n in ACTIVATIONS if n != "softmax"]
    assert not ACTIVATIONS["softmax"].elementwise and ACTIVATIONS["softmax"].derivative is None


def sample_z(rng):
    """Moderate and large |z| (up to 1000), kept away from ReLU's kink at 0."""
    z = np.concatenate([
        rng.normal(0.0, 3.0, size=300),
        rng.uniform(-60.0, 60.0, size=200),
        [-1000.0, -300.0, -40.0, 40.0, 300.0, 1000.0],
    ])
    return z[np.abs(z) > 1e-3]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_centred_differences(name, rng):
    act = get_activation(name)
    z = sample_z(rng)
    numeric = (act(z + EPS) - act(z - EPS)) / (2 * EPS)
    for analytic in (act.derivative(z), act.derivative(z, act(z))):
        assert analytic.shape == z.shape and np.all(np.isfinite(analytic))
        assert relative_error(analytic, numeric) < 1e-7
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_vjp_of_an_elementwise_activation_is_grad_times_derivative(name, rng):
    act = get_activation(name)
    z = rng.normal(0.0, 2.0, size=(4, 3))
    grad_a = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(act.vjp(z, act(z), grad_a), grad_a * act.derivative(z))


@pytest.mark.parametrize("shift", [0.0, 500.0, -800.0])
def test_softmax_vjp_matches_a_finite_difference_jacobian(shift, rng):
    act = get_activation("softmax")
    z = rng.normal(0.0, 2.0, size=(3, 4)) + shift  # softmax ignores a common shift; no overflow
    a = act(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    grad_a = rng.normal(size=(3, 4))
    expected = np.empty_like(z)
    for n in range(z.shape[0]):
        jacobian = np.empty((4, 4))  # jacobian[i, j] = d a_i / d z_j
        for j in range(4):
            step = np.zeros(4)
            step[j] = EPS
            jacobian[:, j] = (act(z[n] + step) - act(z[n] - step)) / (2 * EPS)
        expected[n] = grad_a[n] @ jacobian
    vjp = act.vjp(z, a, grad_a)
    assert relative_error(vjp, expected) < 1e-7
    np.testing.assert_allclose(vjp, activations.softmax_vjp(z, a, grad_a), rtol=0, atol=0)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_potential_gradient_is_the_activation(name, rng, central_difference):
    act = get_activation(name)
    z = rng.normal(0.0, 3.0, size=(6, 4))
    # Large |z| too (the potentials must neither overflow nor lose the slope there).
    # (Each in a row of large values: a row's potential is about z^2, and its rounding error
    # would swamp the finite difference of a small entry in the same row.)
    z[0] = [-700.0, 700.0, -50.0, 50.0]
    z[1] = [300.0, -300.0, 40.0, -40.0]
    z = np.where(np.abs(z) < 1e-3, 0.1, z)
    potential = act.potential(z)
    assert potential.shape == (6,) and np.all(np.isfinite(potential))
    # One row at a time: the potential is a sum over one row only.
    numeric = np.vstack([central_difference(lambda w: act.potential(w[None, :])[0], row, 1e-4) for row in z])
    assert relative_error(numeric, act(z)) < 1e-7
    np.testing.assert_allclose(numeric, act(z), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, z, expected", [
    ("identity", [[3.0, -4.0]], [12.5]),
    ("sigmoid", [[0.0, 0.0]], [2 * np.log(2.0)]),
    ("tanh", [[0.0, 1000.0]], [1000.0 - np.log(2.0)]),
    ("softsign", [[-1.0, 0.0]], [1.0 - np.log(2.0)]),
    ("relu", [[-3.0, 4.0]], [8.0]),
    ("leaky_relu", [[-10.0, 2.0]], [0.5 * 0.01 * 100.0 + 2.0]),
    ("softmax", [[0.0, 0.0, 0.0]], [np.log(3.0)]),
])
def test_potential_known_values(name, z, expected):
    np.testing.assert_allclose(get_activation(name).potential(np.array(z)), expected, rtol=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softsign", "softmax"])
def test_extreme_inputs_give_no_overflow_and_no_warning(name):
    act = get_activation(name)
    z = np.array([[-1000.0, 1000.0], [1000.0, -1000.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        a = act(z)
        act.potential(z)
        if act.elementwise:
            act.derivative(z)
            act.derivative(z, a)
    assert np.all(np.isfinite(a))
    if name == "sigmoid":
        np.testing.assert_array_equal(a, [[0.0, 1.0], [1.0, 0.0]])
        np.testing.assert_array_equal(act.derivative(z), 0.0)


def test_sigmoid_known_values():
    sigmoid = get_activation("sigmoid")
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)
    assert sigmoid(0.0) == 0.5


def test_sigmoid_derivative_is_at_most_a_quarter_with_its_maximum_at_zero():
    z = np.linspace(-20.0, 20.0, 40001)  # contains z = 0 exactly
    d = activations.sigmoid_derivative(z)
    assert d.max() <= 0.25
    assert z[np.argmax(d)] == 0.0
    assert activations.sigmoid_derivative(0.0) == 0.25
    assert np.all(d[z != 0] < 0.25)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_max_derivative_is_the_true_maximum(name):
    act = get_activation(name)
    z = np.linspace(-30.0, 30.0, 60001)
    d = act.derivative(z)
    assert d.max() == pytest.approx(act.max_derivative, rel=1e-12)  # attained ...
    assert np.all(d <= act.max_derivative * (1 + 1e-15))  # ... and never exceeded


def test_softmax_max_derivative_is_the_largest_jacobian_diagonal(rng):
    softmax = get_activation("softmax")
    z = rng.normal(0.0, 3.0, size=(2000, 4))
    a = softmax(z)
    # The diagonal of diag(a) - a a^T, through the vjp with unit vectors.
    unit = [np.broadcast_to(np.eye(4)[j], z.shape) for j in range(4)]
    diagonal = np.stack([softmax.vjp(z, a, unit[j])[:, j] for j in range(4)], axis=1)
    np.testing.assert_allclose(diagonal, a * (1 - a), rtol=1e-14)
    assert diagonal.max() <= softmax.max_derivative
    attained = softmax.vjp(np.zeros((1, 2)), softmax(np.zeros((1, 2))), np.array([[1.0, 0.0]]))
    assert attained[0, 0] == softmax.max_derivative == 0.25


@pytest.mark.parametrize("name, z, expected", [
    ("relu", [-2.0, 0.0, 3.0], [0.0, 0.0, 1.0]),
    ("leaky_relu", [-2.0, 0.0, 3.0], [0.01, 0.01, 1.0]),
    ("identity", [-2.0, 0.0, 3.0], [1.0, 1.0, 1.0]),
    ("tanh", [0.0], [1.0]),
    ("softsign", [0.0, 1.0], [1.0, 0.25]),
])
def test_derivative_known_values(name, z, expected):
    d = get_activation(name).derivative(np.array(z))
    assert d.dtype == np.float64
    np.testing.assert_array_equal(d, expected)


def test_get_activation_passes_an_activation_through():
    custom = dataclasses.replace(get_activation("tanh"), name="my_tanh")
    assert get_activation(custom) is custom
    assert get_activation("relu") is ACTIVATIONS["relu"]


def test_get_activation_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="activation 'swish'") as info:
        get_activation("swish")
    for name in ACTIVATIONS:
        assert name in str(info.value)
