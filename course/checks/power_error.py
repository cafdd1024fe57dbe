"""Checks for lesson 09, the power error signal: one function per exercise.

The references are minibp's own pieces (``PowerError``, ``power_loss``, ``History``), applied
to the lesson's numbers first and then to random ones, so an answer that only fits the
lesson's numbers does not pass.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_, _
from minibp import autograd, data, initializers
from minibp.activations import sigmoid
from minibp.losses import Loss, PowerError, power_loss
from minibp.network import Dense, Network
from minibp.training import History

from . import cases_with, check_function
from ._no_minibp import refusing

# The lesson's example: one digit's 10 sigmoid outputs y and its one-hot target t (a "3").
_Y = np.array([[0.02, 0.10, 0.05, 0.60, 0.01, 0.30, 0.02, 0.08, 0.20, 0.04]])
_T = np.zeros((1, 10))
_T[0, 3] = 1.0
_ERRORS = np.array([0.01, 0.1, 0.5, 0.9])  # the errors the lesson tabulates


def _random_q(rng):
    return float(rng.choice([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, rng.uniform(0.1, 4.0)]))


def _random_errors(rng, low=0.0, high=0.99):
    return rng.uniform(low, high, size=rng.integers(1, 6))


# --- exercise 1: the power error signal ------------------------------------------------------
def _power_error_signal(y, t, q):
    # delta_out does not depend on the output's f: any (z, activation) pair gives the same.
    return PowerError(q).output_delta(y, y, t, "identity")


def _random_batch(rng):
    n, k = rng.integers(1, 4), rng.integers(1, 5)
    return (rng.uniform(0.0, 1.0, size=(n, k)), rng.integers(0, 2, size=(n, k)).astype(float),
            _random_q(rng))


def power_error_signal(fn):
    """Check ``fn(y, t, q) -> delta_out``: y, t (N, k), delta_out (N, k)."""
    check_function(
        "power_error_signal", fn, _power_error_signal,
        cases_with([(_Y, _T, 2.0), (_Y, _T, 0.5), (_Y, _T, 1.0),
                    (_T, _T, 0.5),  # y == t: no error, no signal
                    (np.array([[0.0, 1.0, 0.5, 0.75]]), np.array([[0.0, 1.0, 1.0, 0.0]]), 3.0)],
                   _random_batch),
        mistakes=[
            (lambda y, t, q: np.abs(y - t) ** q,
             N_("the sign is missing: delta_out must point the "
                "way the error points.")),
            (lambda y, t, q: np.sign(t - y) * np.abs(y - t) ** q,
             N_("the sign is flipped: when the "
                "output is too large, which sign does delta, the loss's slope in z, have?")),
            (lambda y, t, q: (y - t) * np.abs(y - t) ** q,
             N_("the error's size is raised to one "
                "power too many: the size enters once, the sign only carries the direction.")),
        ],
    )


# --- exercise 2: the loss for q = 2 ----------------------------------------------------------
def _power_loss_q2(e):
    return power_loss(e, 2)


def power_loss_q2(fn):
    """Check ``fn(e) -> L_2(e)``: e any shape, in [0, 1)."""
    check_function(
        "power_loss_q2", fn, _power_loss_q2,
        cases_with([(_ERRORS,), (np.array(0.5),),
                    (np.array([0.0, 0.25]),),  # no error: no loss
                    (np.array([[0.05, 0.6], [0.3, 0.99]]),)],  # any shape
                   lambda rng: (_random_errors(rng, 0.001),)),
        mistakes=[
            (lambda e: -np.log(1 - e),
             N_("that is the q = 1 loss, cross-entropy; for q = 2 which "
                "term of its series is gone?")),
            (lambda e: -np.log(1 - e) + e,
             N_("check the sign of your e term: integrate the "
                "gradient again, term by term.")),
            (lambda e: np.log(1 - e) + e, N_("the sign is flipped: a loss is never negative.")),
        ],
    )


# --- exercise 3: the closed form for any integer q -------------------------------------------
def _power_loss_integer(e, q):
    return power_loss(e, q)


def _random_integer_case(rng):
    return _random_errors(rng, 0.05, 0.95), int(rng.integers(1, 6))


def _partial_sum(e, q, last):
    return -np.log1p(-e) - sum(e**k / k for k in range(1, last + 1))


def power_loss_integer(fn):
    """Check ``fn(e, q) -> L_q(e)`` for integer q >= 1: e any shape, in [0, 1)."""
    check_function(
        "power_loss_integer", fn, _power_loss_integer,
        cases_with([(_ERRORS, 1), (_ERRORS, 2), (_ERRORS, 3), (np.array(0.5), 4),
                    (np.array([0.0, 0.3]), 5)],  # no error: no loss, at any q
                   _random_integer_case),
        mistakes=[
            (lambda e, q: _partial_sum(e, q, q),
             N_("the sum runs one term too far (for q = 1 "
                "there is nothing to subtract: that is cross-entropy).")),
            (lambda e, q: _partial_sum(e, q, q - 2), N_("the sum stops one term early.")),
            (lambda e, q: -np.log1p(-e) - sum(e**k for k in range(1, q)),
             N_("each term of the "
                "series is the integral of a power of u: what does integrating bring to e^k?")),
        ],
    )


# --- exercise 4: the slope of the loss by finite differences ---------------------------------
def _loss_slope(z, q, eps):
    return (power_loss(sigmoid(z + eps), q) - power_loss(sigmoid(z - eps), q)) / (2 * eps)


def _random_slope_case(rng):
    # eps this large makes the centred difference differ from the exact e^q by ~eps^2: so the
    # check can tell a finite difference from the formula it is meant to test.
    return (rng.uniform(-4.0, 4.0, size=rng.integers(1, 5)), _random_q(rng),
            float(rng.choice([0.01, 0.05, 0.1])))


def loss_slope(fn):
    """Check ``fn(z, q, eps) -> dL_q(sigmoid(z))/dz`` by centred differences; z any shape."""
    check_function(
        "loss_slope", fn, _loss_slope,
        cases_with([(np.array([-2.0, 0.0, 0.5, 2.0]), 2.0, 0.01),
                    (np.array([-2.0, 0.0, 0.5, 2.0]), 0.5, 0.01),
                    (np.array([[-1.0, 0.0], [1.0, 3.0]]), 3.0, 0.05)],  # any shape
                   _random_slope_case),
        mistakes=[
            (lambda z, q, eps: (power_loss(sigmoid(z + eps), q) - power_loss(sigmoid(z), q)) / eps,
             N_("that is a one-sided difference: step both ways from z, so that the error shrinks "
                "like eps squared.")),
            (lambda z, q, eps: 2 * _loss_slope(z, q, eps),
             N_("how far apart are the two points you "
                "compare? Divide by that distance.")),
            (lambda z, q, eps: sigmoid(z) ** q,
             N_("this is what the derivation predicts, not a "
                "finite difference: compute the slope from the loss values.")),
        ],
    )


# --- exercise 5: the gradient-to-loss ratio ---------------------------------------------------
def _gradient_to_loss_ratio(e, q):
    return e**q / power_loss(e, q)


def _random_ratio_case(rng):
    return _random_errors(rng, 0.01, 0.98), _random_q(rng)


def gradient_to_loss_ratio(fn):
    """Check ``fn(e, q) -> R_q(e) = e^q / L_q(e)``: e any shape, in (0, 1)."""
    check_function(
        "gradient_to_loss_ratio", fn, _gradient_to_loss_ratio,
        cases_with([(_ERRORS, 1.0), (_ERRORS, 2.0), (_ERRORS, 0.5),
                    (np.array(0.25), 3.0)],  # any shape, a 0-d array too
                   _random_ratio_case),
        mistakes=[
            (lambda e, q: power_loss(e, q) / e**q,
             N_("upside down: the gradient goes on top, the "
                "loss below.")),
            (lambda e, q: e**q / power_loss(e, 1),
             N_("the loss in the ratio is the loss of the same "
                "q, not cross-entropy.")),
            (lambda e, q: e ** (q - 1) / (1 - e) / power_loss(e, q),
             N_("that is the slope in e; "
                "the gradient backprop uses is the slope in z.")),
        ],
    )


# --- exercise 6: epochs to a target accuracy --------------------------------------------------
def _epochs_to_accuracy(accuracy, target):
    history = History()
    for epoch, value in enumerate(accuracy):
        history.record(epoch=epoch, accuracy=float(value))
    reached = history.epochs_to(target)
    return np.inf if reached is None else reached


_CURVE = np.array([0.1, 0.1, 0.35, 0.62, 0.9, 0.93, 0.97])


def _random_curve(rng):
    curve = np.round(np.sort(rng.uniform(0.05, 1.0, size=rng.integers(2, 12))), 2)
    return curve, float(rng.choice([0.5, 0.9, 0.95, curve[-1], curve[len(curve) // 2]]))


def _first_above(accuracy, target):
    above = np.flatnonzero(np.asarray(accuracy) > target)
    return above[0] if above.size else np.inf


def epochs_to_accuracy(fn):
    """Check ``fn(accuracy, target) -> first epoch reaching target`` (or inf); accuracy (E+1,)."""
    check_function(
        "epochs_to_accuracy", fn, _epochs_to_accuracy,
        cases_with([(_CURVE, 0.9), (_CURVE, 0.95), (_CURVE, 0.99),
                    (_CURVE, 0.97),  # reached exactly, at the last epoch
                    (_CURVE, 0.1),  # reached before training, at epoch 0
                    (np.array([0.5, 0.92, 0.88, 0.95]), 0.9)],  # the first time counts
                   _random_curve),
        mistakes=[
            (_first_above, N_("reaching the target exactly counts too: is your comparison strict?")),
            (lambda a, t: _epochs_to_accuracy(a, t) + 1,
             N_("entry 0 is epoch 0, before training: "
                "the epoch is the index itself.")),
            (lambda a, t: int(np.argmax(np.asarray(a) >= t)),
             N_("argmax of an all-False array is "
                "0: what should you return when the target is never reached?")),
        ],
    )


# --- exercise 8: the gradients of a sigmoid network under the power error ---------------------
def _power_error_gradients(W1, b1, W2, b2, X, T, q):
    network = Network.from_layers([Dense(W1, b1, "sigmoid"), Dense(W2, b2, "sigmoid")])
    grads = network.gradients(X, T, PowerError(q))
    return grads.dW[1], grads.db[1], grads.dW[2], grads.db[2]


_NO_BACKPROP = N_("write the backward pass yourself: power_error_gradients may not call minibp's "
                   "network backward, its gradients or its losses")
_BLOCKED = [(cls, name) for cls, names in (
    (Network, ("backward", "backward_unchecked", "gradients", "loss_and_gradients")),
    (Dense, ("backward", "gradients")), (Loss, ("output_delta",)), (PowerError, ("delta",)),
    (autograd.Value, ("backward",))) for name in names]


def _guarded(fn):
    if not callable(fn):
        return fn  # check_function reports it

    def run(*args):
        with refusing(fn, _BLOCKED, _(_NO_BACKPROP)):
            return fn(*args)
    return run


def _gradients_by_hand(W1, b1, W2, b2, X, T, q, output_delta=None, hidden=None, scale=None):
    """The backward pass written out, with hooks for the known mistakes below."""
    a1 = sigmoid(X @ W1 + b1)
    y = sigmoid(a1 @ W2 + b2)
    e = y - T
    delta2 = np.sign(e) * np.abs(e) ** q if output_delta is None else output_delta(y, T, q)
    back = delta2 @ W2.T
    delta1 = back * a1 * (1 - a1) if hidden is None else hidden(back, a1, q)
    N = X.shape[0] if scale is None else scale
    return X.T @ delta1 / N, delta1.sum(axis=0) / N, a1.T @ delta2 / N, delta2.sum(axis=0) / N


def _digits_case(q, n_examples=20, n_hidden=12, seed=0):
    X, labels = data.digits()
    rng = np.random.default_rng(seed)
    W1 = initializers.glorot_normalized(64, n_hidden, rng=rng)
    W2 = initializers.glorot_normalized(n_hidden, 10, rng=rng)
    return (W1, np.zeros(n_hidden), W2, np.zeros(10), X[:n_examples],
            data.one_hot(labels[:n_examples], 10), q)


def _random_power_network(rng):
    N, n_in, n_h, k = (int(v) for v in rng.integers(1, 6, size=4))
    return (rng.normal(size=(n_in, n_h)), rng.normal(size=n_h), rng.normal(size=(n_h, k)),
            rng.normal(size=k), rng.normal(size=(N, n_in)),
            rng.integers(0, 2, size=(N, k)).astype(float), _random_q(rng))


def power_error_gradients(fn):
    """Check ``fn(W1, b1, W2, b2, X, T, q) -> (dW1, db1, dW2, db2)``: one sigmoid hidden layer,
    sigmoid outputs, delta_out = sign(y - t)|y - t|^q; X (N, n_in), T (N, k); the batch mean."""
    ex = data.worked_example()
    example = (ex.W1, ex.b1, ex.W2, ex.b2, ex.x[None, :], ex.t[None, :])
    check_function(
        "power_error_gradients", _guarded(fn), _power_error_gradients,
        cases_with([example + (2.0,), example + (0.5,), example + (1.0,),
                    _digits_case(2.0), _digits_case(0.5),
                    (ex.W1, ex.b1, ex.W2, ex.b2, np.zeros((2, 3)), np.array([[1.0], [0.0]]),
                     1.5)],  # X = 0: no gradient for W1
                   _random_power_network),
        mistakes=[
            (lambda *c: _gradients_by_hand(
                *c, output_delta=lambda y, t, q: np.abs(y - t) ** q),
             N_("the sign is missing at the output: delta_out points the way y - t points.")),
            (lambda *c: _gradients_by_hand(
                *c, output_delta=lambda y, t, q: np.sign(y - t) * np.abs(y - t) ** q * y * (1 - y)),
             N_("the power error *is* dL/dz at the output: the sigmoid's slope is already in it "
                "(it cancels in L_q), so do not multiply by f' there.")),
            (lambda *c: _gradients_by_hand(
                *c, hidden=lambda back, a1, q: np.sign(back) * np.abs(back) ** q * a1 * (1 - a1)),
             N_("the power q belongs to the output error only: the hidden deltas follow the usual "
                "recursion, delta_out backpropagated unchanged.")),
            (lambda *c: _gradients_by_hand(*c, scale=1.0),
             N_("the gradients are the batch mean: "
                "divide the sums over the examples by N.")),
            (lambda *c: _gradients_by_hand(*c, hidden=lambda back, a1, q: back),
             N_("the hidden deltas are missing f'(z_1) = a_1 (1 - a_1).")),
            (lambda *c: _gradients_by_hand(*c, output_delta=lambda y, t, q: y - t),
             N_("that is the q = 1 signal, y - t, whatever q is: start from sign(y - t)|y - t|^q.")),
        ],
        received=(fn, lambda *case: case),
    )
