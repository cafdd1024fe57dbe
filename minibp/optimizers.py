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


class SGD:
    """Plain (stochastic) gradient descent: w <- w - eta_k g.

    ``learning_rate``: eta_0 >= 0. ``schedule``: a name from ``SCHEDULES`` with its options in
    ``schedule_options`` (e.g. ``schedule="step", schedule_options={"drop": 0.5, "every": 5}``).
    """

    def __init__(self, learning_rate=0.1, schedule="constant", schedule_options=None):
        self.initial_learning_rate = number(learning_rate, "learning_rate", low=0.0)
        make = SCHEDULES[choice(schedule, "schedule", SCHEDULES)]
        self.schedule_name = schedule
        self.schedule = make(self.initial_learning_rate, **(schedule_options or {}))
        self.learning_rate = self.initial_learning_rate

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
        for w, g in zip(params, grads):
            w -= eta * g

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.initial_learning_rate:g})"


class Momentum(SGD):
    """Heavy-ball momentum: v <- mu v - eta g; w <- w + v, with mu in [0, 1).

    mu = 0 is plain gradient descent. The velocities start at zero and live with the
    optimizer, one per parameter array; ``reset()`` forgets them.
    """

    def __init__(self, learning_rate=0.1, momentum=0.9, schedule="constant",
                 schedule_options=None):
        super().__init__(learning_rate, schedule, schedule_options)
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
        for w, g, v in zip(params, grads, self.velocities):
            v *= mu
            v -= eta * g
            w += v

    def __repr__(self):
        return f"Momentum(learning_rate={self.initial_learning_rate:g}, momentum={self.momentum:g})"


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
