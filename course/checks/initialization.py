"""Checks for lesson 06, weight initialization: one function per exercise.

The initializers are random, so their checks hand the learner's function and minibp's own
``numpy.random.Generator`` objects made from the same seed: drawn the same way, the weights
must agree number by number. Each case is (n_in, n_out, seed); the lesson's layer sizes come
first (the digits' 64 inputs, hidden layers of 100, 10 classes), then random ones.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_
from minibp import activations, data, diagnostics, initializers
from minibp.network import Network

from . import cases_with, check_function

LESSON_SIZES = [(64, 100, 0), (100, 100, 1), (100, 10, 2)]
# One weight, a single input, a single output unit, a small square layer.
BOUNDARY_SIZES = [(1, 1, 3), (1, 50, 4), (50, 1, 5), (7, 7, 6)]
TRANSPOSED_HINT = N_("same distribution, but the check compares the exact numbers that one draw of "
                     "shape (n_in, n_out) gives: draw in that shape.")


def _random_sizes(rng):
    return (int(rng.integers(1, 300)), int(rng.integers(1, 300)), int(rng.integers(0, 10**6)))


def _seeded(fn):
    """``fn(n_in, n_out, rng)`` as a function of (n_in, n_out, seed), for ``check_function``."""
    if not callable(fn):
        return fn  # check_function reports it
    return lambda n_in, n_out, seed: fn(n_in, n_out, np.random.default_rng(seed))


def _reference(name):
    init = initializers.get_initializer(name)
    return lambda n_in, n_out, seed: init(n_in, n_out, rng=np.random.default_rng(seed))


def _normal(sigma):
    return lambda n_in, n_out, seed: np.random.default_rng(seed).normal(
        0.0, sigma(n_in, n_out), size=(n_in, n_out))


def _uniform(limit):
    return lambda n_in, n_out, seed: np.random.default_rng(seed).uniform(
        -limit(n_in, n_out), limit(n_in, n_out), size=(n_in, n_out))


def _transposed(law, scale):
    """The right law drawn as (n_out, n_in), then transposed: same statistics, other numbers.

    ``law``: "normal" (``scale`` gives sigma) or "uniform" (``scale`` gives the limit r).
    """
    def draw(n_in, n_out, seed):
        rng, s = np.random.default_rng(seed), scale(n_in, n_out)
        W = rng.normal(0.0, s, size=(n_out, n_in)) if law == "normal" else rng.uniform(
            -s, s, size=(n_out, n_in))
        return W.T
    return draw


def _check_initializer(name, fn, reference, mistakes):
    check_function(name, _seeded(fn), _reference(reference),
                   cases_with(LESSON_SIZES + BOUNDARY_SIZES, _random_sizes),
                   mistakes=[(wrong, hint) for wrong, hint in mistakes],
                   received=(fn, lambda n_in, n_out, seed: (n_in, n_out, np.random.default_rng(seed))))


# --- exercise 1: Xavier normal ------------------------------------------------------------
def xavier_normal(fn):
    """Check ``fn(n_in, n_out, rng) -> W`` (n_in, n_out), W ~ N(0, 2 / (n_in + n_out))."""
    _check_initializer("xavier_normal", fn, "xavier_normal", [
        (_normal(lambda i, o: 2.0 / (i + o)), N_("you passed the variance where numpy's normal "
         "expects the standard deviation.")),
        (_normal(lambda i, o: np.sqrt(1.0 / i)), N_("that keeps only the forward condition, the "
         "fan-in; Xavier's compromise uses both the fan-in and the fan-out.")),
        (_normal(lambda i, o: np.sqrt(2.0 / i)), N_("that is He's ReLU init, fan-in only; Xavier "
         "averages the fan-in and the fan-out.")),
        (_uniform(lambda i, o: np.sqrt(2.0 / (i + o))), N_("draw from a normal law, not a "
         "uniform one.")),
        (_transposed("normal", lambda i, o: np.sqrt(2.0 / (i + o))), TRANSPOSED_HINT),
    ])


# --- exercise 2: Glorot's normalized (uniform) initialization -------------------------------
def glorot_uniform(fn):
    """Check ``fn(n_in, n_out, rng) -> W``, W ~ U[-r, r] with r = sqrt(6 / (n_in + n_out))."""
    _check_initializer("glorot_uniform", fn, "glorot_normalized", [
        (_uniform(lambda i, o: np.sqrt(2.0 / (i + o))), N_("that limit gives a third of the "
         "target variance: what is the variance of a uniform law on [-r, r]?")),
        (_uniform(lambda i, o: 1.0 / np.sqrt(i)), N_("that is the 'standard' init, fan-in only; "
         "the normalized one uses both the fan-in and the fan-out.")),
        (_uniform(lambda i, o: 6.0 / (i + o)), N_("r bounds the weights themselves, not their "
         "squares: a square root is missing.")),
        (_normal(lambda i, o: np.sqrt(2.0 / (i + o))), N_("this is Xavier *normal*; here the "
         "weights come from a uniform law.")),
        (_transposed("uniform", lambda i, o: np.sqrt(6.0 / (i + o))), TRANSPOSED_HINT),
    ])


# --- exercise 3: the variance of a net input, one layer up ---------------------------------
def _net_input_variance(a, var_W):
    # z_q = sum_p a_p W_pq with independent zero-mean W: Var z_q = sum_p E[a_p^2] Var W.
    return a.shape[1] * var_W * float(np.mean(a * a))


def _digits_inputs():
    X, _ = data.digits()
    return X[:200]


def _random_activations(rng):
    N, n_in = int(rng.integers(5, 40)), int(rng.integers(2, 50))
    name = ("sigmoid", "tanh", "relu")[int(rng.integers(0, 3))]
    a = activations.get_activation(name)(rng.normal(0.5, 1.5, size=(N, n_in)))
    return a, float(rng.uniform(0.001, 0.5))


def net_input_variance(fn):
    """Check ``fn(a, var_W) -> float``: a (N, n_in) activations below, var_W the weights'
    variance; the predicted variance n_in var_W E[a^2] of each net input above."""
    X = _digits_inputs()
    sigmoid_layer = activations.sigmoid(X @ initializers.glorot_standard(64, 100, rng=0))
    check_function(
        "net_input_variance", fn, _net_input_variance,
        cases_with([(X, 1.0 / (3 * 64)), (sigmoid_layer, 1.0 / (3 * 100)),
                    (np.full((6, 4), 0.5), 0.2),  # constant activations: Var a = 0, E[a^2] > 0
                    (np.zeros((3, 5)), 0.1),  # no activity: no variance above
                    (np.array([[0.2, -1.0, 0.7]]), 0.25)],  # a single example
                   _random_activations),
        mistakes=[
            (lambda a, v: a.shape[1] * v * float(a.var()), N_("the variance of a forgets the "
             "activations' mean, and pixels or sigmoid outputs have a mean far from 0.")),
            (lambda a, v: v * float(np.mean(a * a)), N_("a net input sums n_in terms: how many "
             "terms are in your answer?")),
            (lambda a, v: a.shape[0] * v * float(np.mean(a * a)), N_("a.shape[0] is the number of "
             "examples N; the sum runs over the units below.")),
            (lambda a, v: a.shape[1] * v**2 * float(np.mean(a * a)), N_("var_W already is a "
             "variance: do not square it.")),
        ],
    )


# --- exercise 4: how much the back-propagated gradients spread less in the first layer -----
def _gradient_spread_ratio(deltas):
    return float(np.std(deltas[0]) / np.std(deltas[-1]))


def _random_deltas(rng):
    L, N = int(rng.integers(2, 7)), int(rng.integers(3, 30))
    scales = rng.uniform(0.1, 2.0, size=L) ** 3
    return ([scale * rng.normal(0.3, 1.0, size=(N, int(rng.integers(1, 20)))) for scale in scales],)


def _lesson_deltas():
    X, labels = data.digits()
    T = data.one_hot(labels[:300], 10)
    cases = []
    for init in ("glorot_standard", "glorot_normalized"):
        net = Network([64] + [100] * 5 + [10], "tanh", "softmax", init=init, rng=0)
        stats = diagnostics.layer_statistics(net, X[:300], T, "cross_entropy", keep_arrays=True)
        cases.append(([s["delta"] for s in stats[:-1]],))
    return cases


def _boundary_deltas():
    """Equal spreads (ratio 1); three layers whose middle one differs (exact ratio 1/2)."""
    rng = np.random.default_rng(7)
    d = rng.normal(size=(5, 3))
    return [([d, -d],), ([d, 10.0 * rng.normal(size=(5, 4)), 2.0 * d],)]


def gradient_spread_ratio(fn):
    """Check ``fn(deltas) -> float``: deltas a list [delta_1, ..., delta_L] of (N, n_l)
    arrays; std(delta_1) / std(delta_L), the first layer's spread over the last one's."""
    check_function(
        "gradient_spread_ratio", fn, _gradient_spread_ratio,
        cases_with(_lesson_deltas() + _boundary_deltas(), _random_deltas),
        mistakes=[
            (lambda d: 1.0 / _gradient_spread_ratio(d), N_("the ratio is upside down: the first "
             "layer's spread over the last layer's.")),
            (lambda d: _gradient_spread_ratio(d) ** 2, N_("that is the ratio of variances; the "
             "spread is the standard deviation.")),
            (lambda d: float(np.mean(np.abs(d[0])) / np.mean(np.abs(d[-1]))), N_("measure the "
             "spread with the standard deviation of all entries, not the mean absolute value.")),
            (lambda d: float(np.std(d[0]) / np.std(d[1])), N_("that compares the first layer "
             "with the second; the ratio is about the first and the last layer.")),
        ],
    )


# --- exercise 5: He initialization ----------------------------------------------------------
def he_normal(fn):
    """Check ``fn(n_in, n_out, rng) -> W`` (n_in, n_out), W ~ N(0, 2 / n_in)."""
    _check_initializer("he_normal", fn, "he_normal", [
        (_normal(lambda i, o: 2.0 / i), N_("you passed the variance where numpy's normal expects "
         "the standard deviation.")),
        (_normal(lambda i, o: np.sqrt(1.0 / i)), N_("ReLU zeroes half of its inputs: how must the "
         "weights' variance change to make up for that?")),
        (_normal(lambda i, o: np.sqrt(2.0 / (i + o))), N_("that is Xavier normal, with both fans; "
         "He uses the fan-in only.")),
        (_normal(lambda i, o: np.sqrt(2.0 / o)), N_("the forward argument counts the inputs of a "
         "unit: the fan-in, not the fan-out.")),
        (_transposed("normal", lambda i, o: np.sqrt(2.0 / i)), TRANSPOSED_HINT),
    ])


# --- exercise 7: every layer's variance, forward and backward, predicted --------------------
def _predicted_variances(sizes, var_W, mean_square_input, var_output_delta):
    # Forward: Var(z_l) = n_{l-1} Var(W_l) E[a_{l-1}^2], and a_l ~ z_l (mean 0) in the linear
    # regime. Backward: Var(delta_l) = n_{l+1} Var(W_{l+1}) Var(delta_{l+1}), from Var(delta_L).
    n, var_W = np.asarray(sizes, dtype=float), np.asarray(var_W, dtype=float)
    var_z = mean_square_input * np.cumprod(n[:-1] * var_W)
    backward_factors = n[2:] * var_W[1:]  # layer l's factor is n_{l+1} Var(W_{l+1}), l = 1..L-1
    var_delta = var_output_delta * np.append(np.cumprod(backward_factors[::-1])[::-1], 1.0)
    return var_z, var_delta


def _variances_with(forward_factor, backward_factor, first=lambda ms, n, v: n[0] * v[0] * ms):
    """A variant of the reference with other per-layer factors: for the known mistakes.
    ``forward_factor(n, var_W, l)``, l = 2..L, and ``backward_factor(n, var_W, l)``, l = 1..L-1
    (n the sizes n_0..n_L, var_W[l - 1] the variance of W_l)."""
    def variances(sizes, var_W, mean_square_input, var_output_delta):
        n, v = list(sizes), list(var_W)
        L = len(n) - 1
        var_z = [first(mean_square_input, n, v)]
        for l in range(2, L + 1):
            var_z.append(forward_factor(n, v, l) * var_z[-1])
        var_delta = [var_output_delta]
        for l in range(L - 1, 0, -1):
            var_delta.insert(0, backward_factor(n, v, l) * var_delta[0])
        return np.array(var_z), np.array(var_delta)
    return variances


def _lesson_variance_cases():
    X, _ = data.digits()
    mean_square = float(np.mean(X[:300] ** 2))
    sizes = [64] + [100] * 5 + [10]
    standard = [1.0 / (3 * n_in) for n_in in sizes[:-1]]
    normalized = [2.0 / (n_in + n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return [(sizes, standard, mean_square, 0.01), (sizes, normalized, mean_square, 0.01),
            ([64, 10], [2.0 / 74], mean_square, 0.05),  # one layer: nothing to propagate back
            ([3, 5, 2], [0.5, 0.1], 1.0, 1.0)]  # a small net whose factors are easy to follow


def _random_variance_case(rng):
    L = int(rng.integers(1, 7))
    sizes = [int(s) for s in rng.integers(1, 200, size=L + 1)]
    var_W = [float(v) for v in rng.uniform(0.2, 2.0, size=L) / np.array(sizes[:-1])]
    return sizes, var_W, float(rng.uniform(0.05, 2.0)), float(rng.uniform(1e-3, 1.0))


def predicted_variances(fn):
    """Check ``fn(sizes, var_W, mean_square_input, var_output_delta) -> (var_z, var_delta)``:
    sizes [n_0, ..., n_L], var_W (L,) with var_W[l - 1] = Var(W_l); var_z and var_delta (L,),
    entry l - 1 the predicted Var(z_l) and Var(delta_l), l = 1..L, in the linear regime."""
    check_function(
        "predicted_variances", fn, _predicted_variances,
        cases_with(_lesson_variance_cases(), _random_variance_case),
        mistakes=[
            (_variances_with(lambda n, v, l: n[l - 1] * v[l - 1],
                             lambda n, v, l: n[l] * v[l]),
             N_("backward, delta_l sums over the units of layer l + 1 that it feeds: count "
             "n_{l+1}, the fan-out, not the layer's own size.")),
            (_variances_with(lambda n, v, l: n[l - 1] * v[l - 1],
                             lambda n, v, l: n[l + 1] * v[l - 1]),
             N_("backward, delta_l reaches layer l + 1 through W_{l+1}: use that layer's weight "
             "variance, not W_l's.")),
            (_variances_with(lambda n, v, l: n[l] * v[l - 1],
                             lambda n, v, l: n[l + 1] * v[l],
                             first=lambda ms, n, v: n[1] * v[0] * ms),
             N_("forward, z_l sums over the units of the layer below: count its fan-in n_{l-1}, "
             "not n_l.")),
            (_variances_with(lambda n, v, l: n[l - 1] * v[l - 1] ** 2,
                             lambda n, v, l: n[l + 1] * v[l] ** 2,
                             first=lambda ms, n, v: n[0] * v[0] ** 2 * ms),
             N_("var_W already is a variance: do not square it.")),
        ],
    )
