"""Lesson 04's explorers: learning rate and schedule, batch size, hidden units — on 2-D sets.

Each explorer trains a small network on a small 2-D data set, so that its decision boundary
can be drawn, and caches every run by its control values (``functools.lru_cache``): moving a
control back to a value seen before redraws at once. All runs are seeded. A move redraws only
the run's curves, the titles that quote its numbers and its decision boundary; the axes keep
their limits unless the new curves leave them.

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

from course.i18n import N_, _
from minibp import data
from minibp.network import Network
from minibp.optimizers import SGD
from minibp.training import fit

from . import REBUILD, Choice, Explorer, Slider, rescaled

CLASS_COLORS = ((0.12, 0.47, 0.71), (0.84, 0.15, 0.16), (0.17, 0.63, 0.17), (0.58, 0.40, 0.74))
SCHEDULE_OPTIONS = {  # the keys are minibp's schedule names and the explorer's options (N_)
    N_("constant"): {},
    N_("step"): {"drop": 0.5, "every": 15},
    N_("inverse_time"): {"decay": 0.1},
    N_("exponential"): {"decay": 0.05},
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
    X, labels = _points(X, labels)
    limits = _margins(X, margin) if limits is None else limits
    plane = _Plane(network, limits, resolution, confidence)
    if plane.rgb is None:
        _not_numbers(ax, limits)
        return limits
    plane.draw(ax)
    ax.scatter(X[:, 0], X[:, 1], c=plane.colors[labels.astype(int)], s=point_size,
               edgecolors="black", linewidths=0.5, alpha=point_alpha)
    return limits


def _points(X, labels):
    X, labels = np.asarray(X, dtype=np.float64), np.asarray(labels)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) to be drawn in the plane, got {X.shape}")
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    return X, labels


def _not_numbers(ax, limits):
    """Say that the network's outputs are not numbers, rather than draw an empty plane."""
    ax.text(0.5, 0.5, _("the network's outputs are not numbers (NaN or inf):\nnothing to draw"),
            transform=ax.transAxes, ha="center", va="center", fontsize=11,
            bbox=dict(boxstyle="round", facecolor="lightyellow", edgecolor="0.6"))
    ax.set(xlim=limits[0], ylim=limits[1])


class _Plane:
    """What ``decision_boundary`` colours: the network's classes over a grid of the plane.

    ``rgb``: (resolution, resolution, 4) RGBA bytes, None when an output is not a number;
    ``winner``: the winning class per grid point; ``colors``: one colour per class."""

    def __init__(self, network, limits, resolution=80, confidence=True):
        (x_min, x_max), (y_min, y_max) = self.limits = limits
        self.xx, self.yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                                       np.linspace(y_min, y_max, resolution))
        Y = network.predict(np.column_stack([self.xx.ravel(), self.yy.ravel()]))
        n_classes = max(Y.shape[1], 2)  # one sigmoid unit: two classes
        self.colors = np.array(CLASS_COLORS * (n_classes // len(CLASS_COLORS) + 1))[:n_classes]
        self.rgb = self.winner = None
        if not np.all(np.isfinite(Y)):
            return
        if Y.shape[1] == 1:
            Y = np.column_stack([1.0 - Y[:, 0], Y[:, 0]])  # one sigmoid unit: p(class 1) = y
        winner = Y.argmax(axis=1)
        sure = (Y.max(axis=1) - 1.0 / n_classes) / (1.0 - 1.0 / n_classes) if confidence else 1.0
        strength = 0.55 * np.clip(sure, 0.0, 1.0)[:, None]
        rgb = (1.0 - strength) + strength * self.colors[winner]  # white blended toward the class colour
        # As RGBA bytes: matplotlib scales those to the axes twice as fast as RGB floats.
        rgba = np.full((resolution * resolution, 4), 255, dtype=np.uint8)
        rgba[:, :3] = np.rint(255 * rgb)
        self.rgb, self.winner = rgba.reshape(resolution, resolution, 4), winner.reshape(self.xx.shape)

    def draw(self, ax, animated=False):
        """The coloured plane and, for two classes, the boundary between them (else None)."""
        (x_min, x_max), (y_min, y_max) = self.limits
        image = ax.imshow(self.rgb, origin="lower", aspect="auto", extent=(x_min, x_max, y_min, y_max),
                          interpolation="bilinear", animated=animated)
        contour = self.contour(ax, animated) if len(self.colors) == 2 else None
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(y_min, y_max)
        ax.set_xticks([])
        ax.set_yticks([])
        return image, contour

    def contour(self, ax, animated=False):
        return ax.contour(self.xx, self.yy, self.winner, levels=[0.5], colors="black",
                          linewidths=1.0, animated=animated)


def _live_map(ax, network, points, limits):
    """``decision_boundary``'s picture for an explorer whose network moves with its controls.

    ``points``: [(X, labels, point_size, point_alpha), ...], drawn in this order over one plane.
    Plane, boundary and points are animated (the points must stay on top of the plane), and so
    are the frame's spines, which a static figure draws over the plane. Returns
    ``show(network)``, which colours the plane for another network and returns False, or
    ``REBUILD`` when that network's outputs are not numbers (the figure then says so afresh).
    Returns None, having said so, if this network's outputs are not numbers already.
    """
    plane = _Plane(network, limits)
    if plane.rgb is None:
        _not_numbers(ax, limits)
        return None
    image, contour = plane.draw(ax, animated=True)
    for X, labels, size, alpha in points:
        X, labels = _points(X, labels)
        ax.scatter(X[:, 0], X[:, 1], c=plane.colors[labels.astype(int)], s=size,
                   edgecolors="black", linewidths=0.5, alpha=alpha, animated=True)
    for spine in ax.spines.values():
        spine.set_animated(True)

    def show(network):
        plane = _Plane(network, limits)
        if plane.rgb is None:
            return REBUILD
        image.set_data(plane.rgb)
        if contour is not None:  # matplotlib draws contours only afresh: take over the new paths
            fresh = plane.contour(ax)
            contour.set_paths(fresh.get_paths())
            fresh.remove()
        return False

    return show


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
# Each explorer draws its axes, labels and legends once; what a move changes (curves, titles
# that quote numbers, the decision boundary) is animated and redrawn alone (see the package's
# docstring). Axis limits hold while the curves stay inside them, so that most moves leave
# the axes' ticks as they are.
def _loss_limits(*values):
    """Log-axis limits for losses: down to a power of ten, up to 1, 2 or 5 times one, at least
    10 % beyond the finite ``values``. They change only when a curve crosses such a round
    number (every loss starts near 1), so that most moves keep the axis as it is."""
    values = np.concatenate([np.ravel(v) for v in values])
    values = values[np.isfinite(values) & (values > 0)]
    tops = np.array([step * 10.0 ** power for power in range(-3, 4) for step in (1, 2, 5)])
    return 10.0 ** np.floor(np.log10(values.min() / 1.1)), tops[tops >= values.max() * 1.1].min()


def _margins(X, margin=0.35):
    """decision_boundary's limits around the points X."""
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    return (low[0], high[0]), (low[1], high[1])


def _epoch_limits(first, last):
    """The x limits that autoscaling gives a full run's epochs, kept when a run stops early."""
    return first - 0.05 * (last - first), last + 0.05 * (last - first)


def _set_limits(ax, xlim=None, ylim=None):
    """Set the limits that differ; True if any did (the panel's ticks then change too)."""
    changed = False
    for limits, get, put in ((xlim, ax.get_xlim, ax.set_xlim), (ylim, ax.get_ylim, ax.set_ylim)):
        if limits is not None and tuple(get()) != tuple(limits):
            put(limits)
            changed = True
    return changed


def _draw_learning_rate(fig, learning_rate, schedule):
    X, labels = spirals_problem()[:2]
    # The loss and the learning rate stacked on the left, the decision boundary on the right.
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1.0])
    ax_loss, ax_rate = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    ax_map = fig.add_subplot(grid[:, 1])
    losses = [ax_loss.plot([], [], style, label=_(label), animated=True)[0]
              for label, style in ((N_("training"), "-"), (N_("validation"), "--"))]
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(_epoch_limits(0, SCHEDULE_EPOCHS))
    ax_loss.set_xlabel(_("epoch"))
    ax_loss.set_ylabel(_("cross-entropy loss (log scale)"))
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(fontsize=9, loc="lower left")  # where no run's curves go
    loss_title = ax_loss.set_title("", fontsize=10)
    (rates,) = ax_rate.plot([], [], color="tab:purple", animated=True)
    ax_rate.set_yscale("log")
    ax_rate.set_xlim(_epoch_limits(1, SCHEDULE_EPOCHS))
    ax_rate.set_xlabel(_("epoch"))
    ax_rate.set_ylabel(_("learning rate ηₖ (log scale)"))
    ax_rate.set_title(_("the learning rate of each epoch"), fontsize=10)
    ax_rate.grid(alpha=0.3)
    network = schedule_run(learning_rate, schedule)[0]
    show_map = _live_map(ax_map, network, [(X, labels, 12, 1.0)], _margins(X))
    map_title = ax_map.set_title("", fontsize=10)
    for text in (loss_title, map_title):
        text.set_animated(True)

    def update(learning_rate, schedule):
        network, history = schedule_run(learning_rate, schedule)
        loss, val_loss = history["loss"], history["val_loss"]
        losses[0].set_data(history["epoch"], loss)
        losses[1].set_data(history["epoch"], val_loss)
        loss_title.set_text(_("η₀ = {eta:.3g}, schedule: {schedule}").format(
            eta=learning_rate, schedule=_(schedule)))
        epochs, eta = history["epoch"][1:], history["learning_rate"][1:]
        rates.set_data(epochs, eta)
        if history.stopped:
            map_title.set(text=_("training stopped: diverged"), color="darkred")
        else:
            map_title.set(text=_("after {epochs} epochs: validation accuracy {accuracy:.2f}").format(
                epochs=history.epoch[-1], accuracy=history.val_accuracy[-1]), color="black")
        if show_map is None or show_map(network) is REBUILD:
            return REBUILD
        # The rates fall from eta_0 by at most 20 times: three decades below the power of ten
        # above eta_0 hold them, whatever the schedule.
        top = 10.0 ** np.ceil(np.log10(1.25 * learning_rate))
        moved = [_set_limits(ax_loss, ylim=_loss_limits(loss, val_loss)),
                 _set_limits(ax_rate, ylim=(top / 1000, top))]
        return [ax for ax, changed in zip((ax_loss, ax_rate), moved) if changed] or False

    update(learning_rate, schedule)
    return update


def learning_rate():
    """Learning rate eta_0 and schedule -> loss curves, eta_k per epoch, decision boundary."""
    return Explorer(
        title=N_("Lesson 04: learning rate and schedule (3 spiral arms, batches of 10)"),
        draw=_draw_learning_rate,
        controls={
            "learning_rate": Slider(0.01, 30.0, 1.0, step=0.1, label=N_("learning rate η₀"), log=True),
            "schedule": Choice(tuple(SCHEDULE_OPTIONS), "constant", label=N_("schedule")),
        },
        figsize=(9.6, 6.4),
        margins=dict(left=0.1, right=0.98, bottom=0.08, top=0.94, wspace=0.2, hspace=0.45),
    )


def _draw_batch_size(fig, batch_size):
    X, labels = moons_problem()[:2]
    # Loss per epoch and per update stacked on the left, the decision boundary on the right.
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1.0])
    ax_epochs, ax_updates = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    ax_map = fig.add_subplot(grid[:, 1])
    # Online and full batch for reference, always (your batch size may draw over one of them):
    # every batch size's loss starts where theirs do and stays above online's lowest, within
    # their updates, so the axes stay put as the batch size changes.
    for size, style in ((1, ":"), (BATCH_SIZES[-1], "--")):
        reference = batch_run(size)[1]
        name = _("online (1)") if size == 1 else _("full batch ({size})").format(size=size)
        ax_epochs.plot(reference["epoch"], reference["loss"], style, color="gray", label=name)
        ax_updates.plot(np.maximum(reference["updates"], 1), reference["loss"], style,
                        color="gray", label=name)
    yours = [ax.plot([], [], "-", color="tab:blue", lw=2, label=_("your batch size"), animated=True)[0]
             for ax in (ax_epochs, ax_updates)]
    for ax, xlabel, title in ((ax_epochs, _("epoch"), _("per epoch (every example once)")),
                              (ax_updates, _("updates (log scale)"), _("per update (weight change)"))):
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(_("training loss (log scale)"))
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="lower left")  # fixed, where no curve goes
    ax_updates.set_xscale("log")
    network = batch_run(batch_size)[0]
    show_map = _live_map(ax_map, network, [(X, labels, 18, 1.0)], _margins(X))
    map_title = ax_map.set_title("", fontsize=10)
    map_title.set_animated(True)

    def update(batch_size):
        network, history = batch_run(batch_size)
        yours[0].set_data(history["epoch"], history["loss"])
        yours[1].set_data(np.maximum(history["updates"], 1), history["loss"])
        map_title.set_text(_("{updates} updates in {epochs} epochs: accuracy {accuracy:.2f}").format(
            updates=history.updates[-1], epochs=BATCH_EPOCHS, accuracy=history.accuracy[-1]))
        if show_map is None or show_map(network) is REBUILD:
            return REBUILD
        return [ax for ax in (ax_epochs, ax_updates) if rescaled(ax)] or False

    update(batch_size)
    return update


def batch_size():
    """Batch size -> training loss per epoch and per update, and the decision boundary."""
    return Explorer(
        # One fixed string to translate: it names BATCH_EPOCHS (30) as a number.
        title=N_("Lesson 04: batch size (two moons, 90 training points, η = 0.2, 30 epochs)"),
        draw=_draw_batch_size,
        controls={"batch_size": Choice(BATCH_SIZES, 10, label=N_("batch size"))},
        figsize=(9.6, 6.4),
        margins=dict(left=0.1, right=0.98, bottom=0.08, top=0.94, wspace=0.2, hspace=0.45),
    )


def _draw_hidden_units(fig, hidden_units):
    X, labels, X_val, labels_val = circles_problem()
    ax_curves, ax_map = fig.subplots(1, 2, width_ratios=[1.2, 1.0])
    curves = [ax_curves.plot([], [], label=_(label), animated=True)[0]
              for label in (N_("training (30 points)"), N_("validation (300 points)"))]
    ax_curves.set(xlim=_epoch_limits(0, CAPACITY_EPOCHS), ylim=(0.3, 1.02))
    ax_curves.set_xlabel(_("epoch"))
    ax_curves.set_ylabel(_("accuracy"))
    ax_curves.grid(alpha=0.3)
    ax_curves.legend(fontsize=9, loc="lower right")
    curves_title = ax_curves.set_title("", fontsize=10)
    network = capacity_run(hidden_units)[0]
    # The validation points faint, the training points large on top, over the same plane.
    show_map = _live_map(ax_map, network, [(X_val, labels_val, 8, 0.35), (X, labels, 30, 1.0)],
                         _margins(X_val))
    map_title = ax_map.set_title("", fontsize=10)
    for text in (curves_title, map_title):
        text.set_animated(True)

    def update(hidden_units):
        network, history = capacity_run(hidden_units)
        for curve, key in zip(curves, ("accuracy", "val_accuracy")):
            curve.set_data(history["epoch"], history[key])
        best = int(np.argmax(history["val_accuracy"]))
        curves_title.set_text(_("{units} hidden unit(s): best validation accuracy {accuracy:.2f} "
                                "at epoch {epoch}").format(
            units=hidden_units, accuracy=history.val_accuracy[best], epoch=best))
        map_title.set_text(_("accuracy: training {training:.2f}, validation {validation:.2f}\n"
                             "(large dots: the 30 training points)").format(
            training=history.accuracy[-1], validation=history.val_accuracy[-1]))
        if show_map is None or show_map(network) is REBUILD:
            return REBUILD
        return False

    update(hidden_units)
    return update


def hidden_units():
    """Number of hidden units -> training and validation accuracy, and the decision boundary."""
    return Explorer(
        title=N_("Lesson 04: how many hidden units? (two noisy circles, 30 training points)"),
        draw=_draw_hidden_units,
        controls={"hidden_units": Choice(HIDDEN_UNITS, 4, label=N_("hidden units"))},
        figsize=(9.6, 4.6),
        margins=dict(left=0.08, right=0.98, bottom=0.12, top=0.86, wspace=0.15),
    )


EXPLORERS = {"learning_rate": learning_rate, "batch_size": batch_size, "hidden_units": hidden_units}
