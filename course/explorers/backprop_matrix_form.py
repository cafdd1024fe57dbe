"""Lesson 03's explorer: backprop's gradients against finite differences, layer by layer.

A small network (3 inputs, ``depth`` hidden layers of ``width`` units, 2 sigmoid outputs) on
a batch of 5 examples with the squared error. For every layer l we compare backprop's dW_l
and db_l with centred finite differences and plot the relative error. A bug can be injected
into the backward pass to see how the check finds it: the layers above the bug still agree,
the layer where it sits and every layer below it do not.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course.i18n import N_, _
from minibp._validate import as_batch, choice
from minibp.gradcheck import numerical_gradient, relative_error
from minibp.losses import SquaredError
from minibp.network import Gradients, Network

from ..viz import subscript
from . import Choice, Explorer, Slider

N_INPUTS, N_OUTPUTS, N_EXAMPLES = 3, 2, 5
# Option names of the explorer's choices (N_: a learner sees them; the activations stay code names).
ACTIVATIONS = (N_("sigmoid"), N_("tanh"), N_("softsign"), N_("relu"), N_("leaky_relu"), N_("identity"))
BUGS = (N_("none"), N_("missing f'"), N_("transposed W"))
GOOD, BAD = 1e-7, 1e-3  # relative error: below GOOD the gradients agree, above BAD it is a bug


def bug_layer(network, bug):
    """The layer l whose delta_l the injected bug corrupts (None when it cannot be injected).

    "missing f'": delta_{L-1}, the top hidden layer. "transposed W": delta_{l-1} computed
    with W_l instead of W_l^T needs a square W_l (else numpy refuses the product), so the
    topmost hidden-to-hidden layer l with n_{l-1} = n_l; the corrupted delta is delta_{l-1}.
    """
    choice(bug, "bug", BUGS)
    L = network.depth
    if bug == "none" or L < 2:  # no hidden layer, no hidden delta to corrupt
        return None
    if bug == "missing f'":
        return L - 1
    for l in range(L - 1, 1, -1):  # W_l for l = L-1 .. 2 connects two hidden layers
        W = network.layers[l - 1].W
        if W.shape[0] == W.shape[1]:
            return l - 1
    return None


def buggy_backward(network, forward, output_delta, bug="none"):
    """``Network.backward`` written out, with one bug injected where ``bug_layer`` says.

    forward: the ``Forward`` of a batch of N examples; output_delta: delta_L, (N, n_L).
    Returns ``Gradients`` (delta[l] (N, n_l), dW[l] (n_{l-1}, n_l), db[l] (n_l,)).
    """
    L = network.depth
    W = [None] + [layer.W for layer in network.layers]
    f = [None] + [layer.activation for layer in network.layers]
    z, a = forward.z, forward.a
    N = a[0].shape[0]
    broken = bug_layer(network, bug)
    delta = [None] * (L + 1)
    delta[L] = as_batch(output_delta, "output_delta", width=network.layers[-1].n_out)
    for l in range(L, 1, -1):
        W_back = W[l].T
        f_prime = f[l - 1].derivative(z[l - 1], a[l - 1])
        if l - 1 == broken and bug == "transposed W":
            W_back = W[l]  # the bug: W_l where W_l^T belongs (fits only because W_l is square)
        if l - 1 == broken and bug == "missing f'":
            f_prime = 1.0  # the bug: the factor f'(z_{l-1}) forgotten
        delta[l - 1] = (delta[l] @ W_back) * f_prime
    dW = [None] + [a[l - 1].T @ delta[l] / N for l in range(1, L + 1)]
    db = [None] + [delta[l].sum(axis=0) / N for l in range(1, L + 1)]
    return Gradients(delta, dW, db)


def problem(depth, width, activation, seed=0):
    """The explorer's network and batch: (network, X (5, 3), T (5, 2)), all seeded."""
    rng = np.random.default_rng(seed)
    sizes = [N_INPUTS] + [width] * depth + [N_OUTPUTS]
    network = Network(sizes, activation=activation, output_activation="sigmoid", rng=rng)
    X = rng.normal(size=(N_EXAMPLES, N_INPUTS))
    T = rng.uniform(0.1, 0.9, size=(N_EXAMPLES, N_OUTPUTS))
    return network, X, T


@lru_cache(maxsize=512)
def layer_report(depth, width, activation, bug="none"):
    """Per layer l = 1..L: relative errors of dW_l, db_l and the norms ||dW_l|| of both methods.

    Returns a dict of tuples: "dW", "db" (relative errors), "norm_backprop", "norm_numerical",
    and "bug_layer" (the layer the bug corrupts, or None). Cached: the finite differences
    cost two forward passes per parameter.
    """
    network, X, T = problem(depth, width, activation)
    loss = SquaredError()
    forward = network.forward(X)
    delta_L = loss.output_delta(forward.z[-1], forward.output, T, network.output_activation)
    grads = buggy_backward(network, forward, delta_L, bug)

    def mean_loss():
        fwd = network.forward(X)
        return loss.value(fwd.z[-1], fwd.output, T, network.output_activation)

    report = {"dW": [], "db": [], "norm_backprop": [], "norm_numerical": []}
    for l, layer in enumerate(network.layers, start=1):
        dW_numerical = numerical_gradient(mean_loss, layer.W)
        db_numerical = numerical_gradient(mean_loss, layer.b)
        report["dW"].append(relative_error(grads.dW[l], dW_numerical))
        report["db"].append(relative_error(grads.db[l], db_numerical))
        report["norm_backprop"].append(float(np.linalg.norm(grads.dW[l])))
        report["norm_numerical"].append(float(np.linalg.norm(dW_numerical)))
    report = {key: tuple(values) for key, values in report.items()}
    report["bug_layer"] = bug_layer(network, bug)
    return report


MAX_LAYERS = 6  # the depth slider's end (5 hidden layers) plus the output layer
FLOOR = 1e-13  # an exact 0 (e.g. dead ReLUs: both gradients 0) is drawn at the floor


def _error_title(report, depth, width, activation, bug):
    broken = report["bug_layer"]
    if bug == "none":
        what = _("correct backprop")
    elif broken is None:  # only "transposed W" with one hidden layer: no square W to misuse
        what = _("no square W between hidden layers: W instead of Wᵀ would not even multiply")
    else:
        what = _("bug '{bug}' in δ{layer}").format(bug=_(bug), layer=subscript(str(broken)))
    return _("{what}\n{depth} hidden layer(s) of {width} {activation} units").format(
        what=what, depth=depth, width=width, activation=activation)


def _norm_limits(report):
    """Whole decades around the norms, at least 1e-4 to 1: the axis stays put on most moves."""
    norms = np.maximum(report["norm_backprop"] + report["norm_numerical"], FLOOR)
    return (min(1e-4, 10.0 ** np.floor(np.log10(norms.min()))),
            max(1.0, 10.0 ** np.ceil(np.log10(norms.max()))))


def _set_layers(ax_err, ax_norm, L):
    """The x axes for L layers (ticks and limits: the background of both panels)."""
    layers = np.arange(1, L + 1)
    ax_err.set_xticks(layers, [_("{layer} (out)").format(layer=l) if l == L else f"{l}" for l in layers])
    ax_norm.set_xticks(layers)
    for ax in (ax_err, ax_norm):
        ax.set_xlim(0.5, L + 0.5)


def _draw(fig, depth, width, activation, bug):
    # Built once with bars for the deepest net; a move sets the bars' heights (those beyond
    # the depth hidden), the norms and the title, all animated. The background (spans, ticks,
    # labels, legends) changes only with the depth or when the norms leave the norm axis.
    ax_err, ax_norm = fig.subplots(1, 2, width_ratios=[1.4, 1])
    all_layers = np.arange(1, MAX_LAYERS + 1)

    ax_err.axhspan(FLOOR, GOOD, color="tab:green", alpha=0.12,
                   label=_("agree (< {limit:g})").format(limit=GOOD))
    ax_err.axhspan(BAD, 10.0, color="tab:red", alpha=0.12, label=_("bug (> {limit:g})").format(limit=BAD))
    width_bar = 0.38
    bars = {key: ax_err.bar(all_layers + shift, FLOOR, width_bar, label=label, color=colour)
            for key, shift, label, colour in (("dW", -width_bar / 2, "dWₗ", "tab:blue"),
                                              ("db", width_bar / 2, "dbₗ", "tab:orange"))}
    ax_err.set_yscale("log")
    ax_err.set_ylim(FLOOR, 10.0)
    ax_err.set_xlabel(_("layer l"))
    ax_err.set_ylabel(_("relative error (log scale)"))
    ax_err.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize=9,
                  handlelength=1.2, columnspacing=1.0)
    title = ax_err.set_title(" ", fontsize=10, animated=True)

    (backprop,) = ax_norm.semilogy(all_layers, all_layers * 0.1, "o-", ms=8, label=_("backprop"),
                                   color="tab:blue")
    (numerical,) = ax_norm.semilogy(all_layers, all_layers * 0.1, "x--", ms=9,
                                    label=_("finite differences"), color="black")
    ax_norm.set_xlabel(_("layer l"))
    ax_norm.set_ylabel("‖dWₗ‖")
    ax_norm.set_title(_("size of the gradient per layer"), fontsize=10)
    ax_norm.grid(alpha=0.3)
    ax_norm.legend(loc="lower right", fontsize=9)  # fixed: "best" would move with the data
    # Animated only now: the legends copied the handles' looks, not their animation.
    for artist in [*bars["dW"], *bars["db"], backprop, numerical]:
        artist.set_animated(True)
    drawn = {}

    def update(depth, width, activation, bug):
        report = layer_report(depth, width, activation, bug)
        L = depth + 1
        for key, container in bars.items():
            for l, bar in enumerate(container, start=1):
                bar.set_visible(l <= L)
                if l <= L:
                    bar.set_height(max(report[key][l - 1], FLOOR))
        layers = np.arange(1, L + 1)
        backprop.set_data(layers, np.maximum(report["norm_backprop"], FLOOR))
        numerical.set_data(layers, np.maximum(report["norm_numerical"], FLOOR))
        title.set_text(_error_title(report, depth, width, activation, bug))
        changed = []
        if drawn.get("L") != L:
            drawn["L"] = L
            _set_layers(ax_err, ax_norm, L)
            changed += [ax_err, ax_norm]
        limits = _norm_limits(report)
        if drawn.get("limits") != limits:
            drawn["limits"] = limits
            ax_norm.set_ylim(limits)
            changed += [] if ax_norm in changed else [ax_norm]
        return changed or False  # the panels whose background changed, if any

    update(depth, width, activation, bug)
    return update


def gradient_check():
    """Depth, width, activation and an injected bug -> per-layer gradient-check errors."""
    return Explorer(
        title=N_("Lesson 03: backprop vs finite differences, layer by layer"),
        draw=_draw,
        controls={
            "depth": Slider(1, 5, 2, step=1, label=N_("hidden layers"), integer=True),
            "width": Slider(2, 10, 4, step=1, label=N_("units per hidden layer"), integer=True),
            "activation": Choice(ACTIVATIONS, "sigmoid", label=N_("activation")),
            "bug": Choice(BUGS, "none", label=N_("injected bug")),
        },
        figsize=(9.6, 4.6),
        margins=dict(left=0.09, right=0.98, bottom=0.27, top=0.87, wspace=0.3),
    )


EXPLORERS = {"gradient_check": gradient_check}
