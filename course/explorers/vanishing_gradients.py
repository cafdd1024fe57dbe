"""Lesson 07's explorer: how large each layer's gradient is at the start, for a depth and activation.

A digits network (64 inputs, ``depth`` hidden layers of 100 units, 10 softmax outputs,
cross-entropy, biases 0) is drawn with seed 0 from the chosen initializer, its weights shifted
by -c / n_in (with the standard init that is the negative-mean init of Yilmaz & Poli 2022;
c = 0 leaves the init as it is). A probe of 200 digits goes forward and back; the figure shows,
per layer, the norm of the weight gradient ||dL/dW_l|| and the spread of delta_l = dL/dz_l on
a log scale, with the unshifted (c = 0) network in grey for comparison. Nothing is trained, so
a redraw is a forward and a backward pass; the statistics are cached per setting.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from minibp import data
from minibp._validate import choice, integer, number
from minibp.diagnostics import layer_statistics
from minibp.initializers import get_initializer
from minibp.network import Network

from . import Choice, Explorer, Slider

PROBE_SIZE = 200
WIDTH = 100
ACTIVATIONS = ("sigmoid", "tanh", "softsign", "relu", "leaky_relu")
INITS = ("glorot_standard", "glorot_normalized", "he_normal")


def shifted(init, c):
    """An initializer: ``init``'s weights minus c / n_in (a negative mean for c > 0).

    ``shifted("glorot_standard", c)`` draws exactly what ``initializers.negative_mean`` draws.
    """
    draw = get_initializer(init)
    c = number(c, "c")

    def initializer(n_in, n_out, rng=0):
        return draw(n_in, n_out, rng=rng) - c / n_in

    return initializer


@lru_cache(maxsize=1)
def _probe():
    X, labels = data.digits()
    return X[:PROBE_SIZE], data.one_hot(labels[:PROBE_SIZE], 10)


def layer_gradients_at_init(activation, depth, init="glorot_normalized", c=0.0, seed=0):
    """(gradient_norm, delta_std): two arrays (depth + 1,), layers 1..L (L = depth + 1 is the
    output), for the network described in the module docstring.

    ``activation``: one of ``ACTIVATIONS``; ``depth`` >= 1; ``init``: one of ``INITS``; ``c``:
    the weights' mean shift -c / n_in; ``seed`` draws the weights. Cached per setting.
    """
    return _layer_gradients_at_init(choice(activation, "activation", ACTIVATIONS),
                                    integer(depth, "depth", low=1), choice(init, "init", INITS),
                                    number(c, "c"), integer(seed, "seed", low=0))


@lru_cache(maxsize=256)
def _layer_gradients_at_init(activation, depth, init, c, seed):
    X, T = _probe()
    network = Network([64] + [WIDTH] * depth + [10], activation, "softmax",
                      init=shifted(init, c), rng=seed)
    stats = layer_statistics(network, X, T, "cross_entropy")
    return (np.array([s["gradient_norm"] for s in stats]),
            np.array([s["delta_std"] for s in stats]))


def _trouble(values):
    """Why some layers have no point on a log scale, in words, or "" if every value shows."""
    overflowed = [l for l, v in enumerate(values, start=1) if not np.isfinite(v)]
    zero = [l for l, v in enumerate(values, start=1) if v == 0]
    notes = []
    if overflowed:
        notes.append(f"not a number in layers {_span(overflowed)}: the forward pass overflowed")
    if zero:
        notes.append(f"exactly 0 in layers {_span(zero)}:\ndead ReLU units (z < 0 everywhere) pass nothing")
    return "\n".join(notes)


def _span(layers):
    return str(layers[0]) if len(layers) == 1 else f"{layers[0]}\u2013{layers[-1]}" if \
        layers == list(range(layers[0], layers[-1] + 1)) else ", ".join(map(str, layers))


def _draw(fig, activation, depth, init, c):
    from matplotlib.ticker import LogLocator, NullLocator

    norms, spreads = layer_gradients_at_init(activation, depth, init, c)
    base_norms, base_spreads = layer_gradients_at_init(activation, depth, init, 0.0)
    layers = np.arange(1, depth + 2)
    ax_w, ax_d = fig.subplots(1, 2, sharex=True)
    for ax, values, base, what in ((ax_w, norms, base_norms, "‖∂L/∂Wₗ‖"),
                                   (ax_d, spreads, base_spreads, "std of δₗ")):
        if c != 0:
            ax.semilogy(layers, base, "o--", color="0.6", label="c = 0")
        ax.semilogy(layers, values, "o-", color="tab:blue", lw=2, label=f"c = {c:g}")
        ax.axvline(depth + 0.5, color="0.8", lw=1)
        ax.set_xlabel("layer l (the last one is the output)")
        ax.set_ylabel(what)
        ax.set_xticks(layers)
        # A few labelled decades and no minor ticks: the range can span 50 decades, and
        # hundreds of ticks would cost more than the whole forward and backward pass. Under
        # two decades, 2 and 5 times each power of ten are labelled too, so the axis has labels.
        shown = np.concatenate([values, base if c != 0 else []])
        shown = shown[np.isfinite(shown) & (shown > 0)]
        narrow = shown.size and shown.max() / shown.min() < 100
        ax.yaxis.set_major_locator(LogLocator(numticks=7, subs=(1.0, 2.0, 5.0) if narrow else (1.0,)))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="best")  # where it hides no point
    for ax, values in ((ax_w, norms), (ax_d, spreads)):
        trouble = _trouble(values)
        if trouble:  # a missing point on a log axis would otherwise go unexplained
            ax.text(0.5, 0.5, trouble, transform=ax.transAxes, ha="center", va="center", wrap=True,
                    fontsize=11, bbox=dict(boxstyle="round", facecolor="lightyellow", edgecolor="0.6"))
    if np.isfinite(norms[[0, depth - 1]]).all() and norms[0] > 0 and norms[depth - 1] > 0:
        title = f"weight gradients: layer 1 / layer {depth} = {norms[0] / norms[depth - 1]:.1e}"
    else:
        title = f"weight gradients: layer 1 / layer {depth} is not a number (see the note)"
    ax_w.set_title(title, fontsize=10)
    ax_d.set_title("spread of the back-propagated error signals", fontsize=10)
    shift = f", weights shifted by \u2212{c:g}/n_in" if c != 0 else ""
    fig.suptitle(f"{activation}, {depth} hidden layers of {WIDTH}, {init}{shift}: "
                 f"200 digits at initialization, seed 0", fontsize=11)


def gradient_norms():
    """Activation, depth, initializer, negative-mean constant c -> per-layer gradient sizes."""
    return Explorer(
        title="Lesson 07: per-layer gradient norms at initialization",
        draw=_draw,
        controls={
            "activation": Choice(ACTIVATIONS, "sigmoid"),
            "depth": Slider(2, 10, 10, step=1, integer=True, label="hidden layers"),
            "init": Choice(INITS, "glorot_normalized"),
            "c": Slider(0.0, 16.0, 0.0, step=0.5, label="c (mean \u2212c/n_in)"),
        },
        figsize=(9.6, 4.8),
        margins=dict(left=0.09, right=0.98, bottom=0.12, top=0.82, wspace=0.3),
    )


EXPLORERS = {"gradient_norms": gradient_norms}
