"""Weight initializers: where training starts (lessons 06 and 07).

Each function returns a weight matrix W of shape (n_in, n_out), W[p, q] the weight from unit p
of the layer below to unit q of the layer above, drawn with the ``rng`` you pass.
Biases start at zero (``Network`` does that); only the weights need to break symmetry.

The variance argument (Glorot & Bengio 2010): a unit sums n_in inputs, so its net input has
variance n_in Var(W) Var(a). Keeping activations the same size going forward needs
n_in Var(W) = 1; keeping back-propagated gradients the same size going backward needs
n_out Var(W) = 1. The normalized ("Xavier") initializations take the compromise
Var(W) = 2 / (n_in + n_out).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_rng, choice, integer, number


def uniform(n_in, n_out, rng=0, limit=1.0):
    """The textbook start: W ~ U[-limit, limit], by default U[-1, 1] whatever the layer size."""
    n_in, n_out, rng = _fan(n_in, n_out, rng)
    limit = number(limit, "limit", low=0.0)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def glorot_standard(n_in, n_out, rng=0):
    """Glorot & Bengio's "standard" init: W ~ U[-1/sqrt(n_in), 1/sqrt(n_in)], Var W = 1/(3 n_in)."""
    n_in, n_out, rng = _fan(n_in, n_out, rng)
    limit = 1.0 / np.sqrt(n_in)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def xavier_normal(n_in, n_out, rng=0):
    """Xavier normal: W ~ N(0, sigma^2) with sigma = sqrt(2 / (n_in + n_out))."""
    n_in, n_out, rng = _fan(n_in, n_out, rng)
    sigma = np.sqrt(2.0 / (n_in + n_out))
    return rng.normal(0.0, sigma, size=(n_in, n_out))


def glorot_normalized(n_in, n_out, rng=0):
    """Glorot's normalized init: W ~ U[-sqrt(6/(n_in+n_out)), +...], so Var W = 2/(n_in+n_out).

    (A uniform law on [-r, r] has variance r^2 / 3; r^2 = 6/(n_in+n_out) gives the compromise.)
    """
    n_in, n_out, rng = _fan(n_in, n_out, rng)
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(n_in, n_out, rng=0):
    """He init for ReLU: W ~ N(0, 2/n_in). ReLU zeroes half its inputs, so the variance doubles."""
    n_in, n_out, rng = _fan(n_in, n_out, rng)
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def negative_mean(n_in, n_out, rng=0, c=1.0):
    """Negative-mean init for deep logistic nets (Yilmaz & Poli 2022).

    W ~ U[mu - r, mu + r] with mean mu = -c / n_in and r = 1/sqrt(n_in) (the standard spread).
    A negative mean pulls sigmoid units off 0.5 toward the steep part of the curve's lower half;
    the paper gives the 1/n_in scaling, not the constant c: lesson 07 sweeps it.
    """
    n_in, n_out, rng = _fan(n_in, n_out, rng)
    c = number(c, "c")
    limit = 1.0 / np.sqrt(n_in)
    return rng.uniform(-limit, limit, size=(n_in, n_out)) - c / n_in


INITIALIZERS = {
    "uniform": uniform,
    "glorot_standard": glorot_standard,
    "xavier_normal": xavier_normal,
    "glorot_normalized": glorot_normalized,
    "he_normal": he_normal,
    "negative_mean": negative_mean,
}


def get_initializer(name):
    """Look up an initializer by name (a callable passes through unchanged)."""
    if callable(name):
        return name
    return INITIALIZERS[choice(name, "init", INITIALIZERS)]


def _fan(n_in, n_out, rng):
    return integer(n_in, "n_in", low=1), integer(n_out, "n_out", low=1), as_rng(rng)
