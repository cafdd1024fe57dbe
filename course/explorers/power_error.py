"""Lesson 09's explorers: the power-error loss family, and the q sweep's learning curves.

- ``loss_family``: q (and depth) -> the loss L_q(e), its error signal e^q, the gradient-to-loss
  ratio R_q(e) = e^q / L_q(e), and what reaches each layer of a deep sigmoid net at the start.
  All analytic or one forward/backward pass, cached: a redraw costs only the drawing.
- ``learning_curves``: q and depth -> the learning curves of the sweep
  ``benchmarks/power_error_sweep.py`` (read from its committed results file, never re-run).

``load_sweep`` and ``sweep_summary`` read and summarize that file; the lecture uses them for
its tables, so the tables and the widget show the same numbers.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp.losses import PowerError, power_loss
from minibp.network import Network

from . import Choice, Explorer, Slider, lighter_ticks, rescaled

SWEEP_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "power_error_sweep.json"
ERRORS = np.linspace(0.0, 0.99, 199)  # e = |y - t| on the horizontal axes
REFERENCE_Q = 1.0  # cross-entropy, drawn dashed for comparison


# --- the loss family (analytic) ---------------------------------------------------------------
@lru_cache(maxsize=128)
def loss_family(q):
    """(L_q(e), e^q, R_q(e)) on ``ERRORS``, each shape (199,); R_q(0) is its limit q."""
    loss = power_loss(ERRORS, q)
    signal = ERRORS**q
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ERRORS > 0, signal / loss, q)
    return loss, signal, ratio


@lru_cache(maxsize=1)
def _probe_batch(n_examples=200):
    X, labels = data.digits()
    return X[:n_examples], data.one_hot(labels[:n_examples], 10)


@lru_cache(maxsize=256)
def layer_gradient_to_loss(q, depth, width=32, seed=0):
    """||dW_l|| / L for l = 1 .. depth + 1 of a fresh sigmoid net on 200 digits, shape (depth+1,).

    The net is 64 -> width x depth -> 10, sigmoid everywhere, Glorot's normalized init with
    ``seed``, ``PowerError(q)`` at the output: the whole network's gradient-to-loss ratio,
    layer by layer, before any training.
    """
    X, T = _probe_batch()
    network = Network([64] + [width] * depth + [10], activation="sigmoid",
                      output_activation="sigmoid", init="glorot_normalized", rng=seed)
    loss, grads = network.loss_and_gradients(X, T, PowerError(q))
    return np.array([np.linalg.norm(grads.dW[l]) for l in range(1, depth + 2)]) / loss


@lru_cache(maxsize=8)
def _ratio_limits(depth):
    """Log-axis limits holding the per-layer ratio of every q at this depth (q on a grid over
    the slider's range, with a margin), so the axis stays put while q moves."""
    ratios = np.concatenate([layer_gradient_to_loss(q, depth) for q in (0.1, 0.5, 1.0, 2.0, 3.0, 4.0)])
    return ratios.min() / 1.6, ratios.max() * 1.6


def _draw_family(fig, q, depth):
    axes = fig.subplots(2, 2).ravel()
    mine, ref = loss_family(q), loss_family(REFERENCE_Q)
    titles = [_("loss L_q(e)"), _("error signal |δ_out| = e^q"),
              _("gradient-to-loss ratio R_q(e) = e^q / L_q(e)")]
    curves = []  # the chosen q's curves move with the slider (animated); the rest stays
    for ax, values, ref_values, title in zip(axes[:3], mine, ref, titles):
        ax.plot(ERRORS, ref_values, "--", color="gray", label=_("q = 1 (cross-entropy)"))
        curves += ax.plot(ERRORS, values, color="tab:blue", lw=2.5, label=_("your q"),
                          animated=True)
        ax.set(xlabel=_("output error e = |y − t|"), title=title, xlim=(0, 1))
        ax.grid(alpha=0.3)
    axes[0].set_ylim(0, 5)
    axes[1].set_ylim(-0.05, 1.05)  # e^q <= 1 for every q: the axis stays put as q moves
    axes[0].legend(loc="upper left")
    limit_line = axes[2].axhline(q, color="tab:blue", ls=":", lw=1, animated=True)
    axes[2].set_ylim(0, 4.2)  # R_q(0) = q <= 4, the slider's end
    # Above its line, or below it near the top, where it would run into the frame.
    limit_text = axes[2].text(0.98, q, _("limit q = {q:g} as e → 0").format(q=q), ha="right",
                              va="bottom" if q < 3.6 else "top", color="tab:blue", animated=True)
    ax = axes[3]
    layers = np.arange(1, depth + 2)
    (reference,) = ax.semilogy(layers, layer_gradient_to_loss(REFERENCE_Q, depth), "o--",
                               color="gray", label="q = 1")
    (per_layer,) = ax.semilogy(layers, layer_gradient_to_loss(q, depth), "o-", color="tab:blue",
                               lw=2.5, label=_("your q"), animated=True)
    ax.set(xlabel=_("layer l (1 = first hidden, last = output)"), ylabel="‖dWₗ‖ / L",
           title=_("at the start, {depth} hidden sigmoid layers of 32").format(depth=depth),
           xticks=layers,
           ylim=_ratio_limits(depth))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    drawn = {"depth": depth}

    def update(q, depth):
        for curve, values in zip(curves, loss_family(q)):
            curve.set_ydata(values)
        limit_line.set_ydata([q, q])
        limit_text.set_y(q)
        limit_text.set_verticalalignment("bottom" if q < 3.6 else "top")
        limit_text.set_text(_("limit q = {q:g} as e → 0").format(q=q))
        per_layer.set_ydata(layer_gradient_to_loss(q, depth))
        if depth == drawn["depth"]:
            return False
        # Another depth: another x axis and title in the background of the last panel.
        drawn["depth"] = depth
        layers = np.arange(1, depth + 2)
        reference.set_data(layers, layer_gradient_to_loss(REFERENCE_Q, depth))
        per_layer.set_xdata(layers)
        ax.set(title=_("at the start, {depth} hidden sigmoid layers of 32").format(depth=depth),
               xticks=layers, ylim=_ratio_limits(depth))
        rescaled(ax)
        return ax

    return update
def loss_family_explorer():
    """q and depth -> the loss, its error signal, the ratio, and the per-layer ratio at the start."""
    return Explorer(
        title=N_("Lesson 09: the power-error loss family"),
        draw=_draw_family,
        controls={
            "q": Slider(0.1, 4.0, 2.0, step=0.05, label=N_("exponent q")),
            "depth": Slider(1, 8, 4, integer=True, label=N_("hidden layers")),
        },
        figsize=(9.6, 7.4),
        margins=dict(left=0.08, right=0.98, bottom=0.08, top=0.95, hspace=0.4, wspace=0.25),
    )


# --- the sweep's results (precomputed) --------------------------------------------------------
@lru_cache(maxsize=4)
def _read(path):
    return json.loads(Path(path).read_text())


def load_sweep(path=None):
    """The results of ``benchmarks/power_error_sweep.py`` as a dict (see that script)."""
    path = Path(path) if path is not None else SWEEP_FILE
    if not path.exists():
        raise FileNotFoundError(f"no sweep results at {path}: run "
                                f"`python benchmarks/power_error_sweep.py` from the repository")
    return _read(str(path))


def runs_of(sweep, depth, q):
    """The evaluation runs (one per seed) of one (depth, q), in seed order."""
    found = [r for r in sweep["runs"] if r["depth"] == depth and r["q"] == q]
    if not found:
        raise ValueError(f"no runs with depth {depth} and q {q} in the sweep; depths "
                         f"{sweep['config']['depths']}, q {sweep['config']['qs']}")
    return sorted(found, key=lambda r: r["seed"])


def accuracy_curves(sweep, depth, q, which="train"):
    """Accuracy per seed and epoch, shape (n_seeds, epochs + 1); ``which``: train or val."""
    n = sweep["n_train"] if which == "train" else sweep["n_val"]
    return np.array([r[f"{which}_correct"] for r in runs_of(sweep, depth, q)]) / n


def _epochs_or_inf(run):
    return np.inf if run["epochs_to_target"] is None else run["epochs_to_target"]


def sweep_summary(sweep):
    """One dict per (depth, q) of the sweep, in its order, with

    learning_rate, grid_edge ("low", "high" or None): the tuned learning rate;
    seeds, reached: how many seeds ran, how many reached the target accuracy;
    epochs_mean, epochs_std: epochs to the target over the seeds that reached it (None if none
        or, for the std, fewer than two);
    faster_than_q1: on how many seeds this q reached the target in fewer epochs than q = 1 with
        the same seed (same initial weights, same order; never reaching counts as slowest);
    train_mean, train_std, val_mean, val_std: final training / validation accuracy.
    """
    rows = []
    for choice in sweep["chosen"]:
        depth, q = choice["depth"], choice["q"]
        runs = runs_of(sweep, depth, q)
        reached = np.array([r["epochs_to_target"] for r in runs
                            if r["epochs_to_target"] is not None], dtype=float)
        faster = None
        if q != REFERENCE_Q:
            reference = {r["seed"]: _epochs_or_inf(r) for r in runs_of(sweep, depth, REFERENCE_Q)}
            faster = sum(_epochs_or_inf(r) < reference[r["seed"]] for r in runs)
        train = accuracy_curves(sweep, depth, q, "train")[:, -1]
        val = accuracy_curves(sweep, depth, q, "val")[:, -1]
        rows.append({
            "depth": depth, "q": q, "learning_rate": choice["learning_rate"],
            "grid_edge": choice["grid_edge"], "seeds": len(runs), "reached": len(reached),
            "epochs_mean": float(reached.mean()) if reached.size else None,
            "epochs_std": float(reached.std(ddof=1)) if reached.size > 1 else None,
            "faster_than_q1": faster,
            "train_mean": float(train.mean()), "train_std": float(train.std(ddof=1)),
            "val_mean": float(val.mean()), "val_std": float(val.std(ddof=1)),
        })
    return rows


def draw_accuracy_curves(ax, sweep, depth, q, which="train", label=None):
    """One q's accuracy per epoch: each seed thin, their mean thick, q = 1's mean dashed.
    ``label``: what the legend calls q (default "q = 0.5"). Returns the lines of q's curves:
    one per seed, then their mean."""
    chosen = accuracy_curves(sweep, depth, q, which)
    if which == "train":
        ylabel = _("training accuracy")
        title = _("{depth} hidden layers:\ntraining accuracy, {seeds} seeds")
    else:
        ylabel = _("validation accuracy")
        title = _("{depth} hidden layers:\nvalidation accuracy, {seeds} seeds")
    epochs = np.arange(chosen.shape[1])
    ax.plot(epochs, accuracy_curves(sweep, depth, REFERENCE_Q, which).mean(axis=0), "--",
            color="gray", lw=2, label=_("q = 1, mean over seeds"))
    seeds = ax.plot(epochs, chosen.T, color="tab:blue", lw=0.7, alpha=0.5)
    mean = ax.plot(epochs, chosen.mean(axis=0), color="tab:blue", lw=2.5,
                   label=_("{label}, mean (thin: each seed)").format(label=label or f"q = {q:g}"))
    ax.axhline(sweep["config"]["target_accuracy"], color="black", lw=0.8, ls=":")
    ax.set(xlabel=_("epoch"), ylabel=ylabel, ylim=(0, 1.02),
           title=title.format(depth=depth, seeds=chosen.shape[0]))
    # Under the panel: inside, some q and depth would have a curve under it.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, fontsize=9)
    ax.grid(alpha=0.3)
    return seeds + mean


def draw_epochs_to_target(ax, sweep, depth, highlight=None):
    """Epochs to the target accuracy for every q at one depth: a dot per seed, a bar per mean
    (of the seeds that reached it). Seeds that never reached it sit in the band "never".
    Returns {q: [its dots, its bar if any]}."""
    cfg = sweep["config"]
    cap = cfg["epochs"][cfg["depths"].index(depth)]
    qs = cfg["qs"]
    marks = {}
    for i, q in enumerate(qs):
        epochs = [r["epochs_to_target"] for r in runs_of(sweep, depth, q)]
        values = np.array([cap * 1.09 if e is None else e for e in epochs], dtype=float)
        color = "tab:blue" if highlight is None or q == highlight else "gray"
        marks[q] = [ax.scatter(i + np.linspace(-0.15, 0.15, len(values)), values, s=18,
                               color=color, alpha=0.7)]
        done = [e for e in epochs if e is not None]
        if done:
            marks[q] += ax.plot([i - 0.3, i + 0.3], [np.mean(done)] * 2, color=color, lw=2.5)
    ax.axhline(cap * 1.04, color="black", lw=0.8)
    ax.set_ylim(0, cap * 1.14)
    ticks = [tick for tick in ax.get_yticks() if 0 <= tick <= cap]
    ax.set_yticks(ticks + [cap * 1.09], [f"{tick:g}" for tick in ticks] + [_("never")])
    ax.set(xticks=range(len(qs)), xticklabels=[f"{q:g}" for q in qs], xlabel="q",
           ylabel=_("epochs to {target:.0%} training accuracy").format(
               target=cfg["target_accuracy"]),
           title=_("{depth} hidden layers:\na dot per seed, a bar per mean").format(depth=depth))
    ax.grid(alpha=0.3, axis="y")
    return marks


def _draw_curves(fig, sweep, q, depth, curve):
    ax_curve, ax_epochs = fig.subplots(1, 2, width_ratios=[1.4, 1])
    drawn = {}

    def draw_panels(q, depth, curve):
        # The legend names no value: the dropdown shows it, and the legend stays put as q moves.
        which = "train" if curve == "training" else "val"
        lines = draw_accuracy_curves(ax_curve, sweep, depth, q, which, label=_("chosen q"))
        marks = draw_epochs_to_target(ax_epochs, sweep, depth, highlight=q)
        # A new q moves its curves and the highlight among the dots; the axes stay.
        for artist in [*lines, *(a for artists in marks.values() for a in artists)]:
            artist.set_animated(True)
        drawn.update(depth=depth, curve=curve, which=which, lines=lines, marks=marks)

    draw_panels(q, depth, curve)

    def update(q, depth, curve):
        if (depth, curve) != (drawn["depth"], drawn["curve"]):
            # Another depth or curve: both panels drawn again, in place.
            for ax in (ax_curve, ax_epochs):
                ax.clear()
            draw_panels(q, depth, curve)
            lighter_ticks(fig)
            return [ax_curve, ax_epochs]
        chosen = accuracy_curves(sweep, depth, q, drawn["which"])
        for line, values in zip(drawn["lines"], [*chosen, chosen.mean(axis=0)]):
            line.set_ydata(values)
        for other, artists in drawn["marks"].items():
            for artist in artists:
                artist.set_color("tab:blue" if other == q else "gray")

    return update


def learning_curves_explorer(path=None):
    """q and depth -> the sweep's learning curves (precomputed) and epochs to the target."""
    sweep = load_sweep(path)
    qs, depths = tuple(sweep["config"]["qs"]), tuple(sweep["config"]["depths"])
    return Explorer(
        title=N_("Lesson 09: learning curves of the q sweep (precomputed)"),
        draw=lambda fig, q, depth, curve: _draw_curves(fig, sweep, q, depth, curve),
        controls={
            "q": Choice(qs, 0.5 if 0.5 in qs else qs[0], label=N_("exponent q")),
            "depth": Choice(depths, depths[len(depths) // 2], label=N_("hidden layers")),
            "curve": Choice((N_("training"), N_("validation")), "training",
                            label=N_("accuracy on")),
        },
        figsize=(9.6, 4.8),
        margins=dict(left=0.08, right=0.98, bottom=0.21, top=0.88, wspace=0.3),
    )


EXPLORERS = {"loss_family": loss_family_explorer, "learning_curves": learning_curves_explorer}
