"""Checks for lesson 04, training: one function per exercise.

The references are minibp's own ``training.batches``, ``fit``, ``optimizers.inverse_time`` and
``training.sampling_probabilities``, plus a plain early-stopping rule (below), applied to the
lesson's numbers first (the digits: 1438 training examples, batches of 32; the spirals'
1/t schedule) and then to random cases. Exercise 2's second part, ``tanh_softmax_epoch``, is
refereed by ``fit`` as well, but runs with minibp's gradients switched off (``_no_minibp``): the
learner writes that backward pass.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_, _
from minibp import data, optimizers, training
from minibp.network import Dense, Network
from minibp.optimizers import SGD

from . import CheckFailure, cases_with, check_function
from ._no_minibp import without_minibp_gradients

N_DIGITS_TRAIN = 1438  # rows of the digits' training split in the lesson


def _callable(fn, name):
    if not callable(fn):
        raise CheckFailure(_("{name} must be a function; got {kind}").format(
            name=name, kind=type(fn).__name__))


# --- exercise 1: the mini-batches of one epoch ---------------------------------------------
def _minibatch_indices(n_examples, batch_size, seed):
    rng = np.random.default_rng(seed)
    return tuple(training.batches(n_examples, batch_size, rng.permutation(n_examples)))


def minibatch_indices(fn):
    """Check ``fn(n_examples, batch_size, rng) -> [index array, ...]`` (one epoch's batches)."""
    _callable(fn, "minibatch_indices")

    def learner(n_examples, batch_size, seed):
        return tuple(fn(n_examples, batch_size, np.random.default_rng(seed)))

    def in_order(n, size, seed):
        return tuple(training.batches(n, size, np.arange(n)))

    def dropping_the_rest(n, size, seed):
        return tuple(b for b in _minibatch_indices(n, size, seed) if len(b) == size)

    def with_replacement(n, size, seed):
        return tuple(training.batches(n, size, np.random.default_rng(seed).choice(n, size=n)))

    check_function(
        "minibatch_indices", learner, _minibatch_indices,
        cases_with([(N_DIGITS_TRAIN, 32, 0), (10, 3, 1), (5, 5, 2), (4, 10, 3),
                    (12, 4, 4),  # batches fit exactly: no remainder
                    (6, 1, 5),  # batches of one example
                    (1, 1, 6)],  # a single example
                   lambda rng: (int(rng.integers(1, 40)), int(rng.integers(1, 12)),
                                int(rng.integers(0, 1000)))),
        mistakes=[
            (in_order, N_("the examples come in their stored order: each epoch should present "
             "them in a fresh random order, drawn with rng.")),
            (dropping_the_rest, N_("the last, smaller batch is missing: every example is "
             "presented once per epoch, the leftover ones included.")),
            (with_replacement, N_("some examples come twice and others never: an epoch draws "
             "without replacement. Which rng method gives each index exactly once?")),
        ],
        received=(fn, lambda n, size, seed: (n, size, np.random.default_rng(seed))),
    )


# --- exercise 2, warm-up: one epoch of mini-batch SGD ----------------------------------------------
def _network(W1, b1, W2, b2):
    return Network.from_layers([Dense(W1, b1, "tanh"), Dense(W2, b2, "softmax")])


def _sgd_epoch(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
    network = _network(W1, b1, W2, b2)
    training.fit(network, X, T, "cross_entropy", SGD(learning_rate), epochs=1,
                 batch_size=batch_size, rng=np.random.default_rng(seed))
    return tuple(network.parameters())


def _digits_case():
    X, labels = data.digits()
    X, T = X[:60], data.one_hot(labels[:60], 10)
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(0, 0.2, size=(64, 8)), rng.normal(0, 0.4, size=(8, 10))
    return W1, np.zeros(8), W2, np.zeros(10), X, T, 32, 0.3, 0


def _random_sgd_case(rng):
    n_in, n_hidden, n_out = (int(v) for v in rng.integers(2, 6, size=3))
    N = int(rng.integers(1, 25))
    return (rng.normal(size=(n_in, n_hidden)), rng.normal(size=n_hidden),
            rng.normal(size=(n_hidden, n_out)), rng.normal(size=n_out),
            rng.normal(size=(N, n_in)), data.one_hot(rng.integers(0, n_out, size=N), n_out),
            int(rng.integers(1, N + 1)), float(rng.uniform(0.05, 1.0)), int(rng.integers(0, 1000)))


def _boundary_sgd_cases():
    """Batches of one example, one batch holding every example, a remainder of one."""
    rng = np.random.default_rng(1)
    W1, b1, W2, b2, X, T, _, learning_rate, _ = _random_sgd_case(rng)
    X, T = rng.normal(size=(7, W1.shape[0])), data.one_hot(rng.integers(0, W2.shape[1], 7), W2.shape[1])
    return [(W1, b1, W2, b2, X, T, size, learning_rate, seed)
            for size, seed in ((1, 11), (7, 12), (3, 13))]


def _in_stored_order(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
    network = _network(W1, b1, W2, b2)
    training.fit(network, X, T, "cross_entropy", SGD(learning_rate), epochs=1,
                 batch_size=batch_size, shuffle=False)
    return tuple(network.parameters())


def _one_full_batch_step(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
    return _sgd_epoch(W1, b1, W2, b2, X, T, len(X), learning_rate, seed)


def _sgd_uphill(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
    network = _network(W1, b1, W2, b2)
    rng = np.random.default_rng(seed)
    for batch in training.batches(len(X), batch_size, rng.permutation(len(X))):
        _, grads = network.loss_and_gradients(X[batch], T[batch], "cross_entropy")
        for w, g in zip(network.parameters(), grads.as_list()):
            w += learning_rate * g
    return tuple(network.parameters())


def sgd_epoch(fn):
    """Check ``fn(network, X, T, batch_size, learning_rate, rng)``: one epoch, in place.

    The check builds a fresh tanh/softmax network for every case, runs ``fn`` on it and
    compares the parameters afterwards with those of ``minibp.fit`` for one epoch.
    """
    _callable(fn, "sgd_epoch")

    def learner(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
        network = _network(W1, b1, W2, b2)
        fn(network, X, T, batch_size, learning_rate, np.random.default_rng(seed))
        return tuple(network.parameters())

    check_function(
        "sgd_epoch", learner, _sgd_epoch,
        cases_with([_digits_case()] + _boundary_sgd_cases(), _random_sgd_case),
        mistakes=[
            (_in_stored_order, N_("the batches follow the stored order: shuffle with rng first, "
             "then cut the shuffled order into batches.")),
            (_one_full_batch_step, N_("that is one step on the whole set; an epoch of mini-batch "
             "SGD makes one step per batch.")),
            (_sgd_uphill, N_("is the step going downhill? Each update should move the parameters "
             "against the gradient.")),
        ],
        received=(fn, lambda W1, b1, W2, b2, X, T, batch_size, learning_rate, seed: (
            _network(W1, b1, W2, b2), X, T, batch_size, learning_rate, np.random.default_rng(seed))),
    )


# --- exercise 2, step 2: the same epoch with your own forward and backward pass ----------
def _hand_epoch(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed, mistake=None):
    """One epoch written out in numpy, right or with one known ``mistake``."""
    W1, b1, W2, b2 = (np.array(p, dtype=np.float64) for p in (W1, b1, W2, b2))
    order = np.random.default_rng(seed).permutation(len(X))
    for batch in training.batches(len(X), batch_size, order):
        x, t = X[batch], T[batch]
        N = len(X) if mistake == "whole set" else (1 if mistake == "no 1/N" else len(batch))
        a1 = np.tanh(x @ W1 + b1)
        z2 = a1 @ W2 + b2
        y = np.exp(z2 - z2.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
        delta2 = y - t
        slope = {"no f'": 1.0, "sigmoid slope": a1 * (1 - a1)}.get(mistake, 1 - a1**2)
        dW2, db2 = a1.T @ delta2 / N, delta2.sum(axis=0) / N
        if mistake == "transposed":
            dW2 = delta2.T @ a1 / N  # (K, n_1): W2 -= dW2 fits only where K = n_1
        if mistake == "new W2":
            W2 -= learning_rate * dW2
        delta1 = (delta2 @ W2.T) * slope
        if mistake != "new W2":
            W2 -= learning_rate * dW2
        b2 -= learning_rate * db2
        W1 -= learning_rate * x.T @ delta1 / N
        b1 -= learning_rate * delta1.sum(axis=0) / N
    return W1, b1, W2, b2


def _wrong_epoch(mistake):
    return lambda *case: _hand_epoch(*case, mistake=mistake)


def _unchanged(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
    return W1, b1, W2, b2


def tanh_softmax_epoch(fn):
    """Check ``fn(W1, b1, W2, b2, X, T, batch_size, learning_rate, rng)``: one epoch, in place.

    The learner writes the forward and backward pass: minibp's network gradients, losses and
    optimizers raise while ``fn`` runs. The reference is ``minibp.fit`` for one epoch with
    the same seed, so the batches are exercise 1's.
    """
    _callable(fn, "tanh_softmax_epoch")

    def learner(W1, b1, W2, b2, X, T, batch_size, learning_rate, seed):
        with without_minibp_gradients("tanh_softmax_epoch", fn):
            fn(W1, b1, W2, b2, X, T, batch_size, learning_rate, np.random.default_rng(seed))
        return W1, b1, W2, b2

    check_function(
        "tanh_softmax_epoch", learner, _sgd_epoch,
        cases_with([_digits_case()] + _boundary_sgd_cases(), _random_sgd_case),
        mistakes=[
            (_unchanged, N_("the arrays you were given did not change: the function returns "
             "nothing, so update W1, b1, W2, b2 in place.")),
            (_wrong_epoch("new W2"), N_("the hidden error signal used W2 after its update: "
             "compute all four gradients of a batch before moving any parameter.")),
            (_wrong_epoch("no f'"), N_("the hidden error signal is missing tanh's slope: "
             "delta_1 passes back through f'(z_1), written with a_1.")),
            (_wrong_epoch("sigmoid slope"), N_("a(1 - a) is the sigmoid's slope; tanh's slope "
             "is written differently with its output a_1.")),
            (_wrong_epoch("transposed"), N_("a gradient has its parameter's shape: which product "
             "of a_1 (N, n_1) and delta_2 (N, K) gives dL/dW_2 of shape (n_1, K)?")),
            (_wrong_epoch("no 1/N"), N_("each step is too large by the batch size: the loss is "
             "the mean over the batch.")),
            (_wrong_epoch("whole set"), N_("each step is too small: the mean is over the batch "
             "at hand, so N is the batch's size, not the whole set's.")),
            (_in_stored_order, N_("the batches follow the stored order: shuffle with rng first, "
             "then cut the shuffled order into batches.")),
            (_sgd_uphill, N_("is the step going downhill? Each update should move the parameters "
             "against the gradient.")),
        ],
        received=(fn, lambda W1, b1, W2, b2, X, T, batch_size, learning_rate, seed: (
            W1, b1, W2, b2, X, T, batch_size, learning_rate, np.random.default_rng(seed))),
    )


# --- exercise 3: the 1/t schedule ---------------------------------------------------------
def _inverse_time_rate(eta0, decay, epoch):
    return optimizers.inverse_time(eta0, decay)(epoch)


def inverse_time_rate(fn):
    """Check ``fn(eta0, decay, epoch) -> eta_k = eta0 / (1 + decay (k - 1))`` for k = 1, 2, ..."""
    check_function(
        "inverse_time_rate", fn, _inverse_time_rate,
        cases_with([(3.0, 0.1, 1), (3.0, 0.1, 11), (3.0, 0.1, 60), (1.0, 0.0, 7),
                    (2.0, 1.0, 1), (2.0, 1.0, 2), (0.5, 0.5, 3)],  # exactly eta0, eta0 / 2
                   lambda rng: (float(rng.uniform(0.01, 10.0)), float(rng.uniform(0.0, 1.0)),
                                int(rng.integers(1, 200)))),
        mistakes=[
            (lambda eta0, decay, k: eta0 / (1.0 + decay * k), N_("off by one epoch: the first "
             "epoch, k = 1, must use the full rate eta0.")),
            (lambda eta0, decay, k: eta0 / (decay * k) if decay * k else eta0, N_("the rate must "
             "start at eta0 and stay finite for small decay: a term is missing from your "
             "denominator.")),
        ],
    )


# --- exercise 4: error-weighted presentation ----------------------------------------------
def _error_weighted_probabilities(losses, mix):
    return training.sampling_probabilities(losses, mix)


def error_weighted_probabilities(fn):
    """Check ``fn(losses, mix) -> p``: p_n = (1 - mix) e_n / sum(e) + mix / N; losses: (N,)."""
    check_function(
        "error_weighted_probabilities", fn, _error_weighted_probabilities,
        cases_with([(np.array([0.01, 0.02, 2.3, 0.05]), 0.5),
                    (np.array([0.01, 0.02, 2.3, 0.05]), 0.2), (np.array([3.0, 1.0, 0.0]), 1.0),
                    (np.array([3.0, 1.0, 0.0]), 0.0),  # no uniform share: a zero loss, p = 0
                    (np.full(4, 0.7), 0.3),  # equal losses: uniform
                    (np.array([2.0]), 0.4)],  # one example: p = 1
                   lambda rng: (rng.exponential(size=int(rng.integers(1, 30))),
                                float(rng.uniform(0.0, 1.0)))),
        mistakes=[
            (lambda e, mix: e / e.sum(), N_("the uniform share is missing: mix is the part of "
             "the probability every example gets alike, whatever its loss.")),
            (lambda e, mix: mix * e / e.sum() + (1 - mix) / len(e), N_("the two weights are "
             "swapped: mix is the uniform share, not the error-weighted one.")),
            (lambda e, mix: (1 - mix) * e + mix / len(e), N_("the errors must be normalized, so "
             "that the probabilities add up to 1.")),
        ],
    )


# --- exercise 5: early stopping -----------------------------------------------------------
def _early_stopping(val_losses, patience, ties_improve=False):
    """(best epoch, stop epoch): stop at the first epoch k with k - best_so_far >= patience."""
    best = 0
    for epoch, value in enumerate(val_losses):
        if value < val_losses[best] or (ties_improve and value == val_losses[best]):
            best = epoch
        if epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1


def _random_curve(rng):
    n = int(rng.integers(2, 40))
    dip = int(rng.integers(0, n))
    curve = 1.0 + 0.02 * (np.arange(n) - dip) ** 2 / n + rng.normal(0, 0.05, size=n)
    return np.round(curve, 3), int(rng.integers(1, 8))


def early_stopping(fn):
    """Check ``fn(val_losses, patience) -> (best_epoch, stop_epoch)``; val_losses[k] after epoch k."""
    lesson_curve = np.array([0.69, 0.52, 0.44, 0.41, 0.40, 0.42, 0.41, 0.45, 0.47, 0.50, 0.55])
    check_function(
        "early_stopping", fn, _early_stopping,
        cases_with([(lesson_curve, 3), (lesson_curve, 20), (np.array([1.0, 1.0, 1.0]), 1),
                    (np.array([0.5, 0.6, 0.7]), 2),  # patience runs out at the last epoch
                    (np.array([0.5, 0.4, 0.3, 0.2]), 1),  # always improving: never stops
                    (np.array([1.0, 0.9, 0.9, 0.9, 0.8]), 2),  # ties do not reset patience
                    (np.array([0.7]), 1)],  # a single epoch
                   _random_curve),
        mistakes=[
            (lambda v, p: (int(np.argmin(v)), len(v) - 1), N_("training never stopped: when have "
             "`patience` epochs passed without a new best loss?")),
            (lambda v, p: (_early_stopping(v, p)[0], min(_early_stopping(v, p)[1] + 1, len(v) - 1)),
             N_("one epoch late: which is the first epoch at which patience has run out?")),
            (lambda v, p: _early_stopping(v, p, ties_improve=True), N_("on a tie keep the earlier "
             "epoch: only a strictly lower loss is an improvement.")),
        ],
    )
