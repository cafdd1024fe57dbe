"""Lesson 12's explorer: the capstone's training recipe, trained live by minibp.

The capstone's network (64 pixels, two tanh layers of 64 and 32 units, 10 softmax outputs,
Glorot's uniform init) trains on the digits with mini-batches of 32 and heavy-ball momentum.
Move the learning rate, the momentum or the schedule and see the loss and the test accuracy
of the whole run: the same recipe the learner writes in the exercises, run by minibp. Each run
is cached by its settings; a move redraws only the curves and the line of text below them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp.network import Network
from minibp.optimizers import Momentum

from . import Choice, Explorer, Slider

SIZES = (64, 64, 32, 10)
EPOCHS = 15
BATCH_SIZE = 32
GOAL = 0.95  # the capstone's goal: 95 % of the test digits right
STOPPED = N_("diverged in epoch {epoch}")  # recipe_run's stop message (in English)
# The names are the Choice's options: shown translated, passed on in English.
SCHEDULES = {N_("constant"): ("constant", None),
             N_("halve every 5 epochs"): ("step", {"drop": 0.5, "every": 5})}


@lru_cache(maxsize=1)
def digits_split():
    """(X_train, T_train, X_test, T_test): the capstone's split, 1438 training and 359 test digits."""
    X, labels = data.digits()
    X_train, l_train, X_test, l_test = data.train_val_split(X, labels, val_fraction=0.2, rng=0)
    return X_train, data.one_hot(l_train, 10), X_test, data.one_hot(l_test, 10)


@lru_cache(maxsize=64)
def recipe_run(learning_rate=0.05, momentum=0.9, schedule="halve every 5 epochs", seed=0):
    """minibp's run of the recipe, recorded as the capstone's ``train`` records it: (training
    losses, test losses, test accuracies, stop message or None). Entry 0 is before training;
    entry k the mean of epoch k's batch losses (training) or the loss after epoch k (test).
    A run whose loss becomes non-finite or 100 times its start stops with a message."""
    X_train, T_train, X_test, T_test = digits_split()
    name, options = SCHEDULES[schedule]
    network = Network(list(SIZES), "tanh", "softmax", init="glorot_normalized", rng=seed)
    optimizer = Momentum(learning_rate, momentum, schedule=name, schedule_options=options)
    rng = np.random.default_rng(seed)

    def test_scores():
        loss, _grads = network.loss_and_gradients(X_test, T_test, "cross_entropy")
        right = network.predict(X_test).argmax(axis=1) == T_test.argmax(axis=1)
        return loss, right.mean()

    start, _grads = network.loss_and_gradients(X_train, T_train, "cross_entropy")
    test_loss, test_accuracy = test_scores()
    train, test, accuracy = [start], [test_loss], [test_accuracy]
    for epoch in range(1, EPOCHS + 1):
        optimizer.start_epoch(epoch)
        total, order = 0.0, rng.permutation(len(X_train))
        for begin in range(0, len(order), BATCH_SIZE):
            batch = order[begin:begin + BATCH_SIZE]
            with np.errstate(all="ignore"):
                loss, grads = network.loss_and_gradients(X_train[batch], T_train[batch],
                                                         "cross_entropy")
            if not np.isfinite(loss) or loss > 100 * start:
                return (np.array(train), np.array(test), np.array(accuracy),
                        STOPPED.format(epoch=epoch))
            optimizer.update(network.parameters(), grads.as_list())
            total += loss * len(batch)
        train.append(total / len(X_train))
        loss, right = test_scores()
        test.append(loss)
        accuracy.append(right)
    return np.array(train), np.array(test), np.array(accuracy), None


def _draw(fig, learning_rate, momentum, schedule):
    # Axes, labels and the goal are drawn once; the curves and the summary move with every
    # control (animated, see the package's docstring), and so do the artists a static figure
    # draws over the curves (goal line and text, frames), to keep their order. The axes'
    # limits are fixed.
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    train_line, = loss_ax.plot([], [], color="#1f77b4", lw=2, label=_("training"))
    test_line, = loss_ax.plot([], [], color="#ff7f0e", lw=2, ls="--", label=_("test"))
    loss_ax.set_yscale("log")
    loss_ax.set_ylim(0.01, 30.0)
    loss_ax.set_xlim(0, EPOCHS)
    loss_ax.set_xlabel(_("epoch"), fontsize=11)
    loss_ax.set_title(_("cross-entropy: training (solid), test (dashed)"), fontsize=11)
    accuracy_line, = accuracy_ax.plot([], [], color="#2ca02c", lw=2, marker="o", ms=3)
    moving = [train_line, test_line, accuracy_line,
              accuracy_ax.axhline(100 * GOAL, color="#555555", ls=":", lw=1.5),
              accuracy_ax.text(EPOCHS, 100 * GOAL - 1, _("goal: 95 %"), ha="right", va="top",
                               fontsize=10, color="#555555")]
    accuracy_ax.set_ylim(0, 100)
    accuracy_ax.set_xlim(0, EPOCHS)
    accuracy_ax.set_xlabel(_("epoch"), fontsize=11)
    accuracy_ax.set_title(_("test accuracy (%)"), fontsize=12)
    for ax in (loss_ax, accuracy_ax):
        ax.tick_params(labelsize=10)
        ax.grid(alpha=0.3)
        moving += ax.spines.values()
    summary = fig.text(0.5, 0.015, "", ha="center", fontsize=12)
    for artist in moving + [summary]:
        artist.set_animated(True)

    def update(learning_rate, momentum, schedule):
        train, test, accuracy, stopped = recipe_run(learning_rate, momentum, schedule)
        epochs = np.arange(len(train))
        train_line.set_data(epochs, train)
        test_line.set_data(epochs, test)
        accuracy_line.set_data(epochs, 100 * accuracy)
        effective = learning_rate / (1.0 - momentum)
        if stopped:
            # recipe_run says it in English (a value tests read); a run that stopped in epoch
            # k recorded epochs 0 to k - 1, so k is len(train)
            stopped = _(STOPPED).format(epoch=len(train))
            summary.set(text=_("{stopped}: the loss blew up and the run stopped"
                               "   (\u03b7/(1\u2212\u03bc) = {effective:.3g})").format(
                stopped=stopped, effective=effective), color="#d62728")
        else:
            summary.set(text=_("after {epochs} epochs: {accuracy:.1f} % of the test "
                               "digits right   (\u03b7/(1\u2212\u03bc) = {effective:.3g})").format(
                epochs=EPOCHS, accuracy=100 * accuracy[-1], effective=effective),
                        color="#2ca02c" if accuracy[-1] >= GOAL else "#333333")
        return False

    update(learning_rate, momentum, schedule)
    return update


def training_recipe():
    """Learning rate, momentum and schedule -> minibp's run of the capstone's recipe."""
    return Explorer(
        title=N_("Lesson 12: the capstone's recipe (64-64-32-10 tanh, batches of 32), trained live"),
        draw=_draw,
        controls={
            "learning_rate": Slider(0.001, 1.0, 0.05, step=0.001, log=True,
                                    label=N_("learning rate \u03b7\u2080")),
            "momentum": Slider(0.0, 0.99, 0.9, step=0.01, label=N_("momentum \u03bc")),
            "schedule": Choice(tuple(SCHEDULES), "halve every 5 epochs", label=N_("schedule")),
        },
        figsize=(9.6, 4.2),
        margins=dict(left=0.08, right=0.98, bottom=0.2, top=0.9, wspace=0.25),
    )


EXPLORERS = {"training_recipe": training_recipe}
