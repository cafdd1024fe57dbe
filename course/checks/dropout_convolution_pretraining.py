"""Checks for lesson 08, dropout, weight sharing and pre-training: one function per exercise.

The references are minibp's own layers: ``Dropout`` (run with the exercise's fixed mask
instead of a random one), ``Conv1D`` (its ``gradients`` and ``backward``) and a ``Network``
of two sigmoid ``Dense`` layers trained as an autoencoder with ``SquaredError``. Cases start
with the lesson's numbers (the 1-D example a_prev = [1, 2, 0, -1, 3], K = [1, 0, -2],
delta = [1, -1, 2]), then random ones.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_
from minibp.layers import Conv1D, Dropout
from minibp.network import Dense, Network

from . import cases_with, check_function

# The lesson's 1-D example: one example, one channel in and out, a kernel of 3 taps.
EXAMPLE_A_PREV = np.array([[[1.0, 2.0, 0.0, -1.0, 3.0]]])  # (N, C_in, n) = (1, 1, 5)
EXAMPLE_K = np.array([[[1.0, 0.0, -2.0]]])  # (C_out, C_in, k) = (1, 1, 3)
EXAMPLE_DELTA = np.array([[[1.0, -1.0, 2.0]]])  # (N, C_out, n - k + 1) = (1, 1, 3)


class _FixedMask:
    """Stands in for Dropout's generator: u = 1 where the mask keeps a unit, 0 where it drops
    it, so ``u >= p`` is the mask for every 0 < p < 1."""

    def __init__(self, mask):
        self.mask = np.asarray(mask, dtype=np.float64)

    def random(self, shape):
        return self.mask.reshape(shape)


def _dropout_layer(mask, p):
    layer = Dropout(p)
    layer.rng = _FixedMask(mask)
    return layer


def _random_mask_case(rng):
    shape = tuple(int(s) for s in rng.integers(1, 6, size=2))
    p = float(rng.choice([0.1, 0.2, 0.25, 0.5, 0.8]))
    mask = (rng.random(shape) >= p).astype(np.float64)
    return rng.normal(size=shape), mask, p


_DROPOUT_FIRST = [
    (np.array([[0.5, -1.0, 2.0, 0.25]]), np.array([[1.0, 0.0, 1.0, 1.0]]), 0.5),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 1.0], [0.0, 1.0]]), 0.2),
]


# --- exercise 1: dropout's forward pass in training --------------------------------------
def _dropout_forward(a, mask, p):
    return _dropout_layer(mask, p).forward(a, train=True)[1]


def dropout_forward(fn):
    """Check ``fn(a, mask, p) -> z``: inverted dropout with a given 0/1 keep-mask."""
    check_function(
        "dropout_forward", fn, _dropout_forward,
        cases_with(_DROPOUT_FIRST, _random_mask_case),
        mistakes=[
            (lambda a, m, p: a * m, N_("the kept units must be scaled up, so that the expected "
             "output equals a (evaluation then needs no change).")),
            (lambda a, m, p: a * m * (1 - p), N_("scaling by the keep probability is what the "
             "original dropout did at test time; inverted dropout scales the other way, in "
             "training.")),
            (lambda a, m, p: a * (1 - m) / (1 - p), N_("mask = 1 means the unit is kept.")),
            (lambda a, m, p: a / (1 - p), N_("a dropped unit outputs 0: the mask multiplies too.")),
        ],
    )


# --- exercise 2: dropout's backward pass --------------------------------------------------
def _dropout_backward(grad_a, mask, p):
    layer = _dropout_layer(mask, p)
    z, a = layer.forward(np.ones_like(grad_a), train=True)
    return layer.backward(np.ones_like(grad_a), z, a, grad_a)


def dropout_backward(fn):
    """Check ``fn(grad_z, mask, p) -> grad_a``: the gradient through inverted dropout."""
    check_function(
        "dropout_backward", fn, _dropout_backward,
        cases_with(_DROPOUT_FIRST, _random_mask_case),
        mistakes=[
            (lambda g, m, p: g, N_("a dropped unit did not take part in the forward pass: no "
             "gradient may flow back through it.")),
            (lambda g, m, p: g * m, N_("the forward pass multiplied by more than the 0/1 mask; "
             "the local gradient of a multiply node is the whole factor.")),
            (lambda g, m, p: g * m * (1 - p), N_("the factor on the way back is the same as on "
             "the way forward.")),
        ],
    )


# --- exercise 3: parameter counts ---------------------------------------------------------
def _conv_parameter_count(C_in, C_out, kh, kw):
    from minibp.layers import Conv2D

    layer = Conv2D(np.zeros((C_out, C_in, kh, kw)), np.zeros(C_out), (kh, kw))
    return sum(p.size for p in layer.parameters())


def _dense_parameter_count(n_in, n_out):
    return sum(p.size for p in Dense(np.zeros((n_in, n_out)), np.zeros(n_out)).parameters())


def _random_sizes(rng, n):
    return tuple(int(v) for v in rng.integers(1, 17, size=n))


def conv_parameter_count(fn):
    """Check ``fn(C_in, C_out, kh, kw) -> int``: a 2-D convolution's weights and biases."""
    check_function(
        "conv_parameter_count", fn, _conv_parameter_count,
        cases_with([(1, 8, 3, 3), (8, 16, 3, 3), (3, 4, 5, 2)], lambda rng: _random_sizes(rng, 4)),
        mistakes=[
            (lambda ci, co, kh, kw: ci * co * kh * kw, N_("each output channel has a bias too.")),
            (lambda ci, co, kh, kw: co * kh * kw + co, N_("each output channel has one kh x kw "
             "kernel per input channel.")),
            (lambda ci, co, kh, kw: ci * co * kh * kw + ci * co, N_("one bias per output channel, "
             "shared by all its positions.")),
        ],
    )


def dense_parameter_count(fn):
    """Check ``fn(n_in, n_out) -> int``: a Dense layer's weights and biases."""
    check_function(
        "dense_parameter_count", fn, _dense_parameter_count,
        cases_with([(64, 40), (288, 10), (1, 1)], lambda rng: _random_sizes(rng, 2)),
        mistakes=[
            (lambda n_in, n_out: n_in * n_out, N_("each unit of the layer has a bias too.")),
            (lambda n_in, n_out: n_in * n_out + n_in, N_("the biases belong to the layer's own "
             "units, not to its inputs.")),
            (lambda n_in, n_out: (n_in + 1) * (n_out + 1), N_("count the arrays W and b: "
             "their shapes say it.")),
        ],
    )


# --- exercise 4: the three gradients of a 1-D convolution --------------------------------
def _conv1d_gradients(a_prev, K, delta):
    layer = Conv1D(K, np.zeros(K.shape[0]), a_prev.shape[2], "identity")
    z, a = layer.forward(a_prev)
    dK, db = layer.gradients(a_prev, delta)
    return dK, db, layer.backward(a_prev, z, a, delta)


def _random_conv_case(rng):
    N, C_in, C_out, k = (int(v) for v in rng.integers(1, 4, size=4))
    n = k + int(rng.integers(0, 5))
    return (rng.normal(size=(N, C_in, n)), rng.normal(size=(C_out, C_in, k)),
            rng.normal(size=(N, C_out, n - k + 1)))


def _conv_wrong(a_prev, K, delta, per_example=False, flip=True, bias_per_position=False):
    N, C_in, n = a_prev.shape
    C_out, _, k = K.shape
    m = n - k + 1
    dK = np.zeros_like(K)
    for p in range(k):
        dK[:, :, p] = np.einsum("nci,noi->oc", a_prev[:, :, p:p + m], delta)
    db = delta.sum(axis=(0, 2)) if not bias_per_position else delta.sum(axis=0).mean(axis=1)
    if not per_example:
        dK, db = dK / N, db / N
    da = np.zeros_like(a_prev)
    for i in range(m):
        for p in range(k):
            tap = p if flip else k - 1 - p
            da[:, :, i + p] += np.einsum("no,oc->nc", delta[:, :, i], K[:, :, tap])
    return dK, db, da


def conv1d_gradients(fn):
    """Check ``fn(a_prev, K, delta) -> (dK, db, da_prev)`` for a valid, stride-1 Conv1D."""
    check_function(
        "conv1d_gradients", fn, _conv1d_gradients,
        cases_with([(EXAMPLE_A_PREV, EXAMPLE_K, EXAMPLE_DELTA)], _random_conv_case),
        mistakes=[
            (lambda a, K, d: _conv_wrong(a, K, d, per_example=True), N_("dK and db are the mean "
             "over the batch, as for a Dense layer; da_prev stays per example.")),
            (lambda a, K, d: _conv_wrong(a, K, d, flip=False), N_("check which kernel tap "
             "connects input x to position i: look at the forward sum's index i + p.")),
            (lambda a, K, d: _conv_wrong(a, K, d, bias_per_position=True), N_("the bias is "
             "added at every position: its gradient collects every position's delta.")),
        ],
    )


# --- exercise 5: an autoencoder's reconstruction gradients -------------------------------
def _autoencoder_gradients(X, W1, b1, W2, b2):
    net = Network.from_layers([Dense(W1, b1, "sigmoid"), Dense(W2, b2, "sigmoid")])
    _, grads = net.loss_and_gradients(X, X, "squared_error")
    return grads.dW[1], grads.db[1], grads.dW[2], grads.db[2]


def _random_autoencoder_case(rng):
    N, n, h = int(rng.integers(1, 6)), int(rng.integers(2, 7)), int(rng.integers(1, 5))
    return (rng.random((N, n)), rng.normal(size=(n, h)), rng.normal(size=h) * 0.5,
            rng.normal(size=(h, n)), rng.normal(size=n) * 0.5)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _autoencoder_wrong(X, W1, b1, W2, b2, output_slope=True, hidden_slope=True, mean=True,
                       sign=1.0, target=None):
    N = X.shape[0] if mean else 1
    h = _sigmoid(X @ W1 + b1)
    x_hat = _sigmoid(h @ W2 + b2)
    error = x_hat - (X if target is None else target)
    delta2 = sign * error * (x_hat * (1 - x_hat) if output_slope else 1.0)
    delta1 = (delta2 @ W2.T) * (h * (1 - h) if hidden_slope else 1.0)
    return X.T @ delta1 / N, delta1.sum(axis=0) / N, h.T @ delta2 / N, delta2.sum(axis=0) / N


_AE_FIRST = [(np.array([[1.0, 0.0, 0.5]]), np.array([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]),
              np.array([-0.4, 0.2]), np.array([[0.3, -0.2, 0.1], [0.5, 0.4, -0.6]]),
              np.array([0.1, 0.0, -0.1]))]


def autoencoder_gradients(fn):
    """Check ``fn(X, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` for L = mean of 1/2 ||x_hat - x||^2."""
    check_function(
        "autoencoder_gradients", fn, _autoencoder_gradients,
        cases_with(_AE_FIRST, _random_autoencoder_case),
        mistakes=[
            (lambda *c: _autoencoder_wrong(*c, output_slope=False), N_("the decoder's units are "
             "sigmoids: delta at the output needs their slope.")),
            (lambda *c: _autoencoder_wrong(*c, hidden_slope=False), N_("on the way down, the "
             "hidden layer's slope multiplies too.")),
            (lambda *c: _autoencoder_wrong(*c, mean=False), N_("the loss is the mean over the "
             "batch's rows.")),
            (lambda *c: _autoencoder_wrong(*c, target=0.0), N_("the reconstruction is compared "
             "with the input x itself.")),
            (lambda *c: _autoencoder_wrong(*c, sign=-1.0), N_("check the sign: a gradient points "
             "uphill, where the reconstruction error grows.")),
        ],
    )
