"""Plausible wrong answers to lesson 05's exercises (momentum); each must fail its check."""

import numpy as np


def _tanh_softmax_steps(W1, b1, W2, b2, X, T, eta, mu, steps, mode="right"):
    """Full-batch heavy ball on a tanh-softmax network, written out by hand with some mistake."""
    params = [np.array(p, dtype=float) for p in (W1, b1, W2, b2)]
    velocities = [np.zeros_like(p) for p in params]
    N = X.shape[0]
    for _ in range(steps):
        W1, b1, W2, b2 = params
        H = np.tanh(X @ W1 + b1)
        Z = H @ W2 + b2
        Y = np.exp(Z - Z.max(axis=1, keepdims=True))
        Y /= Y.sum(axis=1, keepdims=True)
        d2 = (Y - T) / N
        d1 = (d2 @ W2.T) * (1 - H**2)
        grads = [X.T @ d1, d1.sum(axis=0), H.T @ d2, d2.sum(axis=0)]
        if mode == "reset":  # the velocity forgotten at every step: plain gradient descent
            velocities = [np.zeros_like(p) for p in params]
        for i, (p, g) in enumerate(zip(params, grads)):
            if mode == "weights_only" and i in (1, 3):
                continue  # the biases never move
            if mode == "old_velocity":
                p += velocities[i]
                velocities[i] = mu * velocities[i] - eta * g
            elif mode == "uphill":
                velocities[i] = mu * velocities[i] + eta * g
                p += velocities[i]
            else:
                velocities[i] = mu * velocities[i] - eta * g
                p += velocities[i]
    return tuple(params)


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
        lambda *args: _tanh_softmax_steps(*args, mode="reset"),
        lambda *args: _tanh_softmax_steps(*args, mode="old_velocity"),
        lambda *args: _tanh_softmax_steps(*args, mode="uphill"),
        lambda *args: _tanh_softmax_steps(*args, mode="weights_only"),
    ],
}
