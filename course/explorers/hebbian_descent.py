"""Lesson 10's explorers: one saturated sigmoid unit, and the forgetting curves of four rules."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course.i18n import N_, _
from minibp import hebbian
from minibp.activations import sigmoid

from . import Explorer, Slider, Toggle

# --- one sigmoid unit: how big is the error signal? --------------------------------------------
Z_GRID = np.linspace(-10.0, 10.0, 241)


def unit_signals(z, target):
    """For one sigmoid unit with net input z (any shape) and target t: the output y, the two
    losses and their error signals dL/dz.

    Returns a dict of arrays shaped like z: "y"; "squared_error" 1/2 (y - t)^2 and
    "delta_squared_error" (y - t) y (1 - y); "matching_loss" softplus(z) - t z and
    "delta_hebbian_descent" y - t.
    """
    z = np.asarray(z, dtype=np.float64)
    y = sigmoid(z.reshape(-1)).reshape(z.shape)  # works for a single number too
    return {
        "y": y,
        "squared_error": 0.5 * (y - target) ** 2,
        "delta_squared_error": (y - target) * y * (1 - y),
        "matching_loss": np.logaddexp(0.0, z) - target * z,
        "delta_hebbian_descent": y - target,
    }


LOSS_LIMITS = (-0.4, 11.0)  # the loss axis for every net input and target: it never rescales
DELTA_LIMITS = (1e-5, 2.0)


def _live_panel(ax, plot, labels, ylabel, ylim):
    """Two animated curves (red, green) against z with ``plot`` (linear or log), animated dots
    and title: (curves, dots, title), their values set by the update."""
    curves = plot(Z_GRID, np.ones((Z_GRID.size, 2)), animated=True)
    for line, colour, label in zip(curves, ("tab:red", "tab:green"), labels):
        line.set(color=colour, label=label)
    (dots,) = ax.plot([], [], "ko", ms=6, animated=True)
    ax.set(xlabel=_("net input z"), ylabel=ylabel, ylim=ylim)
    title = ax.set_title(" ", animated=True)
    ax.grid(alpha=0.3)
    return curves, dots, title


def _draw_saturation(fig, net_input, target):
    ax_loss, ax_delta = fig.subplots(1, 2)
    # Both sliders move only the curves, the dots and the titles (animated, redrawn over a
    # cached background); the limits are fixed for every z and t, so the axes never change.
    loss_curves, loss_dots, loss_title = _live_panel(
        ax_loss, ax_loss.plot, (_("squared error ½(y − t)²"),
                                _("matching loss softplus(z) − t z, minus its minimum")),
        ylabel=_("loss"), ylim=LOSS_LIMITS)
    delta_curves, delta_dots, delta_title = _live_panel(
        ax_delta, ax_delta.semilogy, (_("squared error: |(y − t) y (1 − y)|"),
                                      _("Hebbian descent: |y − t|")),
        ylabel=_("|error signal δ = ∂L/∂z|"), ylim=DELTA_LIMITS)
    # Under the panels, where they cannot hide a curve or the dots wherever z and t are.
    for ax in (ax_loss, ax_delta):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=9)

    def update(net_input, target):
        curves = unit_signals(Z_GRID, target)
        here = unit_signals(net_input, target)
        # The matching loss minus its smallest value, so both losses are 0 at their best. On
        # z in [-10, 10] it stays below 10.0 for every target in [0, 1]: fixed limits fit all.
        floor = float(np.min(curves["matching_loss"]))
        loss_curves[0].set_ydata(curves["squared_error"])
        loss_curves[1].set_ydata(curves["matching_loss"] - floor)
        loss_dots.set_data([net_input] * 2, [float(here["squared_error"]),
                                             float(here["matching_loss"]) - floor])
        loss_title.set_text(_("y = sigmoid({net_input:+.1f}) = {y:.4f},  target t = {target:g}").format(
            net_input=net_input, y=float(here["y"]), target=target))
        delta_curves[0].set_ydata(np.abs(curves["delta_squared_error"]) + 1e-12)
        delta_curves[1].set_ydata(np.abs(curves["delta_hebbian_descent"]) + 1e-12)
        d_se, d_hd = float(here["delta_squared_error"]), float(here["delta_hebbian_descent"])
        delta_dots.set_data([net_input] * 2, [abs(d_se) + 1e-12, abs(d_hd) + 1e-12])
        delta_title.set_text(_("δ squared error = {d_se:+.4f}\nδ Hebbian descent = {d_hd:+.4f}").format(
            d_se=d_se, d_hd=d_hd))

    update(net_input, target)
    return update


def saturation():
    """Net input and target of one sigmoid unit -> both losses and both error signals."""
    return Explorer(
        title=N_("Lesson 10: one sigmoid unit — squared error vs Hebbian descent"),
        draw=_draw_saturation,
        controls={
            "net_input": Slider(-10.0, 10.0, -6.0, step=0.5, label=N_("net input z")),
            "target": Slider(0.0, 1.0, 1.0, step=0.05, label=N_("target t")),
        },
        figsize=(9.6, 4.8),
        margins=dict(left=0.08, right=0.98, bottom=0.27, top=0.88, wspace=0.3),
    )


# --- forgetting curves -----------------------------------------------------------------------
EXPLORER_SEEDS = (0, 1, 2)
RULE_STYLES = {  # (rule, label, colour, line style); centering from the toggle where it applies
    "hebbian_descent": (N_("Hebbian descent"), "tab:green", "-"),
    "gradient_descent": (N_("gradient descent (squared error)"), "tab:red", "-"),
    "hebb": (N_("Hebb rule (never centered)"), "0.45", ":"),
    "covariance": (N_("covariance rule (always centered)"), "tab:purple", "--"),
}


@lru_cache(maxsize=256)
def forgetting_curves(rule, centering, learning_rate):
    """Mean and standard deviation over ``EXPLORER_SEEDS`` of the forgetting curve (100,) of
    ``rule`` in the paper's setup (100 pairs of 200-d binary patterns, one sigmoid layer,
    each pair shown once) — cached, so moving a slider back is instant."""
    curves = hebbian.continual_learning(rule, centering, learning_rate, seeds=EXPLORER_SEEDS)
    return curves.mean(axis=0), curves.std(axis=0)


def _draw_forgetting(fig, learning_rate, centering):
    ax = fig.subplots()
    # Both controls move only the curves, their bands, the legend (its labels hold the means)
    # and the title (η): those are animated, the axes stay in the cached background.
    curves, bands = {}, {}
    for rule, (_label, colour, style) in RULE_STYLES.items():
        (curves[rule],) = ax.plot([0, 99], [0, 0], color=colour, ls=style, lw=2, animated=True)
        bands[rule] = ax.fill_between([0, 99], 0, 0, color=colour, alpha=0.15, lw=0,
                                      animated=True)
    ax.set(xlabel=_("age of the pattern (0 = learned last, 99 = learned first)"),
           ylabel=_("mean absolute error after the sequence"), ylim=(0, 0.6))
    title = ax.set_title(" ", animated=True)
    ax.axhline(0.5, color="0.7", lw=0.8, animated=True)  # over the curves, as in a static figure
    ax.grid(alpha=0.3)
    legend = ax.legend(list(curves.values()), list(RULE_STYLES), fontsize=9, loc="upper center",
                       bbox_to_anchor=(0.5, -0.13), ncol=2)
    legend.set_animated(True)

    def update(learning_rate, centering):
        mode = "data" if centering else "none"
        for text, (rule, (label, _colour, _style)) in zip(legend.get_texts(), RULE_STYLES.items()):
            rule_mode = {"hebb": "none", "covariance": "data"}.get(rule, mode)
            mean, std = forgetting_curves(rule, rule_mode, learning_rate)
            age = np.arange(mean.size)
            label = _(label)
            if rule in ("hebbian_descent", "gradient_descent"):
                label = (_("{rule}, centered") if centering else _("{rule}, not centered")).format(
                    rule=label)
            curves[rule].set_data(age, mean)
            bands[rule].set_data(age, mean - std, mean + std)
            text.set_text(_("{label}: mean {mean:.3f}").format(label=label, mean=mean.mean()))
        title.set_text(_("100 random pattern pairs shown once each, η = {learning_rate:.3g}, "
                         "mean ± std over {seeds} seeds").format(learning_rate=learning_rate,
                                                                 seeds=len(EXPLORER_SEEDS)))

    update(learning_rate, centering)
    return update


def forgetting():
    """Learning rate and centering -> the forgetting curves of the four rules."""
    return Explorer(
        title=N_("Lesson 10: continual learning — what is left of each pattern?"),
        draw=_draw_forgetting,
        controls={
            "learning_rate": Slider(0.02, 2.0, 0.2, step=0.1, log=True, label=N_("learning rate η")),
            "centering": Toggle(True, label=N_("centre the inputs (Hebbian and gradient descent)")),
        },
        figsize=(9.6, 5.2),
        margins=dict(left=0.09, right=0.97, bottom=0.29, top=0.91),
    )


EXPLORERS = {"saturation": saturation, "forgetting": forgetting}
