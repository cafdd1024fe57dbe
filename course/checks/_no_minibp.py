"""Keep minibp's gradients away from a learner's function while a check runs it.

An exercise that asks for the gradients cannot be passed by calling minibp's network, losses
or optimizers: inside ``without_minibp_gradients(name, fn)`` each of them raises a
RuntimeError that says so (the check reports it as the learner's crash), also where the
learner imported a module-level function by name. Lesson 02's checks guard its graph sweep the
same way.
"""

from __future__ import annotations

import contextlib

from minibp import autograd, losses, training
from minibp.losses import Loss
from minibp.network import Dense, Network
from minibp.optimizers import SGD, Momentum

# (owner, attribute): what computes or applies a gradient for you — every loss's error signal
# included (SquaredError, PowerError, ... each define their own ``delta``).
_LOSSES = [cls for cls in vars(losses).values() if isinstance(cls, type) and issubclass(cls, Loss)]
_GUARDED = [(Network, name) for name in ("loss_and_gradients", "gradients", "backward",
                                         "backward_unchecked")] + [
    (Dense, "gradients"), (Dense, "backward"), (autograd.Value, "backward"), (SGD, "step"),
    (SGD, "update"), (Momentum, "update"), (training, "train_step"), (training, "fit")] + [
    (cls, name) for cls in _LOSSES for name in ("output_delta", "delta") if name in vars(cls)]


@contextlib.contextmanager
def refusing(fn, guarded, message):
    """While the block runs, each (owner, attribute) of ``guarded`` raises RuntimeError(message),
    also where ``fn``'s module imported such a function by name; all restored afterwards."""
    saved = [(owner, attribute, vars(owner)[attribute]) for owner, attribute in guarded
             if attribute in vars(owner)]

    def refused(*args, **kwargs):
        raise RuntimeError(message)

    names = getattr(fn, "__globals__", {})
    imported = [(key, value) for key, value in list(names.items())
                if any(value is original for _, _, original in saved)]
    try:
        for owner, attribute, _ in saved:
            setattr(owner, attribute, refused)
        for key, _ in imported:
            names[key] = refused
        yield
    finally:
        for owner, attribute, original in saved:
            setattr(owner, attribute, original)
        for key, value in imported:
            names[key] = value


def without_minibp_gradients(name, fn):
    """While the block runs, every guarded minibp function raises, naming ``name``."""
    return refusing(fn, _GUARDED, f"write the gradients and the update yourself: {name} may not "
                                  f"use minibp's network, losses or optimizers")
