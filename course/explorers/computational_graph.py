"""Lesson 02's explorer: one sigmoid neuron with squared error as a computational graph.

Every box is one number the forward pass computed (dark blue) and, after ``L.backward()``,
the gradient of the loss with respect to it (red). The arrows carry either the local
gradient of each step or what backpropagation sends back along them, upstream x local.
"""

from __future__ import annotations

from course.i18n import N_, _
from minibp.autograd import Value

from . import REBUILD, Choice, Explorer, Slider

EDGE_LABELS = {N_("local gradient"): "local", N_("upstream \u00d7 local"): "product"}


def neuron_graph_values(x1=1.0, w1=0.2, x2=0.0, w2=0.4, b=-0.4, t=1.0):
    """The graph of L = 1/2 (o - t)^2 with o = sigmoid(w1 x1 + w2 x2 + b), after L.backward().

    Returns (L, leaves): the root ``Value`` and {"x1", "w1", "x2", "w2", "b", "t": leaf}, so
    that ``leaves["w1"].grad`` is dL/dw1. The defaults echo lesson 01: w14 = 0.2, w24 = 0.4
    and theta4 = -0.4 with inputs x1 = 1, x2 = 0 (so w2 gets no gradient), target 1.
    """
    leaves = {name: Value(value, label=name)
              for name, value in dict(x1=x1, w1=w1, x2=x2, w2=w2, b=b, t=t).items()}
    products = [leaves["w1"] * leaves["x1"], leaves["w2"] * leaves["x2"]]
    products[0].label, products[1].label = "w1\u00b7x1", "w2\u00b7x2"
    z = products[0] + products[1] + leaves["b"]
    o = z.sigmoid()
    minus_t = -leaves["t"]
    error = o + minus_t  # o - t, with -t as a node of its own to show where t's gradient goes
    square = error ** 2
    L = square * 0.5
    for node, name in ((z, "z"), (o, "o"), (minus_t, "\u2212t"), (error, "o \u2212 t"),
                       (square, "(o\u2212t)\u00b2"), (L, "L")):
        node.label = name
    L.backward()
    return L, leaves


def _texts(x1, w1, x2, w2, b, t):
    """The graph's root, the title and the caption of the gradients for these values."""
    from .. import viz

    L, leaves = neuron_graph_values(x1, w1, x2, w2, b, t)
    title = _("one sigmoid neuron: o = \u03c3(w1\u00b7x1 + w2\u00b7x2 + b),  "
              "L = \u00bd(o \u2212 t)\u00b2 = {loss}").format(loss=viz.number(L.data, 4))
    gradients = "   ".join(f"\u2202L/\u2202{name} = {viz.number(leaves[name].grad, 4)}"
                           for name in ("w1", "w2", "b", "x1"))
    return L, title, gradients


def _caption(labels):
    arrows = (_("local gradient \u2202node/\u2202input") if labels == "local gradient"
              else _("upstream \u00d7 local: what goes back to the input"))
    return _("in each box: value (blue), \u2202L/\u2202node (red);  on each arrow: {arrows}").format(
        arrows=arrows)


def _draw(fig, x1, w1, x2, w2, b, t, labels):
    from .. import viz

    # The graph's boxes, arrows and names, and the caption's first line, stay in the
    # background; the numbers (in the boxes, on the arrows, in the title and the gradients'
    # line) are animated texts that a move rewrites.
    L, title, gradients = _texts(x1, w1, x2, w2, b, t)
    ax = fig.subplots()
    update_graph = viz.draw_graph(ax, L, edge_labels=EDGE_LABELS[labels], animated=True)
    title_text = ax.set_title(title, fontsize=12, animated=True)
    caption = fig.text(0.5, 0.075, _caption(labels), ha="center", fontsize=10, color="#333333")
    gradients_text = fig.text(0.5, 0.02, gradients, ha="center", fontsize=11,
                              color=viz.GRADIENT_COLOUR, animated=True)
    drawn = {"labels": labels}

    def update(x1, w1, x2, w2, b, t, labels):
        L, title, gradients = _texts(x1, w1, x2, w2, b, t)
        if update_graph(L, edge_labels=EDGE_LABELS[labels]):
            return REBUILD  # boxes of another size
        title_text.set_text(title)
        gradients_text.set_text(gradients)
        if labels == drawn["labels"]:
            return False
        drawn["labels"] = labels
        caption.set_text(_caption(labels))  # in the background
        return True

    return update


def neuron_graph():
    """Inputs, weights, bias, target and the arrows' labels -> the neuron's graph, forward and back."""
    return Explorer(
        title=N_("Lesson 02: backpropagation through one neuron's computational graph"),
        draw=_draw,
        controls={
            "x1": Slider(-3.0, 3.0, 1.0, step=0.1, label=N_("x1")),
            "w1": Slider(-3.0, 3.0, 0.2, step=0.1, label=N_("w1")),
            "x2": Slider(-3.0, 3.0, 0.0, step=0.1, label=N_("x2")),
            "w2": Slider(-3.0, 3.0, 0.4, step=0.1, label=N_("w2")),
            "b": Slider(-3.0, 3.0, -0.4, step=0.1, label=N_("bias b")),
            "t": Slider(0.0, 1.0, 1.0, step=0.05, label=N_("target t")),
            "labels": Choice(tuple(EDGE_LABELS), "local gradient", label=N_("arrows show")),
        },
        figsize=(9.6, 5.6),
        margins=dict(left=0.005, right=0.995, bottom=0.12, top=0.93),
    )


EXPLORERS = {"neuron_graph": neuron_graph}
