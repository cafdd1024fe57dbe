"""One-layer learning rules side by side: Hebb, covariance, gradient descent, Hebbian descent.

Lesson 10 (Melchior, Schiewer & Wiskott 2024). One layer of units with an input offset mu:

    z = (x - mu) W + b            y = f(z)

x: (N, n_in) inputs in rows, t: (N, n_out) targets, W: (n_in, n_out), b: (n_out,). Every rule
below changes the weights the same way, by the centered input times an *error term* e (N, n_out):

    Delta W = -eta (x - mu)^T e / N        Delta b = -eta sum_rows(e) / N

and the rules differ only in e:

    hebbian_descent     e = y - t                    (drops f'(z): the matching loss)
    gradient_descent    e = (y - t) * f'(z)          (the squared error 1/2 |y - t|^2)
    hebb                e = -t                       Delta W = eta x^T t (with mu = 0)
    covariance          e = -(t - nu)                Delta W = eta (x - mu)^T (t - nu)

nu is the target offset (the targets' mean, used by the covariance rule only). ``centering``
says what mu (and nu) are: "none" (0), "data" (the mean of the whole sequence, known in
advance, as in the authors' public example), "running" (the mean of the patterns seen so far,
the choice an online learner can make), or a number (a fixed offset for every input and target
component, e.g. 0.5, the mean of the process that draws random binary patterns). The Hebb rule
is the uncentered rule (centering "none") and the covariance rule its centered version: with
centering "none" the two coincide.

The continual-learning experiment (``continual_learning``) shows a sequence of random binary
pattern pairs once each, in order, and measures how well each pair is recalled at the end,
against how long ago it was learned (``forgetting_curve``). It starts from random weights in the
range of the authors' public example (``initial_weights``) or from zeros, and runs several seeds
side by side. The authors' example code (PyDeep, GPL) is cited, not copied: everything here is
written from the formulas above. numpy and minibp only.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import as_array, as_batch, as_rng, choice, integer, number, same_rows
from .activations import get_activation
from .initializers import glorot_normalized

RULES = ("hebbian_descent", "gradient_descent", "hebb", "covariance")
CENTERINGS = ("none", "data", "running")


# --- the error term: the one place where the rules differ -----------------------------------
def error_term(rule, z, y, t, activation="sigmoid", target_offset=0.0):
    """The factor e (N, n_out) that multiplies the centered input in every rule's update.

    ``z``: net inputs (N, n_out); ``y`` = f(z) (N, n_out); ``t``: targets (N, n_out);
    ``target_offset``: nu, a number or an array (n_out,) — only the covariance rule uses it.
    The update is Delta W = -eta (x - mu)^T e / N (see the module docstring).
    """
    if rule == "hebbian_descent":
        return y - t
    if rule == "gradient_descent":
        activation = get_activation(activation)
        # dL/dz of 1/2 |y - t|^2: (y - t) f'(z) for elementwise f, the Jacobian for softmax.
        return activation.vjp(z, y, y - t)
    if rule == "hebb":
        return -t
    if rule == "covariance":
        return -(t - target_offset)
    raise ValueError(f"unknown rule {rule!r}; expected one of: {', '.join(RULES)}")


def update(rule, W, b, x, t, learning_rate, offset=0.0, target_offset=0.0,
           activation="sigmoid"):
    """The changes (Delta W (n_in, n_out), Delta b (n_out,)) of one step of ``rule``.

    ``x``: inputs (N, n_in) or one input (n_in,); ``t``: targets (N, n_out) or (n_out,);
    ``offset``: mu, a number or an array (n_in,); ``target_offset``: nu (covariance rule only).
    The changes are averaged over the N rows (N = 1 for online learning). W and b are not
    changed: add the returned arrays to them.
    """
    W, b = _check_parameters(W, b)
    x = as_batch(x, "x", width=W.shape[0])
    t = as_batch(t, "t", width=W.shape[1])
    same_rows(x, t, "x", "t")
    learning_rate = number(learning_rate, "learning_rate", low=0.0)
    offset = _offset_vector(offset, "offset", W.shape[0])
    target_offset = _offset_vector(target_offset, "target_offset", W.shape[1])
    choice(rule, "rule", RULES)
    return _step(rule, W, b, x, t, learning_rate, offset, target_offset,
                 get_activation(activation))


def _step(rule, W, b, x, t, learning_rate, offset, target_offset, activation):
    """``update`` without the argument checks (``learn_sequence`` checks once, then loops)."""
    centered = x - offset
    z = centered @ W + b
    y = activation(z)
    e = error_term(rule, z, y, t, activation, target_offset)
    N = x.shape[0]
    return -learning_rate * centered.T @ e / N, -learning_rate * e.sum(axis=0) / N


# --- the loss each gradient rule descends ----------------------------------------------------
def matching_loss(W, b, x, t, offset=0.0, activation="sigmoid"):
    """The Hebbian-descent (matching) loss, averaged over rows: mean_n sum_j [Phi(z_nj) - t_nj z_nj].

    Phi' = f (``Activation.potential``), so dL/dz = f(z) - t = y - t, and the Hebbian-descent
    update is exactly -eta dL/dW. x: (N, n_in), t: (N, n_out); returns a float.
    """
    W, b = _check_parameters(W, b)
    x = as_batch(x, "x", width=W.shape[0])
    t = as_batch(t, "t", width=W.shape[1])
    same_rows(x, t, "x", "t")
    z = (x - _offset_vector(offset, "offset", W.shape[0])) @ W + b
    potential = get_activation(activation).potential(z)
    return float(np.mean(potential - np.sum(t * z, axis=1)))


# --- centering -----------------------------------------------------------------------------
def centering_offsets(X, centering="data"):
    """The offset used at each step of a sequence: an array (N, D) whose row n is the mu (or nu)
    in force when row n of ``X`` (N, D) is learned.

    "none": zeros. "data": the mean of all N rows, in every row (known before learning starts).
    "running": the mean of rows 0..n (the pattern being learned included), which an online
    learner can keep with mu_n = mu_{n-1} + (x_n - mu_{n-1}) / (n + 1). A number c: c everywhere.
    """
    X = as_array(X, "X", ndim=2, empty=False)
    if isinstance(centering, numbers.Real) and not isinstance(centering, bool):
        return np.full(X.shape, number(centering, "centering"))
    choice(centering, "centering", CENTERINGS)
    if centering == "none":
        return np.zeros(X.shape)
    if centering == "data":
        return np.broadcast_to(X.mean(axis=0), X.shape).copy()
    return np.cumsum(X, axis=0) / np.arange(1, X.shape[0] + 1)[:, None]


# --- learning a sequence, once, in order --------------------------------------------------------
def learn_sequence(rule, X, T, learning_rate, centering="data", activation="sigmoid",
                   W=None, b=None):
    """Show the pairs (X[n], T[n]) once each, in order, one update per pair (batch size 1).

    X: (N, n_in), T: (N, n_out). ``W`` (n_in, n_out) and ``b`` (n_out,) are the starting
    parameters (default zeros: every output starts at f(0), and the Hebb and covariance rules
    become plain sums of their updates). Returns (W, b, offset): the learned parameters and the
    input offset mu (n_in,) in force at the end, so that ``predict(W, b, X, offset)`` recalls.

    With "running" centering mu moves between patterns; the bias absorbs each move,
    b <- b + (mu_new - mu_old) W, so that the move alone does not change any output.
    """
    choice(rule, "rule", RULES)
    X = as_array(X, "X", ndim=2, empty=False)
    T = as_array(T, "T", ndim=2, empty=False)
    if X.shape[0] != T.shape[0]:
        raise ValueError(f"X and T must have the same number of rows, got {X.shape[0]} and "
                         f"{T.shape[0]}")
    learning_rate = number(learning_rate, "learning_rate", low=0.0)
    W = np.zeros((X.shape[1], T.shape[1])) if W is None else as_array(W, "W", ndim=2).copy()
    b = np.zeros(T.shape[1]) if b is None else as_array(b, "b", ndim=1).copy()
    W, b = _check_parameters(W, b)
    if W.shape != (X.shape[1], T.shape[1]):
        raise ValueError(f"W must have shape {(X.shape[1], T.shape[1])} (inputs, outputs), got "
                         f"{W.shape}")
    activation = get_activation(activation)
    mu = centering_offsets(X, centering)
    nu = centering_offsets(T, centering) if rule == "covariance" else np.zeros(T.shape)
    W, b = _learn_stacked(rule, X[None], T[None], learning_rate, mu[None], nu[None], activation,
                          W[None], b[None])
    return W[0], b[0], mu[-1].copy()


def _learn_stacked(rule, X, T, learning_rate, mu, nu, activation, W, b):
    """S independent sequences learned side by side (one numpy call per step, not per sequence).

    X, mu: (S, N, n_in); T, nu: (S, N, n_out); W: (S, n_in, n_out) and b: (S, n_out), changed
    in place and returned. Each sequence s is learned exactly as ``learn_sequence`` describes.
    """
    offset_moves = bool(np.any(mu[:, 1:] != mu[:, :-1]))  # only with "running" centering
    for n in range(X.shape[1]):
        if n > 0 and offset_moves:  # keep z = (x - mu) W + b unchanged by the move of mu
            b += _matvec(mu[:, n] - mu[:, n - 1], W)
        centered = X[:, n] - mu[:, n]  # (S, n_in)
        z = _matvec(centered, W) + b  # (S, n_out)
        e = error_term(rule, z, activation(z), T[:, n], activation, nu[:, n])
        W -= (learning_rate * centered)[:, :, None] * e[:, None, :]  # S outer products
        b -= learning_rate * e
    return W, b


def _matvec(v, W):
    """Row vector times matrix for a stack: v (S, n_in), W (S, n_in, n_out) -> (S, n_out).

    (einsum, not BLAS: for these small products BLAS threads only cost time on a busy machine.)
    """
    return np.einsum("si,sio->so", v, W)


def predict(W, b, X, offset=0.0, activation="sigmoid"):
    """The layer's outputs y = f((X - mu) W + b): X (N, n_in) -> (N, n_out)."""
    W, b = _check_parameters(W, b)
    X = as_batch(X, "X", width=W.shape[0])
    return get_activation(activation)((X - _offset_vector(offset, "offset", W.shape[0])) @ W + b)


# --- the continual-learning experiment ---------------------------------------------------------
def random_pattern_pairs(n_patterns=100, n_in=200, n_out=200, p=0.5, rng=0):
    """Random binary pattern pairs: X (n_patterns, n_in) and T (n_patterns, n_out), each entry 1
    with probability ``p`` and 0 otherwise, independently (inputs and targets unrelated)."""
    n_patterns = integer(n_patterns, "n_patterns", low=1)
    n_in = integer(n_in, "n_in", low=1)
    n_out = integer(n_out, "n_out", low=1)
    p = number(p, "p", low=0.0, high=1.0)
    rng = as_rng(rng)
    X = (rng.random((n_patterns, n_in)) < p).astype(np.float64)
    T = (rng.random((n_patterns, n_out)) < p).astype(np.float64)
    return X, T


def forgetting_curve(Y, T):
    """Mean absolute error of each pattern, ordered by age: (N,), entry 0 the last one learned.

    Y: the outputs (N, n_out) recalled after the whole sequence for the inputs in the order they
    were learned; T: their targets (N, n_out). Entry k is mean_j |Y[N-1-k, j] - T[N-1-k, j]|:
    the pattern learned k patterns before the end.
    """
    Y = as_array(Y, "Y", ndim=2, empty=False)
    T = as_array(T, "T", ndim=2, empty=False)
    if Y.shape != T.shape:
        raise ValueError(f"Y and T must have the same shape, got {Y.shape} and {T.shape}")
    return np.abs(Y - T).mean(axis=1)[::-1]


def continual_learning(rule, centering="data", learning_rate=0.2, n_patterns=100, n_in=200,
                       n_out=200, seeds=(0, 1, 2, 3, 4), activation="sigmoid",
                       init="sigmoid_uniform"):
    """Forgetting curves of ``rule`` over several seeds: an array (len(seeds), n_patterns).

    For each seed: a generator seeded with it draws the ``random_pattern_pairs`` (the same
    pairs as ``random_pattern_pairs(..., rng=seed)``) and then the starting weights; the pairs
    are learned once in order (as ``learn_sequence`` does, all seeds side by side), every
    pattern is recalled, and row s, column k holds the mean absolute error of the pattern of
    age k (``forgetting_curve``). ``init``: "sigmoid_uniform" starts from
    W ~ U[-r, r], r = 4 sqrt(6 / (n_in + n_out)) (Glorot & Bengio's normalized range times 4,
    the usual choice for sigmoid units and the one of the authors' public example), "zeros"
    from W = 0. Biases start at 0.
    """
    choice(rule, "rule", RULES)
    choice(init, "init", INITS)
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    learning_rate = number(learning_rate, "learning_rate", low=0.0)
    activation = get_activation(activation)
    X, T, W = [], [], []
    for seed in seeds:
        rng = as_rng(seed)
        x, t = random_pattern_pairs(n_patterns, n_in, n_out, rng=rng)
        X.append(x)
        T.append(t)
        W.append(initial_weights(n_in, n_out, init, rng))
    X, T, W = np.array(X), np.array(T), np.array(W)  # (S, N, n_in), (S, N, n_out), (S, n_in, n_out)
    mu = np.array([centering_offsets(x, centering) for x in X])
    nu = (np.array([centering_offsets(t, centering) for t in T]) if rule == "covariance"
          else np.zeros(T.shape))
    W, b = _learn_stacked(rule, X, T, learning_rate, mu, nu, activation, W,
                          np.zeros((len(seeds), n_out)))
    # Recall every pattern with the final offsets (einsum again: steady timing under load).
    Y = activation(np.einsum("sni,sio->sno", X - mu[:, -1:, :], W) + b[:, None, :])
    return np.array([forgetting_curve(y, t) for y, t in zip(Y, T)])


INITS = ("sigmoid_uniform", "zeros")


def initial_weights(n_in, n_out, init="sigmoid_uniform", rng=0):
    """Starting weights (n_in, n_out): "zeros", or "sigmoid_uniform" U[-r, r] with
    r = 4 sqrt(6 / (n_in + n_out)) drawn from ``rng`` (a seed or Generator)."""
    choice(init, "init", INITS)
    n_in = integer(n_in, "n_in", low=1)
    n_out = integer(n_out, "n_out", low=1)
    if init == "zeros":
        return np.zeros((n_in, n_out))
    return 4.0 * glorot_normalized(n_in, n_out, rng=as_rng(rng))


# --- argument checks ----------------------------------------------------------------------------
def _check_parameters(W, b):
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have one entry per output unit ({W.shape[1]}), got shape "
                         f"{b.shape}")
    return W, b


def _offset_vector(offset, name, width):
    """A number, or an array (width,), broadcast to shape (width,)."""
    offset = as_array(offset, name, ndim=(0, 1))
    if offset.ndim == 1 and offset.shape[0] != width:
        raise ValueError(f"{name} must be a number or have {width} entries, got shape "
                         f"{offset.shape}")
    return np.broadcast_to(offset, (width,))
