"""Plausible wrong answers to lesson 09's exercises; each must fail its check."""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _cross_entropy(e):
    return -np.log(1 - e)


def _closed_form(e, q, last):
    """-ln(1 - e) - sum_{k=1}^{last} e^k / k: the right answer when last = q - 1."""
    return -np.log(1 - e) - sum(e**k / k for k in range(1, last + 1))


def _series(e, q, terms=200):
    """L_q(e) = sum_k e^(q+k) / (q+k), written out: used by the wrong answers below."""
    k = np.arange(terms)
    return np.sum(np.asarray(e)[..., None] ** (q + k) / (q + k), axis=-1)


WRONG_ANSWERS = {
    "power_error_signal": [
        lambda y, t, q: np.abs(y - t) ** q,  # the sign dropped
        lambda y, t, q: np.sign(t - y) * np.abs(t - y) ** q,  # the textbook's Err sign
        lambda y, t, q: (y - t) ** q,  # NaN for negative errors and non-integer q
        lambda y, t, q: np.sign(y - t) * np.abs(y - t) ** (q - 1),  # dL/dy's power
    ],
    "power_loss_q2": [
        _cross_entropy,  # the q = 1 loss
        lambda e: -np.log(1 - e) + e,  # sign of the series term
        lambda e: e**2 / 2,  # only the first term of the series
    ],
    "power_loss_integer": [
        lambda e, q: _closed_form(e, q, q),  # one term too many
        lambda e, q: _closed_form(e, q, q - 2),  # one term too few
        lambda e, q: -np.log(1 - e) - sum(e**k for k in range(1, q)),  # e^k without the 1/k
    ],
    "loss_slope": [
        # the one-sided difference
        lambda z, q, eps: (_series(_sigmoid(z + eps), q) - _series(_sigmoid(z), q)) / eps,
        # divided by eps instead of 2 eps
        lambda z, q, eps: (_series(_sigmoid(z + eps), q) - _series(_sigmoid(z - eps), q)) / eps,
        # the formula instead of the finite difference
        lambda z, q, eps: _sigmoid(z) ** q,
        # e = z instead of e = sigmoid(z) (only meaningful for 0 <= z < 1; NaN elsewhere)
        lambda z, q, eps: (_series(z + eps, q) - _series(z - eps, q)) / (2 * eps),
    ],
    "gradient_to_loss_ratio": [
        lambda e, q: _series(e, q) / e**q,  # upside down
        lambda e, q: e**q / _cross_entropy(e),  # always cross-entropy in the denominator
        lambda e, q: e ** (q - 1) / (1 - e) / _series(e, q),  # dL/de instead of dL/dz
    ],
    "epochs_to_accuracy": [
        # strictly greater: misses a curve that hits the target exactly
        lambda a, t: next((i for i, v in enumerate(a) if v > t), np.inf),
        # counts from 1
        lambda a, t: next((i + 1 for i, v in enumerate(a) if v >= t), np.inf),
        # argmax without the never-reached case
        lambda a, t: int(np.argmax(np.asarray(a) >= t)),
        # the last epoch below the target
        lambda a, t: next((i - 1 for i, v in enumerate(a) if v >= t), np.inf),
    ],
}


def _backprop(W1, b1, W2, b2, X, T, q, output=None, hidden=None, mean=True):
    """The power-error backward pass of a sigmoid network, with one step done wrong."""
    a1 = _sigmoid(X @ W1 + b1)
    y = _sigmoid(a1 @ W2 + b2)
    delta2 = np.sign(y - T) * np.abs(y - T) ** q if output is None else output(y, T, q)
    back = delta2 @ W2.T
    delta1 = back * a1 * (1 - a1) if hidden is None else hidden(back, a1, q)
    N = X.shape[0] if mean else 1
    return X.T @ delta1 / N, delta1.sum(axis=0) / N, a1.T @ delta2 / N, delta2.sum(axis=0) / N


WRONG_ANSWERS["power_error_gradients"] = [
    # the sign forgotten at the output
    lambda *c: _backprop(*c, output=lambda y, t, q: np.abs(y - t) ** q),
    # |y - t|^q times f' at the output, as if it were dL/dy
    lambda *c: _backprop(*c, output=lambda y, t, q: np.sign(y - t) * np.abs(y - t) ** q
                         * y * (1 - y)),
    # the power applied to the hidden deltas too
    lambda *c: _backprop(*c, hidden=lambda back, a1, q: np.sign(back) * np.abs(back) ** q
                         * a1 * (1 - a1)),
    # sums over the batch, not means
    lambda *c: _backprop(*c, mean=False),
    # the hidden f' forgotten
    lambda *c: _backprop(*c, hidden=lambda back, a1, q: back),
    # plain y - t (cross-entropy), q ignored
    lambda *c: _backprop(*c, output=lambda y, t, q: y - t),
]
