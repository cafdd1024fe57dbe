"""Plausible wrong answers to lesson 04's exercises; each must fail its check."""

import numpy as np


def _batches(order, batch_size, keep_rest=True):
    cut = range(0, len(order), batch_size)
    batches = [order[start:start + batch_size] for start in cut]
    return batches if keep_rest else [b for b in batches if len(b) == batch_size]


def _epoch(network, X, T, batch_size, learning_rate, rng, shuffle=True, sign=1.0, full=False):
    order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    for batch in ([order] if full else _batches(order, batch_size)):
        _, grads = network.loss_and_gradients(X[batch], T[batch], "cross_entropy")
        for w, g in zip(network.parameters(), grads.as_list()):
            w -= sign * learning_rate * g


def _by_hand(W1, b1, W2, b2, X, T, size, eta, rng, mistake=None):
    """One epoch on tanh -> softmax in numpy, in place, with one known mistake."""
    order = rng.permutation(len(X))
    for batch in _batches(order, size):
        x, t = X[batch], T[batch]
        N = {"no 1/N": 1, "whole set": len(X)}.get(mistake, len(batch))
        a1 = np.tanh(x @ W1 + b1)
        z2 = a1 @ W2 + b2
        y = np.exp(z2 - z2.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
        delta2 = y - t
        if mistake == "new W2":  # W2 moved before the hidden error signal is computed
            W2 -= eta * a1.T @ delta2 / N
        slope = 1.0 if mistake == "no f'" else (a1 * (1 - a1) if mistake == "sigmoid" else 1 - a1**2)
        delta1 = (delta2 @ W2.T) * slope
        if mistake == "transposed":
            W2 -= eta * (delta2.T @ a1) / N  # (K, n_1): fits only where K = n_1
        elif mistake != "new W2":
            W2 -= eta * a1.T @ delta2 / N
        b2 -= eta * delta2.sum(axis=0) / N
        W1 -= eta * x.T @ delta1 / N
        b1 -= eta * delta1.sum(axis=0) / N


def _stopping(v, patience, late=0, ties=False):
    best = 0
    for epoch, value in enumerate(v):
        if value < v[best] or (ties and value == v[best]):
            best = epoch
        if epoch - best >= patience + late:
            return best, epoch
    return best, len(v) - 1


WRONG_ANSWERS = {
    "minibatch_indices": [
        lambda n, size, rng: _batches(np.arange(n), size),  # never shuffled
        lambda n, size, rng: _batches(rng.permutation(n), size, keep_rest=False),  # remainder lost
        lambda n, size, rng: _batches(rng.choice(n, size=n), size),  # drawn with replacement
    ],
    "sgd_epoch": [
        lambda net, X, T, size, eta, rng: _epoch(net, X, T, size, eta, rng, shuffle=False),
        lambda net, X, T, size, eta, rng: _epoch(net, X, T, size, eta, rng, sign=-1.0),  # uphill
        lambda net, X, T, size, eta, rng: _epoch(net, X, T, size, eta, rng, full=True),  # one step
    ],
    "tanh_softmax_epoch": [
        lambda *args: _by_hand(*args, mistake="new W2"),  # hidden delta from the updated W2
        lambda *args: _by_hand(*args, mistake="no f'"),  # tanh's slope forgotten
        lambda *args: _by_hand(*args, mistake="sigmoid"),  # a(1 - a): the sigmoid's slope
        lambda *args: _by_hand(*args, mistake="no 1/N"),  # summed, not averaged
        lambda *args: _by_hand(*args, mistake="whole set"),  # divided by len(X), not the batch
        lambda *args: _by_hand(*args, mistake="transposed"),  # delta2^T a1: dW2 transposed
    ],
    "inverse_time_rate": [
        lambda eta0, decay, k: eta0 / (1 + decay * k),  # off by one epoch
        lambda eta0, decay, k: eta0 / (1 + decay) ** (k - 1),  # exponential, not 1/t
    ],
    "error_weighted_probabilities": [
        lambda e, mix: e / e.sum(),  # no uniform share
        lambda e, mix: mix * e / e.sum() + (1 - mix) / len(e),  # mix swapped
        lambda e, mix: (1 - mix) * e + mix / len(e),  # errors not normalized
    ],
    "early_stopping": [
        lambda v, p: (int(np.argmin(v)), len(v) - 1),  # never stops
        lambda v, p: _stopping(v, p, late=1),  # one epoch late
        lambda v, p: _stopping(v, p, ties=True),  # a tie counted as an improvement
    ],
}
