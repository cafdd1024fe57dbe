"""Losses, each giving its value and the output error signal delta_out = dL/dz_out.

Backprop starts at the output layer with delta_out, the derivative of one example's loss with
respect to the output units' net inputs z. Everything after that — the delta recursion through
the hidden layers, the gradients of every weight — is the same whatever the loss. So the losses
below differ only in how they initialize delta_out (lessons 01, 09, 10, 11):

    squared error      L = 1/2 sum_k (y_k - t_k)^2           delta_out = (y - t) * f'(z)
    cross-entropy      (sigmoid or softmax output)            delta_out = y - t
    power error        (Knoblauch 2021)                       delta_out = sign(y - t) |y - t|^q
    Hebbian descent    L = sum_k Phi(z_k) - t_k z_k           delta_out = y - t, any f

Shapes: z, y (= f(z)) and t are (N, k): N examples in rows, k output units. ``per_example``
gives each example's loss, shape (N,); ``value`` is their mean, the number training reports;
``output_delta`` gives delta_out per example, shape (N, k) — the 1/N of the mean is applied
where the gradients are summed over the batch (``Network.backward``).

Each loss writes its math in two short methods, ``losses(z, y, t, f)`` and
``delta(z, y, t, f)`` (f an ``Activation``); the public ``per_example`` and ``output_delta``
check the arguments first and then call them. The training loop, which has checked its data
once, calls ``delta`` directly.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, choice, number, same_shape
from .activations import get_activation, sigmoid


class Loss:
    """Base class: subclasses write ``losses`` and ``delta`` (and ``check`` if they must)."""

    name = "loss"

    def losses(self, z, y, t, f):
        """Each example's loss, shape (N,), for checked float64 arrays and an Activation f."""
        raise NotImplementedError

    def delta(self, z, y, t, f):
        """delta_out = dL/dz per example, shape (N, k), without argument checks."""
        raise NotImplementedError

    def check(self, f, t):
        """Raise ValueError if this loss cannot be used with output activation f, targets t."""

    def per_example(self, z, y, t, activation):
        """Each example's loss, shape (N,): arguments checked, then ``losses``."""
        z, y, t, f = _prepare(z, y, t, activation)
        self.check(f, t)
        return self.losses(z, y, t, f)

    def output_delta(self, z, y, t, activation):
        """delta_out = dL/dz, shape (N, k): arguments checked, then ``delta``."""
        z, y, t, f = _prepare(z, y, t, activation)
        self.check(f, t)
        return self.delta(z, y, t, f)

    def value(self, z, y, t, activation) -> float:
        """The mean loss over the batch."""
        return float(np.mean(self.per_example(z, y, t, activation)))

    def __repr__(self):
        return f"{type(self).__name__}()"


def _prepare(z, y, t, activation):
    """Validate one batch of outputs and targets; return them as float64 (N, k) arrays."""
    activation = get_activation(activation)
    z = as_batch(z, "z", finite=False)
    y = as_batch(y, "y", finite=False)
    t = as_batch(t, "targets")
    same_shape(y, t, "outputs y", "targets")
    same_shape(z, y, "net inputs z", "outputs y")
    return z, y, t, activation


class SquaredError(Loss):
    """L = 1/2 sum_k (y_k - t_k)^2, for any output activation."""

    name = "squared_error"

    def losses(self, z, y, t, f):
        return 0.5 * np.sum((y - t) ** 2, axis=1)

    def delta(self, z, y, t, f):
        # dL/dy = y - t, then through the activation: (y - t) * f'(z) for elementwise f.
        return f.vjp(z, y, y - t)


class CrossEntropy(Loss):
    """Cross-entropy for sigmoid outputs (one binary decision per unit) or softmax outputs.

    sigmoid: L = -sum_k [t_k ln y_k + (1 - t_k) ln(1 - y_k)];  softmax: L = -sum_k t_k ln y_k.
    Either way f' cancels against the loss's 1/(y(1-y)) and delta_out = y - t.
    """

    name = "cross_entropy"

    def check(self, f, t):
        if f.name not in ("sigmoid", "softmax"):
            raise ValueError(
                f"cross_entropy needs a sigmoid or softmax output activation, got "
                f"{f.name!r}; use squared_error for other outputs"
            )

    def losses(self, z, y, t, f):
        if f.name == "sigmoid":
            # -t ln y - (1-t) ln(1-y) = softplus(z) - t z: the same number, without ln(0).
            return np.sum(np.logaddexp(0.0, z) - t * z, axis=1)
        # delta = y - t is the gradient of -sum t ln softmax(z) only if sum_k t_k = 1: refuse
        # other targets here, so that a loss value and its gradient never disagree. (The error
        # signal alone, output_delta, takes any targets: noise injection trains toward t + n.)
        if not (np.all(t >= 0) and np.allclose(t.sum(axis=1), 1.0)):
            raise ValueError("targets for the softmax cross-entropy loss must be probabilities: "
                             "each row >= 0 and summing to 1 (e.g. one-hot)")
        log_y = z - f.potential(z)[:, None]  # ln softmax(z), computed stably
        return -np.sum(t * log_y, axis=1)

    def delta(self, z, y, t, f):
        return y - t


# Beyond this e^q is below 1e-4 for every error e < 0.9: nothing is left to learn from, and the
# closed form's q - 1 terms would only cost time.
MAX_Q = 100.0


class PowerError(Loss):
    """Power-function error initialization (Knoblauch 2021): delta_out = sign(y - t) |y - t|^q.

    q = 1 gives y - t, the cross-entropy signal for sigmoid and softmax outputs. The error
    signal can start any backward pass; the loss it descends is known in closed form for
    sigmoid outputs with binary targets (``power_loss``) and identity outputs
    (|y - t|^(q+1) / (q + 1)). For other outputs ``per_example`` raises.
    """

    name = "power_error"

    def __init__(self, q=1.0):
        self.q = number(q, "q", low=0.0, low_open=True, high=MAX_Q)

    def __repr__(self):
        return f"PowerError(q={self.q:g})"

    def delta(self, z, y, t, f):
        e = y - t
        return np.sign(e) * np.abs(e) ** self.q

    def losses(self, z, y, t, f):
        if f.name == "identity":
            return np.sum(np.abs(y - t) ** (self.q + 1.0), axis=1) / (self.q + 1.0)
        if f.name != "sigmoid":
            raise ValueError(
                f"the power-error loss value is defined for sigmoid or identity outputs, got "
                f"{f.name!r}; its error signal (output_delta) works for any output"
            )
        if not np.all((t == 0) | (t == 1)):
            raise ValueError("targets must be 0 or 1 for the power-error loss of sigmoid outputs")
        # e = |y - t| = sigmoid(s) with s = z for t = 0 and s = -z for t = 1.
        return np.sum(_power_loss_from_logit((1.0 - 2.0 * t) * z, self.q), axis=1)


class HebbianDescent(Loss):
    """Hebbian descent (Melchior, Schiewer & Wiskott 2024): delta_out = y - t for any output f.

    It drops f'(z) at the output. The loss it descends is the matching loss
    L = sum_k [Phi(z_k) - t_k z_k] with Phi' = f (``Activation.potential``), since then
    dL/dz = f(z) - t. For sigmoid that is binary cross-entropy, for softmax cross-entropy; for
    identity it is 1/2 |y - t|^2 - 1/2 |t|^2 (the loss is defined up to a constant in t, and we
    add none). Convex in z wherever f' > 0. Its delta is the gradient of that loss for any
    targets; with softmax outputs the loss equals cross-entropy only for targets whose rows sum
    to 1 (which ``CrossEntropy`` therefore requires).
    """

    name = "hebbian_descent"

    def losses(self, z, y, t, f):
        return f.potential(z) - np.sum(t * z, axis=1)

    def delta(self, z, y, t, f):
        return y - t


LOSSES = {
    cls.name: cls for cls in (SquaredError, CrossEntropy, PowerError, HebbianDescent)
}


def get_loss(name) -> Loss:
    """Look up a loss by name ("squared_error", "cross_entropy", ...); a Loss passes through."""
    if isinstance(name, Loss):
        return name
    return LOSSES[choice(name, "loss", LOSSES)]()


# --- the power-error loss family for sigmoid outputs ---------------------------------------
def power_loss(e, q):
    """L_q(e) = integral_0^e u^(q-1) / (1 - u) du: the loss whose error signal is e^q.

    ``e`` is the absolute output error |y - t| in [0, 1) of a sigmoid unit with a 0/1 target
    (any shape); ``q`` > 0. For integer q it is -ln(1 - e) - sum_{k=1}^{q-1} e^k / k, so
    q = 1 is binary cross-entropy and q = 2 is -ln(1 - e) - e; other q are integrated
    numerically. Why e^q: for t = 0, y = e, dL/dy = e^(q-1) / (1 - e) and dy/dz = e (1 - e).
    """
    q = number(q, "q", low=0.0, low_open=True, high=MAX_Q)
    e = np.asarray(e, dtype=np.float64)
    if np.any(~np.isfinite(e)) or np.any(e < 0) or np.any(e >= 1):
        raise ValueError("e must hold absolute errors in [0, 1)")
    with np.errstate(divide="ignore"):
        s = np.log(e) - np.log1p(-e)  # the logit, -inf at e = 0
    return _power_loss_from_logit(s, q)


_GAUSS_LEGENDRE = np.polynomial.legendre.leggauss(40)  # nodes x and weights on [-1, 1]
_SERIES_TERMS = 60  # 2^-60 < 1e-18: at e <= 1/2 the series is exact to float64


def _power_loss_series(e, q):
    """L_q(e) = sum_{k>=0} e^(q+k) / (q + k), from 1/(1 - u) = sum_k u^k; for e <= 1/2."""
    # Horner's scheme: e^q (1/q + e (1/(q+1) + e (...))). No e^k is ever formed, so tiny e
    # cannot underflow into (very slow) denormal arithmetic.
    e = np.asarray(e, dtype=np.float64)
    total = np.zeros_like(e)
    for k in range(_SERIES_TERMS - 1, -1, -1):
        total = total * e + 1.0 / (q + k)
    return e**q * total


def _power_loss_from_logit(s, q, numerical=None):
    """L_q(sigmoid(s)), computed from the logit s so that e close to 1 loses no digits."""
    s = np.asarray(s, dtype=np.float64)
    e = sigmoid(s)
    minus_log_1_minus_e = np.logaddexp(0.0, s)  # -ln(1 - e) = softplus(s)
    if numerical is None:
        numerical = q != round(q)
    # e <= 1/2: the series, which has no cancellation for tiny e.
    small_e = _power_loss_series(np.minimum(e, 0.5), q)
    if not numerical:
        # The closed form cancels -ln(1 - e) against its own first q - 1 Taylor terms: for
        # small e it loses ~(q - 1) log10(1/e) digits (even turns negative), so only e > 1/2.
        closed = minus_log_1_minus_e - sum(e**k / k for k in range(1, int(round(q))))
        return np.where(e <= 0.5, small_e, closed)
    # e > 1/2: L(e) = L(1/2) + int_{1/2}^e u^(q-1) / (1 - u) du, and u^(q-1) / (1 - u) =
    # 1 / (1 - u) - k(u) with k(u) = (1 - u^(q-1)) / (1 - u), smooth on [1/2, 1]. So
    # L(e) = L(1/2) - ln 2 - ln(1 - e) - int_{1/2}^e k(u) du, the last by Gauss-Legendre.
    x, weights = _GAUSS_LEGENDRE
    half_width = (np.maximum(e, 0.5) - 0.5)[..., None] / 2.0
    one_minus_u = sigmoid(-s)[..., None] + half_width * (1.0 - x)  # 1 - u, without cancellation
    with np.errstate(divide="ignore", invalid="ignore"):  # only where e <= 1/2 (unused there)
        k = -np.expm1((q - 1.0) * np.log1p(-one_minus_u)) / one_minus_u
        integral = np.sum(half_width * weights * k, axis=-1)
        large_e = _power_loss_series(0.5, q) - np.log(2.0) + minus_log_1_minus_e - integral
    return np.where(e <= 0.5, small_e, large_e)
