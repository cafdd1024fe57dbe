"""Plausible wrong answers to lesson 03's exercises; each must fail its check."""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _forward(X, W, b, output_sigmoid=True, bias=True):
    a = [X]
    for l in range(1, len(W)):
        z = a[-1] @ W[l] + (b[l] if bias else 0)
        a.append(_sigmoid(z) if (output_sigmoid or l < len(W) - 1) else z)
    return a


def _deltas(a, W, delta_L, fprime=True, transposed=False, start_with_none=True):
    L = len(W) - 1
    delta = [None] * (L + 1)
    delta[L] = delta_L
    for l in range(L - 1, 0, -1):
        W_back = W[l + 1] if transposed else W[l + 1].T
        delta[l] = (delta[l + 1] @ W_back) * (a[l] * (1 - a[l]) if fprime else 1)
    return delta if start_with_none else delta[1:]


def _backprop(X, T, W, b, output_fprime=True, mean=True, hidden_fprime=True,
              mean_in_delta_L=False, feeding=True):
    a = _forward(X, W, b)
    y = a[-1]
    delta_L = (y - T) * (y * (1 - y) if output_fprime else 1) / (len(X) if mean_in_delta_L else 1)
    delta = _deltas(a, W, delta_L, fprime=hidden_fprime)
    if not feeding:  # a_l, the layer's own outputs, instead of a_{l-1}: fits only n_{l-1} = n_l
        a = a[1:]  # a[l - 1] is now a_l
    N = len(X) if mean else 1
    dW = [None] + [a[l - 1].T @ delta[l] / N for l in range(1, len(W))]
    db = [None] + [delta[l].sum(axis=0) / N for l in range(1, len(W))]
    return dW, db


def _differences(loss, w, eps, centred=True, two=True):
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        plus, minus = w.copy(), w.copy()
        plus[i] += eps
        minus[i] -= eps
        if centred:
            grad[i] = (loss(plus) - loss(minus)) / ((2 if two else 1) * eps)
        else:
            grad[i] = (loss(plus) - loss(w)) / eps
    return grad


WRONG_ANSWERS = {
    "forward_pass": [
        lambda X, W, b: _forward(X, W, b, bias=False),  # bias forgotten
        lambda X, W, b: _forward(X, W, b, output_sigmoid=False),  # no sigmoid at the output
        lambda X, W, b: _forward(X, W, b)[1:],  # X left out of the list
    ],
    "backward_deltas": [
        lambda a, W, d: _deltas(a, W, d, fprime=False),  # missing f'
        lambda a, W, d: _deltas(a, W, d, transposed=True),  # W instead of W^T
        lambda a, W, d: _deltas(a, W, d, start_with_none=False),  # no None for layer 0
    ],
    "layer_gradients": [
        lambda a, d: (a.T @ d, d.sum(axis=0)),  # the summed loss's gradients (no 1/N)
        lambda a, d: (d.T @ a / len(a), d.mean(axis=0)),  # transposed dW
        lambda a, d: (a.T @ d / len(a), d.sum(axis=0)),  # db not averaged
    ],
    "backprop": [
        lambda X, T, W, b: _backprop(X, T, W, b, output_fprime=False),  # cross-entropy's delta_L
        lambda X, T, W, b: _backprop(X, T, W, b, mean=False),  # summed instead of mean loss
        lambda X, T, W, b: _backprop(X, T, W, b, hidden_fprime=False),  # missing hidden f'
        lambda X, T, W, b: _backprop(X, T, W, b, mean_in_delta_L=True),  # 1/N in delta_L too
        lambda X, T, W, b: _backprop(X, T, W, b, feeding=False),  # a_l instead of a_{l-1}
    ],
    "numerical_gradient": [
        lambda loss, w, eps: _differences(loss, w, eps, centred=False),  # one-sided
        lambda loss, w, eps: _differences(loss, w, eps, two=False),  # divided by eps, not 2 eps
    ],
    "relative_error": [
        lambda a, b: np.linalg.norm(a - b),  # absolute, not relative
        lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-300),  # one-sided scale
        lambda a, b: float(np.mean(np.abs(a - b))),  # mean absolute difference
    ],
}
