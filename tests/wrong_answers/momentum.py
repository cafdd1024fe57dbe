"""Plausible wrong answers to lesson 05's exercises (momentum); each must fail its check."""

import numpy as np


def _softmax_regression_steps(W, b, X, T, eta, mu, steps, mode="right"):
    """Full-batch heavy ball on softmax regression, written out by hand with some mistake."""
    W, b = np.array(W, dtype=float), np.array(b, dtype=float)
    v_W, v_b = np.zeros_like(W), np.zeros_like(b)
    N = 1 if mode == "no_mean" else len(X)
    for _ in range(steps):
        if mode == "reset":  # the velocity forgotten at every step: plain gradient descent
            v_W, v_b = np.zeros_like(W), np.zeros_like(b)
        Z = X @ W + b
        Y = np.exp(Z - Z.max(axis=1, keepdims=True))
        Y /= Y.sum(axis=1, keepdims=True)
        g_W, g_b = X.T @ (Y - T) / N, (Y - T).sum(axis=0) / N
        if mode == "uphill":
            g_W, g_b = -g_W, -g_b
        v_W, v_b = mu * v_W - eta * g_W, mu * v_b - eta * g_b
        if mode == "minus_v":  # v <- mu v - eta g, but then w <- w - v
            W, b = W - v_W, b - v_b
        elif mode == "weights_only":  # the bias never moves
            W = W + v_W
        else:
            W, b = W + v_W, b + v_b
    return W, b


def _old_velocity(W, b, X, T, eta, mu, steps):
    """w moved by the velocity of the step before, then the velocity updated."""
    v_W, v_b = np.zeros_like(W), np.zeros_like(b)
    for _ in range(steps):
        Z = X @ W + b
        Y = np.exp(Z - Z.max(axis=1, keepdims=True))
        Y /= Y.sum(axis=1, keepdims=True)
        W, b = W + v_W, b + v_b
        v_W = mu * v_W - eta * X.T @ (Y - T) / len(X)
        v_b = mu * v_b - eta * (Y - T).mean(axis=0)
    return W, b


WRONG_ANSWERS = {
    "momentum_step": [
        lambda w, v, g, eta, mu: (w + v, mu * v - eta * g),  # moved by the old velocity
        lambda w, v, g, eta, mu: (w + mu * v + eta * g, mu * v + eta * g),  # uphill
        lambda w, v, g, eta, mu: (w + v - eta * g, v - eta * g),  # mu forgotten
        lambda w, v, g, eta, mu: (w - eta * g, mu * v - eta * g),  # velocity never used
    ],
    "velocity_from_gradients": [
        # oldest gradient weighted most
        lambda G, eta, mu: -eta * np.tensordot(mu ** np.arange(len(G)), G, axes=1),
        # off by one: the newest gradient already discounted by mu
        lambda G, eta, mu: -eta * np.tensordot(mu ** np.arange(len(G), 0, -1), G, axes=1),
        # sign
        lambda G, eta, mu: eta * np.tensordot(mu ** np.arange(len(G) - 1, -1, -1), G, axes=1),
        # no fading at all
        lambda G, eta, mu: -eta * np.sum(G, axis=0),
    ],
    "convergence_factor": [
        lambda eta, lam, mu: abs(1 - eta * lam),  # momentum ignored
        lambda eta, lam, mu: np.sqrt(mu),  # the complex-root case only
        lambda eta, lam, mu: max(abs(np.roots([1, -(1 + mu + eta * lam), mu]))),  # sign of eta lam
        lambda eta, lam, mu: max(np.roots([1, -(1 + mu - eta * lam), mu]).real),  # no modulus
    ],
    "largest_stable_learning_rate": [
        lambda A, mu: 2 / np.linalg.eigvalsh(A).max(),  # momentum ignored
        lambda A, mu: 2 * (1 + mu) / np.linalg.eigvalsh(A).min(),  # the flat direction
        lambda A, mu: 2 * (1 + mu) / np.max(np.diag(A)),  # diagonal taken for eigenvalues
        lambda A, mu: 2 * (1 - mu) / np.linalg.eigvalsh(A).max(),  # 1 - mu
    ],
    "train_with_momentum": [
        lambda *args: _softmax_regression_steps(*args, mode="reset"),
        lambda *args: _softmax_regression_steps(*args, mode="uphill"),
        lambda *args: _softmax_regression_steps(*args, mode="no_mean"),
        lambda *args: _softmax_regression_steps(*args, mode="minus_v"),
        lambda *args: _softmax_regression_steps(*args, mode="weights_only"),
        _old_velocity,
    ],
}
