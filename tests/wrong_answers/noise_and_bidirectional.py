"""Plausible wrong answers to lesson 11's exercises; each must fail its check."""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _backward_gradients(t, x, W1, W2, c2, c1, hidden_fprime=True, transpose=True, mean=True):
    h = _sigmoid(t @ W2.T + c2)
    eps0 = h @ W1.T + c1 - x
    if mean:
        eps0 = eps0 / len(t)
    eps1 = eps0 @ W1 * (h * (1 - h) if hidden_fprime else 1.0)
    dW1, dW2 = eps0.T @ h, eps1.T @ t  # (D, H) and (H, K)
    return (dW1, dW2) if transpose else (dW1.T, dW2.T)


WRONG_ANSWERS = {
    "classification_nem_accept": [
        lambda n, a: np.sum(n * np.log(a), axis=1) <= 0,  # flipped inequality
        lambda n, a: np.sum(n * a, axis=1) >= 0,  # a instead of ln a
        lambda n, a: n * np.log(a) >= 0,  # per entry instead of per example
        lambda n, a: np.sum(n * np.log(1 - a), axis=1) >= 0,  # the wrong likelihood
        lambda n, a: np.sum(n * np.log(a), axis=1) > 0,  # strict: an unchanged likelihood rejected
    ],
    "regression_nem_accept": [
        # the ball centred at 0 instead of a - t
        lambda n, t, a: np.linalg.norm(n, axis=1) <= np.linalg.norm(t - a, axis=1),
        # noise subtracted from the target
        lambda n, t, a: np.linalg.norm(t - n - a, axis=1) <= np.linalg.norm(t - a, axis=1),
        # flipped inequality
        lambda n, t, a: np.linalg.norm(t + n - a, axis=1) > np.linalg.norm(t - a, axis=1),
        # strict: noise that keeps the distance (no noise at all, say) rejected
        lambda n, t, a: np.linalg.norm(t + n - a, axis=1) < np.linalg.norm(t - a, axis=1),
    ],
    "annealed_variance": [
        lambda v0, tau, k: v0 / k,  # tau ignored
        lambda v0, tau, k: v0 * k**tau,  # growing
        lambda v0, tau, k: v0 / (k + 1) ** tau,  # off by one
        lambda v0, tau, k: v0 * np.exp(-tau * (k - 1)),  # exponential decay instead
    ],
    "nem_targets": [
        lambda t, a, n: t + n,  # blind noise
        lambda t, a, n: t + n * (n * np.log(a) >= 0),  # per-entry test
        lambda t, a, n: t + (np.sum(n * np.log(a), axis=1) >= 0)[:, None],  # adds the mask
        lambda t, a, n: n * (np.sum(n * np.log(a), axis=1) >= 0)[:, None],  # forgets t
    ],
    "backward_pass": [
        lambda t, W1, W2, c2, c1: _sigmoid(_sigmoid(t @ W2.T + c2) @ W1.T + c1),  # sigmoid out
        lambda t, W1, W2, c2, c1: _sigmoid(t @ W2.T) @ W1.T + c1,  # c2 forgotten
        lambda t, W1, W2, c2, c1: (t @ W2.T + c2) @ W1.T + c1,  # no hidden nonlinearity
        lambda t, W1, W2, c2, c1: _sigmoid(t @ W2.T + c2) @ W1.T,  # c1 forgotten
    ],
    "backward_gradients": [
        lambda *args: _backward_gradients(*args, hidden_fprime=False),  # missing f'
        lambda *args: tuple(-g for g in _backward_gradients(*args)),  # flipped sign
        lambda *args: _backward_gradients(*args, mean=False),  # summed, not averaged
        lambda *args: _backward_gradients(*args, transpose=False),  # gradients of W^T
        lambda *args: _sent_down_through_transpose(*args),  # eps0 W1^T instead of eps0 W1
    ],
}


def _sent_down_through_transpose(t, x, W1, W2, c2, c1):
    """The hidden error taken as eps0 W1^T (a shape error unless D = H)."""
    h = _sigmoid(t @ W2.T + c2)
    eps0 = (h @ W1.T + c1 - x) / len(t)
    eps1 = (eps0 @ W1.T) * h * (1 - h)
    return eps0.T @ h, eps1.T @ t
