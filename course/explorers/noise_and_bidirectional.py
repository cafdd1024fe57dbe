"""Lesson 11's explorers: where NEM noise is accepted, what it does to training, and what a
bidirectionally trained classifier's backward pass draws for each class.

- ``accept_region``: the NEM test in 2-D — the half-plane (classification) and the disk
  (regression) of accepted noisy targets, the annealed noise level v0 / k^tau and the fraction
  accepted per epoch. Everything is computed from one fixed cloud of standard normal points,
  scaled by sqrt(v_k): instant.
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

from minibp import bidirectional, data, noise
from minibp.optimizers import SGD

from . import Choice, Explorer, Slider

SWEEP_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "noise_sweep.json"
COLORS = {"none": "0.25", "blind": "tab:orange", "nem": "tab:blue"}
LABELS = {"none": "no noise", "blind": "blind noise", "nem": "NEM noise"}
MODELS = ("forward only", "bidirectional", "bidirectional + NEM noise")
MODEL_COLORS = dict(zip(MODELS, ("0.25", "tab:green", "tab:blue")))
EPOCHS_SHOWN = 40  # the accept-region explorer's epoch axis


@lru_cache(maxsize=2)
def load_sweep(path=None):
    """The results of ``benchmarks/noise_sweep.py`` (a dict; see that script's docstring)."""
    path = Path(path) if path is not None else SWEEP_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python benchmarks/noise_sweep.py` "
                                "from the repository's root to make it")
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


def _accepted(kind, noise_points, t, a):
    T = np.broadcast_to(t, noise_points.shape)
    A = np.broadcast_to(a, noise_points.shape)
    return noise.nem_condition(kind, noise_points, T, A)


@lru_cache(maxsize=256)
def accepted_fraction_by_epoch(kind, v0, tau, output, epochs=EPOCHS_SHOWN):
    """Fraction of Gaussian noise accepted in epoch k = 1..epochs (2-D, t = (1, 0)).

    Estimated on the fixed cloud of 20 000 standard normal points, scaled by sqrt(v_k).
    """
    t, a = np.array([1.0, 0.0]), np.array([output, 1.0 - output])
    cloud = _standard_cloud()
    sigmas = np.sqrt(noise.annealed_variance(v0, tau, np.arange(1, epochs + 1)))
    return np.array([_accepted(kind, s * cloud, t, a).mean() for s in sigmas])


def _draw_region(ax, kind, sigma, t, a):
    """One accept region: the cloud of noisy targets t + n, the boundary, t and a."""
    from matplotlib.patches import Circle, Polygon

    cloud = sigma * _standard_cloud()[:500]
    passed = _accepted(kind, cloud, t, a)
    # The window: the target, the output and most of the cloud, square.
    half = max(3.2 * sigma, 0.6 * np.linalg.norm(a - t) + 0.25, 0.35)
    centre = t if kind == "classification" else (t + a) / 2
    lo, hi = centre - half, centre + half
    # The region the test accepts, drawn exactly (the dots are tested one by one): for
    # classification the half-plane n . ln a >= 0 beyond the line through t; for regression
    # the disk around a through t.
    region = dict(facecolor=(0.17, 0.63, 0.17, 0.12), edgecolor="tab:green", lw=1.5)
    if kind == "classification":
        u = np.log(a) / np.linalg.norm(np.log(a))  # points into the half-plane
        along, far = np.array([-u[1], u[0]]), 10.0 * half  # far: well beyond the window
        corners = [t + far * along, t - far * along, t - far * along + 2 * far * u,
                   t + far * along + 2 * far * u]
        ax.add_patch(Polygon(corners, closed=True, **region))
    else:
        ax.add_patch(Circle(a, np.linalg.norm(t - a), **region))
    ax.scatter(*(t + cloud[passed]).T, s=5, color="tab:green", label="t + n accepted")
    ax.scatter(*(t + cloud[~passed]).T, s=5, color="tab:red", alpha=0.5, label="t + n rejected")
    ax.plot([0, 1], [1, 0], ls="--", color="0.6", lw=1, label="outputs (p, 1 - p)")
    ax.plot(*t, marker="*", ms=14, color="black", ls="none", label="target t")
    ax.plot(*a, marker="o", ms=8, color="tab:purple", ls="none", label="output a")
    if kind == "classification":
        normal = np.log(a)
        ax.annotate("", xy=t + 0.45 * half * normal / np.linalg.norm(normal), xytext=t,
                    arrowprops=dict(arrowstyle="-|>", color="darkgreen", lw=2.5), zorder=6)
        rule = "n · ln a ≥ 0 (arrow: ln a)"
    else:
        rule = "‖t + n − a‖ ≤ ‖t − a‖"
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), aspect="equal", xlabel="target entry 1",
           ylabel="target entry 2")
    ax.set_title(f"{kind}: accept if {rule}\n{passed.mean():.0%} of these draws accepted",
                 fontsize=10)


def _draw_accept_region(fig, v0, tau, epoch, output):
    # The two accept regions above, annealing below: four panels in a row would not fit 9.6 in.
    (ax_class, ax_regr), (ax_sigma, ax_fraction) = fig.subplots(2, 2, height_ratios=[1.25, 1])
    t, a = np.array([1.0, 0.0]), np.array([output, 1.0 - output])
    sigma = float(np.sqrt(noise.annealed_variance(v0, tau, epoch)))
    _draw_region(ax_class, "classification", sigma, t, a)
    _draw_region(ax_regr, "regression", sigma, t, a)
    handles, labels = ax_class.get_legend_handles_labels()
    fig.legend(handles, labels, loc="center", bbox_to_anchor=(0.5, 0.475), ncols=5, fontsize=9,
               markerscale=1.5, handletextpad=0.4, columnspacing=1.2)

    epochs = np.arange(1, EPOCHS_SHOWN + 1)
    sigmas = np.sqrt(noise.annealed_variance(v0, tau, epochs))
    ax_sigma.plot(epochs, sigmas, color="tab:blue")
    ax_sigma.plot(epoch, sigma, "o", color="tab:blue")
    ax_sigma.set(xlabel="epoch k", ylabel="noise std √vₖ", ylim=(0, None))
    ax_sigma.set_title(f"vₖ = v₀ / k^τ: v₀ = {v0:.2g}, τ = {tau:g}\n"
                       f"epoch {epoch}: √vₖ = {sigma:.2g}", fontsize=10)
    ax_sigma.grid(alpha=0.3)

    for kind, color in (("classification", "tab:green"), ("regression", "tab:olive")):
        fractions = accepted_fraction_by_epoch(kind, v0, tau, output)
        ax_fraction.plot(epochs, fractions, color=color, label=kind)
        ax_fraction.plot(epoch, fractions[epoch - 1], "o", color=color)
    ax_fraction.set(xlabel="epoch k", ylabel="fraction of noise accepted", ylim=(0, 1.02))
    ax_fraction.set_title("accepted fraction per epoch\n(20 000 draws each)", fontsize=10)
    ax_fraction.grid(alpha=0.3)
    ax_fraction.legend(fontsize=9)


def accept_region():
    """The NEM accept regions in 2-D (classification and regression) and how annealing moves them."""
    return Explorer(
        title="Lesson 11: where NEM noise is accepted",
        draw=_draw_accept_region,
        controls={
            "v0": Slider(1e-4, 1.0, 0.1, step=0.25, log=True, label="v0"),
            "tau": Slider(0.0, 3.0, 1.0, step=0.5, label="tau"),
            "epoch": Slider(1, EPOCHS_SHOWN, 1, integer=True, label="epoch k"),
            "output": Slider(0.05, 0.95, 0.7, step=0.05, label="output a_1"),
        },
        figsize=(9.6, 8.6),
        margins=dict(left=0.09, right=0.98, bottom=0.07, top=0.93, wspace=0.3, hspace=0.55),
    )


# --- 2. learning curves from the sweep ------------------------------------------------------------
def _mean_and_spread(curves):
    curves = np.asarray(curves, dtype=float)
    return curves.mean(axis=0), curves.std(axis=0)


def _draw_learning_curves(fig, v0, tau):
    sweep = load_sweep()
    seeds = sweep["config"]["grid"]["seeds"]
    ax_loss, ax_change, ax_fraction = fig.subplots(1, 3)
    entries = {c: grid_entry(sweep, c, v0, tau) for c in ("none", "blind", "nem")}
    baseline = np.asarray(entries["none"]["loss"])
    epochs = np.arange(baseline.shape[1])
    for condition, entry in entries.items():
        mean, std = _mean_and_spread(entry["loss"])
        ax_loss.plot(epochs, mean, color=COLORS[condition], label=LABELS[condition])
        ax_loss.fill_between(epochs, mean - std, mean + std, color=COLORS[condition], alpha=0.15)
        if condition != "none":
            change = 100 * (np.asarray(entry["loss"]) / baseline - 1)
            mean, std = _mean_and_spread(change)
            ax_change.plot(epochs, mean, color=COLORS[condition], label=LABELS[condition])
            ax_change.fill_between(epochs, mean - std, mean + std, color=COLORS[condition],
                                   alpha=0.15)
            fraction = entry["accepted_mean"]
            ax_fraction.plot(np.arange(1, len(fraction) + 1), fraction, color=COLORS[condition],
                             ls="--" if condition == "blind" else "-",
                             label=LABELS[condition] + (" (would pass)" if condition == "blind"
                                                        else ""))
    ax_loss.set(xlabel="epoch", ylabel="training cross-entropy (clean targets)")
    ax_loss.set_title(f"v0 = {v0:g}, tau = {tau:g}:\nmean ± std over {len(seeds)} seeds",
                      fontsize=10)
    ax_change.axhline(0, color="0.25", lw=1)
    ax_change.set(xlabel="epoch", ylabel="change vs no noise, same seed (%)")
    ax_change.set_title("paired change in\ntraining cross-entropy", fontsize=10)
    ax_fraction.set(xlabel="epoch", ylabel="fraction of noise draws passing the test",
                    ylim=(0, 1))
    ax_fraction.set_title("accepted fraction\n(mean over seeds)", fontsize=10)
    for ax in (ax_loss, ax_change, ax_fraction):
        ax.grid(alpha=0.3)
    # Under the panels: the curves of some grid points fill every corner of them.
    for ax in (ax_loss, ax_change, ax_fraction):
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.17))


def learning_curves():
    """The committed sweep's learning curves for one grid point (v0, tau)."""
    sweep = load_sweep()
    grid, chosen = sweep["config"]["grid"], sweep["chosen"]
    return Explorer(
        title="Lesson 11: no noise, blind noise and NEM noise on 250 digits (committed sweep)",
        draw=_draw_learning_curves,
        controls={
            "v0": Choice(tuple(grid["v0"]), chosen["v0"], label="v0"),
            "tau": Choice(tuple(grid["tau"]), chosen["tau"], label="tau"),
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
    image = runs["images"][model][epoch, digit].reshape(8, 8)
    mean = runs["means"][digit].reshape(8, 8)
    ax_back, ax_mean, ax_distance = fig.subplots(1, 3, width_ratios=[1, 1, 1.6])
    shown = ax_back.imshow(np.clip(image, 0, 1), cmap="gray_r", vmin=0, vmax=1)
    ax_back.set_title(f"{model}\nbackward pass of class {digit},\nepoch {epoch}", fontsize=10)
    ax_mean.imshow(mean, cmap="gray_r", vmin=0, vmax=1)
    ax_mean.set_title(f"mean of the training\n8x8 images of class {digit}\n(the centroid)",
                      fontsize=10)
    for ax in (ax_back, ax_mean):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=[ax_back, ax_mean], shrink=0.7, label="ink (clipped to [0, 1])")
    epochs = np.arange(runs["images"][model].shape[0])
    for name in MODELS:
        distance = runs["distance"][name][:, digit]
        ax_distance.plot(epochs, distance, lw=2.5 if name == model else 1.2, color=MODEL_COLORS[name],
                         alpha=1 if name == model else 0.6, label=name)
    current = runs["distance"][model][epoch, digit]
    ax_distance.plot(epoch, current, "o", color="black")
    ax_distance.set(xlabel="epoch", ylabel="|backward image − class mean|", ylim=(0, None))
    ax_distance.set_title(f"distance to the centroid of class {digit}:\n{current:.2f} now",
                          fontsize=10)
    ax_distance.grid(alpha=0.3)
    ax_distance.legend(fontsize=9)


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
        title="Lesson 11: the backward pass of a one-hot class",
        draw=partial(_draw_class_picker, runs=runs),
        controls={
            "digit": Slider(0, 9, 3, integer=True, label="class"),
            "epoch": Slider(0, epochs, epochs, integer=True, label="epoch"),
            "model": Choice(MODELS, "bidirectional", label="network"),
        },
        figsize=(9.6, 4.4),
        margins=dict(left=0.02, right=0.98, bottom=0.12, top=0.82, wspace=0.3),
    )


EXPLORERS = {
    "accept_region": accept_region,
    "learning_curves": learning_curves,
    "class_picker": class_picker,
}
