"""Lesson 06's explorer: every hidden layer's activations and back-propagated gradients at the start.

Pick an activation, an initializer, a depth and a width: a digits network (64 inputs, ``depth``
hidden layers of ``width`` units, 10 softmax outputs, cross-entropy, biases 0) is drawn with
seed 0, a probe of 200 digits goes forward and its error signals come back, and the figure
shows one histogram per hidden layer of the activations a_l and of delta_l = dL/dz_l
(Glorot & Bengio's figures 6 and 7 are of this kind). Nothing is trained, so a redraw is a
forward and a backward pass; the statistics are cached per setting.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp._validate import choice, integer
from minibp.diagnostics import layer_statistics
from minibp.network import Network

from . import REBUILD, Choice, Explorer, Slider

PROBE_SIZE = 200
# The options' names are the code's names (the lesson quotes them as code): N_ marks them for
# the Choice menus, whose Chinese keeps them as they are.
ACTIVATIONS = (N_("sigmoid"), N_("tanh"), N_("softsign"), N_("relu"), N_("leaky_relu"))
INITS = (N_("uniform"), N_("glorot_standard"), N_("xavier_normal"), N_("glorot_normalized"),
         N_("he_normal"))
BINS = 50


@lru_cache(maxsize=1)
def _probe():
    X, labels = data.digits()
    return X[:PROBE_SIZE], data.one_hot(labels[:PROBE_SIZE], 10)


def hidden_layers_at_init(activation, init, depth, width, seed=0):
    """The hidden layers' (a_l, delta_l) arrays, each (200, width), l = 1..depth, at the start.

    ``activation``: one of ``ACTIVATIONS``; ``init``: one of ``INITS``; ``depth`` >= 1 hidden
    layers of ``width`` >= 1 units; ``seed`` draws the weights. Cached: the widget asks again
    for the same setting whenever a control comes back to it (treat the arrays as read-only).
    """
    return _hidden_layers_at_init(choice(activation, "activation", ACTIVATIONS),
                                  choice(init, "init", INITS), integer(depth, "depth", low=1),
                                  integer(width, "width", low=1), integer(seed, "seed", low=0))


@lru_cache(maxsize=128)
def _hidden_layers_at_init(activation, init, depth, width, seed):
    X, T = _probe()
    network = Network([64] + [width] * depth + [10], activation, "softmax", init=init, rng=seed)
    stats = layer_statistics(network, X, T, "cross_entropy", keep_arrays=True)[:depth]
    return tuple((s["a"], s["delta"]) for s in stats)


def _activation_range(activation, arrays):
    if activation == "sigmoid":
        return 0.0, 1.0
    if activation in ("tanh", "softsign"):
        return -1.0, 1.0
    top = max(float(np.percentile(a, 99.5)) for a, _ in arrays)  # ReLUs: unbounded above
    low = min(0.0, min(float(np.percentile(a, 0.5)) for a, _ in arrays))
    return low, max(top, 1e-12)


def _histograms(values, value_range):
    """Bin centres (BINS,) and each array's fraction of values per bin (one (BINS,) per array)."""
    bins = np.linspace(*value_range, BINS + 1)
    return 0.5 * (bins[1:] + bins[:-1]), [np.histogram(np.clip(v, *value_range), bins=bins)[0] / v.size
                                           for v in values]


def _layer_panel(ax, colors):
    """An empty panel of one line per hidden layer and its legend, both animated (update fills them)."""
    lines = [ax.plot([], [], color=color, lw=1.6, animated=True)[0] for color in colors]
    ax.set_ylabel(_("fraction of values"))
    ax.grid(alpha=0.3)
    legend = ax.legend(lines, [""] * len(lines), fontsize=9, title_fontsize=9,
                       ncol=2 if len(lines) > 5 else 1, title=_("hidden layer"), loc="upper right",
                       handlelength=1.2, columnspacing=0.8)
    legend.set_animated(True)
    return lines, legend


def _show_histograms(ax, lines, legend, values, value_range):
    """Draw ``values``' histograms into ``ax``'s lines and legend; True if its limits changed."""
    before = ax.get_xlim(), ax.get_ylim()
    centres, fractions = _histograms(values, value_range)
    for layer, (line, text, counts, v) in enumerate(
            zip(lines, legend.get_texts(), fractions, values), start=1):
        line.set_data(centres, counts)
        text.set_text(_("{layer}: std {std:.2g}").format(layer=layer, std=v.std()))
    highest = max(counts.max() for counts in fractions)
    # Room above the highest bar for the legend: it never hides a histogram.
    ax.set_ylim(-0.02 * highest, 1.6 * highest)
    ax.relim()
    ax.autoscale_view()  # x as a fresh figure would
    return (ax.get_xlim(), ax.get_ylim()) != before


def _draw(fig, activation, init, depth, width):
    import matplotlib

    colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.9, depth))
    ax_a, ax_d = fig.subplots(1, 2)
    # The frames and axis labels stay; the histograms, legends (with each layer's std) and
    # titles change with every control: they are animated and update sets them. The limits
    # follow the histograms: when they change, that panel's background is drawn again.
    # Another depth is another number of curves and colours: the figure is drawn afresh.
    panels = [(ax, *_layer_panel(ax, colors)) for ax in (ax_a, ax_d)]
    ax_a.set_xlabel(_("activation value aₗ"))
    ax_d.set_xlabel(_("back-propagated gradient δₗ = ∂L/∂zₗ"))
    titles = [ax_a.set_title("", fontsize=10), ax_d.set_title("", fontsize=10),
              fig.suptitle("", fontsize=11)]
    for title in titles:
        title.set_animated(True)

    def update(activation, init, depth, width):
        if len(panels[0][1]) != depth:
            return REBUILD
        arrays = hidden_layers_at_init(activation, init, depth, width)
        activations = [a for a, _ in arrays]
        deltas = [d for _, d in arrays]
        spread = max(float(d.std()) for d in deltas)
        ranges = [_activation_range(activation, arrays), (-4 * spread, 4 * spread)]
        changed = [ax for (ax, lines, legend), values, value_range
                   in zip(panels, (activations, deltas), ranges)
                   if _show_histograms(ax, lines, legend, values, value_range)]
        ratio = deltas[0].std() / deltas[-1].std() if deltas[-1].std() > 0 else float("nan")
        titles[0].set_text(_("activations at initialization ({activation}, {init})").format(
            activation=activation, init=init))
        titles[1].set_text(_("gradients: std(layer 1) / std(layer {depth}) = {ratio:.2g}").format(
            depth=depth, ratio=ratio))
        titles[2].set_text(_("{depth} hidden layers of {width} units, 200 digits, seed 0 (no training)")
                           .format(depth=depth, width=width))
        return changed

    update(activation, init, depth, width)
    return update


def layer_histograms():
    """Activation, initializer, depth, width -> per-layer histograms of a_l and delta_l."""
    return Explorer(
        title=N_("Lesson 06: activations and gradients of every hidden layer at initialization"),
        draw=_draw,
        controls={
            "activation": Choice(ACTIVATIONS, "tanh", label=N_("activation")),
            "init": Choice(INITS, "glorot_standard", label=N_("init")),
            "depth": Slider(1, 10, 5, step=1, integer=True, label=N_("hidden layers")),
            "width": Slider(10, 400, 100, step=10, integer=True, label=N_("units per layer")),
        },
        figsize=(9.6, 4.8),
    )


EXPLORERS = {"layer_histograms": layer_histograms}
