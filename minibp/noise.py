"""NEM noise: noise on the targets that makes them more probable (lesson 11).

Backprop is maximum likelihood: the loss of one example is -ln p(t | a), the negative
log-likelihood of its target t under the network's output a. Cross-entropy is a categorical
likelihood (softmax outputs), squared error a Gaussian one (identity outputs), binary
cross-entropy a Bernoulli one (logistic outputs). Kosko's group showed that backprop is a form
of generalized EM, and that noise n added to the target helps on average when it makes the
target more probable, ln p(t + n | a) >= ln p(t | a): the NEM (noisy EM) condition.
Written out for each likelihood it becomes a simple test on each example's noise:

    classification (softmax, cross-entropy)   n . ln a >= 0            a half-space
    regression (identity, squared error)      |t + n - a| <= |t - a|   a ball around a
    logistic (sigmoid, cross-entropy)         n . ln(a / (1 - a)) >= 0 a half-space

The algorithm (Adigun & Kosko 2019, and the group's public NEM code): in epoch k = 1, 2, ...
the noise has variance v_k = v0 / k^tau (annealed: ever quieter); for each batch, draw one
noise vector per example, keep it where the example satisfies the condition (else zero), and
backpropagate toward t + n. The loss that is reported still uses the clean targets.

*Blind* noise is the same noise without the test: every draw is kept. It is the control that
tells a NEM benefit from a plain "noise helps" effect.

Shapes: targets T, outputs Y and noise all have shape (N, k), one example per row; a
condition gives one bool per example, shape (N,).

Note for classification: t + n is no longer a probability distribution (its entries can be
negative and need not sum to 1). We backpropagate toward it as given — minibp's
``CrossEntropy`` gives delta_out = a - (t + n) = (a - t) - n, the clean error signal minus the
noise — exactly as the group's code does.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, as_batch, as_rng, boolean, choice, integer, number, same_shape

KINDS = ("classification", "regression", "logistic")
DISTRIBUTIONS = ("gaussian", "uniform")

_TINY = np.finfo(np.float64).tiny  # the smallest positive float: ln(_TINY) is about -708
_BELOW_ONE = np.nextafter(1.0, 0.0)  # the largest float below 1


# --- the schedule -------------------------------------------------------------------------------
def annealed_variance(v0, tau, epoch):
    """The noise variance of epoch k: v_k = v0 / k^tau (k = 1, 2, ...; tau = 0: no annealing).

    ``epoch`` may be an int or an array of ints >= 1; the result has its shape.
    """
    v0 = number(v0, "v0", low=0.0)
    tau = number(tau, "tau", low=0.0)
    k = np.asarray(epoch)
    if not np.issubdtype(k.dtype, np.integer) or np.any(k < 1):
        raise ValueError(f"epoch must be a whole number >= 1 (or an array of them), got {epoch!r}")
    return v0 / k.astype(np.float64) ** tau


def draw_noise(shape, variance, distribution="gaussian", rng=0):
    """Noise of the given ``shape``, scaled by sqrt(variance).

    "gaussian": n = sqrt(v) * N(0, 1), so its variance is v. "uniform": n = sqrt(v) * (u - 1/2)
    with u ~ U[0, 1), as in the group's code (its variance is v / 12). Both are symmetric:
    n and -n are equally likely.
    """
    variance = number(variance, "variance", low=0.0)
    choice(distribution, "distribution", DISTRIBUTIONS)
    rng = as_rng(rng)
    if distribution == "gaussian":
        return np.sqrt(variance) * rng.standard_normal(shape)
    return np.sqrt(variance) * (rng.random(shape) - 0.5)


# --- the NEM conditions: one bool per example ----------------------------------------------------
def _check(noise, outputs, targets=None):
    # Row-by-row tests: an empty batch gets an empty answer (no mean is taken).
    noise = as_batch(noise, "noise", empty=True)
    # Outputs may be NaN when training diverges: the test then fails (NaN >= 0 is False) and
    # fit reports the divergence itself.
    outputs = as_batch(outputs, "outputs", finite=False, empty=True)
    same_shape(noise, outputs, "noise", "outputs")
    if targets is not None:
        targets = as_batch(targets, "targets", empty=True)
        same_shape(targets, outputs, "targets", "outputs")
    return noise, outputs, targets


def _probabilities(outputs, name="outputs"):
    if np.any(outputs < 0) or np.any(outputs > 1):
        raise ValueError(f"{name} must be probabilities in [0, 1] (softmax or sigmoid outputs)")
    return outputs


def classification_condition(noise, outputs):
    """n . ln a >= 0 per row: the noisy one-hot target is at least as likely under softmax a.

    ln p(t | a) = sum_k t_k ln a_k (cross-entropy is its negative), so
    ln p(t + n | a) - ln p(t | a) = n . ln a. The accepted noise lies in a half-space through
    the origin whose normal is ln a. noise, outputs: (N, k) -> (N,) bool. An output that
    underflowed to 0 counts as the smallest positive float, so ln a stays finite.
    """
    noise, outputs, _ = _check(noise, outputs)
    log_a = np.log(np.maximum(_probabilities(outputs), _TINY))
    return np.sum(noise * log_a, axis=1) >= 0.0


def regression_condition(noise, targets, outputs):
    """|t + n - a|^2 <= |t - a|^2 per row: the noisy target is at least as close to a.

    ln p(t | a) = -1/2 |t - a|^2 + const for a Gaussian of unit variance around a. The noisy
    target t + n must lie in the ball around a on whose surface t lies; equivalently the
    noise lies in the ball centred at a - t with radius |a - t|. (N, k) each -> (N,) bool.
    """
    noise, outputs, targets = _check(noise, outputs, targets)
    return (np.sum((targets + noise - outputs) ** 2, axis=1)
            <= np.sum((targets - outputs) ** 2, axis=1))


def logistic_condition(noise, outputs):
    """n . ln(a / (1 - a)) >= 0 per row, for independent sigmoid (Bernoulli) outputs a.

    ln p(t | a) = sum_k t_k ln a_k + (1 - t_k) ln(1 - a_k), so adding n to t adds
    n . (ln a - ln(1 - a)): a half-space whose normal is the logit of a. (N, k) -> (N,) bool.
    """
    noise, outputs, _ = _check(noise, outputs)
    a = np.clip(_probabilities(outputs), _TINY, _BELOW_ONE)
    return np.sum(noise * (np.log(a) - np.log1p(-a)), axis=1) >= 0.0


def nem_condition(kind, noise, targets, outputs):
    """The NEM test of ``kind`` ("classification", "regression", "logistic"): (N,) bool."""
    choice(kind, "kind", KINDS)
    if kind == "classification":
        return classification_condition(noise, outputs)
    if kind == "regression":
        return regression_condition(noise, targets, outputs)
    return logistic_condition(noise, outputs)


# --- the noise injector for fit(target_noise=...) ------------------------------------------------
class NEMNoise:
    """Annealed NEM (or blind) noise on the targets, for ``fit(..., target_noise=NEMNoise(...))``.

    ``kind``: which likelihood the output has — "classification" (softmax + cross-entropy),
    "regression" (identity + squared error) or "logistic" (sigmoid + cross-entropy).
    ``v0``: the first epoch's variance (v0 = 0 switches the noise off and training equals
    noise-free training exactly). ``tau``: the annealing power, v_k = v0 / k^tau.
    ``distribution``: "gaussian" or "uniform" (see ``draw_noise``). ``blind``: keep every draw
    (the control) instead of only those that pass the NEM test. ``rng``: a seed or Generator
    for the noise alone — the noise never touches the generator that orders the examples.

    ``fit`` calls ``start_epoch(k)`` at the start of epoch k and ``noise(T, Y)`` on every batch
    (T the batch's targets, Y the network's outputs, both (N, k)); it returns the targets to
    backpropagate toward, T + n with n zeroed on the rows that fail the test. After training,
    ``accepted_fraction`` lists, per epoch, the fraction of drawn noise vectors that passed the
    test (for blind noise: that *would* have passed; all were used). Use one object per
    training run: it carries the noise generator and the counts.
    """

    def __init__(self, kind="classification", v0=0.01, tau=1.0, distribution="gaussian",
                 blind=False, rng=0):
        self.kind = choice(kind, "kind", KINDS)
        self.v0 = number(v0, "v0", low=0.0)
        self.tau = number(tau, "tau", low=0.0)
        self.distribution = choice(distribution, "distribution", DISTRIBUTIONS)
        self.blind = boolean(blind, "blind")
        self.rng = as_rng(rng)
        self.epoch = 1
        self.variance = self.v0
        self._counts = []  # [passed, drawn] per epoch

    def start_epoch(self, epoch):
        """Set v_k = v0 / k^tau for epoch k (1-based) and start counting its draws."""
        epoch = integer(epoch, "epoch", low=1)
        self.epoch = epoch
        self.variance = float(annealed_variance(self.v0, self.tau, epoch))
        self._counts.append([0, 0])

    @property
    def accepted_fraction(self):
        """Per epoch, the fraction of drawn noise vectors that passed the NEM test: shape (epochs,)."""
        return np.array([passed / drawn for passed, drawn in self._counts if drawn], dtype=float)

    def __call__(self, T, Y):
        """T, Y: (N, k) targets and outputs -> (N, k) targets to train toward."""
        T = as_batch(T, "T")
        Y = as_batch(Y, "Y", finite=False)
        same_shape(T, Y, "T", "Y")
        noise = draw_noise(T.shape, self.variance, self.distribution, self.rng)
        passed = nem_condition(self.kind, noise, T, Y)
        if not self._counts:  # called without start_epoch: count it as epoch 1
            self._counts.append([0, 0])
        self._counts[-1][0] += int(passed.sum())
        self._counts[-1][1] += passed.size
        if self.blind:
            return T + noise
        return T + noise * passed[:, None]

    def __repr__(self):
        name = "blind" if self.blind else "NEM"
        return (f"NEMNoise({name}, kind={self.kind!r}, v0={self.v0:g}, tau={self.tau:g}, "
                f"{self.distribution})")


def noisy_targets(kind, T, Y, noise, blind=False):
    """One batch's training targets from given noise: T + n where the NEM test holds, else T.

    The pure-function version of ``NEMNoise.__call__`` (for exercises and figures): T, Y and
    noise are (N, k). ``blind=True`` keeps every row's noise.
    """
    blind = boolean(blind, "blind")
    T = as_array(T, "T", ndim=2)
    noise = as_array(noise, "noise", ndim=2)
    same_shape(T, noise, "T", "noise")
    passed = nem_condition(kind, noise, T, Y)
    return T + noise if blind else T + noise * passed[:, None]
