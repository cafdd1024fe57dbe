"""Lesson 04's explorers: learning rate and schedule, batch size, hidden units — on 2-D sets.

Each explorer trains a small network on a small 2-D data set, so that its decision boundary
can be drawn, and caches every run by its control values (``functools.lru_cache``): moving a
control back to a value seen before redraws at once. All runs are seeded.

- ``learning_rate``: 3 spiral arms, a 2-24-3 tanh network, 60 epochs of mini-batches of 10,
  the learning rate eta_0 and its schedule (the lecture's section 5 uses the same setup);
- ``batch_size``: two moons, a 2-16-2 tanh network, 30 epochs with eta = 0.2;
- ``hidden_units``: two noisy circles with only 30 training points, a 2-H-2 tanh network,
  300 epochs of batches of 10 (the lecture's section 6 uses the same setup).

``decision_boundary`` draws any network's classes over the plane; the lecture uses it too.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np

from minibp import data
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import fit

from . import Choice, Explorer, Slider

CLASS_COLORS = ((0.12, 0.47, 0.71), (0.84, 0.15, 0.16), (0.17, 0.63, 0.17), (0.58, 0.40, 0.74))
SCHEDULE_OPTIONS = {
    "constant": {},
    "step": {"drop": 0.5, "every": 15},
    "inverse_time": {"decay": 0.1},
    "exponential": {"decay": 0.05},
}
SCHEDULE_EPOCHS = 60
BATCH_SIZES = (1, 3, 10, 30, 90)
BATCH_EPOCHS = 30
HIDDEN_UNITS = (1, 2, 4, 16, 64)
CAPACITY_EPOCHS = 300


def decision_boundary(ax, network, X, labels, resolution=80, margin=0.35, confidence=True,
                      point_size=18, point_alpha=1.0, limits=None):
    """Colour the plane by the class the network predicts, and draw the points on top.

    ``network``: 2 inputs; one sigmoid output (class 1 when y >= 0.5) or one output per class
    (the largest wins). ``X``: (N, 2) points, ``labels``: (N,) their classes. With
    ``confidence`` the colour fades to white where the prediction is unsure (the winning
    probability near chance). ``limits``: ((x_min, x_max), (y_min, y_max)), else from X.
    Returns the limits used, so that several panels can share them.
    """
    X, labels = np.asarray(X, dtype=np.float64), np.asarray(labels)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) to be drawn in the plane, got {X.shape}")
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    if limits is None:
        low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
        limits = ((low[0], high[0]), (low[1], high[1]))
    (x_min, x_max), (y_min, y_max) = limits
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    Y = network.predict(np.column_stack([xx.ravel(), yy.ravel()]))
    if not np.all(np.isfinite(Y)):  # say so, rather than draw an empty plane
        ax.text(0.5, 0.5, "the network's outputs are not numbers (NaN or inf):\nnothing to draw",
                transform=ax.transAxes, ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="round", facecolor="lightyellow", edgecolor="0.6"))
        ax.set(xlim=(x_min, x_max), ylim=(y_min, y_max))
        return limits
    if Y.shape[1] == 1:
        Y = np.column_stack([1.0 - Y[:, 0], Y[:, 0]])  # one sigmoid unit: p(class 1) = y
    n_classes = Y.shape[1]
    winner = Y.argmax(axis=1)
    sure = (Y.max(axis=1) - 1.0 / n_classes) / (1.0 - 1.0 / n_classes) if confidence else 1.0
    colors = np.array(CLASS_COLORS * (n_classes // len(CLASS_COLORS) + 1))[:n_classes]
    strength = 0.55 * np.clip(sure, 0.0, 1.0)[:, None]
    rgb = (1.0 - strength) + strength * colors[winner]  # white blended toward the class colour
    ax.imshow(rgb.reshape(resolution, resolution, 3), origin="lower", aspect="auto",
              extent=(x_min, x_max, y_min, y_max), interpolation="bilinear")
    if n_classes == 2:
        ax.contour(xx, yy, winner.reshape(xx.shape), levels=[0.5], colors="black", linewidths=1.0)
    ax.scatter(X[:, 0], X[:, 1], c=colors[labels.astype(int)], s=point_size, edgecolors="black",
               linewidths=0.5, alpha=point_alpha)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xticks([])
    ax.set_yticks([])
    return limits


def _frozen(*arrays):
    for array in arrays:
        array.setflags(write=False)  # cached and shared: nobody may change them
    return arrays


# --- the three problems ---------------------------------------------------------------------
@cache
def spirals_problem():
    """3 spiral arms, 240 points: (X_train (180, 2), labels_train, X_val (60, 2), labels_val)."""
    X, labels = data.spirals(240, n_classes=3, noise=0.2, rng=0)
    return _frozen(*data.train_val_split(X, labels, val_fraction=0.25, rng=0))


@cache
def moons_problem():
    """Two moons, 120 points: (X_train (90, 2), labels_train, X_val (30, 2), labels_val)."""
    X, labels = data.moons(120, noise=0.15, rng=0)
    return _frozen(*data.train_val_split(X, labels, val_fraction=0.25, rng=0))


@cache
def circles_problem():
    """Two noisy circles, only 30 training points: (X_train (30, 2), labels, X_val (300, 2), labels).

    ``data.circles`` shuffles its rows, so the first 30 are a random sample of the 330.
    """
    X, labels = data.circles(330, noise=0.25, factor=0.5, rng=2)
    return _frozen(X[:30].copy(), labels[:30].copy(), X[30:].copy(), labels[30:].copy())


def _fit(problem, network, learning_rate, epochs, batch_size, schedule="constant"):
    X, labels, X_val, labels_val = problem
    n_classes = network.sizes[-1]
    optimizer = SGD(learning_rate, schedule, SCHEDULE_OPTIONS[schedule])
    history = fit(network, X, data.one_hot(labels, n_classes), "cross_entropy", optimizer,
                  epochs=epochs, batch_size=batch_size, rng=0, on_divergence="stop",
                  validation=(X_val, data.one_hot(labels_val, n_classes)))
    return network, history


# --- the cached runs (each returns the trained network and its History) ----------------------
@lru_cache(maxsize=256)
def schedule_run(learning_rate, schedule="constant"):
    """Spirals, 2-24-3 tanh/softmax, 60 epochs of batches of 10 from eta_0 with a schedule."""
    network = Network([2, 24, 3], activation="tanh", output_activation="softmax", rng=0)
    return _fit(spirals_problem(), network, learning_rate, SCHEDULE_EPOCHS, 10, schedule)


@lru_cache(maxsize=64)
def batch_run(batch_size):
    """Moons, 2-16-2 tanh/softmax (He init), 30 epochs, eta = 0.2, batches of ``batch_size``."""
    network = Network([2, 16, 2], activation="tanh", output_activation="softmax",
                      init="he_normal", rng=0)
    return _fit(moons_problem(), network, 0.2, BATCH_EPOCHS, batch_size)


@lru_cache(maxsize=64)
def capacity_run(hidden_units):
    """Circles (30 training points), 2-H-2 tanh/softmax (He init), 300 epochs, batches of 10."""
    network = Network([2, hidden_units, 2], activation="tanh", output_activation="softmax",
                      init="he_normal", rng=0)
    return _fit(circles_problem(), network, 1.0, CAPACITY_EPOCHS, 10)


# --- drawing --------------------------------------------------------------------------------
def _curves(ax, history, title, keys=("loss", "val_loss"), labels=("training", "validation")):
    for key, label, style in zip(keys, labels, ("-", "--")):
        ax.plot(history["epoch"], history[key], style, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss (log scale)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(title, fontsize=10)


def _draw_learning_rate(fig, learning_rate, schedule):
    network, history = schedule_run(learning_rate, schedule)
    X, labels, _, _ = spirals_problem()
    # The loss and the learning rate stacked on the left, the decision boundary on the right.
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1.0])
    ax_loss, ax_rate = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    ax_map = fig.add_subplot(grid[:, 1])
    _curves(ax_loss, history, f"η₀ = {learning_rate:.3g}, schedule: {schedule}")
    epochs = history["epoch"][1:]
    ax_rate.plot(epochs, history["learning_rate"][1:], color="tab:purple")
    ax_rate.set_yscale("log")
    ax_rate.set_xlabel("epoch")
    ax_rate.set_ylabel("learning rate ηₖ (log scale)")
    ax_rate.set_title("the learning rate of each epoch", fontsize=10)
    ax_rate.grid(alpha=0.3)
    decision_boundary(ax_map, network, X, labels, point_size=12)
    if history.stopped:
        ax_map.set_title("training stopped: diverged", fontsize=10, color="darkred")
    else:
        ax_map.set_title(f"after {history.epoch[-1]} epochs: validation accuracy "
                         f"{history.val_accuracy[-1]:.2f}", fontsize=10)


def learning_rate():
    """Learning rate eta_0 and schedule -> loss curves, eta_k per epoch, decision boundary."""
    return Explorer(
        title="Lesson 04: learning rate and schedule (3 spiral arms, batches of 10)",
        draw=_draw_learning_rate,
        controls={
            "learning_rate": Slider(0.01, 30.0, 1.0, step=0.1, label="learning rate η₀", log=True),
            "schedule": Choice(tuple(SCHEDULE_OPTIONS), "constant", label="schedule"),
        },
        figsize=(9.6, 6.4),
        margins=dict(left=0.1, right=0.98, bottom=0.08, top=0.94, wspace=0.2, hspace=0.45),
    )


def _draw_batch_size(fig, batch_size):
    network, history = batch_run(batch_size)
    X, labels, _, _ = moons_problem()
    # Loss per epoch and per update stacked on the left, the decision boundary on the right.
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1.0])
    ax_epochs, ax_updates = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    ax_map = fig.add_subplot(grid[:, 1])
    for size, style in ((1, ":"), (BATCH_SIZES[-1], "--")):  # online and full batch, for reference
        if size != batch_size:
            _, reference = batch_run(size)
            name = "online (1)" if size == 1 else f"full batch ({size})"
            ax_epochs.plot(reference["epoch"], reference["loss"], style, color="gray", label=name)
            ax_updates.plot(np.maximum(reference["updates"], 1), reference["loss"], style,
                            color="gray", label=name)
    label = f"batch size {batch_size}"
    ax_epochs.plot(history["epoch"], history["loss"], "-", color="tab:blue", lw=2, label=label)
    ax_updates.plot(np.maximum(history["updates"], 1), history["loss"], "-", color="tab:blue",
                    lw=2, label=label)
    for ax, xlabel, title in ((ax_epochs, "epoch", "per epoch (every example once)"),
                              (ax_updates, "updates (log scale)", "per update (weight change)")):
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("training loss (log scale)")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    ax_updates.set_xscale("log")
    decision_boundary(ax_map, network, X, labels)
    ax_map.set_title(f"{history.updates[-1]} updates in {BATCH_EPOCHS} epochs: "
                     f"accuracy {history.accuracy[-1]:.2f}", fontsize=10)


def batch_size():
    """Batch size -> training loss per epoch and per update, and the decision boundary."""
    return Explorer(
        title=f"Lesson 04: batch size (two moons, 90 training points, η = 0.2, {BATCH_EPOCHS} epochs)",
        draw=_draw_batch_size,
        controls={"batch_size": Choice(BATCH_SIZES, 10, label="batch size")},
        figsize=(9.6, 6.4),
        margins=dict(left=0.1, right=0.98, bottom=0.08, top=0.94, wspace=0.2, hspace=0.45),
    )


def _draw_hidden_units(fig, hidden_units):
    network, history = capacity_run(hidden_units)
    X, labels, X_val, labels_val = circles_problem()
    ax_curves, ax_map = fig.subplots(1, 2, width_ratios=[1.2, 1.0])
    ax_curves.plot(history["epoch"], history["accuracy"], label="training (30 points)")
    ax_curves.plot(history["epoch"], history["val_accuracy"], label="validation (300 points)")
    ax_curves.set_ylim(0.3, 1.02)
    ax_curves.set_xlabel("epoch")
    ax_curves.set_ylabel("accuracy")
    ax_curves.grid(alpha=0.3)
    ax_curves.legend(fontsize=9, loc="lower right")
    best = int(np.argmax(history["val_accuracy"]))
    ax_curves.set_title(f"{hidden_units} hidden unit(s): best validation accuracy "
                        f"{history.val_accuracy[best]:.2f} at epoch {best}", fontsize=10)
    limits = decision_boundary(ax_map, network, X_val, labels_val, point_size=8, point_alpha=0.35)
    decision_boundary(ax_map, network, X, labels, point_size=30, limits=limits)
    ax_map.set_title(f"accuracy: training {history.accuracy[-1]:.2f}, validation "
                     f"{history.val_accuracy[-1]:.2f}\n(large dots: the 30 training points)",
                     fontsize=10)


def hidden_units():
    """Number of hidden units -> training and validation accuracy, and the decision boundary."""
    return Explorer(
        title="Lesson 04: how many hidden units? (two noisy circles, 30 training points)",
        draw=_draw_hidden_units,
        controls={"hidden_units": Choice(HIDDEN_UNITS, 4, label="hidden units")},
        figsize=(9.6, 4.6),
        margins=dict(left=0.08, right=0.98, bottom=0.12, top=0.86, wspace=0.15),
    )


EXPLORERS = {"learning_rate": learning_rate, "batch_size": batch_size, "hidden_units": hidden_units}
