"""Tests for minibp.gradcheck: centred differences, the relative error, and catching a wrong f'."""

import dataclasses

import numpy as np
import pytest

from minibp.activations import get_activation
from minibp.gradcheck import check_network_gradients, numerical_gradient, relative_error
from minibp.network import Dense, Network


def test_numerical_gradient_of_a_sum_of_squares_is_two_w(rng):
    w = rng.normal(size=(3, 4))
    before = w.copy()
    grad = numerical_gradient(lambda: np.sum(w**2), w)
    assert grad.shape == w.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * w, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(w, before)  # restored entry by entry


@pytest.mark.parametrize("f, df", [
    (lambda w: np.sum(np.sin(w)), np.cos),
    (lambda w: np.sum(np.exp(0.5 * w)), lambda w: 0.5 * np.exp(0.5 * w)),
    (lambda w: 3.0 * w[0] * w[1] + w[2], lambda w: np.array([3.0 * w[1], 3.0 * w[0], 1.0])),
])
def test_numerical_gradient_of_known_functions(f, df, rng):
    w = rng.normal(size=3)
    np.testing.assert_allclose(numerical_gradient(lambda: f(w), w), df(w), rtol=0, atol=1e-8)


def test_numerical_gradient_works_on_an_evenly_strided_view():
    w = np.arange(16.0).reshape(4, 4)
    every_other = w[:, ::2]  # one constant stride: a 1-D view exists, so it can be changed in place
    grad = numerical_gradient(lambda: np.sum(every_other**2), every_other)
    np.testing.assert_allclose(grad, 2 * every_other, rtol=0, atol=1e-7)


def test_numerical_gradient_error_is_second_order_in_eps():
    w = np.array([0.3])
    exact = np.exp(0.3)
    errors = [abs(numerical_gradient(lambda: np.exp(w[0]), w, eps)[0] - exact)
              for eps in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100.0, rel=0.01)  # O(eps^2), not O(eps)
    assert errors[0] == pytest.approx(exact * 1e-4 / 6, rel=0.01)  # f''' eps^2 / 6


def test_numerical_gradient_rejects_bad_arguments():
    w = np.zeros((4, 4))
    block = w[:, :2]  # a view that reshape(-1) must copy: changing the copy would change nothing
    with pytest.raises(ValueError, match="w must be a contiguous array"):
        numerical_gradient(lambda: np.sum(block**2), block)
    for eps, message in ((0.0, "eps must be >= 1e-10"), (1e-300, "eps must be >= 1e-10"),
                         (0.5, "eps must be <= 0.01")):
        with pytest.raises(ValueError, match=message):
            numerical_gradient(lambda: 0.0, w, eps=eps)


def test_relative_error(rng):
    a = rng.normal(size=(3, 2))
    assert relative_error(a, a.copy()) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0, rel=1e-15)
    assert relative_error([3.0, 4.0], [0.0, 0.0]) == pytest.approx(1.0, rel=1e-15)
    assert relative_error([1.0], [1.0 + 2e-8]) == pytest.approx(1e-8, rel=1e-6)
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        relative_error(np.zeros(3), np.zeros(4))


def small_problem(hidden):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    T = rng.integers(0, 2, size=(5, 2)).astype(float)
    return Network([3, 4, 2], activation=hidden, rng=0), X, T


def test_check_network_gradients_passes_correct_backprop():
    net, X, T = small_problem("tanh")
    report = check_network_gradients(net, X, T, "squared_error")
    assert [sorted(r) for r in report] == [["dW", "db", "layer"]] * 2
    assert [r["layer"] for r in report] == [1, 2]
    assert max(max(r["dW"], r["db"]) for r in report) < 1e-7


def test_check_network_gradients_detects_a_wrong_derivative():
    tanh = get_activation("tanh")
    broken = dataclasses.replace(tanh, derivative=lambda z, a=None: np.ones_like(z))
    net, X, T = small_problem(broken)
    assert net.layers[0].activation is broken
    np.testing.assert_array_equal(net.forward(X).a[1], tanh(net.forward(X).z[1]))  # f is right
    report = check_network_gradients(net, X, T, "squared_error")
    assert report[0]["dW"] > 1e-3 and report[0]["db"] > 1e-3  # the hidden layer is caught
    assert report[1]["dW"] < 1e-7 and report[1]["db"] < 1e-7  # the output layer is still right


def test_check_network_gradients_detects_a_transposed_weight_in_backward(monkeypatch):
    """A classic bug: delta_{l-1} = delta_l W_l (no transpose) on a square layer."""
    rng = np.random.default_rng(1)
    layers = [Dense(rng.normal(size=(3, 3)), rng.normal(size=3), "sigmoid"),
              Dense(rng.normal(size=(3, 3)), rng.normal(size=3), "sigmoid")]
    net = Network.from_layers(layers)
    X, T = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
    original = net.backward

    def transposed_backward(forward, output_delta):
        W2 = net.layers[1].W
        net.layers[1].W = W2.T.copy()  # backprop through W instead of W^T
        try:
            return original(forward, output_delta)
        finally:
            net.layers[1].W = W2

    monkeypatch.setattr(net, "backward", transposed_backward)
    report = check_network_gradients(net, X, T, "squared_error")
    assert report[0]["dW"] > 1e-3
