"""Checks for lesson 12, the capstone: your own network, refereed by minibp.

Each check runs the learner's function and minibp's pieces (``Dense``, ``Network``,
``CrossEntropy``, ``PowerError``, ``Momentum``, ``gradcheck``, ``initializers``, ``Dropout``) on
the lesson's shapes first and then on random ones. While the learner's function runs, minibp's
network, losses, optimizers, training loop, finite differences and initializers refuse to
work (``_without_minibp``): the capstone is built from the learner's own code.
"""

from __future__ import annotations

import functools

import numpy as np

from course.i18n import N_, _
from minibp import gradcheck, initializers, losses, optimizers, training
from minibp.activations import get_activation
from minibp.layers import Dropout
from minibp.losses import PowerError
from minibp.network import Dense, Network
from minibp.optimizers import Momentum

from . import CheckFailure, cases_with, check_function
from ._no_minibp import refusing

SIZES = (64, 64, 32, 10)  # the capstone's network: 64 pixels, two tanh layers, 10 classes
_REFUSED = N_("write it yourself: in the capstone your code may not call minibp's network, "
               "losses, optimizers, training loop, finite differences or initializers")


# --- minibp refuses to work while the learner's function runs ------------------------------
def _guarded_attributes():
    """(owner, attribute name) of every minibp piece the learner's code may not call."""
    loss_classes = [cls for cls in vars(losses).values()
                    if isinstance(cls, type) and issubclass(cls, losses.Loss)]
    return ([(Network, name) for name in ("forward", "forward_unchecked", "backward",
                                          "backward_unchecked", "loss_and_gradients",
                                          "gradients", "predict")]
            + [(Dense, name) for name in ("forward", "backward", "gradients")]
            + [(cls, name) for cls in loss_classes
               for name in ("delta", "losses", "per_example", "value", "output_delta")
               if name in vars(cls)]
            + [(optimizers.SGD, "update"), (optimizers.SGD, "step"),
               (optimizers.Momentum, "update"), (optimizers, "clip_by_global_norm")]
            + [(training, "fit"), (training, "train_step"), (training, "batches")]
            + [(gradcheck, "numerical_gradient"), (gradcheck, "check_network_gradients")]
            + [(initializers, name) for name in ("glorot_standard", "glorot_normalized",
                                                 "xavier_normal", "he_normal")])


def _without_minibp(fn):
    """minibp's pieces raise, also where the learner imported a function by name."""
    return refusing(fn, _guarded_attributes(), _(_REFUSED))


def _guarded(fn):
    """``fn`` run with minibp's pieces refusing (a call to one raises RuntimeError, which the
    check reports as "fn raised RuntimeError: write it yourself: ...")."""
    @functools.wraps(fn)
    def run(*args):
        with _without_minibp(fn):
            return fn(*args)
    return run


def _callable(fn, name):
    if not callable(fn):
        raise CheckFailure(_("{name} must be a function; got {kind}").format(
            name=name, kind=type(fn).__name__))


# --- random cases ---------------------------------------------------------------------------
def _batch(rng, n, width):
    return rng.normal(0.0, 1.0, size=(n, width))


def _targets(rng, n, k):
    return np.eye(k)[rng.integers(0, k, size=n)]


def _params(sizes, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    return [p for n_in, n_out in zip(sizes[:-1], sizes[1:])
            for p in (rng.normal(0.0, scale / np.sqrt(n_in), size=(n_in, n_out)),
                      rng.normal(0.0, 0.1, size=n_out))]


def _random_sizes(rng):
    depth = int(rng.integers(1, 4))  # 1 to 3 weight layers
    return tuple(int(n) for n in rng.integers(2, 7, size=depth + 1))


def _minibp_network(params):
    weights, biases = params[0::2], params[1::2]
    layers = [Dense(W, b, "tanh") for W, b in zip(weights[:-1], biases[:-1])]
    return Network.from_layers(layers + [Dense(weights[-1], biases[-1], "softmax")])


# --- exercise 1: a dense layer, forward -----------------------------------------------------
def _dense_forward(a_prev, W, b):
    return Dense(W, b, "identity").forward(a_prev)[0]


def dense_forward(fn):
    """Check ``fn(a_prev (N, n_in), W (n_in, n_out), b (n_out,)) -> z (N, n_out)``."""
    def case(rng):
        n, n_in, n_out = (int(v) for v in rng.integers(1, 7, size=3))
        return _batch(rng, n, n_in), _batch(rng, n_in, n_out), rng.normal(size=n_out)

    first = np.random.default_rng(1)
    check_function(
        "dense_forward", _guarded(fn), _dense_forward,
        cases_with([(_batch(first, 32, 64), _batch(first, 64, 64), first.normal(size=64)),
                    (_batch(first, 1, 3), _batch(first, 3, 2), first.normal(size=2))], case),
        mistakes=[
            (lambda a, W, b: a @ W, N_("the bias is missing: every unit adds its own b.")),
            (lambda a, W, b: np.tanh(a @ W + b), N_("this is the net input z, before the "
             "activation: keep f for the next step.")),
        ],
        received=(fn, lambda *case: case),
    )


# --- exercise 2: a dense layer, backward ----------------------------------------------------
def _dense_backward(a_prev, W, delta):
    layer = Dense(W, np.zeros(W.shape[1]), "identity")
    dW, db = layer.gradients(a_prev, delta)
    return dW, db, layer.backward(a_prev, None, None, delta)


def dense_backward(fn):
    """Check ``fn(a_prev (N, n_in), W (n_in, n_out), delta (N, n_out)) -> (dW, db, upstream)``
    with dW (n_in, n_out) and db (n_out,) means over the batch, upstream = dL/da_prev (N, n_in)."""
    def case(rng):
        n, n_in, n_out = (int(v) for v in rng.integers(1, 7, size=3))
        return _batch(rng, n, n_in), _batch(rng, n_in, n_out), _batch(rng, n, n_out)

    def summed(a, W, d):
        return a.T @ d, d.sum(axis=0), d @ W.T

    def upstream_through_W(a, W, d):
        return a.T @ d / len(a), d.mean(axis=0), d @ W

    def delta_times_a(a, W, d):
        return d.T @ a / len(a), d.mean(axis=0), d @ W.T

    first = np.random.default_rng(2)
    check_function(
        "dense_backward", _guarded(fn), _dense_backward,
        cases_with([(_batch(first, 32, 64), _batch(first, 64, 32), _batch(first, 32, 32)),
                    (_batch(first, 3, 4), _batch(first, 4, 2), _batch(first, 3, 2))], case),
        mistakes=[
            (summed, N_("these are sums over the batch: the loss is the batch's mean, so each "
             "gradient is a mean too.")),
            (delta_times_a, N_("dW must have W's shape (n_in, n_out): which product of a_prev "
             "(N, n_in) and delta (N, n_out) gives it?")),
            (lambda a, W, d: (a.T @ d / len(a), d.mean(axis=0), d @ W.T / len(a)), N_("upstream "
             "holds each example's own dL_n/da_n: the 1/N belongs to dW and db only.")),
        ],
        received=(fn, lambda *case: case),
    )


# --- exercise 3: softmax with cross-entropy -------------------------------------------------
def _softmax_cross_entropy(z, t):
    loss, f = losses.CrossEntropy(), get_activation("softmax")
    y = f.value(z)
    return float(loss.value(z, y, t, f)), loss.output_delta(z, y, t, f)


def softmax_cross_entropy(fn):
    """Check ``fn(z (N, K), t (N, K)) -> (mean loss, delta (N, K))``, delta_n = y_n - t_n."""
    def case(rng):
        n, k = int(rng.integers(1, 6)), int(rng.integers(2, 6))
        return rng.normal(0.0, 3.0, size=(n, k)), _targets(rng, n, k)

    def naive(z, t):
        y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return float(-(t * np.log(y)).sum(axis=1).mean()), y - t

    def summed(z, t):
        loss, delta = _softmax_cross_entropy(z, t)
        return loss * len(z), delta

    def delta_over_n(z, t):
        loss, delta = _softmax_cross_entropy(z, t)
        return loss, delta / len(z)

    first = np.random.default_rng(3)
    check_function(
        "softmax_cross_entropy", _guarded(fn), _softmax_cross_entropy,
        cases_with([(first.normal(size=(32, 10)), _targets(first, 32, 10)),
                    (np.array([[1000.0, 0.0, -1000.0]]), np.array([[0.0, 0.0, 1.0]])),
                    (np.array([[-800.0, -801.0]]), np.array([[1.0, 0.0]]))], case),
        mistakes=[
            (naive, N_("large logits overflow exp: shift each row by its largest logit first "
             "(softmax does not change), and take the log without forming y.")),
            (summed, N_("the loss is the mean over the batch, not the sum.")),
            (delta_over_n, N_("delta is each example's own error signal y_n - t_n: the 1/N "
             "belongs to the weight gradients.")),
        ],
        received=(fn, lambda *case: case),
    )


# --- exercise 4: the whole network, forward and backward ------------------------------------
def _forward_backward(params, X, T):
    loss, grads = _minibp_network([p.copy() for p in params]).loss_and_gradients(
        X, T, "cross_entropy")
    return float(loss), grads.as_list()


def _network_case(sizes, seed, n=None):
    rng = np.random.default_rng(seed + 1000)
    n = n or int(rng.integers(1, 6))
    return _params(sizes, seed), _batch(rng, n, sizes[0]), _targets(rng, n, sizes[-1])


def _flat_result(result):
    """(loss, [arrays]) -> (loss, arrays...) so that a wrong array is named by its index."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], (list, tuple)):
        return (result[0], *result[1])
    return result


def forward_backward(fn):
    """Check ``fn(params, X (N, n_0), T (N, n_L)) -> (mean loss, grads)`` for a network of tanh
    hidden layers and a softmax output; params and grads are [W_1, b_1, ..., W_L, b_L]."""
    _callable(fn, "forward_backward")
    guarded = _guarded(fn)

    def learner(sizes, seed, n):
        params, X, T = _network_case(sizes, seed, n)
        return _flat_result(guarded(params, X, T))

    def reference(sizes, seed, n):
        return _flat_result(_forward_backward(*_network_case(sizes, seed, n)))

    def manual(slope, per_example=False):
        def answer(sizes, seed, n):
            return _manual_backprop(*_network_case(sizes, seed, n), slope, per_example)
        return answer

    check_function(
        "forward_backward", learner, reference,
        cases_with([(SIZES, 0, 32), ((3, 2, 2), 1, 1), ((4, 3), 2, 5), ((2, 3, 3, 2), 3, 4)],
                   lambda rng: (_random_sizes(rng), int(rng.integers(0, 10**6)),
                                int(rng.integers(1, 6)))),
        mistakes=[
            (manual(lambda a: 1.0), N_("the hidden deltas miss the activation's slope: after "
             "going back through W, multiply by f'(z) for tanh.")),
            (manual(lambda a: a * (1 - a)), N_("a(1 - a) is the sigmoid's slope; the hidden "
             "layers use tanh.")),
            (manual(lambda a: 1 - a**2, per_example=True), N_("these are sums over the batch: "
             "the loss is the batch's mean, so each gradient is a mean too.")),
        ],
        received=(fn, lambda sizes, seed, n: _network_case(sizes, seed, n)),
    )


def _manual_backprop(params, X, T, slope, per_example=False):
    """forward_backward written out, with the hidden layers' slope f'(from a) swappable."""
    W, b = params[0::2], params[1::2]
    a = [X]
    for w, c in zip(W[:-1], b[:-1]):
        a.append(np.tanh(a[-1] @ w + c))
    loss, delta = _softmax_cross_entropy(a[-1] @ W[-1] + b[-1], T)
    grads, N = [], 1 if per_example else len(X)
    for layer in range(len(W) - 1, -1, -1):
        grads[:0] = [a[layer].T @ delta / N, delta.sum(axis=0) / N]
        if layer:
            delta = (delta @ W[layer].T) * slope(a[layer])
    return (loss, *grads)


# --- exercise 5: finite differences over every parameter ------------------------------------
def _loss_case(sizes, seed, n):
    """A fresh (loss(), params) pair: loss reads params, as a closure."""
    params, X, T = _network_case(sizes, seed, n)

    def loss():
        weights, biases = params[0::2], params[1::2]
        a = X
        for W, b in zip(weights[:-1], biases[:-1]):
            a = np.tanh(a @ W + b)
        z = a @ weights[-1] + biases[-1]
        z = z - z.max(axis=1, keepdims=True)
        return float(-(T * (z - np.log(np.exp(z).sum(axis=1, keepdims=True)))).sum(axis=1).mean())

    return loss, params


def numerical_gradients(fn):
    """Check ``fn(loss, params, eps) -> [dL/dp for p in params]`` by centred differences;
    ``loss()`` takes no arguments and reads the arrays of ``params``, changed in place."""
    _callable(fn, "numerical_gradients")
    guarded = _guarded(fn)

    def learner(sizes, seed, n, eps):
        loss, params = _loss_case(sizes, seed, n)
        got = guarded(loss, params, eps)
        return tuple(got) if isinstance(got, (list, tuple)) else got

    loss, params = _loss_case((4, 3, 2), 0, 5)
    try:  # first: are the parameters left as they were? (the stub goes on to check_function)
        guarded(loss, params, 1e-5)
    except Exception:
        pass
    else:
        if any(not np.array_equal(p, q) for p, q in zip(params, _loss_case((4, 3, 2), 0, 5)[1])):
            raise CheckFailure(_("numerical_gradients is not right yet: it left the parameters "
                                 "changed; expected them as they were. After nudging an entry, "
                                 "put its original value back."))

    def reference(sizes, seed, n, eps):
        loss, params = _loss_case(sizes, seed, n)
        return tuple(gradcheck.numerical_gradient(loss, p, eps) for p in params)

    def one_sided(sizes, seed, n, eps):
        loss, params = _loss_case(sizes, seed, n)
        base, grads = loss(), []
        for p in params:
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                p[i] += eps
                g[i] = (loss() - base) / eps
                p[i] -= eps
            grads.append(g)
        return tuple(grads)

    def over_eps(sizes, seed, n, eps):
        return tuple(2 * g for g in reference(sizes, seed, n, eps))

    check_function(
        "numerical_gradients", learner, reference,
        cases_with([((4, 3, 2), 0, 5, 1e-5), ((2, 2), 1, 1, 1e-4), ((3, 2, 2, 2), 2, 3, 1e-6)],
                   lambda rng: (_random_sizes(rng), int(rng.integers(0, 10**6)),
                                int(rng.integers(1, 5)), float(10.0 ** -rng.integers(4, 7)))),
        rtol=1e-5, atol=1e-8,
        mistakes=[
            (one_sided, N_("these are one-sided differences (L(w + eps) - L(w)) / eps: nudge both "
             "ways and divide by 2 eps, which is far more accurate.")),
            (over_eps, N_("divide the difference L(w + eps) - L(w - eps) by the whole distance "
             "between the two points, 2 eps.")),
        ],
        received=(fn, lambda sizes, seed, n, eps: (*_loss_case(sizes, seed, n), eps)),
    )


# --- exercise 6: Glorot's normalized initialization -----------------------------------------
def glorot_uniform(fn):
    """Check ``fn(sizes, rng) -> [W_1, b_1, ...]``: W_l (n_{l-1}, n_l) ~ U[-r, r] with
    r = sqrt(6 / (n_{l-1} + n_l)), b_l (n_l,) zeros. A uniform law can be drawn several ways,
    so this checks the law (range, mean, spread), not particular numbers."""
    _callable(fn, "glorot_uniform")
    guarded = _guarded(fn)

    def draw(sizes, seed):
        try:
            params = guarded(list(sizes), np.random.default_rng(seed))
        except NotImplementedError:
            raise
        except CheckFailure:
            raise
        except Exception as error:
            raise CheckFailure(
                _("{name} raised {error}").format(name="glorot_uniform",
                                                  error=f"{type(error).__name__}: {error}")
                + "\n  " + _("arguments:") + " "
                + _("sizes = {sizes}, rng = a random generator").format(sizes=list(sizes))) from None
        if not isinstance(params, (list, tuple)):
            raise CheckFailure(_("glorot_uniform returned a {kind}; expected a list "
                                 "[W_1, b_1, W_2, b_2, ...]").format(kind=type(params).__name__))
        return [np.asarray(p, dtype=np.float64) for p in params]

    try:
        draw((2, 2), 0)
    except NotImplementedError:
        from . import NotAnsweredYet
        raise NotAnsweredYet(_(
            "{name} is not written yet: replace `raise NotImplementedError` with your "
            "code, run its cell, then run this check again.").format(name="glorot_uniform")) from None
    for sizes in (SIZES, (3, 5), (400, 300, 200), (1000, 10)):
        params = draw(sizes, 1)
        shapes = [s for n_in, n_out in zip(sizes[:-1], sizes[1:]) for s in ((n_in, n_out), (n_out,))]
        got = [p.shape for p in params]
        if got != shapes:
            raise CheckFailure(_("glorot_uniform is not right yet: for sizes = {sizes} the "
                                 "shapes are {got}, expected {expected}.").format(
                sizes=list(sizes), got=got, expected=shapes))
        for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            W, b = params[2 * layer - 2], params[2 * layer - 1]
            r = np.sqrt(6.0 / (n_in + n_out))
            where = _("for sizes = {sizes}, layer {layer}").format(sizes=list(sizes), layer=layer)
            if np.any(b != 0):
                raise CheckFailure(_("glorot_uniform is not right yet: {where}, b_{layer} is not "
                                     "zero; expected zeros: Glorot's init starts every bias at 0.").format(
                    where=where, layer=layer))
            if np.max(np.abs(W)) > r:
                raise CheckFailure(_("glorot_uniform is not right yet: {where}, some |W| = "
                                     "{largest:.4g}; expected every |W| <= r = {r:.4g}.").format(
                    where=where, largest=np.max(np.abs(W)), r=r))
            if W.size >= 10_000:  # big enough to judge the spread
                spread, mean = W.std() / (r / np.sqrt(3.0)), W.mean() / r
                if abs(mean) > 0.02 or abs(spread - 1.0) > 0.02:
                    raise CheckFailure(_(
                        "glorot_uniform is not right yet: {where}, W has mean {mean:.3g} "
                        "and std {std:.4g}; expected U[-r, r]'s mean 0 and std r/sqrt(3) = "
                        "{expected:.4g}.").format(where=where, mean=W.mean(), std=W.std(),
                                                 expected=r / np.sqrt(3.0)))
    again, other = draw(SIZES, 7), draw(SIZES, 8)
    if not all(np.array_equal(p, q) for p, q in zip(draw(SIZES, 7), again)):
        raise CheckFailure(_("glorot_uniform is not right yet: two calls with generators of the "
                             "same seed gave different weights; expected the same. Draw every number "
                             "from rng."))
    if np.array_equal(again[0], other[0]):
        raise CheckFailure(_("glorot_uniform is not right yet: generators of different seeds gave "
                             "the same weights; expected different ones. Draw every number from the rng "
                             "you are given."))
    print(_("Correct: glorot_uniform draws Glorot's uniform law for every layer "
            "(shapes, range, mean and spread checked on 4 networks)."))


# --- exercise 7: one momentum step ----------------------------------------------------------
def _momentum_case(shapes, seed, learning_rate, momentum):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s) for s in shapes]
    velocities = [rng.normal(0.0, 0.1, size=s) for s in shapes]
    grads = [rng.normal(size=s) for s in shapes]
    return params, velocities, grads, learning_rate, momentum


def _momentum_step(shapes, seed, learning_rate, momentum):
    params, velocities, grads, eta, mu = _momentum_case(shapes, seed, learning_rate, momentum)
    optimizer = Momentum(eta, mu)
    optimizer.velocities = velocities
    optimizer.update(params, grads)
    return (*params, *velocities)


def momentum_step(fn):
    """Check ``fn(params, velocities, grads, learning_rate, momentum)``: updates params and
    velocities (lists of arrays, one per parameter array) in place; returns nothing."""
    _callable(fn, "momentum_step")
    guarded = _guarded(fn)

    def learner(shapes, seed, learning_rate, momentum):
        params, velocities, grads, eta, mu = _momentum_case(shapes, seed, learning_rate, momentum)
        guarded(params, velocities, grads, eta, mu)
        return (*params, *velocities)

    def velocity_not_kept(shapes, seed, eta, mu):
        params, velocities, grads, *_rest = _momentum_case(shapes, seed, eta, mu)
        new = [mu * v - eta * g for v, g in zip(velocities, grads)]
        return (*[p + v for p, v in zip(params, new)], *velocities)

    def plus_gradient(shapes, seed, eta, mu):
        params, velocities, grads, *_rest = _momentum_case(shapes, seed, eta, mu)
        new = [mu * v + eta * g for v, g in zip(velocities, grads)]
        return (*[p + v for p, v in zip(params, new)], *new)

    def old_velocity(shapes, seed, eta, mu):
        params, velocities, grads, *_rest = _momentum_case(shapes, seed, eta, mu)
        new = [mu * v - eta * g for v, g in zip(velocities, grads)]
        return (*[p + v for p, v in zip(params, velocities)], *new)

    check_function(
        "momentum_step", learner, _momentum_step,
        cases_with([([(64, 64), (64,), (64, 32), (32,), (32, 10), (10,)], 0, 0.05, 0.9),
                    ([(2, 2)], 1, 0.1, 0.0)],
                   lambda rng: ([tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
                                 for _array in range(int(rng.integers(1, 4)))],
                                int(rng.integers(0, 10**6)), float(rng.uniform(0.01, 0.5)),
                                float(rng.uniform(0.0, 0.95)))),
        mistakes=[
            (velocity_not_kept, N_("the velocities did not change: update them in place "
             "(v[...] = ... or v *= ...), so the next step finds them.")),
            (plus_gradient, N_("the velocity should move downhill: subtract eta g.")),
            (old_velocity, N_("the parameters moved by the old velocity: update v first, then "
             "add the new v to the parameters.")),
        ],
        received=(fn, lambda shapes, seed, eta, mu: _momentum_case(shapes, seed, eta, mu)),
    )


# --- exercise 8: a learning-rate schedule ---------------------------------------------------
def _step_decay(epoch, eta0, drop, every):
    return float(optimizers.step_decay(eta0, drop, every)(epoch))


def step_decay(fn):
    """Check ``fn(epoch, eta0, drop, every) -> eta_k`` for epochs k = 1, 2, ..."""
    check_function(
        "step_decay", _guarded(fn), _step_decay,
        cases_with([(1, 0.05, 0.5, 10), (10, 0.05, 0.5, 10), (11, 0.05, 0.5, 10),
                    (30, 0.05, 0.5, 10), (7, 0.1, 0.3, 1)],
                   lambda rng: (int(rng.integers(1, 60)), float(rng.uniform(0.01, 1.0)),
                                float(rng.uniform(0.1, 0.9)), int(rng.integers(1, 12)))),
        mistakes=[
            (lambda k, eta0, drop, every: eta0 * drop ** (k // every), N_("epoch k = every should "
             "still use the first rate: epochs count from 1, so drop after epochs every, 2 "
             "every, ...")),
            (lambda k, eta0, drop, every: eta0 * drop ** ((k - 1) / every), N_("the rate should "
             "fall in steps, not smoothly: round the number of drops down to a whole number.")),
        ],
        received=(fn, lambda *case: case),
    )


# --- exercise 9: the training loop ----------------------------------------------------------
def _train_case(sizes, seed, n, epochs, batch_size):
    params, X, T = _network_case(sizes, seed, n)
    return params, X, T, epochs, batch_size, 0.1, 0.9, 0.5, 2, np.random.default_rng(seed)


def _train(sizes, seed, n, epochs, batch_size):
    params, X, T, epochs, batch_size, eta0, mu, drop, every, rng = _train_case(
        sizes, seed, n, epochs, batch_size)
    net = _minibp_network(params)
    optimizer = Momentum(eta0, mu, schedule="step", schedule_options={"drop": drop, "every": every})
    epoch_losses = []
    for epoch in range(1, epochs + 1):
        optimizer.start_epoch(epoch)
        total = 0.0
        for batch in training.batches(len(X), batch_size, rng.permutation(len(X))):
            loss, grads = net.loss_and_gradients(X[batch], T[batch], "cross_entropy")
            optimizer.update(net.parameters(), grads.as_list())
            total += loss * len(batch)
        epoch_losses.append(total / len(X))
    return (np.array(epoch_losses), *net.parameters())


def train(fn):
    """Check ``fn(params, X, T, epochs, batch_size, eta0, momentum, drop, every, rng) ->
    epoch_losses``: mini-batch SGD with momentum and a step-decay schedule, params updated in
    place; epoch_losses[k-1] is epoch k's mean of the batch losses, weighted by batch size."""
    _callable(fn, "train")
    guarded = _guarded(fn)

    def learner(sizes, seed, n, epochs, batch_size):
        case = _train_case(sizes, seed, n, epochs, batch_size)
        got = guarded(*case)
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise CheckFailure(_("train returned a {kind}: return the list of the "
                                 "epochs' mean losses").format(kind=type(got).__name__)) from None
        return (got, *case[0])

    def in_order(sizes, seed, n, epochs, batch_size):
        params, X, T, epochs, batch_size, eta0, mu, drop, every, rng = _train_case(
            sizes, seed, n, epochs, batch_size)
        return _train_with(params, X, T, epochs, batch_size, eta0, mu, drop, every,
                           lambda: np.arange(len(X)))

    def constant_rate(sizes, seed, n, epochs, batch_size):
        params, X, T, epochs, batch_size, eta0, mu, drop, every, rng = _train_case(
            sizes, seed, n, epochs, batch_size)
        return _train_with(params, X, T, epochs, batch_size, eta0, mu, 1.0, every,
                           lambda: rng.permutation(len(X)))

    def reset_each_epoch(sizes, seed, n, epochs, batch_size):
        params, X, T, epochs, batch_size, eta0, mu, drop, every, rng = _train_case(
            sizes, seed, n, epochs, batch_size)
        runs = [_train_with(params, X, T, 1, batch_size, eta0 * drop ** ((k - 1) // every), mu,
                            1.0, every, lambda: rng.permutation(len(X)))[0]
                for k in range(1, epochs + 1)]
        return (np.concatenate(runs), *params)

    check_function(
        "train", learner, _train,
        cases_with([((64, 8, 10), 0, 40, 3, 16), ((3, 4, 2), 1, 10, 5, 3), ((2, 2), 2, 7, 2, 7)],
                   lambda rng: (_random_sizes(rng), int(rng.integers(0, 10**6)),
                                int(rng.integers(2, 12)), int(rng.integers(1, 5)),
                                int(rng.integers(1, 6))), n_random=10),
        mistakes=[
            (in_order, N_("the examples came in their stored order: draw each epoch's order "
             "with rng.permutation(N), once per epoch.")),
            (constant_rate, N_("the learning rate never fell: use your step_decay for each epoch "
             "k = 1, 2, ...")),
            (reset_each_epoch, N_("the velocities started from zero in every epoch: create them "
             "once, before the first epoch; they live across epochs.")),
        ],
        received=(fn, lambda *case: _train_case(*case)),
    )


def _train_with(params, X, T, epochs, batch_size, eta0, mu, drop, every, order):
    velocities, epoch_losses = [np.zeros_like(p) for p in params], []
    for epoch in range(1, epochs + 1):
        eta, total, shuffled = eta0 * drop ** ((epoch - 1) // every), 0.0, order()
        for start in range(0, len(X), batch_size):
            batch = shuffled[start:start + batch_size]
            loss, grads = _forward_backward(params, X[batch], T[batch])
            for p, v, g in zip(params, velocities, grads):
                v *= mu
                v -= eta * g
                p += v
            total += loss * len(batch)
        epoch_losses.append(total / len(X))
    return (np.array(epoch_losses), *params)


# --- exercise 10: predictions -------------------------------------------------------------
def _predict(sizes, seed, n):
    params, X, _T = _network_case(sizes, seed, n)
    return _minibp_network(params).predict(X).argmax(axis=1)


def predict(fn):
    """Check ``fn(params, X (N, n_0)) -> labels (N,)``: the class each row's output picks."""
    _callable(fn, "predict")
    guarded = _guarded(fn)

    def learner(sizes, seed, n):
        params, X, _T = _network_case(sizes, seed, n)
        return guarded(params, X)

    def per_column(sizes, seed, n):
        params, X, _T = _network_case(sizes, seed, n)
        return _minibp_network(params).predict(X).argmax(axis=0)

    def first_layer_only(sizes, seed, n):
        params, X, _T = _network_case(sizes, seed, n)
        return (X @ params[0] + params[1]).argmax(axis=1)

    check_function(
        "predict", learner, _predict,
        cases_with([(SIZES, 0, 32), ((4, 3, 5), 1, 1), ((3, 6, 5, 4), 2, 6)],
                   lambda rng: (_random_sizes(rng), int(rng.integers(0, 10**6)),
                                int(rng.integers(1, 8)))),
        mistakes=[
            (per_column, N_("pick the largest output in each row (one example per row), not in "
             "each column.")),
            (first_layer_only, N_("the prediction comes from the last layer's outputs: run the "
             "whole forward pass.")),
        ],
        received=(fn, lambda sizes, seed, n: _network_case(sizes, seed, n)[:2]),
    )


# --- research idea A: the power error at the output -----------------------------------------
def _power_delta(y, t, q, centred):
    delta = np.sign(y - t) * np.abs(y - t) ** q
    return delta - delta.mean(axis=1, keepdims=True) if centred else delta


def _power_gradients(params, X, T, q, centred=False):
    if not centred:
        return _minibp_network([p.copy() for p in params]).gradients(X, T, PowerError(q)).as_list()
    return list(_with_output_delta(params, X, lambda y: _power_delta(y, T, q, True)))


def power_error_gradients(fn):
    """Check ``fn(params, X, T, q, centred) -> grads`` ([dW_1, db_1, ...]) when the output's
    error signal is delta = sign(y - t) |y - t|^q instead of y - t (Knoblauch 2021),
    backpropagated unchanged; ``centred``: each row of delta minus its mean over the classes."""
    _callable(fn, "power_error_gradients")
    guarded = _guarded(fn)

    def learner(sizes, seed, n, q, centred):
        params, X, T = _network_case(sizes, seed, n)
        got = guarded(params, X, T, q, centred)
        return tuple(got) if isinstance(got, (list, tuple)) else got

    def reference(sizes, seed, n, q, centred):
        return tuple(_power_gradients(*_network_case(sizes, seed, n), q, centred))

    def unsigned(sizes, seed, n, q, centred):
        params, X, T = _network_case(sizes, seed, n)
        return _with_output_delta(params, X, lambda y: np.abs(y - T) ** q - (
            (np.abs(y - T) ** q).mean(axis=1, keepdims=True) if centred else 0.0))

    def times_q(sizes, seed, n, q, centred):
        params, X, T = _network_case(sizes, seed, n)
        return _with_output_delta(params, X, lambda y: q * (y - T))

    def never_centred(sizes, seed, n, q, centred):
        return reference(sizes, seed, n, q, False)

    def centred_over_batch(sizes, seed, n, q, centred):
        params, X, T = _network_case(sizes, seed, n)
        return _with_output_delta(params, X, lambda y: _power_delta(y, T, q, False) - (
            _power_delta(y, T, q, False).mean(axis=0) if centred else 0.0))

    check_function(
        "power_error_gradients", learner, reference,
        cases_with([(SIZES, 0, 32, 0.5, False), (SIZES, 0, 32, 0.5, True),
                    ((4, 3, 2), 1, 3, 2.0, False), ((3, 3), 2, 4, 1.0, True)],
                   lambda rng: (_random_sizes(rng), int(rng.integers(0, 10**6)),
                                int(rng.integers(1, 6)),
                                float(rng.choice([0.25, 0.5, 1.5, 2.0, 3.0])),
                                bool(rng.integers(0, 2)))),
        mistakes=[
            (unsigned, N_("|y - t|^q lost its sign: the error signal must still point from t to "
             "y, sign(y - t) |y - t|^q.")),
            (times_q, N_("q is an exponent on |y - t|, not a factor.")),
            (never_centred, N_("with centred=True, subtract from each row of delta_L its mean "
             "over the classes.")),
            (centred_over_batch, N_("centre each example's row over its classes (axis 1), not "
             "each class over the batch.")),
        ],
        received=(fn, lambda sizes, seed, n, q, centred: (*_network_case(sizes, seed, n), q,
                                                          centred)),
    )


def _with_output_delta(params, X, output_delta):
    net = _minibp_network([p.copy() for p in params])
    fwd = net.forward(X)
    return tuple(net.backward(fwd, output_delta(fwd.output)).as_list())


# --- research idea B: dropout on the hidden layers ------------------------------------------
def _dropout_case(sizes, seed, n, p):
    params, X, T = _network_case(sizes, seed, n)
    return params, X, T, p, np.random.default_rng(seed + 7)


def _dropout_forward_backward(sizes, seed, n, p):
    params, X, T, p, rng = _dropout_case(sizes, seed, n, p)
    weights, biases = params[0::2], params[1::2]
    layers = []
    for W, b in zip(weights[:-1], biases[:-1]):
        layers += [Dense(W.copy(), b.copy(), "tanh"), Dropout(p, rng)]
    net = Network.from_layers(layers + [Dense(weights[-1].copy(), biases[-1].copy(), "softmax")])
    fwd = net.forward(X, train=True)
    loss = losses.CrossEntropy()
    f = get_activation("softmax")
    value = float(loss.value(fwd.z[-1], fwd.output, T, f))
    grads = net.backward(fwd, loss.output_delta(fwd.z[-1], fwd.output, T, f))
    return (value, *grads.as_list())


def dropout_forward_backward(fn):
    """Check ``fn(params, X, T, p, rng) -> (mean loss, grads)``: as forward_backward, with
    inverted dropout on every hidden layer's output (mask (a.shape) = (rng.random >= p) / (1 - p),
    drawn layer by layer from the input up)."""
    _callable(fn, "dropout_forward_backward")
    guarded = _guarded(fn)

    def learner(sizes, seed, n, p):
        return _flat_result(guarded(*_dropout_case(sizes, seed, n, p)))

    def unscaled(sizes, seed, n, p):
        return _dropout_manual(sizes, seed, n, p, scale=False)

    def mask_not_in_backward(sizes, seed, n, p):
        return _dropout_manual(sizes, seed, n, p, mask_back=False)

    check_function(
        "dropout_forward_backward", learner, _dropout_forward_backward,
        cases_with([(SIZES, 0, 32, 0.5), ((4, 5, 2), 1, 3, 0.2), ((3, 4, 4, 2), 2, 5, 0.5)],
                   lambda rng: (tuple(int(n) for n in rng.integers(2, 7, size=int(rng.integers(3, 5)))),
                                int(rng.integers(0, 10**6)), int(rng.integers(1, 6)),
                                float(rng.choice([0.1, 0.25, 0.5, 0.75])))),
        mistakes=[
            (unscaled, N_("the kept units were not scaled by 1 / (1 - p): inverted dropout keeps "
             "each unit's expected value, so nothing changes at test time.")),
            (mask_not_in_backward, N_("a dropped unit passed gradient back: use the same mask on "
             "the way back, before multiplying by f'(z).")),
        ],
        received=(fn, lambda *case: _dropout_case(*case)),
    )


def _dropout_manual(sizes, seed, n, p, scale=True, mask_back=True):
    params, X, T, p, rng = _dropout_case(sizes, seed, n, p)
    weights, biases = params[0::2], params[1::2]
    a, kept, masks = X, [X], []
    for W, b in zip(weights[:-1], biases[:-1]):
        h = np.tanh(a @ W + b)
        mask = (rng.random(h.shape) >= p) / ((1.0 - p) if scale else 1.0)
        a = h * mask
        kept.append((h, a))
        masks.append(mask)
    z = a @ weights[-1] + biases[-1]
    loss, delta = _softmax_cross_entropy(z, T)
    grads = []
    for layer in range(len(weights) - 1, -1, -1):
        a_prev = X if layer == 0 else kept[layer][1]
        grads[:0] = [a_prev.T @ delta / len(X), delta.mean(axis=0)]
        if layer:
            h = kept[layer][0]
            upstream = delta @ weights[layer].T
            delta = upstream * (masks[layer - 1] if mask_back else 1.0) * (1 - h ** 2)
    return (loss, *grads)
