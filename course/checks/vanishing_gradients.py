"""Checks for lesson 07, vanishing gradients: one function per exercise.

The references are minibp's own pieces: ``Network.backward`` for the delta recursion and the
weight gradients, the ``Recorder``'s update/weight ratio, ``initializers.negative_mean``,
``optimizers.clip_by_global_norm``. While the learner's ``delta_norms`` runs, minibp's
backward pass is refused (``_no_minibp``). The lesson's deep networks on the digits come first, then
random networks and numbers.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_
from minibp import data, initializers, optimizers
from minibp.losses import CrossEntropy
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import fit

from . import cases_with, check_function
from ._no_minibp import without_minibp_gradients

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "softsign", "relu", "leaky_relu")


def _lesson_network(depth=10, activation="sigmoid", init="glorot_normalized", n_examples=50):
    """The lesson's digits network at initialization: (network, forward, delta_L)."""
    X, labels = data.digits()
    X, T = X[:n_examples], data.one_hot(labels[:n_examples], 10)
    net = Network([64] + [100] * depth + [10], activation, "softmax", init=init, rng=0)
    fwd = net.forward(X)
    delta_L = CrossEntropy().output_delta(fwd.z[-1], fwd.output, T, net.output_activation)
    return net, fwd, delta_L


def _random_network(rng):
    depth = int(rng.integers(1, 6))
    sizes = [int(n) for n in rng.integers(1, 8, size=depth + 2)]
    activation = HIDDEN_ACTIVATIONS[int(rng.integers(0, len(HIDDEN_ACTIVATIONS)))]
    net = Network(sizes, activation, "sigmoid", init="glorot_normalized", rng=rng)
    N = int(rng.integers(1, 6))
    fwd = net.forward(rng.normal(size=(N, sizes[0])))
    return net, fwd, rng.normal(size=(N, sizes[-1]))


def _boundary_networks():
    """A one-layer network (delta_L is the only delta) and one mixing activations per layer."""
    rng = np.random.default_rng(6)
    cases = []
    for sizes, activation in (([5, 3], "sigmoid"), ([5, 4, 3, 3, 2], ["relu", "tanh", "sigmoid"]),
                              ([3, 4, 4, 2], ["leaky_relu", "softsign"])):
        net = Network(sizes, activation, "sigmoid", init="glorot_normalized", rng=rng)
        fwd = net.forward(rng.normal(size=(4, sizes[0])))
        cases.append((net, fwd, rng.normal(size=(4, sizes[-1]))))
    net, fwd, _ = cases[1]
    cases.append((net, net.forward(fwd.a[0][:1]), rng.normal(size=(1, 2))))  # one example
    return cases


# --- exercise 1: the delta recursion, layer by layer ---------------------------------------
def _delta_norms(network, forward, delta_L):
    deltas = network.backward(forward, delta_L).delta[1:]
    return np.array([np.linalg.norm(d) for d in deltas])


def _delta_norms_without_derivative(network, forward, delta_L):
    norms, delta = [np.linalg.norm(delta_L)], delta_L
    for l in range(network.depth, 1, -1):
        delta = delta @ network.layers[l - 1].W.T
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])


def _guarded(fn, name):
    """fn, run with minibp's backward pass, losses and optimizers refused."""
    def run(*args):
        with without_minibp_gradients(name, fn):
            return fn(*args)
    return run


def delta_norms(fn):
    """Check ``fn(network, forward, delta_L) -> norms`` (L,): ||delta_l|| for l = 1..L;
    minibp's backward pass is refused while ``fn`` runs."""
    cases = [_lesson_network(10, "sigmoid"), _lesson_network(4, "tanh")]
    check_function(
        "delta_norms", _guarded(fn, "delta_norms") if callable(fn) else fn, _delta_norms,
        cases_with([tuple(c) for c in cases] + _boundary_networks(), _random_network),
        mistakes=[
            (_delta_norms_without_derivative, N_("each step down also passes through the "
             "activation of the layer below: its slope f' is missing.")),
            (lambda n, f, d: _delta_norms(n, f, d)[::-1], N_("return the norms in layer order, "
             "layer 1 first and the output layer L last.")),
        ],
        received=(fn, lambda *case: case),
    )


# --- exercise 2: per-layer gradient norms from recorded a and delta ------------------------
def _layer_gradient_norms(activations, deltas):
    # Network.backward's dW_l = a_{l-1}^T delta_l / N, as Frobenius norms.
    N = deltas[0].shape[0]
    return np.array([np.linalg.norm(a.T @ d / N) for a, d in zip(activations, deltas)])


def _recorded(network, forward, delta_L):
    grads = network.backward(forward, delta_L)
    return (forward.a[:-1], grads.delta[1:])


def layer_gradient_norms(fn):
    """Check ``fn(activations, deltas) -> norms`` (L,): ``activations`` = [a_0, ..., a_{L-1}]
    and ``deltas`` = [delta_1, ..., delta_L] (lists of (N, n) arrays); ||dL/dW_l||."""
    cases = [_recorded(*_lesson_network(10, "sigmoid")), _recorded(*_lesson_network(3, "relu"))]
    cases += [_recorded(*case) for case in _boundary_networks()]
    check_function(
        "layer_gradient_norms", fn, _layer_gradient_norms,
        cases_with(cases, lambda rng: _recorded(*_random_network(rng))),
        mistakes=[
            (lambda a, d: _layer_gradient_norms(a, d) * d[0].shape[0], N_("dW_l is the mean over "
             "the batch: is your norm N times too large?")),
            (lambda a, d: np.array([np.linalg.norm(x) for x in d]), N_("that is the norm of "
             "delta_l; the weight gradient also needs the activations feeding the layer.")),
        ],
    )


# --- exercise 3: sigmoid' <= 1/4 turned into a depth ---------------------------------------
def _layers_to_vanish(gain, fraction):
    layers, size = 0, 1.0
    while size > fraction:
        size *= gain
        layers += 1
    return layers


def _layers_to_vanish_strict(gain, fraction):
    """The slip: counting on while gain**L merely equals the fraction."""
    layers, size = 0, 1.0
    while size >= fraction:
        size *= gain
        layers += 1
    return layers


def _random_gain(rng):
    return (float(rng.uniform(0.05, 0.95)), float(10.0 ** rng.uniform(-12, -0.5)))


def layers_to_vanish(fn):
    """Check ``fn(gain, fraction) -> int``: the fewest layers L with gain**L <= fraction."""
    check_function(
        "layers_to_vanish", fn, _layers_to_vanish,
        cases_with([(0.25, 1e-3), (0.25, 1e-6), (0.6, 1e-2), (0.9, 0.5),
                    # exact powers (exact in binary too): gain**L equals the fraction
                    (0.5, 0.125), (0.25, 0.0625), (0.75, 0.5625), (0.5, 0.5)],
                   _random_gain),
        mistakes=[
            (_layers_to_vanish_strict, N_("when gain**L equals the fraction exactly, it has got "
             "there: is your comparison strict?")),
            (lambda g, f: int(np.floor(np.log(f) / np.log(g))), N_("rounding down stops one layer "
             "early, where gain**L is still above the fraction: you need the fewest layers "
             "that get there.")),
            (lambda g, f: int(np.ceil(np.log(g) / np.log(f))), N_("the ratio of the two logarithms "
             "is upside down.")),
            (lambda g, f: _layers_to_vanish(g, f) - 1, N_("one layer short: gain**L must reach "
             "the fraction, not just come close.")),
        ],
        rtol=0, atol=0,
    )


# --- exercise 4: the update/weight ratio per layer -----------------------------------------
def _update_ratios(weights_before, weights_after):
    return np.array([np.linalg.norm(after - before) / np.linalg.norm(before)
                     for before, after in zip(weights_before, weights_after)])


def _random_weights(rng):
    depth = int(rng.integers(1, 6))
    before = [rng.normal(size=(int(rng.integers(1, 9)), int(rng.integers(1, 9))))
              for _ in range(depth)]
    after = [W + rng.uniform(1e-4, 0.5) * rng.normal(size=W.shape) for W in before]
    return before, after


def _lesson_weights():
    """A 10-layer sigmoid net on the digits before and after one epoch of training."""
    X, labels = data.digits()
    X, T = X[:200], data.one_hot(labels[:200], 10)
    net = Network([64] + [100] * 10 + [10], "sigmoid", "softmax", init="glorot_normalized", rng=0)
    before = [layer.W.copy() for layer in net.layers]
    fit(net, X, T, "cross_entropy", SGD(0.1), epochs=1, batch_size=10, rng=0)
    return before, [layer.W.copy() for layer in net.layers]


def _boundary_weights():
    """Three layers: one that did not move (ratio 0), one doubled (ratio 1), a 1 x 1 one."""
    W = np.random.default_rng(8).normal(size=(3, 4))
    return [W, W.T, np.array([[2.0]])], [W.copy(), 2.0 * W.T, np.array([[2.5]])]


def update_ratios(fn):
    """Check ``fn(weights_before, weights_after) -> ratios`` (L,): for each layer
    ||W_after - W_before|| / ||W_before|| (Frobenius norms), as ``diagnostics.Recorder``."""
    check_function(
        "update_ratios", fn, _update_ratios,
        cases_with([_lesson_weights(), _boundary_weights()], _random_weights),
        mistakes=[
            (lambda b, a: np.array([np.linalg.norm(y - x) / np.linalg.norm(y) for x, y in zip(b, a)]),
             N_("compare the step with the size of the weights *before* the update.")),
            (lambda b, a: np.array([np.linalg.norm(y - x) for x, y in zip(b, a)]), N_("that is the "
             "step's size alone; the ratio compares it with the size of the weights.")),
            (lambda b, a: np.array([np.mean(np.abs(y - x)) / np.mean(np.abs(x)) for x, y in zip(b, a)]),
             N_("use Frobenius norms of whole matrices, not mean absolute values.")),
        ],
    )


# --- exercise 5: the negative-mean initialization ------------------------------------------
def _random_negative_mean(rng):
    return (int(rng.integers(1, 300)), int(rng.integers(1, 300)), int(rng.integers(0, 10**6)),
            float(rng.uniform(0.0, 20.0)))


def negative_mean(fn):
    """Check ``fn(n_in, n_out, rng, c) -> W``: U[-1/sqrt(n_in), 1/sqrt(n_in)] - c / n_in."""

    def seeded(wrapped):
        if not callable(wrapped):
            return wrapped
        return lambda n_in, n_out, seed, c: wrapped(n_in, n_out, np.random.default_rng(seed), c)

    def reference(n_in, n_out, seed, c):
        return initializers.negative_mean(n_in, n_out, rng=np.random.default_rng(seed), c=c)

    def shifted(mean, transposed=False):
        def wrong(n_in, n_out, seed, c):
            limit = 1.0 / np.sqrt(n_in)
            rng = np.random.default_rng(seed)
            W = (rng.uniform(-limit, limit, size=(n_out, n_in)).T if transposed
                 else rng.uniform(-limit, limit, size=(n_in, n_out)))
            return W + mean(n_in, n_out, c)
        return wrong

    check_function(
        "negative_mean", seeded(fn), reference,
        cases_with([(100, 100, 0, 4.0), (64, 100, 1, 4.0), (100, 10, 2, 8.0),
                    (1, 5, 3, 2.0),  # a single input
                    (10, 1, 4, 0.0),  # c = 0: no shift at all
                    (7, 7, 5, 3.0)],  # a small square layer
                   _random_negative_mean),
        mistakes=[
            (shifted(lambda i, o, c: c / i), N_("the mean is *negative*: check the sign of your "
             "shift.")),
            (shifted(lambda i, o, c: -c / o), N_("the shift scales with the fan-in, not the "
             "fan-out.")),
            (shifted(lambda i, o, c: -c / np.sqrt(i)), N_("check how your shift scales with n_in: "
             "a net input's total shift, over n_in terms, should not grow with the width.")),
            (shifted(lambda i, o, c: -c), N_("the shift must scale with the width: a net input sums "
             "n_in shifted terms, and its total shift should not depend on n_in.")),
            (shifted(lambda i, o, c: -c / i, transposed=True), N_("same distribution, but the "
             "check compares the exact numbers that one draw of shape (n_in, n_out) gives: "
             "draw in that shape.")),
        ],
        received=(fn, lambda n_in, n_out, seed, c: (n_in, n_out, np.random.default_rng(seed), c)),
    )


# --- exercise 7: gradient clipping by global norm ------------------------------------------
def _lesson_gradients(activation, init, n_examples=50):
    """The gradients [dW_1, db_1, ..., dW_L, db_L] of the lesson's 10-layer digits network at
    initialization: U[-1, 1] ReLU explodes (global norm in the millions), the normalized
    sigmoid one does not."""
    X, labels = data.digits()
    X, T = X[:n_examples], data.one_hot(labels[:n_examples], 10)
    net = Network([64] + [100] * 10 + [10], activation, "softmax", init=init, rng=0)
    return net.gradients(X, T, "cross_entropy").as_list()


def _random_gradients(rng):
    shapes = [tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 3))))
              for _ in range(int(rng.integers(1, 5)))]
    scale = 10.0 ** rng.uniform(-2, 2)
    return [scale * rng.normal(size=shape) for shape in shapes], float(10.0 ** rng.uniform(-1, 1))


def _scaled(grads, factor):
    return [g * factor for g in grads]


def clip_by_global_norm(fn):
    """Check ``fn(grads, max_norm) -> list of arrays``: every array of ``grads`` scaled by
    max_norm / ||g|| when the global norm ||g|| of all of them exceeds max_norm, else as is
    (``minibp.optimizers.clip_by_global_norm``)."""
    norm = optimizers.global_norm
    rng = np.random.default_rng(7)
    lesson = [(_lesson_gradients("relu", "uniform"), 1.0),
              (_lesson_gradients("sigmoid", "glorot_normalized"), 1.0),  # below: left alone
              ([np.array([[3.0, 4.0]]), np.array([0.0])], 5.0),  # exactly at the threshold
              ([np.array([[3.0, 4.0]]), np.array([12.0])], 6.5),  # norm 13: halved
              ([1e-3 * rng.normal(size=(3, 2)), 1e-3 * rng.normal(size=2)], 1.0),  # tiny
              ([rng.normal(size=(4, 3))], 0.5)]  # a single array
    check_function(
        "clip_by_global_norm",
        lambda grads, max_norm: fn([g.copy() for g in grads], max_norm),
        optimizers.clip_by_global_norm, cases_with(lesson, _random_gradients),
        mistakes=[
            (lambda gs, m: [g * min(1.0, m / np.linalg.norm(g)) for g in gs], N_("clip the whole "
             "gradient by one factor from the norm of all arrays together: clipping each array "
             "by its own norm changes the direction of the step.")),
            (lambda gs, m: _scaled(gs, m / norm(gs)), N_("only a gradient longer than max_norm is "
             "scaled; one at or below it is returned as it is.")),
            (lambda gs, m: _scaled(gs, norm(gs) / m) if norm(gs) > m else list(gs), N_("the "
             "factor is upside down: a clipped gradient must come out *shorter*, of length "
             "max_norm.")),
            (lambda gs, m: [np.clip(g, -m, m) for g in gs], N_("that clips each entry on its own "
             "(clipping by value), which turns the step; scale all the arrays by one factor, "
             "so the step keeps its direction and gets length max_norm.")),
            (lambda gs, m: (lambda s: _scaled(gs, m / s) if s > m else list(gs))(
                sum(np.linalg.norm(g) for g in gs)), N_("the global norm is the square root of "
             "the sum of the squares of *all* entries, not the sum of the arrays' norms.")),
            (lambda gs, m: (lambda s: _scaled(gs, m / s) if s > m else list(gs))(
                norm(gs) ** 2), N_("the norm is the square root of the sum of squares.")),
            (lambda gs, m: _scaled(gs, 1.0 / norm(gs)) if norm(gs) > m else list(gs), N_("a "
             "clipped gradient has length max_norm, not length 1.")),
        ],
        received=(fn, lambda grads, max_norm: (grads, max_norm)),
    )
