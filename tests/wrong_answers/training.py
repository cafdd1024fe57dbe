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
