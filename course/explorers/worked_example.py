"""Lesson 01's explorer: the 3-2-1 network before and after one backprop update."""

from __future__ import annotations

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp.losses import SquaredError
from minibp.network import Dense, Network
from minibp.optimizers import SGD
from minibp.training import train_step

from . import REBUILD, Explorer, Slider

UNIT_NAMES = [["1", "2", "3"], ["4", "5"], ["6"]]


def one_update(x1=1.0, x2=0.0, x3=1.0, target=1.0, learning_rate=0.9):
    """The worked example's network, its forward pass, gradients, and the network after one step.

    Returns (before, after, forward, gradients): two ``Network`` objects, the ``Forward`` of
    the input through ``before`` and the ``Gradients`` of L = 1/2 (t - o6)^2.
    """
    ex = data.worked_example()
    before = Network.from_layers([Dense(ex.W1, ex.b1, "sigmoid"), Dense(ex.W2, ex.b2, "sigmoid")])
    after = before.copy()
    x, t = np.array([[x1, x2, x3]]), np.array([[target]])
    grads = train_step(after, x, t, SquaredError(), SGD(learning_rate))
    return before, after, before.forward(x), grads


def update_rows(before, after, forward, grads, learning_rate):
    """One row per parameter: name, old, delta_q, o_p, change = -eta delta_q o_p, new."""
    rows = []
    for l in (2, 1):  # backprop order: the output layer's update first, as in the textbook
        names_in, names_out = UNIT_NAMES[l - 1], UNIT_NAMES[l]
        W_old, W_new = before.layers[l - 1].W, after.layers[l - 1].W
        for p, q in np.ndindex(W_old.shape):
            delta_q, o_p = grads.delta[l][0, q], forward.a[l - 1][0, p]
            rows.append([f"w{names_in[p]}{names_out[q]}", W_old[p, q], delta_q, o_p,
                         -learning_rate * delta_q * o_p, W_new[p, q]])
    for l in (2, 1):
        b_old, b_new = before.layers[l - 1].b, after.layers[l - 1].b
        for q, name in enumerate(UNIT_NAMES[l]):
            delta_q = grads.delta[l][0, q]
            rows.append([f"\u03b8{name}", b_old[q], delta_q, 1.0, -learning_rate * delta_q,
                         b_new[q]])
    return rows


# viz.table translates every header cell: the symbols are marked too (their Chinese is the same).
HEADER = ["", N_("old"), N_("\u03b4_q"), N_("o_p"), N_("\u2212\u03b7\u03b4_q o_p"), N_("new")]


def _numbers(x1, x2, x3, target, learning_rate):
    """What the figure writes for these controls: the network drawing's arguments, the two
    titles and the update table's rows."""
    before, after, forward, grads = one_update(x1, x2, x3, target, learning_rate)
    o6_before = forward.output[0, 0]
    o6_after = after.predict(np.array([[x1, x2, x3]]))[0, 0]
    title = (f"o6 = {o6_before:.4f} \u2192 {o6_after:.4f};  "
             f"L = \u00bd(t \u2212 o6)\u00b2: {0.5 * (target - o6_before) ** 2:.4f} \u2192 "
             f"{0.5 * (target - o6_after) ** 2:.4f}")
    rows = [[name] + [f"{np.round(v, 4) + 0.0:+.4f}" for v in values]  # + 0.0: no "-0.0000"
            for name, *values in update_rows(before, after, forward, grads, learning_rate)]
    caption = _("one update with \u03b7 = {learning_rate:g}, t = {target:g}").format(
        learning_rate=learning_rate, target=target)
    return (after, forward.a, before), title, rows, caption


def _draw(fig, x1, x2, x3, target, learning_rate):
    from .. import viz

    # Every control moves nearly every number: the network drawing and the titles are animated
    # whole, the table but its header, names and old weights (which no control changes).
    network, title, rows, caption = _numbers(x1, x2, x3, target, learning_rate)
    # The network above its update table: side by side, both would not fit 9.6 in readably.
    ax_net, ax_table = fig.subplots(2, 1, height_ratios=[3.3, 2.5])
    update_network = viz.draw_network(ax_net, network[0], UNIT_NAMES, outputs=network[1],
                                      previous=network[2], animated=True)
    net_title = ax_net.set_title(title, fontsize=11, animated=True)
    update_table = viz.table(ax_table, rows, HEADER, fontsize=10, animated_columns=range(2, 6))
    table_title = ax_table.set_title(caption, fontsize=11, animated=True)

    def update(x1, x2, x3, target, learning_rate):
        network, title, rows, caption = _numbers(x1, x2, x3, target, learning_rate)
        update_network(*network)
        net_title.set_text(title)
        table_title.set_text(caption)
        return REBUILD if update_table(rows) else False  # a wider number: a wider table

    return update


def network_update():
    """Learning rate, target and the three inputs -> the network and its update table."""
    return Explorer(
        title=N_("Lesson 01: one backprop update of the 3-2-1 network"),
        draw=_draw,
        controls={
            "learning_rate": Slider(0.0, 5.0, 0.9, step=0.05, label=N_("learning rate \u03b7")),
            "target": Slider(0.0, 1.0, 1.0, step=0.05, label=N_("target t")),
            "x1": Slider(-1.0, 1.0, 1.0, step=0.1, label=N_("x1")),
            "x2": Slider(-1.0, 1.0, 0.0, step=0.1, label=N_("x2")),
            "x3": Slider(-1.0, 1.0, 1.0, step=0.1, label=N_("x3")),
        },
        figsize=(9.6, 6.6),
        margins=dict(left=0.01, right=0.99, bottom=0.01, top=0.95, hspace=0.12),
    )


EXPLORERS = {"network_update": network_update}
