"""Lesson 05's explorers: heavy-ball momentum on a quadratic valley and on the digits MLP.

- ``quadratic_paths``: learning rate and momentum -> the paths of plain gradient descent and of
  momentum on the lesson's ill-conditioned quadratic, and their distance to the minimum.
- ``network_momentum``: momentum and learning rate -> the digits MLP's loss and validation
  accuracy curves, against plain SGD with the same learning rate and with the same effective
  step eta / (1 - mu).

Both run minibp's own ``Momentum`` optimizer. Whatever does not depend on a control (the
contour grid, the data) and every training run are cached, so moving a slider back is free.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp._validate import as_array, integer, number
from minibp.network import Network
from minibp.optimizers import Momentum
from minibp.training import fit

from . import Explorer, Slider, animated_legends, rescaled, show_legend

# The lesson's quadratic f(w) = 1/2 w^T A w - b^T w. A has eigenvalues 1 and 20 (condition
# number 20); the flat eigen-direction (1, -1) is the valley floor, the steep one (1, 1)
# points across it. The minimum is w* = A^-1 b = (1, 1).
A = np.array([[10.5, 9.5], [9.5, 10.5]])
B = np.array([20.0, 20.0])
W_STAR = np.array([1.0, 1.0])
W_START = np.array([-2.5, 3.0])
LAMBDA_MIN, LAMBDA_MAX = 1.0, 20.0
GD_COLOR, MOMENTUM_COLOR = "tab:orange", "tab:blue"
ESCAPED = 1e3  # a path whose distance to w* grows this many times its start has diverged


def quadratic_loss(W):
    """f(w) - f(w*) = 1/2 (w - w*)^T A (w - w*) for rows w of W: (..., 2) -> (...)."""
    W = as_array(W, "W", finite=False)
    if W.ndim == 0 or W.shape[-1] != 2:
        raise ValueError(f"W must hold points (w1, w2) along its last axis, got shape {W.shape}")
    E = W - W_STAR
    return 0.5 * np.einsum("...i,ij,...j->...", E, A, E)


def stability_bound(momentum, lambda_max=LAMBDA_MAX):
    """The largest stable learning rate of heavy-ball momentum on a quadratic: 2 (1 + mu) / lambda_max."""
    momentum = number(momentum, "momentum", low=0.0, high=1.0, high_open=True)
    lambda_max = number(lambda_max, "lambda_max", low=0.0, low_open=True)
    return 2.0 * (1.0 + momentum) / lambda_max


def heavy_ball_path(learning_rate, momentum, steps=60, w0=W_START):
    """Run ``Momentum(learning_rate, momentum)`` on the lesson's quadratic from ``w0``.

    The gradient of f at w is A w - b. Returns (path, diverged): ``path`` (k + 1, 2) holds
    w_0, ..., w_k; it stops early (``diverged`` True) once the distance to w* exceeds
    ``ESCAPED`` times the starting distance.
    """
    optimizer = Momentum(learning_rate, momentum)
    steps = integer(steps, "steps", low=0)
    w = as_array(w0, "w0", ndim=1).copy()
    if w.shape != (2,):
        raise ValueError(f"w0 must be a point (w1, w2), got shape {w.shape}")
    start = np.linalg.norm(w - W_STAR)
    path = [w.copy()]
    for _step in range(steps):
        optimizer.step([w], [A @ w - B])
        path.append(w.copy())
        if np.linalg.norm(w - W_STAR) > ESCAPED * start:
            return np.array(path), True
    return np.array(path), False


@lru_cache(maxsize=1)
def _contour_grid():
    """The loss on a grid around the valley (computed once): x (n,), y (n,), F (n, n)."""
    x = np.linspace(-3.5, 5.5, 181)
    y = np.linspace(-3.0, 5.0, 161)
    X, Y = np.meshgrid(x, y)
    return x, y, quadratic_loss(np.stack([X, Y], axis=-1))


def _draw_valley(ax):
    """The loss's contours, the minimum \u2605 and the start \u25cf; returns the two markers."""
    x, y, F = _contour_grid()
    levels = 0.05 * 2.0 ** np.arange(0, 12)
    ax.contour(x, y, F, levels=levels, colors="0.78", linewidths=0.7)
    markers = ax.plot(*W_STAR, marker="*", color="black", markersize=13, zorder=5)
    markers += ax.plot(*W_START, marker="o", color="black", markersize=6, zorder=5)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("w\u2081")  # plain text, not mathtext: a redraw must stay fast
    ax.set_ylabel("w\u2082")
    return markers


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(y, _position):
    """Tick label 10\u207b\u2076 as plain text (mathtext labels cost a redraw ~10 ms each)."""
    return f"10{str(int(round(np.log10(y)))).translate(_SUPERSCRIPT)}" if y > 0 else ""


def _draw_quadratic(fig, learning_rate, momentum):
    from matplotlib.ticker import FuncFormatter

    ax_path, ax_dist = fig.subplots(1, 2, width_ratios=[1.15, 1])
    markers = _draw_valley(ax_path)
    # The axes, the valley and the labels stay; the runs' paths and distances, the legends
    # naming them and the titles with values move with the sliders: they are animated (and
    # the markers too, so they stay on top of the paths). The momentum run is hidden at mu = 0.
    paths, distances = [], []
    for color in (GD_COLOR, MOMENTUM_COLOR):
        paths += ax_path.plot([], [], "-o", color=color, markersize=2.5, lw=1.2, animated=True)
        distances += ax_dist.semilogy([], [], "-", color=color, lw=1.6, animated=True)
    legends = [animated_legends(ax, [lines[:1], lines], 2 if momentum > 0 else 1, loc="upper right",
                        fontsize=9)
               for ax, lines in ((ax_path, paths), (ax_dist, distances))]
    steps = ax_path.set_title("", fontsize=10)
    bounds = ax_dist.set_title("", fontsize=10)
    for artist in [*markers, steps, bounds]:
        artist.set_animated(True)
    ax_dist.set_ylim(1e-6, ESCAPED)
    ax_dist.set_xlim(0, 60)
    ax_dist.axhline(1.0, color="black", lw=0.6, ls=":")
    ax_dist.set_xlabel(_("step k"))
    ax_dist.set_ylabel("\u2016w\u2096 \u2212 w*\u2016 / \u2016w\u2080 \u2212 w*\u2016")
    ax_dist.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax_dist.grid(alpha=0.3)
    start = np.linalg.norm(W_START - W_STAR)

    def update(learning_rate, momentum):
        runs = [(_("plain GD (\u03bc = 0)"), 0.0)]
        if momentum > 0:
            runs.append((_("momentum \u03bc = {momentum:.2f}").format(momentum=momentum), momentum))
        labels = []
        for path_line, distance_line, (label, mu) in zip(paths, distances, runs):
            path, diverged = heavy_ball_path(learning_rate, mu)
            path_line.set_data(path[:, 0], path[:, 1])
            distance_line.set_data(np.arange(len(path)), np.linalg.norm(path - W_STAR, axis=1) / start)
            labels.append(label + (_(" \u2014 diverges") if diverged else ""))
        paths[1].set_visible(momentum > 0)
        distances[1].set_visible(momentum > 0)
        for ax_legends in legends:
            show_legend(ax_legends, labels)
        steps.set_text(_("{steps} steps from \u25cf toward the minimum \u2605").format(steps=len(path) - 1))
        bounds.set_text(_(
            "\u03b7 = {learning_rate:.3f}; stable: \u03b7 < 2/\u03bb_max = {plain_bound:.3f} "
            "(plain GD),\n\u03b7 < 2(1 + \u03bc)/\u03bb_max = {momentum_bound:.3f} "
            "(\u03bc = {momentum:.2f})").format(
                learning_rate=learning_rate, plain_bound=stability_bound(0.0),
                momentum_bound=stability_bound(momentum), momentum=momentum))

    update(learning_rate, momentum)
    return update


def quadratic_paths():
    """Learning rate and momentum -> paths on the quadratic valley and distance to the minimum."""
    return Explorer(
        title=N_("Lesson 05: plain gradient descent and heavy-ball momentum on a valley (\u03ba = 20)"),
        draw=_draw_quadratic,
        controls={
            "learning_rate": Slider(0.005, 0.2, 0.095, step=0.005, label=N_("learning rate \u03b7")),
            "momentum": Slider(0.0, 0.99, 0.5, step=0.01, label=N_("momentum \u03bc")),
        },
        figsize=(9.6, 4.8),
        margins=dict(left=0.07, right=0.98, bottom=0.12, top=0.86, wspace=0.3),
    )


# --- the digits MLP --------------------------------------------------------------------------
NETWORK_SIZES = (64, 32, 10)
NETWORK_EPOCHS = 10
NETWORK_TRAIN_ROWS = 500  # a slice of the training set keeps one run near 0.05 s
NETWORK_BATCH = 25
TARGET_ACCURACY = 0.9


@lru_cache(maxsize=1)
def _digits_split():
    X, labels = data.digits()
    X_train, T_train, X_val, T_val = data.train_val_split(X, data.one_hot(labels, 10), 0.2, rng=0)
    return X_train[:NETWORK_TRAIN_ROWS], T_train[:NETWORK_TRAIN_ROWS], X_val, T_val


@lru_cache(maxsize=512)
def digits_run(learning_rate, momentum, seed=0):
    """Train the widget's small digits MLP once; the History is cached per (eta, mu, seed).

    64-32-10, tanh hidden units, softmax output, cross-entropy, mini-batches of 25 from 500
    training digits, 10 epochs, validation on the held-out fifth of the digits: the set-up of
    lecture 05, section 6 (tests/test_momentum.py pins a row of its table). As there, a loss
    far above its start does not stop the run (``divergence_factor=None``); NaN/inf or huge
    weights do (``history.stopped`` holds minibp's message).
    """
    X_train, T_train, X_val, T_val = _digits_split()
    network = Network(NETWORK_SIZES, activation="tanh", output_activation="softmax", rng=seed)
    return fit(network, X_train, T_train, "cross_entropy", Momentum(learning_rate, momentum),
               epochs=NETWORK_EPOCHS, batch_size=NETWORK_BATCH, validation=(X_val, T_val),
               rng=seed, on_divergence="stop", divergence_factor=None)


def _key(x):
    return float(f"{x:.4g}")  # slider values such as 0.30000000000000004 share one cache entry


def _diverged_note(stopped):
    """minibp's "training diverged at epoch k: ..." as "training diverged at epoch k", translated."""
    note = stopped.split(":")[0]
    match = re.fullmatch(r"training diverged at epoch (\d+)", note)
    return _("training diverged at epoch {epoch}").format(epoch=match.group(1)) if match else note


def _draw_network(fig, momentum, learning_rate):
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax_loss, ax_acc = fig.subplots(1, 2)
    # The axes and their labels stay; the runs' curves, the legend naming them and the titles
    # move with the sliders: they are animated. The loss axis follows its curves (that panel's
    # background is drawn again when its limits change). Without momentum, one run is shown.
    styles = [(GD_COLOR, "-"), (MOMENTUM_COLOR, "-"), ("tab:green", "--")]
    losses = [ax_loss.semilogy([], [], style, color=color, lw=1.8, animated=True)[0]
              for color, style in styles]
    accuracies = [ax_acc.plot([], [], style, color=color, lw=1.8, animated=True)[0]
                  for color, style in styles]
    plain = FuncFormatter(lambda y, _: f"{y:g}")  # 0.3, not 3x10^-1
    ax_loss.yaxis.set_major_formatter(plain)
    ax_loss.set_xlabel(_("epoch"))
    ax_loss.set_ylabel(_("training loss (cross-entropy)"))
    ax_loss.grid(alpha=0.3, which="both")
    # Under both panels, where it covers no curve.
    legends = animated_legends(fig, [losses[:1], losses], 3 if _key(momentum) > 0 else 1, loc="lower center",
                       ncols=2, fontsize=9, title_fontsize=9,
                       title=_("in brackets: the epoch reaching {target:.0%} validation accuracy").format(
                           target=TARGET_ACCURACY))
    ax_acc.axhline(TARGET_ACCURACY, color="black", lw=0.6, ls=":")
    ax_acc.set_ylim(0.0, 1.0)
    ax_acc.set_xlabel(_("epoch"))
    ax_acc.set_ylabel(_("validation accuracy"))
    ax_acc.grid(alpha=0.3)
    notes_title = ax_acc.set_title("", fontsize=10)
    step_title = ax_loss.set_title("", fontsize=10)
    for title in (notes_title, step_title):
        title.set_animated(True)

    def update(momentum, learning_rate):
        eta, mu = _key(learning_rate), _key(momentum)
        runs = [(_("plain SGD, \u03b7 = {eta:.3g}").format(eta=eta), eta, 0.0)]
        if mu > 0:
            effective = _key(eta / (1.0 - mu))
            runs.append((_("momentum \u03bc = {mu:.2f}, \u03b7 = {eta:.3g}").format(mu=mu, eta=eta),
                         eta, mu))
            runs.append((_("plain SGD, \u03b7 = \u03b7/(1 \u2212 \u03bc) = {effective:.3g}").format(
                effective=effective), effective, 0.0))
        labels, notes = [], []
        for i, (loss, accuracy) in enumerate(zip(losses, accuracies)):
            if i >= len(runs):  # hidden, and out of the axes' data limits
                loss.set_data([], [])
                accuracy.set_data([], [])
                continue
            label, run_eta, run_mu = runs[i]
            history = digits_run(run_eta, run_mu)
            reached = history.epochs_to(TARGET_ACCURACY, "val_accuracy")
            labels.append(label + (_(" (never)") if reached is None
                                   else _(" (epoch {epoch})").format(epoch=reached)))
            loss.set_data(history.epoch, history.loss)
            accuracy.set_data(history.epoch, history.val_accuracy)
            if history.stopped:
                notes.append(_diverged_note(history.stopped))
        for line in [*losses[1:], *accuracies[1:]]:
            line.set_visible(mu > 0)
        show_legend(legends, labels)
        notes_title.set_text("; ".join(notes) if notes else _("digits, 64-32-10 tanh MLP, seed 0"))
        step_title.set_text(_("effective step \u03b7/(1 \u2212 \u03bc) = {step:.3g}").format(
            step=eta / (1.0 - mu)))
        changed = [ax for ax in (ax_loss, ax_acc) if rescaled(ax)]
        low, high = ax_loss.get_ylim()  # label 2, 3, 4, ... too when less than ~a decade is shown
        ax_loss.yaxis.set_minor_formatter(plain if high / low < 20 else NullFormatter())
        return changed

    update(momentum, learning_rate)
    return update


def network_momentum():
    """Momentum and learning rate -> the digits MLP's loss and accuracy curves."""
    return Explorer(
        title=N_("Lesson 05: momentum on the digits MLP (64-32-10, 500 training digits, seed 0)"),
        draw=_draw_network,
        controls={
            "momentum": Slider(0.0, 0.99, 0.9, step=0.01, label=N_("momentum \u03bc")),
            "learning_rate": Slider(0.001, 1.0, 0.01, step=0.1, log=True,
                                    label=N_("learning rate \u03b7")),
        },
        figsize=(9.6, 5.2),
        margins=dict(left=0.09, right=0.98, bottom=0.3, top=0.92, wspace=0.3),
    )


EXPLORERS = {"quadratic_paths": quadratic_paths, "network_momentum": network_momentum}
