"""Plausible wrong answers to lesson 08's exercises; each must fail its check."""

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _conv1d(a_prev, K, delta, mean=True, flip=True, bias_per_position=False, loop_batch=False):
    N, C_in, n = a_prev.shape
    C_out, _, k = K.shape
    m = n - k + 1
    dK = np.zeros_like(K)
    for p in range(k):
        if loop_batch:  # only the first example
            dK[:, :, p] = delta[0] @ a_prev[0, :, p:p + m].T
        else:
            dK[:, :, p] = np.einsum("nci,noi->oc", a_prev[:, :, p:p + m], delta)
    db = delta.mean(axis=2).sum(axis=0) if bias_per_position else delta.sum(axis=(0, 2))
    if mean:
        dK, db = dK / N, db / N
    da = np.zeros_like(a_prev)
    for i in range(m):
        for p in range(k):
            tap = p if flip else k - 1 - p
            da[:, :, i + p] += delta[:, :, i] @ K[:, :, tap]
    return dK, db, da


def _conv1d_without_flip_by_correlation(a_prev, K, delta):
    dK, db, _ = _conv1d(a_prev, K, delta)
    k = K.shape[2]
    padded = np.pad(delta, [(0, 0), (0, 0), (k - 1, k - 1)])
    da = np.zeros_like(a_prev)
    for x in range(a_prev.shape[2]):  # correlation with the kernel as it is, not flipped
        da[:, :, x] = np.einsum("nop,ocp->nc", padded[:, :, x:x + k], K)
    return dK, db, da


def _autoencoder(X, W1, b1, W2, b2, output_slope=True, hidden_slope=True, mean=True,
                 target_zero=False):
    N = X.shape[0] if mean else 1
    h = _sigmoid(X @ W1 + b1)
    x_hat = _sigmoid(h @ W2 + b2)
    target = 0.0 if target_zero else X
    delta2 = (x_hat - target) * (x_hat * (1 - x_hat) if output_slope else 1.0)
    delta1 = (delta2 @ W2.T) * (h * (1 - h) if hidden_slope else 1.0)
    return X.T @ delta1 / N, delta1.sum(axis=0) / N, h.T @ delta2 / N, delta2.sum(axis=0) / N


WRONG_ANSWERS = {
    "dropout_forward": [
        lambda a, mask, p: a * mask,  # no scaling
        lambda a, mask, p: a * mask * (1 - p),  # the old test-time scaling, in training
        lambda a, mask, p: a / (1 - p),  # the mask forgotten
        lambda a, mask, p: a * (1 - mask) / (1 - p),  # the mask read the wrong way round
    ],
    "dropout_backward": [
        lambda grad, mask, p: grad,  # straight through
        lambda grad, mask, p: grad * mask,  # the scaling forgotten on the way back
        lambda grad, mask, p: grad * mask * (1 - p),
        lambda grad, mask, p: grad / (1 - p),
    ],
    "conv_parameter_count": [
        lambda C_in, C_out, kh, kw: C_in * C_out * kh * kw,  # no biases
        lambda C_in, C_out, kh, kw: C_out * kh * kw + C_out,  # one input channel assumed
        lambda C_in, C_out, kh, kw: C_in * C_out * kh * kw + C_in * C_out,  # a bias per kernel
        lambda C_in, C_out, kh, kw: C_out * (C_in * kh * kw + 1) * 36,  # a kernel per position
    ],
    "dense_parameter_count": [
        lambda n_in, n_out: n_in * n_out,
        lambda n_in, n_out: n_in * n_out + n_in,
        lambda n_in, n_out: (n_in + 1) * (n_out + 1),
    ],
    "conv1d_gradients": [
        lambda a, K, d: _conv1d(a, K, d, mean=False),  # dK, db summed, not averaged
        lambda a, K, d: _conv1d(a, K, d, flip=False),
        _conv1d_without_flip_by_correlation,  # the full correlation without the flip
        lambda a, K, d: _conv1d(a, K, d, bias_per_position=True),  # db averaged over positions
        lambda a, K, d: _conv1d(a, K, d, loop_batch=True),  # the batch sum forgotten
    ],
    "autoencoder_gradients": [
        lambda *c: _autoencoder(*c, output_slope=False),
        lambda *c: _autoencoder(*c, hidden_slope=False),
        lambda *c: _autoencoder(*c, mean=False),
        lambda *c: _autoencoder(*c, target_zero=True),  # the target x forgotten
        lambda *c: tuple(-g for g in _autoencoder(*c)),  # sign
    ],
}
