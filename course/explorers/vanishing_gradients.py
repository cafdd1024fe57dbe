"""Lesson 07's explorer: how large each layer's gradient is at the start, for a depth and activation.

A digits network (64 inputs, ``depth`` hidden layers of 100 units, 10 softmax outputs,
cross-entropy, biases 0) is drawn with seed 0 from the chosen initializer, its weights shifted
by -c / n_in (with the standard init that is the negative-mean init of Yilmaz & Poli 2022;
c = 0 leaves the init as it is). A probe of 200 digits goes forward and back; the figure shows,
per layer, the norm of the weight gradient ||dL/dW_l|| and the spread of delta_l = dL/dz_l on
a log scale, with the unshifted (c = 0) network in grey for comparison. Nothing is trained, so
a redraw is a forward and a backward pass; the statistics are cached per setting.

Beside it, the lesson's skip (residual) connections (section 5): ``residual_forward`` and
``residual_backward`` run a minibp ``Network``'s own layers with an identity path around every
hidden layer whose input and output have the same width, a_l = a_{l-1} + f(z_l);
``residual_loss_and_gradients`` and ``train_residual`` build on them. minibp's ``Network``
stays the plain MLP.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp._validate import as_batch, boolean, choice, integer, number
from minibp.diagnostics import layer_statistics
from minibp.initializers import get_initializer
from minibp.losses import get_loss
from minibp.network import Gradients, Network
from minibp.optimizers import SGD
from minibp.training import fit

from . import Choice, Explorer, Slider, animated_legends, rescaled, show_legend

PROBE_SIZE = 200
WIDTH = 100
# Option names of the explorer's choices (N_: a learner sees them; they stay code names).
ACTIVATIONS = (N_("sigmoid"), N_("tanh"), N_("softsign"), N_("relu"), N_("leaky_relu"))
INITS = (N_("glorot_standard"), N_("glorot_normalized"), N_("he_normal"))


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
        notes.append(_("not a number in layers {layers}: the forward pass overflowed").format(
            layers=_span(overflowed)))
    if zero:
        notes.append(_("exactly 0 in layers {layers}:\ndead ReLU units (z < 0 everywhere) pass nothing")
                     .format(layers=_span(zero)))
    return "\n".join(notes)


def _span(layers):
    return str(layers[0]) if len(layers) == 1 else f"{layers[0]}\u2013{layers[-1]}" if \
        layers == list(range(layers[0], layers[-1] + 1)) else ", ".join(map(str, layers))


def _draw(fig, activation, depth, init, c):
    from matplotlib.ticker import LogLocator, NullLocator

    ax_w, ax_d = fig.subplots(1, 2, sharex=True)
    # The axes' frames and labels stay; the curves, legends, titles and notes change with
    # every control: they are animated, and update sets them. The y limits follow the
    # curves, the x ticks the depth: when they change, both panels' backgrounds are drawn
    # again. The grey c = 0 curve is hidden at c = 0.
    panels = []
    for ax, what in ((ax_w, "‖∂L/∂Wₗ‖"), (ax_d, _("std of δₗ"))):
        (base,) = ax.semilogy([], [], "o--", color="0.6", animated=True)
        (current,) = ax.semilogy([], [], "o-", color="tab:blue", lw=2, animated=True)
        legends = animated_legends(ax, [[current], [base, current]], 2 if c != 0 else 1,
                           fontsize="small", loc="best")  # where it hides no point
        edge = ax.axvline(depth + 0.5, color="0.8", lw=1)
        ax.set_xlabel(_("layer l (the last one is the output)"))
        ax.set_ylabel(what)
        ax.yaxis.set_minor_locator(NullLocator())
        ax.grid(alpha=0.3)
        # A missing point on a log axis would otherwise go unexplained.
        note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", wrap=True,
                       fontsize=11, bbox=dict(boxstyle="round", facecolor="lightyellow",
                                              edgecolor="0.6"), animated=True)
        panels.append((ax, base, current, legends, edge, note))
    title_w = ax_w.set_title("", fontsize=10)
    ax_d.set_title(_("spread of the back-propagated error signals"), fontsize=10)
    suptitle = fig.suptitle("", fontsize=11)
    for text in (title_w, suptitle):
        text.set_animated(True)
    drawn = {}

    def update(activation, depth, init, c):
        norms, spreads = layer_gradients_at_init(activation, depth, init, c)
        base_norms, base_spreads = layer_gradients_at_init(activation, depth, init, 0.0)
        layers = np.arange(1, depth + 2)
        changed = []
        for (ax, base, current, legends, edge, note), values, base_values in zip(
                panels, (norms, spreads), (base_norms, base_spreads)):
            current.set_data(layers, values)
            base.set_data(*((layers, base_values) if c != 0 else ([], [])))  # [] : not in the limits
            base.set_visible(c != 0)
            show_legend(legends, ["c = 0", f"c = {c:g}"] if c != 0 else ["c = 0"])
            trouble = _trouble(values)
            note.set_text(trouble)
            note.set_visible(bool(trouble))
            # A few labelled decades and no minor ticks: the range can span 50 decades, and
            # hundreds of ticks would cost more than the whole forward and backward pass. Under
            # two decades, 2 and 5 times each power of ten are labelled too, so the axis has labels.
            shown = np.concatenate([values, base_values if c != 0 else []])
            shown = shown[np.isfinite(shown) & (shown > 0)]
            narrow = bool(shown.size and shown.max() / shown.min() < 100)
            background = {"depth": depth, "narrow": narrow}
            if drawn.get(ax) != background:
                drawn[ax] = background
                edge.set_xdata([depth + 0.5])
                ax.set_xticks(layers)
                ax.yaxis.set_major_locator(
                    LogLocator(numticks=7, subs=(1.0, 2.0, 5.0) if narrow else (1.0,)))
                changed.append(ax)
            if rescaled(ax) and ax not in changed:
                changed.append(ax)
        if np.isfinite(norms[[0, depth - 1]]).all() and norms[0] > 0 and norms[depth - 1] > 0:
            title_w.set_text(_("weight gradients: layer 1 / layer {depth} = {ratio:.1e}").format(
                depth=depth, ratio=norms[0] / norms[depth - 1]))
        else:
            title_w.set_text(_("weight gradients: layer 1 / layer {depth} is not a number (see the note)")
                             .format(depth=depth))
        shift = _(", weights shifted by \u2212{c:g}/n_in").format(c=c) if c != 0 else ""
        suptitle.set_text(_("{activation}, {depth} hidden layers of {width}, {init}{shift}: "
                            "200 digits at initialization, seed 0").format(
            activation=activation, depth=depth, width=WIDTH, init=init, shift=shift))
        return changed

    update(activation, depth, init, c)
    return update


def gradient_norms():
    """Activation, depth, initializer, negative-mean constant c -> per-layer gradient sizes."""
    return Explorer(
        title=N_("Lesson 07: per-layer gradient norms at initialization"),
        draw=_draw,
        controls={
            "activation": Choice(ACTIVATIONS, "sigmoid", label=N_("activation")),
            "depth": Slider(2, 10, 10, step=1, integer=True, label=N_("hidden layers")),
            "init": Choice(INITS, "glorot_normalized", label=N_("init")),
            "c": Slider(0.0, 16.0, 0.0, step=0.5, label=N_("c (mean \u2212c/n_in)")),
        },
        figsize=(9.6, 4.8),
        margins=dict(left=0.09, right=0.98, bottom=0.12, top=0.82, wspace=0.3),
    )


# --- skip (residual) connections ----------------------------------------------------------------
def skip_layers(network):
    """One bool per layer l = 1..L: does layer l get an identity skip? Every hidden layer whose
    input and output widths are equal does; the output layer and width-changing layers do not."""
    return [l < network.depth and layer.n_in == layer.n_out
            for l, layer in enumerate(network.layers, start=1)]


@dataclass
class ResidualForward:
    """z[l], h[l] = f(z[l]) and a[l] for l = 0..L (z[0], h[0] are None, a[0] is the input):
    a[l] = a[l-1] + h[l] where layer l has a skip, else a[l] = h[l]. Each (N, n_l)."""

    z: list
    h: list
    a: list

    @property
    def output(self):
        return self.a[-1]


def residual_forward(network, X, skips=True):
    """Run ``network``'s layers on X (N, n_0) with identity skips (``skip_layers``); with
    ``skips=False`` it is the plain network's forward pass. Returns a ``ResidualForward``."""
    a_l = as_batch(X, "X", width=network.layers[0].n_in)
    use = [boolean(skips, "skips") and s for s in skip_layers(network)]
    z, h, a = [None], [None], [a_l]
    for layer, skip in zip(network.layers, use):
        z.append(a[-1] @ layer.W + layer.b)
        h.append(layer.activation(z[-1]))
        a.append(a[-1] + h[-1] if skip else h[-1])
    return ResidualForward(z, h, a)


def residual_backward(network, forward, output_delta, skips=True):
    """Backprop through the skips: ``Gradients`` (delta[l] = dL/dz_l, dW[l], db[l]).

    With g_l = dL/da_l:  delta_l = g_l * f'(z_l),  dW_l = a_{l-1}^T delta_l / N, and
    g_{l-1} = delta_l W_l^T + g_l where layer l has a skip (the identity path adds g_l
    unchanged), else delta_l W_l^T. ``output_delta``: delta_L (N, n_L) from the loss.
    """
    use = [None] + [boolean(skips, "skips") and s for s in skip_layers(network)]
    L, a = network.depth, forward.a
    N = a[0].shape[0]
    delta, dW, db = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
    g = None  # dL/da_l of the layer being processed
    for l in range(L, 0, -1):
        layer = network.layers[l - 1]
        delta[l] = (as_batch(output_delta, "output_delta", width=layer.n_out) if l == L
                    else g * layer.activation.derivative(forward.z[l], forward.h[l]))
        dW[l] = a[l - 1].T @ delta[l] / N
        db[l] = delta[l].sum(axis=0) / N
        g = delta[l] @ layer.W.T + (g if use[l] else 0.0)
    return Gradients(delta, dW, db)


def residual_loss_and_gradients(network, X, T, loss="cross_entropy", skips=True):
    """(mean loss, ``Gradients``) of ``network`` with skips on X (N, n_0), T (N, n_L)."""
    loss = get_loss(loss)
    fwd = residual_forward(network, X, skips)
    T = as_batch(T, "T", width=network.layers[-1].n_out)
    f_L = network.output_activation
    value = loss.value(fwd.z[-1], fwd.output, T, f_L)
    return value, residual_backward(network, fwd, loss.output_delta(fwd.z[-1], fwd.output, T, f_L),
                                    skips)


class _WithSkips:
    """``network`` as ``fit`` sees a network, its forward and backward passes taking the skips:
    so the skips are trained by ``fit`` itself, not by a copy of its loop."""

    def __init__(self, network, skips):
        self.network, self.skips = network, boolean(skips, "skips")
        self.layers, self.output_activation = network.layers, network.output_activation

    def parameters(self):
        return self.network.parameters()

    def forward(self, X):
        return residual_forward(self.network, X, self.skips)

    def forward_unchecked(self, X, train=False):
        return residual_forward(self.network, X, self.skips)

    def backward_unchecked(self, forward, output_delta):
        return residual_backward(self.network, forward, output_delta, self.skips)


def train_residual(network, X, T, epochs, learning_rate=0.1, batch_size=10, rng=0, skips=True,
                   validation=None, loss="cross_entropy", callback=None):
    """``fit`` (a new random order each epoch, one SGD step per batch) on the network with
    skips. Returns {"loss": [...], "accuracy": [...]} per epoch, entry 0 before training, on
    ``validation`` = (X_val, T_val) if given, else on the training set.
    ``callback(epoch, network)`` runs after epoch 0 and after every epoch."""
    callbacks = [] if callback is None else [lambda epoch, _network, history: callback(epoch, network)]
    history = fit(_WithSkips(network, skips), X, T, loss, SGD(learning_rate), epochs=epochs,
                  batch_size=batch_size, rng=rng, validation=validation, callbacks=callbacks,
                  on_divergence="stop")
    if validation is None:
        return {"loss": list(history.loss), "accuracy": list(history.accuracy)}
    return {"loss": list(history.val_loss), "accuracy": list(history.val_accuracy)}


EXPLORERS = {"gradient_norms": gradient_norms}
