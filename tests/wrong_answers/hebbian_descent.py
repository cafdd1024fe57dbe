"""Plausible wrong answers to lesson 10's exercises; each must fail its check."""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _y(W, b, x, mu):
    return _sigmoid((x - mu) @ W + b)


def _hd(W, b, x, t, mu, eta, centered_update=True, f_prime=False, sign=1.0, bias=True):
    y = _y(W, b, x, mu)
    e = (y - t) * (y * (1 - y) if f_prime else 1.0)
    x_used = x - mu if centered_update else x
    return W - sign * eta * np.outer(x_used, e), (b - sign * eta * e) if bias else b


WRONG_ANSWERS = {
    "hebbian_descent_update": [
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta, f_prime=True),  # kept f'
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta, centered_update=False),  # x, not x - mu
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta, sign=-1.0),  # uphill
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta, bias=False),  # bias frozen
        lambda W, b, x, t, mu, eta: (W + eta * np.outer(x - mu, t), b + eta * t),  # Hebb rule
        # forward pass without the offset
        lambda W, b, x, t, mu, eta: (W - eta * np.outer(x - mu, _sigmoid(x @ W + b) - t),
                                     b - eta * (_sigmoid(x @ W + b) - t)),
    ],
    "matching_loss_sigmoid": [
        lambda z, t: float(np.sum(np.log1p(np.exp(z)))),  # no -t z
        lambda z, t: float(np.sum(t * z - np.log1p(np.exp(z)))),  # flipped sign
        lambda z, t: float(0.5 * np.sum((_sigmoid(z) - t) ** 2)),  # squared error
        lambda z, t: float(np.sum(np.log1p(np.exp(z)) - t * z) / z.size),  # mean over units
        lambda z, t: float(np.sum(np.log1p(np.exp(z)) - (1 - t) * z)),  # t and 1 - t swapped
    ],
    "running_mean": [
        lambda X: np.cumsum(X, axis=0) / X.shape[0],  # divided by N
        lambda X: np.broadcast_to(X.mean(axis=0), X.shape).copy(),  # the data mean
        # off by one: the mean of the patterns *before* n (0 for the first)
        lambda X: np.vstack([np.zeros((1, X.shape[1])),
                             np.cumsum(X, axis=0)[:-1] / np.arange(1, X.shape[0])[:, None]]),
        lambda X: np.cumsum(X, axis=0) / np.arange(X.shape[0], 0, -1)[:, None],  # counts reversed
    ],
    "forgetting_curve": [
        lambda Y, T: np.abs(Y - T).mean(axis=1),  # by position, not by age
        lambda Y, T: np.abs(Y - T).mean(axis=0),  # averaged over patterns
        lambda Y, T: ((Y - T) ** 2).mean(axis=1)[::-1],  # squared error
        lambda Y, T: np.abs(Y - T).max(axis=1)[::-1],  # worst unit instead of the mean
        lambda Y, T: np.abs(Y - T).sum(axis=1)[::-1],  # sum, not mean
    ],
    "squared_error_update": [
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta),  # f' missing (Hebbian descent)
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta, f_prime=True, sign=-1.0),  # uphill
        # f' written as 1 - y^2 (tanh's)
        lambda W, b, x, t, mu, eta: (
            W - eta * np.outer(x - mu, (_y(W, b, x, mu) - t) * (1 - _y(W, b, x, mu) ** 2)),
            b - eta * (_y(W, b, x, mu) - t) * (1 - _y(W, b, x, mu) ** 2)),
        lambda W, b, x, t, mu, eta: _hd(W, b, x, t, mu, eta, f_prime=True, centered_update=False),
    ],
}


def _online(W, b, X, T, eta, f_prime=False, when="before", move_bias=True, sign=1.0,
            centered=True):
    """Online centered Hebbian descent over a sequence, with one step done wrong."""
    W, b = W.copy(), b.copy()
    mu = np.zeros(X.shape[1])
    total = np.zeros(X.shape[1])
    for n in range(X.shape[0]):
        new_mu = (total + X[n]) / (n + 1)
        if when == "before" and centered:
            if move_bias and n > 0:
                b = b + (new_mu - mu) @ W
            mu = new_mu
        y = _sigmoid((X[n] - mu) @ W + b)
        e = (y - T[n]) * (y * (1 - y) if f_prime else 1.0)
        W = W - sign * eta * np.outer(X[n] - mu, e)
        b = b - sign * eta * e
        total = total + X[n]
        if when == "after" and centered:
            if move_bias and n > 0:
                b = b + (new_mu - mu) @ W
            mu = new_mu
    return W, b, mu


WRONG_ANSWERS["online_hebbian_descent"] = [
    lambda W, b, X, T, eta: _online(W, b, X, T, eta, f_prime=True),  # kept f'
    lambda W, b, X, T, eta: _online(W, b, X, T, eta, centered=False),  # uncentered
    lambda W, b, X, T, eta: _online(W, b, X, T, eta, when="after"),  # mu updated after the step
    lambda W, b, X, T, eta: _online(W, b, X, T, eta, sign=-1.0),  # uphill
    lambda W, b, X, T, eta: _online(W, b, X, T, eta, move_bias=False),  # b does not absorb mu's move
    # the running mean's forward pass, but the weight change uses the uncentered input
    lambda W, b, X, T, eta: _online_uncentered_change(W, b, X, T, eta),
]


def _online_uncentered_change(W, b, X, T, eta):
    W, b = W.copy(), b.copy()
    running = np.cumsum(X, axis=0) / np.arange(1, X.shape[0] + 1)[:, None]
    for n in range(X.shape[0]):
        if n > 0:
            b = b + (running[n] - running[n - 1]) @ W
        e = _sigmoid((X[n] - running[n]) @ W + b) - T[n]
        W = W - eta * np.outer(X[n], e)
        b = b - eta * e
    return W, b, running[-1]
