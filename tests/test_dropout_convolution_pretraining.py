"""Lesson 08 (dropout, weight sharing, pre-training): the explorer's sums, and the checks'
references against minibp's layers and finite differences."""

import numpy as np
import pytest

from course.checks import dropout_convolution_pretraining as check
from course.explorers import dropout_convolution_pretraining as lesson
from minibp import Conv1D, Conv2D, Dropout, Network
from minibp.gradcheck import numerical_gradient, relative_error


def _example_layer():
    K = lesson.KERNEL.reshape(1, 1, -1)
    return Conv1D(K, np.zeros(1), len(lesson.A_PREV), "identity")


def test_the_explorers_sums_are_the_layers_gradients():
    layer = _example_layer()
    a_prev, delta = lesson.A_PREV.reshape(1, 1, -1), lesson.DELTA.reshape(1, 1, -1)
    dK, _ = layer.gradients(a_prev, delta)
    da_prev = layer.backward(a_prev, *layer.forward(a_prev), delta)
    for tap in range(len(lesson.KERNEL)):
        assert sum(a * d for _, a, d in lesson.kernel_gradient_terms(tap)) == dK[0, 0, tap]
    for pixel in range(len(lesson.A_PREV)):
        terms = lesson.input_gradient_terms(pixel)
        assert all(i + p == pixel for i, p, _, _ in terms)
        assert sum(d * k for _, _, d, k in terms) == da_prev[0, 0, pixel]


def test_the_lessons_example_by_hand():
    dK, db, da_prev = check._conv1d_gradients(check.EXAMPLE_A_PREV, check.EXAMPLE_K,
                                              check.EXAMPLE_DELTA)
    np.testing.assert_array_equal(dK.ravel(), [-1.0, 0.0, 7.0])
    np.testing.assert_array_equal(db, [2.0])
    np.testing.assert_array_equal(da_prev.ravel(), [1.0, -1.0, 0.0, 2.0, -4.0])


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_the_fixed_mask_reference_is_minibps_dropout(p):
    a = np.random.default_rng(1).normal(size=(4, 6))
    layer = Dropout(p, rng=3)
    z, _ = layer.forward(a, train=True)
    mask = (z != 0).astype(float)
    np.testing.assert_array_equal(check._dropout_forward(a, mask, p), z)
    grad = np.random.default_rng(2).normal(size=a.shape)
    np.testing.assert_array_equal(check._dropout_backward(grad, mask, p),
                                  layer.backward(a, z, z, grad))


@pytest.mark.parametrize("seed", range(3))
def test_the_conv1d_reference_agrees_with_finite_differences(seed):
    a_prev, K, delta = check._random_conv_case(np.random.default_rng(seed))
    dK, db, da_prev = check._conv1d_gradients(a_prev, K, delta)
    layer = Conv1D(K, np.zeros(K.shape[0]), a_prev.shape[2], "identity")
    x = a_prev.copy()

    def loss():  # the batch mean of sum(delta * z), whose dL/dz is delta / N
        return np.sum(delta * layer.forward(x)[0]) / len(x)

    assert relative_error(dK, numerical_gradient(loss, layer.K)) < 1e-7
    assert relative_error(db, numerical_gradient(loss, layer.b)) < 1e-7
    assert relative_error(da_prev / len(x), numerical_gradient(loss, x)) < 1e-7


def test_conv2d_backward_agrees_with_finite_differences():
    rng = np.random.default_rng(4)
    layer = Conv2D(rng.normal(size=(2, 2, 3, 2)), rng.normal(size=2), (5, 4), "identity")
    x = rng.normal(size=(2, 2, 5, 4))
    delta = rng.normal(size=(2, 2, 3, 3))

    def loss():
        return np.sum(delta * layer.forward(x)[0]) / len(x)

    dK, _ = layer.gradients(x, delta)
    assert relative_error(dK, numerical_gradient(loss, layer.K)) < 1e-7
    grad_x = layer.backward(x, *layer.forward(x), delta) / len(x)
    assert relative_error(grad_x, numerical_gradient(loss, x)) < 1e-7


def test_the_autoencoder_reference_agrees_with_finite_differences():
    X, W1, b1, W2, b2 = check._random_autoencoder_case(np.random.default_rng(5))
    grads = check._autoencoder_gradients(X, W1, b1, W2, b2)
    params = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]

    def loss():
        h = 1 / (1 + np.exp(-(X @ params[0] + params[1])))
        x_hat = 1 / (1 + np.exp(-(h @ params[2] + params[3])))
        return 0.5 * np.sum((x_hat - X) ** 2) / len(X)

    for g, w in zip(grads, params):
        assert relative_error(g, numerical_gradient(loss, w)) < 1e-7


def test_parameter_counts_are_the_layers_arrays():
    assert check._conv_parameter_count(1, 8, 3, 3) == 80
    assert check._dense_parameter_count(288, 10) == 2890
    assert sum(w.size for w in Network([64, 40, 10]).parameters()) == 3010
