"""Optimizers: how a gradient becomes a step (lessons 04 and 05).

Every optimizer has the same signature, ``optimizer.step(params, grads)``: ``params`` is a list
of arrays updated in place (``Network.parameters()``), ``grads`` the list of their gradients in
the same order (``Gradients.as_list()``). ``step`` checks that the two lists match and then
calls ``update(params, grads)``, which is only the update rule; the training loop, whose
gradients come from the network's own backward pass, calls ``update`` directly.
``optimizer.start_epoch(k)`` sets the learning rate eta_k of epoch k = 1, 2, ... from the
schedule.

    plain gradient descent     w <- w - eta g
    heavy-ball momentum        v <- mu v - eta g;   w <- w + v

Both take the same two options for g (lesson 07): ``clip_norm`` (the whole gradient is scaled
down to that global norm when it is longer) and ``weight_decay`` (g + lambda W for weights).

Momentum's velocity is an exponentially weighted sum of past gradients,
v_k = -eta sum_j mu^(k-j) g_j, so on a constant slope the step grows to eta / (1 - mu);
across a ravine the alternating gradients cancel and the zig-zag is damped.
"""

from __future__ import annotations

import numpy as np

from ._validate import choice, integer, number

# --- learning-rate schedules: eta_k for epoch k = 1, 2, ... --------------------------------


def constant(eta0):
    return lambda epoch: eta0


def step_decay(eta0, drop=0.5, every=10):
    """eta0 * drop^floor((k - 1) / every): the rate falls by ``drop`` every ``every`` epochs."""
    drop = number(drop, "drop", low=0.0, high=1.0)
    every = number(every, "every", low=1.0)
    return lambda epoch: eta0 * drop ** ((epoch - 1) // every)


def inverse_time(eta0, decay=0.1):
    """eta0 / (1 + decay (k - 1)): the 1/t schedule of stochastic approximation."""
    decay = number(decay, "decay", low=0.0)
    return lambda epoch: eta0 / (1.0 + decay * (epoch - 1))


def exponential(eta0, decay=0.05):
    """eta0 * exp(-decay (k - 1))."""
    decay = number(decay, "decay", low=0.0)
    return lambda epoch: eta0 * np.exp(-decay * (epoch - 1))


SCHEDULES = {
    "constant": constant,
    "step": step_decay,
    "inverse_time": inverse_time,
    "exponential": exponential,
}


def global_norm(arrays):
    """sqrt(sum of g^2 over every entry of every array): the length of the whole gradient."""
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in arrays)))


def clip_by_global_norm(grads, max_norm):
    """The list ``grads`` scaled by max_norm / norm if their ``global_norm`` exceeds
    ``max_norm`` > 0, else unchanged: the direction stays, the length is capped (Pascanu,
    Mikolov & Bengio 2013). One factor for all arrays, so no layer's share changes."""
    max_norm = number(max_norm, "max_norm", low=0.0, low_open=True)
    norm = global_norm(grads)
    return list(grads) if norm <= max_norm else [g * (max_norm / norm) for g in grads]


class SGD:
    """Plain (stochastic) gradient descent: w <- w - eta_k g.

    ``learning_rate``: eta_0 >= 0. ``schedule``: a name from ``SCHEDULES`` with its options in
    ``schedule_options`` (e.g. ``schedule="step", schedule_options={"drop": 0.5, "every": 5}``).
    ``clip_norm``: None (no clipping) or a number > 0: when the global norm of all the step's
    gradients exceeds it, every gradient is first scaled by clip_norm / norm.
    ``weight_decay``: lambda >= 0, an L2 penalty (lambda / 2) ||W||^2 on the weights: the step
    uses g + lambda W for weight arrays (2 or more dimensions, the W of each layer) and g alone
    for biases (1-D arrays), which are not decayed. Clipping acts on the loss's gradients
    before the decay term is added; the loss that ``fit`` reports does not include the penalty.
    """

    def __init__(self, learning_rate=0.1, schedule="constant", schedule_options=None,
                 clip_norm=None, weight_decay=0.0):
        self.initial_learning_rate = number(learning_rate, "learning_rate", low=0.0)
        make = SCHEDULES[choice(schedule, "schedule", SCHEDULES)]
        self.schedule_name = schedule
        self.schedule = make(self.initial_learning_rate, **(schedule_options or {}))
        self.learning_rate = self.initial_learning_rate
        self.clip_norm = None if clip_norm is None else number(clip_norm, "clip_norm", low=0.0,
                                                               low_open=True)
        self.weight_decay = number(weight_decay, "weight_decay", low=0.0)

    def gradients(self, params, grads):
        """The g the step uses: ``grads`` clipped to ``clip_norm``, plus lambda W for weights."""
        if self.clip_norm is not None:
            grads = clip_by_global_norm(grads, self.clip_norm)
        if self.weight_decay:
            grads = [g + self.weight_decay * w if w.ndim > 1 else g for w, g in zip(params, grads)]
        return grads

    def start_epoch(self, epoch):
        """Set eta for epoch ``epoch`` (1-based) from the schedule."""
        self.learning_rate = float(self.schedule(integer(epoch, "epoch", low=1)))

    def step(self, params, grads):
        """Update ``params`` in place: one array of ``grads`` per array, of the same shape."""
        _check_pairs(params, grads)
        self.update(params, grads)

    def update(self, params, grads):
        """``step`` without the checks: w <- w - eta g for each pair."""
        eta = self.learning_rate
        for w, g in zip(params, self.gradients(params, grads)):
            w -= eta * g

    def __repr__(self):
        options = {"momentum": getattr(self, "momentum", None), "clip_norm": self.clip_norm,
                   "weight_decay": self.weight_decay or None}
        return (f"{type(self).__name__}(learning_rate={self.initial_learning_rate:g}"
                + "".join(f", {k}={v:g}" for k, v in options.items() if v is not None) + ")")


class Momentum(SGD):
    """Heavy-ball momentum: v <- mu v - eta g; w <- w + v, with mu in [0, 1).

    Options as ``SGD``'s (g is the clipped and decayed gradient). mu = 0 is plain gradient
    descent. The velocities start at zero and live with the optimizer, one per parameter
    array; ``reset()`` forgets them.
    """

    def __init__(self, learning_rate=0.1, momentum=0.9, schedule="constant",
                 schedule_options=None, clip_norm=None, weight_decay=0.0):
        super().__init__(learning_rate, schedule, schedule_options, clip_norm, weight_decay)
        self.momentum = number(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.velocities = None

    def reset(self):
        self.velocities = None

    def update(self, params, grads):
        """``step`` without the checks: v <- mu v - eta g; w <- w + v for each pair."""
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        elif [v.shape for v in self.velocities] != [w.shape for w in params]:
            raise ValueError(
                f"this Momentum's velocities belong to parameters of shapes "
                f"{[v.shape for v in self.velocities]}, got params of shapes "
                f"{[w.shape for w in params]}: use a new Momentum per network, or call reset()")
        mu, eta = self.momentum, self.learning_rate
        for w, g, v in zip(params, self.gradients(params, grads), self.velocities):
            v *= mu
            v -= eta * g
            w += v


def _check_pairs(params, grads):
    if len(params) != len(grads):
        raise ValueError(f"grads must have one array per parameter ({len(params)}), got {len(grads)}")
    for i, (w, g) in enumerate(zip(params, grads)):
        if not isinstance(w, np.ndarray) or w.dtype != np.float64:
            raise ValueError(f"params[{i}] must be a float64 numpy array (updated in place), got "
                             f"{type(w).__name__}{'' if not hasattr(w, 'dtype') else ' of ' + str(w.dtype)}")
        g = np.asarray(g)
        if g.dtype.kind not in "fiub":
            raise ValueError(f"grads[{i}] must hold real numbers, got dtype {g.dtype}")
        if w.shape != g.shape:
            raise ValueError(f"grads[{i}] must have shape {w.shape} like params[{i}], got {g.shape}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"grads[{i}] contains NaN or inf; expected finite gradients")
