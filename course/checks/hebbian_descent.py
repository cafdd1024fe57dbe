"""Checks for lesson 10, Hebbian descent: one function per exercise.

The references are minibp's own code (``minibp.hebbian`` and ``losses.HebbianDescent``), applied
to the lesson's numbers first (the one saturated unit, a pattern pair of the continual-learning
experiment) and then to random cases.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_, _
from minibp import hebbian
from minibp.activations import sigmoid
from minibp.losses import HebbianDescent

from . import cases_with, check_function
from ._no_minibp import refusing

# The lesson's numbers: the continual-learning experiment with seed 0 (its 100 pattern pairs,
# then its starting weights, drawn from one generator), centered on the data mean, eta = 0.2.
_generator = np.random.default_rng(0)
_X, _T = hebbian.random_pattern_pairs(100, 200, 200, rng=_generator)
_W0 = hebbian.initial_weights(200, 200, "sigmoid_uniform", rng=_generator)
_b0 = np.zeros(200)
_MU = _X.mean(axis=0)
_ETA = 0.2


def _random_layer(rng):
    n_in, n_out = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    W = rng.normal(0.0, 1.0, size=(n_in, n_out))
    b = rng.normal(0.0, 1.0, size=n_out)
    x = rng.integers(0, 2, n_in).astype(float)
    t = rng.integers(0, 2, n_out).astype(float)
    return W, b, x, t, rng.uniform(0.0, 1.0, size=n_in), float(rng.uniform(0.05, 1.0))


def _sigmoid_layer(W, b, x, mu):
    return sigmoid((x - mu) @ W + b)


def _boundary_layers():
    """x == mu (the centered input is zero: only the bias moves); t == y (no error: no change)."""
    rng = np.random.default_rng(8)
    W, b, x, _t, _mu, eta = _random_layer(rng)
    while W.shape[0] < 2 or W.shape[1] < 2:
        W, b, x, _t, _mu, eta = _random_layer(rng)
    mu = rng.uniform(0.0, 1.0, size=x.shape)
    t = rng.integers(0, 2, W.shape[1]).astype(float)
    return [(W, b, x, t, x.copy(), eta), (W, b, x, _sigmoid_layer(W, b, x, mu), mu, eta)]


# --- exercise 1: one Hebbian-descent update ----------------------------------------------------
def _hebbian_descent_update(W, b, x, t, mu, learning_rate):
    dW, db = hebbian.update("hebbian_descent", W, b, x, t, learning_rate, offset=mu)
    return W + dW, b + db


def hebbian_descent_update(fn):
    """Check ``fn(W, b, x, t, mu, learning_rate) -> (W_new, b_new)`` for one sigmoid layer."""

    def with_f_prime(W, b, x, t, mu, eta):
        y = _sigmoid_layer(W, b, x, mu)
        e = (y - t) * y * (1 - y)
        return W - eta * np.outer(x - mu, e), b - eta * e

    def uncentered(W, b, x, t, mu, eta):
        e = _sigmoid_layer(W, b, x, mu) - t
        return W - eta * np.outer(x, e), b - eta * e

    def flipped(W, b, x, t, mu, eta):
        e = _sigmoid_layer(W, b, x, mu) - t
        return W + eta * np.outer(x - mu, e), b + eta * e

    def no_bias(W, b, x, t, mu, eta):
        return _hebbian_descent_update(W, b, x, t, mu, eta)[0], b

    check_function(
        "hebbian_descent_update", fn, _hebbian_descent_update,
        cases_with([(_W0, _b0, _X[0], _T[0], _MU, _ETA),
                    (np.array([[-6.0]]), np.array([0.0]), np.array([1.0]), np.array([1.0]),
                     np.array([0.0]), 0.5)] + _boundary_layers(),
                   _random_layer),
        mistakes=[
            (with_f_prime,
             N_("you kept the sigmoid's slope f': that is gradient descent on the squared error. Hebbian "
                "descent drops f'.")),
            (uncentered,
             N_("the weight change should use the centered input, as the forward pass does.")),
            (flipped,
             N_("is the step going downhill? The update should move y toward t.")),
            (no_bias,
             N_("the bias is a parameter too: does it move?")),
        ],
    )


# --- exercise 2: the matching loss of a sigmoid layer ------------------------------------------
def _matching_loss_sigmoid(z, t):
    return float(HebbianDescent().per_example(z[None, :], sigmoid(z)[None, :], t[None, :],
                                              "sigmoid")[0])


def _random_net_inputs(rng):
    k = int(rng.integers(1, 6))
    t = rng.integers(0, 2, k).astype(float) if rng.random() < 0.5 else rng.uniform(0, 1, k)
    return rng.uniform(-10.0, 10.0, size=k), t


def matching_loss_sigmoid(fn):
    """Check ``fn(z, t) -> sum_j [softplus(z_j) - t_j z_j]``; z, t: (k,)."""
    check_function(
        "matching_loss_sigmoid", fn, _matching_loss_sigmoid,
        cases_with([(np.array([-6.0]), np.array([1.0])), (np.array([6.0]), np.array([1.0])),
                    (np.array([0.0, 2.0, -2.0]), np.array([0.5, 0.0, 1.0])),
                    (np.zeros(3), np.array([0.0, 0.5, 1.0])),  # z = 0: the target term vanishes
                    (np.array([0.0]), np.array([0.5]))],  # sigmoid(z) == t: the loss's minimum
                   _random_net_inputs),
        mistakes=[
            (lambda z, t: float(np.sum(np.logaddexp(0, z))),
             N_("the term with the target is missing: without it the loss does not depend on t.")),
            (lambda z, t: float(np.sum(t * z - np.logaddexp(0, z))),
             N_("the sign is flipped: the loss must be smallest where sigmoid(z) equals t.")),
            (lambda z, t: float(0.5 * np.sum((sigmoid(z) - t) ** 2)),
             N_("that is the squared error; the matching loss is built from the sigmoid's potential Phi.")),
            (lambda z, t: float(np.sum(np.log(sigmoid(z)) - t * z)),
             N_("Phi is the function whose derivative is sigmoid(z); ln sigmoid(z) is a different "
                "function.")),
        ],
    )


# --- exercise 3: the running mean (online centering) ----------------------------------------
def _running_mean(X):
    return hebbian.centering_offsets(X, "running")


def running_mean(fn):
    """Check ``fn(X) -> mu``, mu[n] = mean of X[0..n]; X, mu: (N, D)."""
    check_function(
        "running_mean", fn, _running_mean,
        cases_with([(_X[:5],), (np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]),),
                    (np.array([[0.0, 1.0, 1.0]]),),  # one pattern: its own mean
                    (np.ones((4, 2)),)],  # the same pattern again and again
                   lambda rng: (rng.integers(0, 2, (int(rng.integers(1, 7)),
                                                    int(rng.integers(1, 5)))).astype(float),)),
        mistakes=[
            (lambda X: np.cumsum(X, axis=0) / X.shape[0],
             N_("you divided every running sum by N: how many patterns has row n seen?")),
            (lambda X: np.broadcast_to(X.mean(axis=0), X.shape),
             N_("that is the mean of the whole sequence in every row: an online learner at pattern n has "
                "seen rows 0..n only.")),
            (lambda X: np.vstack([np.zeros((1, X.shape[1])),
                                  np.cumsum(X, axis=0)[:-1] / np.arange(1, X.shape[0])[:, None]]),
             N_("off by one: row n should include the pattern being learned (so row 0 is the first "
                "pattern itself).")),
        ],
    )


# --- exercise 4: the forgetting-curve metric ----------------------------------------------------
def _forgetting_curve(Y, T):
    return hebbian.forgetting_curve(Y, T)


def _random_recall(rng):
    n, k = int(rng.integers(2, 8)), int(rng.integers(1, 6))
    return rng.uniform(0, 1, (n, k)), rng.integers(0, 2, (n, k)).astype(float)


def forgetting_curve(fn):
    """Check ``fn(Y, T) -> error by age (N,)``; Y, T: (N, k) in the order learned."""
    Y0 = np.array([[0.9, 0.2], [0.4, 0.6], [1.0, 0.0]])
    T0 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    check_function(
        "forgetting_curve", fn, _forgetting_curve,
        cases_with([(Y0, T0), (T0, T0),  # perfect recall: no error at any age
                    (Y0[:1], T0[:1])],  # a single pattern
                   _random_recall),
        mistakes=[
            (lambda Y, T: np.abs(Y - T).mean(axis=1),
             N_("these are ordered by position in the sequence; by age, entry 0 is the pattern learned "
                "*last*.")),
            (lambda Y, T: np.abs(Y - T).mean(axis=0),
             N_("average over the output units of each pattern, not over the patterns.")),
            (lambda Y, T: ((Y - T) ** 2).mean(axis=1)[::-1],
             N_("the metric is the mean *absolute* error, not the squared error.")),
            (lambda Y, T: (Y - T).mean(axis=1)[::-1],
             N_("take the absolute value: errors of opposite sign must not cancel.")),
        ],
    )


# --- exercise 5: one gradient-descent update on the squared error -------------------------------
def _squared_error_update(W, b, x, t, mu, learning_rate):
    dW, db = hebbian.update("gradient_descent", W, b, x, t, learning_rate, offset=mu)
    return W + dW, b + db


def squared_error_update(fn):
    """Check ``fn(W, b, x, t, mu, learning_rate) -> (W_new, b_new)``, with f' this time."""

    def without_f_prime(W, b, x, t, mu, eta):
        return _hebbian_descent_update(W, b, x, t, mu, eta)

    def flipped(W, b, x, t, mu, eta):
        dW, db = hebbian.update("gradient_descent", W, b, x, t, eta, offset=mu)
        return W - dW, b - db

    def f_prime_of_output(W, b, x, t, mu, eta):
        y = _sigmoid_layer(W, b, x, mu)
        g = sigmoid(y)
        e = (y - t) * g * (1 - g)
        return W - eta * np.outer(x - mu, e), b - eta * e

    check_function(
        "squared_error_update", fn, _squared_error_update,
        cases_with([(_W0, _b0, _X[0], _T[0], _MU, _ETA),
                    (np.array([[-6.0]]), np.array([0.0]), np.array([1.0]), np.array([1.0]),
                     np.array([0.0]), 0.5)] + _boundary_layers(),
                   _random_layer),
        mistakes=[
            (without_f_prime,
             N_("this is the Hebbian-descent update: the squared error's gradient keeps the sigmoid's "
                "slope f'.")),
            (flipped,
             N_("is the step going downhill? The update should move y toward t.")),
            (f_prime_of_output,
             N_("y already is the sigmoid's output, and you squashed it again: which quantity does f' "
                "take here?")),
        ],
    )


# --- exercise 7: online centered Hebbian descent over a sequence --------------------------------
def _online_hebbian_descent(W, b, X, T, learning_rate):
    return hebbian.learn_sequence("hebbian_descent", X, T, learning_rate, "running", W=W, b=b)


_NO_SEQUENCE = N_("write the loop yourself: online_hebbian_descent may not call minibp.hebbian's "
                   "learners, updates or offsets (your running_mean from exercise 3 is fine)")
_BLOCKED = [(hebbian, name) for name in ("learn_sequence", "_learn_stacked", "continual_learning",
                                         "update", "_step", "centering_offsets", "error_term")]


def _guarded(fn):
    if not callable(fn):
        return fn  # check_function reports it

    def run(*args):
        with refusing(fn, _BLOCKED, _(_NO_SEQUENCE)):
            return fn(*args)
    return run


def _online_by_hand(W, b, X, T, eta, rule="hebbian_descent", when="before", move_bias=True,
                    sign=1.0, centered_change=True, first_move=True):
    """The online loop written out, with hooks for the known mistakes below."""
    W, b = W.copy(), b.copy()
    running = np.cumsum(X, axis=0) / np.arange(1, X.shape[0] + 1)[:, None]
    mu = running[0] if when == "before" else np.zeros(X.shape[1])
    for n in range(X.shape[0]):
        if when == "before" and n > 0:
            if move_bias:
                b = b + (running[n] - mu) @ W
            mu = running[n]
        centered = X[n] - mu
        y = sigmoid(centered @ W + b)
        e = (y - T[n]) * (y * (1 - y) if rule == "gradient_descent" else 1.0)
        W = W - sign * eta * np.outer(centered if centered_change else X[n], e)
        b = b - sign * eta * e
        if when == "after":
            if move_bias and (first_move or n > 0):
                b = b + (running[n] - mu) @ W
            mu = running[n]
    return W, b, mu


def _random_sequence(rng):
    N, n_in, n_out = int(rng.integers(1, 9)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
    return (rng.normal(0.0, 1.0, size=(n_in, n_out)), rng.normal(0.0, 1.0, size=n_out),
            rng.integers(0, 2, (N, n_in)).astype(float),
            rng.integers(0, 2, (N, n_out)).astype(float), float(rng.uniform(0.05, 1.0)))


def online_hebbian_descent(fn):
    """Check ``fn(W, b, X, T, learning_rate) -> (W, b, mu)``: one sigmoid layer learns the rows
    of X (N, n_in) -> T (N, n_out) once each, in order, centered on the running mean; the bias
    absorbs each move of mu. W (n_in, n_out), b (n_out,), mu (n_in,) the offset at the end."""
    small_X = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    small_T = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    small_W = np.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]])
    check_function(
        "online_hebbian_descent", _guarded(fn), _online_hebbian_descent,
        cases_with([(_W0, _b0, _X[:20], _T[:20], _ETA), (_W0, _b0, _X, _T, _ETA),
                    (small_W, np.array([0.1, -0.1]), small_X, small_T, 0.5),
                    (np.zeros((3, 2)), np.zeros(2), small_X, small_T, 0.2),  # from zeros
                    (small_W, np.zeros(2), small_X[:1], small_T[:1], 0.5)],  # one pattern: x = mu
                   _random_sequence),
        mistakes=[
            (lambda *c: _online_by_hand(*c, rule="gradient_descent"),
             N_("you kept the sigmoid's slope f': that is gradient descent on the squared error. Hebbian "
                "descent drops it.")),
            (lambda *c: _online_by_hand(*c, move_bias=False),
             N_("when mu moves, every output moves too unless the bias absorbs the move: b must change "
                "with mu (Step 1).")),
            (lambda *c: _online_by_hand(*c, when="after"),
             N_("pattern n is learned with mu already including it (exercise 3's running mean): update "
                "mu before the step.")),
            (lambda *c: _online_by_hand(*c, when="after", first_move=False),
             N_("pattern n is learned with mu already including it (exercise 3's running mean): update "
                "mu before the step.")),
            (lambda *c: _online_by_hand(*c, centered_change=False),
             N_("the weight change should use the centered input x - mu, as the forward pass does.")),
            (lambda W, b, X, T, eta: hebbian.learn_sequence("hebbian_descent", X, T, eta, "none",
                                                           W=W, b=b),
             N_("the inputs are not centered: subtract the running mean mu, in the forward pass and in "
                "the weight change.")),
            (lambda W, b, X, T, eta: hebbian.learn_sequence("hebbian_descent", X, T, eta, "data",
                                                           W=W, b=b),
             N_("that centers on the mean of the whole sequence, which an online learner does not know "
                "yet: use the mean of the patterns seen so far.")),
            (lambda *c: _online_by_hand(*c, sign=-1.0),
             N_("is each step going downhill? The update should move y toward t.")),
        ],
        received=(fn, lambda *case: case),
    )
