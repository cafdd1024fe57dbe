"""Lesson 11's explorers: where NEM noise is accepted, what it does to training, and what a
bidirectionally trained classifier's backward pass draws for each class.

- ``accept_region``: the NEM test in 2-D — the half-plane (classification) and the disk
  (regression) of accepted noisy targets, the annealed noise level v0 / k^tau and the fraction
  accepted per epoch. Everything is computed from one fixed cloud of standard normal points,
  scaled by sqrt(v_k), and cached. Both windows are squares around the target whose size steps
  along a ladder as the noise or the output moves, so most moves redraw only what moved.
- ``learning_curves``: the committed sweep (benchmarks/results/noise_sweep.json) for one
  (v0, tau): training cross-entropy of no / blind / NEM noise over epochs with its spread
  over seeds, the paired change against no noise, and the accepted fraction.
- ``class_picker``: the backward image of a one-hot class beside the class's mean image, for
  a forward-only, a bidirectional and a noise-boosted bidirectional network trained once
  (cached) with the sweep's configuration and its first bidirectional seed.
"""

from __future__ import annotations

import json
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from course.i18n import N_, _
from minibp import bidirectional, data, noise
from minibp.optimizers import SGD

from . import Choice, Explorer, Slider, rescaled

SWEEP_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "noise_sweep.json"
COLORS = {"none": "0.25", "blind": "tab:orange", "nem": "tab:blue"}
LABELS = {"none": N_("no noise"), "blind": N_("blind noise"), "nem": N_("NEM noise")}
MODELS = (N_("forward only"), N_("bidirectional"), N_("bidirectional + NEM noise"))
KIND_NAMES = {"classification": N_("classification"), "regression": N_("regression")}
MODEL_COLORS = dict(zip(MODELS, ("0.25", "tab:green", "tab:blue")))
EPOCHS_SHOWN = 40  # the accept-region explorer's epoch axis


@lru_cache(maxsize=2)
def load_sweep(path=None):
    """The results of ``benchmarks/noise_sweep.py`` (a dict; see that script's docstring)."""
    path = Path(path) if path is not None else SWEEP_FILE
    if not path.exists():
        raise FileNotFoundError(_("{path} is missing: run `python benchmarks/noise_sweep.py` "
                                  "from the repository's root to make it").format(path=path))
    return json.loads(path.read_text())


def grid_entry(sweep, condition, v0=None, tau=None):
    """The grid entry of one noise condition ("none", "blind", "nem") at (v0, tau)."""
    for entry in sweep["grid"]:
        if entry["noise"] == condition and (condition == "none"
                                            or (entry["v0"] == v0 and entry["tau"] == tau)):
            return entry
    raise ValueError(f"no grid entry for noise={condition!r}, v0={v0}, tau={tau}")


# --- 1. the accept region ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _standard_cloud():
    """20 000 fixed standard normal 2-D points: the noise shapes, scaled by sqrt(v_k)."""
    return np.random.default_rng(0).standard_normal((20_000, 2))


TARGET = np.array([1.0, 0.0])  # the target of the 2-D accept regions


def _accepted(kind, noise_points, t, a):
    T = np.broadcast_to(t, noise_points.shape)
    A = np.broadcast_to(a, noise_points.shape)
    return noise.nem_condition(kind, noise_points, T, A)


@lru_cache(maxsize=256)
def accepted_fraction_by_epoch(kind, v0, tau, output, epochs=EPOCHS_SHOWN):
    """Fraction of Gaussian noise accepted in epoch k = 1..epochs (2-D, t = (1, 0)).

    Estimated on the fixed cloud of 20 000 standard normal points, scaled by sqrt(v_k).
    """
    a = np.array([output, 1.0 - output])
    cloud = _standard_cloud()
    if kind == "classification":
        # n . ln a >= 0 does not change when n is scaled by sqrt(v_k) > 0: one test serves
        # every epoch (and a move of v0 or tau costs nothing here).
        return np.full(epochs, _accepted(kind, cloud, TARGET, a).mean())
    sigmas = np.sqrt(noise.annealed_variance(v0, tau, np.arange(1, epochs + 1)))
    # The regression test on n = s c, |t + s c - a|^2 <= |t - a|^2, is s |c|^2 <= 2 c . (a - t):
    # each point passes up to a scale of its own, so sorting those scales once answers every
    # epoch (40 tests of 20 000 points took 50 ms, a slider move's whole budget).
    limits = np.sort(2 * cloud @ (a - TARGET) / np.sum(cloud**2, axis=1))
    return (len(limits) - np.searchsorted(limits, sigmas, side="left")) / len(limits)


# Half-widths of the accept-region windows: a window steps up or down this ladder (by about
# sqrt 2) instead of following every move of a slider, so its axes and ticks (in the cached
# background) change only at a step; between steps a move redraws only what it moves.
WINDOW_HALVES = (0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0)


def _window(sigma, a):
    """(x limits, y limits) of both accept regions: a square around the target t that holds
    the output a and most of the cloud of t + n."""
    needed = max(3.2 * sigma, 0.6 * np.linalg.norm(a - TARGET) + 0.25)
    half = next(h for h in WINDOW_HALVES if h >= needed)  # needed is at most 3.2
    return (TARGET[0] - half, TARGET[0] + half), (TARGET[1] - half, TARGET[1] + half)


def _draw_region(ax, kind):
    """One accept region: the cloud of noisy targets t + n, the boundary, t = ``TARGET`` and
    a. Returns ``update(sigma, a)``, which moves them: True if the window (limits) moved too."""
    from matplotlib.patches import Circle, Polygon

    # The region the test accepts, drawn exactly (the dots are tested one by one): for
    # classification the half-plane n . ln a >= 0 beyond the line through t; for regression
    # the disk around a through t.
    region = dict(facecolor=(0.17, 0.63, 0.17, 0.12), edgecolor="tab:green", lw=1.5,
                  animated=True)
    if kind == "classification":
        boundary = ax.add_patch(Polygon(np.zeros((4, 2)), closed=True, **region))
    else:
        boundary = ax.add_patch(Circle((0, 0), 1, **region))
    empty = np.empty((0, 2))
    accepted = ax.scatter(*empty.T, s=5, color="tab:green", label=_("t + n accepted"),
                          animated=True)
    rejected = ax.scatter(*empty.T, s=5, color="tab:red", alpha=0.5, label=_("t + n rejected"),
                          animated=True)
    # These two never move but are animated all the same: drawn after the dots, as in a
    # static figure (else the moving dots would cover the target).
    ax.plot([0, 1], [1, 0], ls="--", color="0.6", lw=1, label=_("outputs (p, 1 - p)"),
            animated=True)
    ax.plot(*TARGET, marker="*", ms=14, color="black", ls="none", label=_("target t"),
            animated=True)
    (output,) = ax.plot(0, 0, marker="o", ms=8, color="tab:purple", ls="none",
                        label=_("output a"), animated=True)
    if kind == "classification":
        arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0), zorder=6, animated=True,
                            arrowprops=dict(arrowstyle="-|>", color="darkgreen", lw=2.5))
        title = _("classification: accept if n · ln a ≥ 0 (arrow: ln a)")
    else:
        title = _("regression: accept if ‖t + n − a‖ ≤ ‖t − a‖")
    ax.set(aspect="equal", xlabel=_("target entry 1"), ylabel=_("target entry 2"))
    for spine in ax.spines.values():
        spine.set_animated(True)  # the frame over the region's edge, as in a static figure
    # A two-line title whose first line never changes: that line stays in the background, the
    # second (animated) sits where a title's second line would, 12.3 pt (17 px) lower.
    ax.set_title(title, fontsize=10, pad=6 + 12.3)
    accepted_share = ax.annotate(" ", xy=(0.5, 1.0), xycoords="axes fraction", xytext=(0, 6),
                        textcoords="offset points", ha="center", va="baseline", fontsize=10,
                        animated=True)

    def update(sigma, a):
        t = TARGET
        cloud = sigma * _standard_cloud()[:500]
        passed = _accepted(kind, cloud, t, a)
        accepted.set_offsets(t + cloud[passed])
        rejected.set_offsets(t + cloud[~passed])
        output.set_data([a[0]], [a[1]])
        xlim, ylim = _window(sigma, a)
        half = (xlim[1] - xlim[0]) / 2
        if kind == "classification":
            u = np.log(a) / np.linalg.norm(np.log(a))  # points into the half-plane
            along, far = np.array([-u[1], u[0]]), 10.0 * half  # far: well beyond the window
            boundary.set_xy([t + far * along, t - far * along, t - far * along + 2 * far * u,
                             t + far * along + 2 * far * u])
            arrow.xy = t + 0.45 * half * u
            arrow.set_position(t)
        else:
            boundary.set_center(a)
            boundary.set_radius(np.linalg.norm(t - a))
        accepted_share.set_text(_("{share:.0%} of these draws accepted").format(share=passed.mean()))
        moved = (xlim, ylim) != (ax.get_xlim(), ax.get_ylim())  # the ticks then change too
        ax.set(xlim=xlim, ylim=ylim)
        return moved

    return update


def _draw_accept_region(fig, v0, tau, epoch, output):
    # The two accept regions above, annealing below: four panels in a row would not fit 9.6 in.
    (ax_class, ax_regr), (ax_sigma, ax_fraction) = fig.subplots(2, 2, height_ratios=[1.25, 1])
    regions = {ax_class: _draw_region(ax_class, "classification"),
               ax_regr: _draw_region(ax_regr, "regression")}
    handles, labels = ax_class.get_legend_handles_labels()
    fig.legend(handles, labels, loc="center", bbox_to_anchor=(0.5, 0.475), ncols=5, fontsize=9,
               markerscale=1.5, handletextpad=0.4, columnspacing=1.2)

    # What moves with the sliders is animated; of the axes of the two lower panels only the
    # noise std's changes, when v0 does (its largest std is sqrt(v0), at epoch 1, any tau).
    epochs = np.arange(1, EPOCHS_SHOWN + 1)
    (sigma_curve,) = ax_sigma.plot(epochs, np.zeros(epochs.size), color="tab:blue", animated=True)
    (sigma_dot,) = ax_sigma.plot([], [], "o", color="tab:blue", animated=True)
    ax_sigma.set(xlabel=_("epoch k"), ylabel=_("noise std √vₖ"))
    sigma_title = ax_sigma.set_title(" ", fontsize=10, animated=True)
    ax_sigma.grid(alpha=0.3)

    fraction_curves, fraction_dots = {}, {}
    for kind, color in (("classification", "tab:green"), ("regression", "tab:olive")):
        (fraction_curves[kind],) = ax_fraction.plot(epochs, np.zeros(epochs.size), color=color,
                                                    label=_(KIND_NAMES[kind]), animated=True)
        (fraction_dots[kind],) = ax_fraction.plot([], [], "o", color=color, animated=True)
    ax_fraction.set(xlabel=_("epoch k"), ylabel=_("fraction of noise accepted"), ylim=(0, 1.02))
    ax_fraction.set_title(_("accepted fraction per epoch\n(20 000 draws each)"), fontsize=10)
    ax_fraction.grid(alpha=0.3)
    ax_fraction.legend(fontsize=9, loc="upper right")  # "best" would move with the curves

    def update(v0, tau, epoch, output):
        a = np.array([output, 1.0 - output])
        sigma = float(np.sqrt(noise.annealed_variance(v0, tau, epoch)))
        changed = [ax for ax, region in regions.items() if region(sigma, a)]
        sigma_curve.set_ydata(np.sqrt(noise.annealed_variance(v0, tau, epochs)))
        sigma_dot.set_data([epoch], [sigma])
        sigma_title.set_text(_("vₖ = v₀ / k^τ: v₀ = {v0:.2g}, τ = {tau:g}\n"
                               "epoch {epoch}: √vₖ = {sigma:.2g}").format(
                                   v0=v0, tau=tau, epoch=epoch, sigma=sigma))
        top = 1.05 * np.sqrt(v0)  # the largest std, at epoch 1, and a margin
        if ax_sigma.get_ylim() != (0, top):
            ax_sigma.set_ylim(0, top)
            changed.append(ax_sigma)
        for kind, curve in fraction_curves.items():
            fractions = accepted_fraction_by_epoch(kind, v0, tau, output)
            curve.set_ydata(fractions)
            fraction_dots[kind].set_data([epoch], [fractions[epoch - 1]])
        return changed or False  # the panels whose limits moved, or none

    update(v0, tau, epoch, output)
    return update


def accept_region():
    """The NEM accept regions in 2-D (classification and regression) and how annealing moves them."""
    return Explorer(
        title=N_("Lesson 11: where NEM noise is accepted"),
        draw=_draw_accept_region,
        controls={
            "v0": Slider(1e-4, 1.0, 0.1, step=0.25, log=True, label=N_("v0")),
            "tau": Slider(0.0, 3.0, 1.0, step=0.5, label=N_("tau")),
            "epoch": Slider(1, EPOCHS_SHOWN, 1, integer=True, label=N_("epoch k")),
            "output": Slider(0.05, 0.95, 0.7, step=0.05, label=N_("output a_1")),
        },
        figsize=(9.6, 8.6),
        margins=dict(left=0.09, right=0.98, bottom=0.07, top=0.93, wspace=0.3, hspace=0.55),
    )


# --- 2. learning curves from the sweep ------------------------------------------------------------
def _mean_and_spread(curves):
    curves = np.asarray(curves, dtype=float)
    return curves.mean(axis=0), curves.std(axis=0)


def _loss_limits(sweep):
    """y limits of the loss panel that hold every grid point's mean ± std, with matplotlib's
    default 5 % margins: the panel stays put whichever (v0, tau) is chosen."""
    spreads = [_mean_and_spread(entry["loss"]) for entry in sweep["grid"]]
    low = min(float(np.min(mean - std)) for mean, std in spreads)
    high = max(float(np.max(mean + std)) for mean, std in spreads)
    return low - 0.05 * (high - low), high + 0.05 * (high - low)


def _draw_learning_curves(fig, v0, tau):
    sweep = load_sweep()
    seeds = sweep["config"]["grid"]["seeds"]
    ax_loss, ax_change, ax_fraction = fig.subplots(1, 3)
    epochs = np.arange(np.shape(grid_entry(sweep, "none")["loss"])[1])
    # Curves, bands and the loss panel's title move with (v0, tau): animated. The loss and
    # fraction axes are fixed for the whole grid; only the change panel rescales.
    zeros = np.zeros(epochs.size)
    loss, change, fraction = {}, {}, {}
    for condition in ("none", "blind", "nem"):
        color = COLORS[condition]
        loss[condition] = (
            ax_loss.plot(epochs, zeros, color=color, label=_(LABELS[condition]), animated=True)[0],
            ax_loss.fill_between(epochs, zeros, zeros, color=color, alpha=0.15, animated=True))
        if condition != "none":
            change[condition] = (
                ax_change.plot(epochs, zeros, color=color, label=_(LABELS[condition]),
                               animated=True)[0],
                ax_change.fill_between(epochs, zeros, zeros, color=color, alpha=0.15,
                                       animated=True))
            fraction[condition] = ax_fraction.plot(
                epochs[1:], zeros[1:], color=color, ls="--" if condition == "blind" else "-",
                label=(_("{label} (would pass)").format(label=_(LABELS[condition]))
                       if condition == "blind" else _(LABELS[condition])),
                animated=True)[0]
    ax_loss.set(xlabel=_("epoch"), ylabel=_("training cross-entropy (clean targets)"),
                ylim=_loss_limits(sweep))
    loss_title = ax_loss.set_title(" ", fontsize=10, animated=True)
    ax_change.axhline(0, color="0.25", lw=1, animated=True)  # moves when the y axis rescales
    ax_change.set(xlabel=_("epoch"), ylabel=_("change vs no noise, same seed (%)"))
    ax_change.set_title(_("paired change in\ntraining cross-entropy"), fontsize=10)
    ax_fraction.set(xlabel=_("epoch"), ylabel=_("fraction of noise draws passing the test"),
                    ylim=(0, 1))
    ax_fraction.set_title(_("accepted fraction\n(mean over seeds)"), fontsize=10)
    for ax in (ax_loss, ax_change, ax_fraction):
        ax.grid(alpha=0.3)
    # Under the panels: the curves of some grid points fill every corner of them.
    for ax in (ax_loss, ax_change, ax_fraction):
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.17))

    def update(v0, tau):
        for condition, (mean, std) in _loss_spreads(v0, tau).items():
            line, band = loss[condition]
            line.set_data(epochs, mean)
            band.set_data(epochs, mean - std, mean + std)
        for condition, ((mean, std), accepted) in _changes(v0, tau).items():
            line, band = change[condition]
            line.set_data(epochs, mean)
            band.set_data(epochs, mean - std, mean + std)
            fraction[condition].set_data(np.arange(1, len(accepted) + 1), accepted)
        loss_title.set_text(_("v0 = {v0:g}, tau = {tau:g}:\nmean ± std over {seeds} seeds").format(
            v0=v0, tau=tau, seeds=len(seeds)))
        # The change runs from ±0.03 % to +47 % over the grid: its y axis rescales. That axis
        # and the zero line are animated (drawn on every move, as the curves), so the
        # background stays.
        rescaled(ax_change)

    ax_change.yaxis.set_animated(True)
    update(v0, tau)
    return update


@lru_cache(maxsize=16)
def _loss_spreads(v0, tau):
    """{condition: (mean, std) over seeds of the loss per epoch} at one grid point."""
    sweep = load_sweep()
    return {c: _mean_and_spread(grid_entry(sweep, c, v0, tau)["loss"])
            for c in ("none", "blind", "nem")}


@lru_cache(maxsize=16)
def _changes(v0, tau):
    """{"blind"/"nem": ((mean, std) of the paired change in %, accepted fraction per epoch)}."""
    sweep = load_sweep()
    baseline = np.asarray(grid_entry(sweep, "none")["loss"])
    changes = {}
    for condition in ("blind", "nem"):
        entry = grid_entry(sweep, condition, v0, tau)
        changes[condition] = (_mean_and_spread(100 * (np.asarray(entry["loss"]) / baseline - 1)),
                              np.asarray(entry["accepted_mean"]))
    return changes


def learning_curves():
    """The committed sweep's learning curves for one grid point (v0, tau)."""
    sweep = load_sweep()
    grid, chosen = sweep["config"]["grid"], sweep["chosen"]
    return Explorer(
        title=N_("Lesson 11: no noise, blind noise and NEM noise on 250 digits (committed sweep)"),
        draw=_draw_learning_curves,
        controls={
            "v0": Choice(tuple(grid["v0"]), chosen["v0"], label=N_("v0")),
            "tau": Choice(tuple(grid["tau"]), chosen["tau"], label=N_("tau")),
        },
        figsize=(9.6, 4.8),
        margins=dict(left=0.08, right=0.98, bottom=0.3, top=0.88, wspace=0.42),
    )


# --- 3. the backward image of each class -----------------------------------------------------------
def _backward_images_during_training(model_name, cfg, chosen, seed):
    """Train one of ``MODELS``; return its backward images per epoch (epochs + 1, 10, 64) and
    the class means of its training subset (10, 64)."""
    subset_rng, init_rng, order_rng, forward_rng, backward_rng = [
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    X_all, labels_all = data.digits()
    train = subset_rng.permutation(len(labels_all))[:cfg["n_train"]]
    X, labels = X_all[train], labels_all[train]
    model = bidirectional.BidirectionalNetwork(
        cfg["sizes"], activation=cfg["activation"], init=cfg["init"], rng=init_rng,
        backward_output_activation=cfg["bidirectional"]["backward_output_activation"])
    forward_noise = backward_noise = None
    if model_name.endswith("noise"):
        forward_noise = noise.NEMNoise("classification", chosen["v0"], chosen["tau"],
                                       cfg["distribution"], rng=forward_rng)
        backward_noise = noise.NEMNoise("regression", chosen["v0"], chosen["tau"],
                                        cfg["distribution"], rng=backward_rng)
    snapshots = []
    bidirectional.train(
        model, X, data.one_hot(labels, 10), epochs=cfg["epochs"], batch_size=cfg["batch_size"],
        optimizer=SGD(cfg["learning_rate"]),
        backward_weight=0.0 if model_name == "forward only" else 1.0,
        forward_noise=forward_noise, backward_noise=backward_noise, rng=order_rng,
        callbacks=[lambda epoch, m, h: snapshots.append(m.reconstruct(np.eye(10)))])
    means = np.array([X[labels == k].mean(axis=0) for k in range(10)])
    return np.array(snapshots), means


@lru_cache(maxsize=1)
def bidirectional_runs():
    """Train the three models of the class picker once; returns a dict of numpy arrays.

    Same configuration, seeding and noise setting as ``benchmarks/noise_sweep.py``'s
    bidirectional part, for its first seed: "images" maps each model to its backward images
    per epoch, shape (epochs + 1, 10, 64); "distance" to the distance of each class's image
    to the class mean, shape (epochs + 1, 10); "means" holds the class means (10, 64).
    """
    sweep = load_sweep()
    cfg, chosen = sweep["config"], sweep["chosen"]
    seed = cfg["bidirectional"]["seeds"][0]
    runs = {"images": {}, "distance": {}}
    for name in MODELS:
        images, runs["means"] = _backward_images_during_training(name, cfg, chosen, seed)
        runs["images"][name] = images
        runs["distance"][name] = np.linalg.norm(images - runs["means"], axis=2)
    return runs


def _draw_class_picker(fig, digit, epoch, model, runs=None):
    runs = bidirectional_runs() if runs is None else runs
    ax_back, ax_mean, ax_distance = fig.subplots(1, 3, width_ratios=[1, 1, 1.6])
    # The images, the curves' data, the marker and the titles move with the controls
    # (animated); axes, colorbar and legend stay in the cached background.
    blank = np.zeros((8, 8))
    shown = ax_back.imshow(blank, cmap="gray_r", vmin=0, vmax=1, animated=True)
    mean_shown = ax_mean.imshow(blank, cmap="gray_r", vmin=0, vmax=1, animated=True)
    back_title = ax_back.set_title(" ", fontsize=10, animated=True)
    mean_title = ax_mean.set_title(" ", fontsize=10, animated=True)
    for ax in (ax_back, ax_mean):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_animated(True)  # drawn over the (animated) image, as in a static figure
    fig.colorbar(shown, ax=[ax_back, ax_mean], shrink=0.7, label=_("ink (clipped to [0, 1])"))
    epochs = np.arange(runs["images"][model].shape[0])
    curves = {name: ax_distance.plot(epochs, runs["distance"][name][:, digit],
                                     color=MODEL_COLORS[name], label=_(name), animated=True)[0]
              for name in MODELS}
    (marker,) = ax_distance.plot([], [], "o", color="black", animated=True)
    # One y axis for every class and network: it stays put while the class moves.
    top = 1.05 * max(float(np.max(distance)) for distance in runs["distance"].values())
    ax_distance.set(xlabel=_("epoch"), ylabel=_("|backward image − class mean|"), ylim=(0, top))
    distance_title = ax_distance.set_title(" ", fontsize=10, animated=True)
    ax_distance.grid(alpha=0.3)
    # A fixed place ("best" would move with the curves, and the legend is in the background).
    legend = ax_distance.legend(fontsize=9, loc="center right")
    drawn = {"model": None}

    def update(digit, epoch, model):
        shown.set_data(np.clip(runs["images"][model][epoch, digit].reshape(8, 8), 0, 1))
        back_title.set_text(_("{model}\nbackward pass of class {digit},\nepoch {epoch}").format(
            model=_(model), digit=digit, epoch=epoch))
        mean_shown.set_data(runs["means"][digit].reshape(8, 8))
        mean_title.set_text(_("mean of the training\n8x8 images of class {digit}\n(the centroid)").format(
            digit=digit))
        for name, curve in curves.items():
            curve.set_ydata(runs["distance"][name][:, digit])
        current = runs["distance"][model][epoch, digit]
        marker.set_data([epoch], [current])
        distance_title.set_text(_("distance to the centroid of class {digit}:\n{current:.2f} now").format(
            digit=digit, current=current))
        if model == drawn["model"]:
            return False
        # Another network: its curve and its legend entry (in the background) get bold.
        drawn["model"] = model
        for name, handle in zip(MODELS, legend.legend_handles):
            for line in (curves[name], handle):
                line.set(lw=2.5 if name == model else 1.2, alpha=1 if name == model else 0.6)
        return ax_distance

    update(digit, epoch, model)
    return update


def class_picker(images=None, means=None):
    """Pick a class: its backward image next to the class mean, for three trained networks.

    By default the networks are trained here once (``bidirectional_runs``). A notebook that
    has trained them already passes ``images`` — a dict mapping each name of ``MODELS`` to its
    backward images per epoch, shape (epochs + 1, 10, 64) — and the class ``means`` (10, 64).
    """
    if (images is None) != (means is None):
        raise ValueError("pass images and means together (or neither)")
    runs = None
    if images is not None:
        if set(images) != set(MODELS):
            raise ValueError(f"images must have one entry per model: {list(MODELS)}")
        means = np.asarray(means, dtype=float)
        images = {name: np.asarray(stack, dtype=float) for name, stack in images.items()}
        for name, stack in images.items():
            if stack.ndim != 3 or stack.shape[1:] != means.shape or means.shape != (10, 64):
                raise ValueError(f"images[{name!r}] must have shape (epochs + 1, 10, 64) and "
                                 f"means shape (10, 64), got {stack.shape} and {means.shape}")
        runs = {"images": images, "means": means,
                "distance": {name: np.linalg.norm(stack - means, axis=2)
                             for name, stack in images.items()}}
    epochs = (load_sweep()["config"]["epochs"] if runs is None
              else runs["images"][MODELS[0]].shape[0] - 1)
    return Explorer(
        title=N_("Lesson 11: the backward pass of a one-hot class"),
        draw=partial(_draw_class_picker, runs=runs),
        controls={
            "digit": Slider(0, 9, 3, integer=True, label=N_("class")),
            "epoch": Slider(0, epochs, epochs, integer=True, label=N_("epoch")),
            "model": Choice(MODELS, "bidirectional", label=N_("network")),
        },
        figsize=(9.6, 4.4),
        margins=dict(left=0.02, right=0.98, bottom=0.12, top=0.82, wspace=0.3),
    )


EXPLORERS = {
    "accept_region": accept_region,
    "learning_curves": learning_curves,
    "class_picker": class_picker,
}
