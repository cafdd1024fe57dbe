"""Checks for lesson 03, backprop in matrix form: one function per exercise.

Layer lists follow the lesson (and ``minibp.network``): index l = 1..L is layer l, index 0 is
the input layer, which has a_0 = X but no W, b or delta (None there). The references are
minibp's ``Network``, ``Dense`` and ``gradcheck``; the first cases are the lesson's numbers
(the lesson-01 network on one example and on a batch of four), then random networks. While
the learner's exercises 2-4 run, minibp's backward pass, losses and optimizers are refused
(``_no_minibp``).
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_, _
from minibp import data, gradcheck
from minibp.network import Dense, Forward, Network

from . import CheckFailure, cases_with, check_function
from ._no_minibp import without_minibp_gradients

_EXAMPLE = data.worked_example()
# The lecture's batch of four examples for the lesson-01 network, and their targets.
BATCH_X = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
BATCH_T = np.array([[1.0], [0.0], [1.0], [0.0]])


def _lesson_lists():
    """W and b of the lesson-01 network as layer lists [None, W_1, W_2], [None, b_1, b_2]."""
    ex = _EXAMPLE
    return [None, np.array(ex.W1), np.array(ex.W2)], [None, np.array(ex.b1), np.array(ex.b2)]


def _network(W, b):
    return Network.from_layers([Dense(W[l], b[l], "sigmoid") for l in range(1, len(W))])


def _random_lists(rng, max_layers=3):
    L = int(rng.integers(1, max_layers + 1))
    sizes = rng.integers(1, 6, size=L + 1)
    W = [None] + [rng.normal(size=(sizes[l - 1], sizes[l])) for l in range(1, L + 1)]
    b = [None] + [rng.normal(size=sizes[l]) for l in range(1, L + 1)]
    return W, b


def _flat(value):
    """Layer lists -> one flat tuple of arrays; None (layer 0) -> an empty array."""
    if isinstance(value, (list, tuple)):
        return tuple(item for part in value for item in _flat(part))
    if value is None:
        return (np.zeros(0),)
    return (value,)


def _copy_lists(args):
    return tuple([None if x is None else np.array(x, dtype=np.float64) for x in arg]
                 if isinstance(arg, list) else arg for arg in args)


def _layered(fn):
    """Call ``fn`` on copies of its list arguments and flatten what it returns."""
    if not callable(fn):
        raise CheckFailure(_("expected a function; got {kind}").format(kind=type(fn).__name__))

    def wrapped(*args):
        return _flat(fn(*_copy_lists(args)))

    return wrapped


def _guarded(fn, name):
    """fn, run with minibp's backward pass, losses and optimizers refused (exercises 2-4)."""
    if not callable(fn):
        return fn

    def run(*args):
        with without_minibp_gradients(name, fn):
            return fn(*args)
    return run


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- exercise 1: the forward pass over a batch --------------------------------------------
def _forward_pass(X, W, b):
    return _network(W, b).forward(X).a


def _forward_without_output_sigmoid(X, W, b):
    a = _forward_pass(X, W, b)
    return a[:-1] + [a[-2] @ W[-1] + b[-1]]


def _single_layer():
    """The lesson-01 network's output layer alone, as layer lists: a one-layer network."""
    W, b = _lesson_lists()
    return [None, W[2]], [None, b[2]]


def _forward_cases():
    W, b = _lesson_lists()
    first = [(_EXAMPLE.x[None, :].copy(), W, b), (BATCH_X, W, b),
             (BATCH_X[:, :2], *_single_layer()),  # one layer: the output layer is the only one
             (np.zeros((2, 3)), W, b)]  # zero inputs: only the biases act in layer 1

    def random_case(rng):
        W, b = _random_lists(rng)
        return rng.normal(size=(int(rng.integers(1, 7)), W[1].shape[0])), W, b

    return cases_with(first, random_case)


def forward_pass(fn):
    """Check ``fn(X, W, b) -> a = [X, a_1, ..., a_L]`` for sigmoid layers; X: (N, n_0)."""
    check_function(
        "forward_pass", _layered(fn), _layered(_forward_pass), _forward_cases(),
        mistakes=[
            (_layered(lambda X, W, b: _forward_pass(X, W, b)[1:]), N_("the list starts with the "
             "input itself: is X at index 0 of yours?")),
            (_layered(lambda X, W, b: _forward_pass(X, W, [None] + [0 * v for v in b[1:]])),
             N_("the bias is missing from each layer's net input.")),
            (_layered(_forward_without_output_sigmoid), N_("is the output layer squashed too? "
             "Every layer here is a sigmoid layer, the last one included.")),
        ],
    )


# --- exercise 2: the delta recursion -------------------------------------------------------
def _backward_deltas(a, W, delta_L):
    L = len(W) - 1
    network = Network.from_layers(
        [Dense(W[l], np.zeros(W[l].shape[1]), "sigmoid") for l in range(1, L + 1)])
    z = [None] + [np.log(a[l]) - np.log1p(-a[l]) for l in range(1, L + 1)]  # z = logit(a)
    return network.backward(Forward(z, list(a)), delta_L).delta


def _deltas_cases():
    W, b = _lesson_lists()

    def case(X, W, b, rng=None):
        a = _forward_pass(X, W, b)
        delta_L = (a[-1] - (rng.uniform(size=a[-1].shape) if rng is not None else 1.0))
        return a, W, delta_L * a[-1] * (1 - a[-1])

    a, _, _ = case(BATCH_X, W, b)
    one_W, one_b = _single_layer()
    first = [case(_EXAMPLE.x[None, :].copy(), W, b),
             (a, W, (a[-1] - BATCH_T) * a[-1] * (1 - a[-1])),
             case(BATCH_X[:, :2], one_W, one_b),  # one layer: delta_L is the only delta
             (a, W, np.zeros_like(a[-1]))]  # no error at the output: no delta anywhere

    def random_case(rng):
        W, b = _random_lists(rng)
        X = rng.normal(size=(int(rng.integers(1, 7)), W[1].shape[0]))
        return case(X, W, b, rng)

    return cases_with(first, random_case)


def _deltas_without_fprime(a, W, delta_L):
    L = len(W) - 1
    delta = [None] * (L + 1)
    delta[L] = delta_L
    for l in range(L, 1, -1):
        delta[l - 1] = delta[l] @ W[l].T
    return delta


def backward_deltas(fn):
    """Check ``fn(a, W, delta_L) -> [None, delta_1, ..., delta_L]`` for sigmoid layers."""
    check_function(
        "backward_deltas", _layered(_guarded(fn, "backward_deltas")), _layered(_backward_deltas),
        _deltas_cases(),
        mistakes=[
            (_layered(_deltas_without_fprime), N_("each step down also passes through layer l's "
             "sigmoid: its slope f' is missing.")),
            (_layered(lambda a, W, d: _backward_deltas(a, W, d)[1:]), N_("start the list with "
             "None: layer 0, the input, has no delta.")),
            (_layered(lambda a, W, d: [None] + [-x for x in _backward_deltas(a, W, d)[1:-1]]
                      + [d]), N_("the sign is flipped: every delta is a slope of the loss, with "
             "the same sign as what flows down from the layer above.")),
        ],
    )


# --- exercise 3: dW and db over a batch ----------------------------------------------------
def _layer_gradients(a_prev, delta):
    n_in, n_out = a_prev.shape[1], delta.shape[1]
    network = Network.from_layers([Dense(np.zeros((n_in, n_out)), np.zeros(n_out), "identity")])
    grads = network.backward(Forward([None, None], [a_prev, None]), delta)
    return grads.dW[1], grads.db[1]


def _gradient_cases():
    a = _forward_pass(BATCH_X, *_lesson_lists())
    delta = _backward_deltas(a, _lesson_lists()[0], (a[-1] - BATCH_T) * a[-1] * (1 - a[-1]))
    first = [(a[1], delta[2]), (a[0], delta[1]),
             (a[0][:1], delta[1][:1]),  # one example: the mean is that example's gradient
             (a[1], np.zeros_like(delta[2]))]  # zero error signal: zero gradients

    def random_case(rng):
        N, n_in, n_out = (int(v) for v in rng.integers(1, 7, size=3))
        return rng.normal(size=(N, n_in)), rng.normal(size=(N, n_out))

    return cases_with(first, random_case)


def layer_gradients(fn):
    """Check ``fn(a_prev, delta) -> (dW, db)``: a_prev (N, n_in), delta (N, n_out), mean loss."""
    check_function(
        "layer_gradients", _guarded(fn, "layer_gradients"), _layer_gradients, _gradient_cases(),
        mistakes=[
            (lambda a, d: (a.T @ d, d.sum(axis=0)), N_("these are the gradients of the summed "
             "loss; the lesson's loss is the mean over the batch.")),
            (lambda a, d: (a.T @ d / len(a), d.sum(axis=0)), N_("dW is right, but db is a sum "
             "over the batch: the bias gradient is a batch mean too.")),
            (lambda a, d: (d.T @ a / len(a), d.mean(axis=0)), N_("dW must have W's shape "
             "(n_in, n_out): check the order of your matrix product.")),
        ],
        received=(fn, lambda *case: case),
    )


# --- exercise 4: the whole backward pass ---------------------------------------------------
def _backprop(X, T, W, b):
    _, grads = _network(W, b).loss_and_gradients(X, T, "squared_error")
    return grads.dW, grads.db


def _backprop_cases():
    W, b = _lesson_lists()
    one_W, one_b = _single_layer()
    first = [(_EXAMPLE.x[None, :].copy(), _EXAMPLE.t[None, :].copy(), W, b),
             (BATCH_X, BATCH_T, W, b),
             (BATCH_X[:, :2], BATCH_T, one_W, one_b),  # one layer: no hidden deltas at all
             (BATCH_X, _forward_pass(BATCH_X, W, b)[-1], W, b)]  # T == a_L: zero gradients

    def random_case(rng):
        W, b = _random_lists(rng)
        N = int(rng.integers(1, 7))
        return (rng.normal(size=(N, W[1].shape[0])), rng.uniform(size=(N, W[-1].shape[1])),
                W, b)

    return cases_with(first, random_case)


def _backprop_without_output_fprime(X, T, W, b):
    a = _forward_pass(X, W, b)
    delta = _backward_deltas(a, W, a[-1] - T)
    return ([None] + [_layer_gradients(a[l - 1], delta[l])[0] for l in range(1, len(W))],
            [None] + [_layer_gradients(a[l - 1], delta[l])[1] for l in range(1, len(W))])


def _backprop_without_hidden_fprime(X, T, W, b):
    a = _forward_pass(X, W, b)
    delta = _deltas_without_fprime(a, W, (a[-1] - T) * a[-1] * (1 - a[-1]))
    return ([None] + [_layer_gradients(a[l - 1], delta[l])[0] for l in range(1, len(W))],
            [None] + [_layer_gradients(a[l - 1], delta[l])[1] for l in range(1, len(W))])


def _backprop_mean_twice(X, T, W, b):
    dW, db = _backprop(X, T, W, b)
    return [None] + [g / len(X) for g in dW[1:]], [None] + [g / len(X) for g in db[1:]]


def backprop(fn):
    """Check ``fn(X, T, W, b) -> (dW, db)``, lists [None, dW_1, ...] of the mean squared error."""
    check_function(
        "backprop", _layered(_guarded(fn, "backprop")), _layered(_backprop), _backprop_cases(),
        mistakes=[
            (_layered(_backprop_without_output_fprime), N_("your delta_L is cross-entropy's error "
             "signal; with the squared error, the output sigmoid's slope f' stays in.")),
            (_layered(lambda X, T, W, b: tuple([None] + [len(X) * g for g in grads[1:]]
                                               for grads in _backprop(X, T, W, b))),
             N_("these are the gradients of the summed loss; the lesson's loss is the mean over "
                "the batch.")),
            (_layered(_backprop_without_hidden_fprime), N_("the hidden deltas miss the slope f' "
             "of their own sigmoid layer.")),
            (_layered(_backprop_mean_twice), N_("the gradients are N times too small: delta_L is "
             "each example's own slope, and the batch mean is taken once, in dW and db.")),
        ],
    )


# --- exercise 5: centred finite differences ------------------------------------------------
def _numerical_gradient(loss, w, eps):
    w = np.array(w, dtype=np.float64)
    return gradcheck.numerical_gradient(lambda: loss(w), w, eps)


def _lesson_loss(W1):
    """The lesson-01 network's squared error on its example, as a function of W1 (3, 2)."""
    ex = _EXAMPLE
    o = _sigmoid(_sigmoid(ex.x @ W1 + ex.b1) @ ex.W2 + ex.b2)
    return float(0.5 * np.sum((o - ex.t) ** 2))


def _quadratic_loss(w):
    return float(np.sum(w**2) + 3.0 * np.sum(w) ** 2)


def _wavy_loss(w):
    return float(np.sum(np.sin(3.0 * w)) + np.sum(np.exp(0.5 * w)))


def _numerical_cases():
    first = [(_lesson_loss, np.array(_EXAMPLE.W1), 1e-3), (_lesson_loss, np.array(_EXAMPLE.W1), 1e-5),
             (_quadratic_loss, np.zeros(3), 1e-3)]  # at the minimum: the gradient is zero

    def random_case(rng):
        loss = [_quadratic_loss, _wavy_loss][int(rng.integers(0, 2))]
        shape = tuple(int(v) for v in rng.integers(1, 4, size=int(rng.integers(1, 3))))
        return loss, rng.normal(size=shape), float(10.0 ** -rng.integers(2, 5))

    return cases_with(first, random_case)


def _one_sided(loss, w, eps):
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        plus = w.copy()
        plus[i] += eps
        grad[i] = (loss(plus) - loss(w)) / eps
    return grad


def numerical_gradient(fn):
    """Check ``fn(loss, w, eps) -> gradient`` (shape of w) by centred differences."""
    check_function(
        "numerical_gradient", fn, _numerical_gradient, _numerical_cases(),
        mistakes=[
            (_one_sided, N_("that is a one-sided difference: step both ways from w, so that the "
             "error shrinks like eps squared.")),
            (lambda loss, w, eps: 2.0 * _numerical_gradient(loss, w, eps), N_("how far apart are "
             "the two points you compare? Divide by that distance.")),
        ],
    )


# --- exercise 6: the relative error ---------------------------------------------------------
def _relative_error(a, b):
    return gradcheck.relative_error(a, b)


def _relative_cases():
    first = [(np.array([0.1311, -0.0087]), np.array([0.1311001, -0.0087])),
             (np.zeros(3), np.zeros(3)), (np.array([3.0, 4.0]), np.zeros(2)),
             (np.array([1.5, -2.0]), np.array([1.5, -2.0])),  # equal: 0
             (np.array([1.0, -2.0]), np.array([-1.0, 2.0]))]  # opposite: 1

    def random_case(rng):
        shape = tuple(int(v) for v in rng.integers(1, 4, size=int(rng.integers(1, 3))))
        a = rng.normal(size=shape) * 10.0 ** rng.integers(-6, 3)
        return a, a + rng.normal(size=shape) * 10.0 ** rng.integers(-9, 0) * np.abs(a).max()

    return cases_with(first, random_case)


def relative_error(fn):
    """Check ``fn(a, b) -> ||a - b|| / (||a|| + ||b||)`` (0 when both are 0)."""

    def returns_a_number(a, b):
        return float(np.asarray(fn(a, b), dtype=np.float64))

    check_function(
        "relative_error", returns_a_number if callable(fn) else fn, _relative_error,
        _relative_cases(),
        mistakes=[
            (lambda a, b: float(np.linalg.norm(a - b)), N_("that is the absolute error: scale it "
             "by the sizes of both arrays, so it does not depend on the gradient's scale.")),
            (lambda a, b: float(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-300)),
             N_("scale by the sizes of both arrays, not of a alone: the error must treat a and b "
                "alike, and stay defined when a is zero.")),
        ],
        rtol=1e-6,
    )
