"""Lesson 02's figures: the local gradients they print, the neuron explorer's numbers, and the
drawings of computational graphs (``viz.draw_graph``) and of the backward pass
(``viz.draw_backward``): every node and unit labelled, right numbers, nothing overlapping."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from test_explorers import layout_problems, network_problems  # noqa: E402

from course import viz  # noqa: E402
from course.explorers import computational_graph  # noqa: E402
from minibp import Dense, Network, data  # noqa: E402
from minibp.autograd import Value, topological_order  # noqa: E402
from minibp.losses import SquaredError  # noqa: E402

# Every op of minibp.autograd: how to build it from inputs, and where its inputs may be drawn
# (log needs x > 0; relu and max are not differentiable at their kinks, so stay off them).
OPS = {
    "+": (lambda a, b: a + b, 2),
    "*": (lambda a, b: a * b, 2),
    "**2": (lambda a: a ** 2, 1),
    "**3": (lambda a: a ** 3, 1),
    "**-1": (lambda a: a ** -1, 1),
    "**0.5": (lambda a: a ** 0.5, 1),
    "exp": (lambda a: a.exp(), 1),
    "log": (lambda a: a.log(), 1),
    "tanh": (lambda a: a.tanh(), 1),
    "\u03c3": (lambda a: a.sigmoid(), 1),
    "relu": (lambda a: a.relu(), 1),
    "max": (lambda a, b: a.max(b), 2),
}
POSITIVE = {"log", "**-1", "**0.5"}


def random_inputs(op, rng):
    n = OPS[op][1]
    while True:
        x = rng.uniform(0.2, 2.0, n) if op in POSITIVE else rng.uniform(-2.0, 2.0, n)
        if (op != "relu" or abs(x[0]) > 0.05) and (op != "max" or abs(x[0] - x[1]) > 0.05):
            return x


@pytest.mark.parametrize("op", sorted(OPS))
def test_local_gradients_match_finite_differences(op, rng, central_difference):
    build, _ = OPS[op]
    for _ in range(5):
        x = random_inputs(op, rng)
        node = build(*map(Value, x))
        assert node.op == op
        expected = central_difference(lambda v: build(*map(Value, v)).data, x)
        np.testing.assert_allclose(viz.local_gradients(node), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op", sorted(OPS))
def test_local_gradients_are_what_backward_sends_from_a_root(op, rng):
    build, _ = OPS[op]
    inputs = [Value(v) for v in random_inputs(op, rng)]
    node = build(*inputs)
    node.backward()  # upstream gradient 1: each input receives exactly its local gradient
    np.testing.assert_allclose(viz.local_gradients(node), [v.grad for v in inputs], rtol=1e-12)


def test_local_gradients_of_a_leaf_an_op_of_ones_own_and_a_shared_input():
    assert viz.local_gradients(Value(3.0)) == []
    x = Value(0.5)
    sine = Value(np.sin(x.data), (x,), "sin")  # an op minibp does not have, as a learner writes it

    def backward():
        x.grad += np.cos(x.data) * sine.grad
    sine._backward = backward
    assert viz.local_gradients(sine) == [pytest.approx(np.cos(0.5))]
    y = Value(3.0)
    square = y * y
    square.backward()
    assert viz.local_gradients(square) == [3.0, 3.0]  # two edges of d(y*y)/dy = 6
    assert (y.grad, square.grad) == (6.0, 1.0)  # the graph's gradients are left as they were


def test_numbers_in_figures_never_read_minus_zero():
    assert viz.number(-0.00001) == "0.000" and viz.number(-0.13116908, 4) == "\u22120.1312"
    assert viz.short_number(1.0) == "1" and viz.short_number(-0.25) == "\u22120.25"
    assert viz.short_number(-0.0001) == "0" and viz.short_number(12.0) == "12"
    assert viz.number(-21.0) == "\u221221.00" and viz.number(123.45) == "123.5"  # 4 digits


NEURON_INPUTS = ("x1", "w1", "x2", "w2", "b", "t")


def neuron_loss(values):
    x1, w1, x2, w2, b, t = values
    o = 1.0 / (1.0 + math.exp(-(w1 * x1 + w2 * x2 + b)))
    return 0.5 * (o - t) ** 2


@pytest.mark.parametrize("seed", range(4))
def test_neuron_graph_gradients_match_finite_differences(seed, central_difference):
    values = np.random.default_rng(seed).uniform(-3.0, 3.0, 6)
    values[5] = abs(values[5]) / 3  # t in [0, 1]
    L, leaves = computational_graph.neuron_graph_values(*values)
    assert L.data == pytest.approx(neuron_loss(values), rel=1e-12)
    expected = central_difference(neuron_loss, values)
    np.testing.assert_allclose([leaves[name].grad for name in NEURON_INPUTS], expected,
                               rtol=1e-6, atol=1e-9)


def test_neuron_graph_at_the_defaults_echoes_lesson_01():
    L, leaves = computational_graph.neuron_graph_values()
    o = 1.0 / (1.0 + math.exp(0.2))  # z = 0.2 * 1 + 0.4 * 0 - 0.4
    assert L.data == pytest.approx(0.5 * (o - 1.0) ** 2)
    assert leaves["w2"].grad == 0.0  # its input x2 is 0
    assert leaves["w1"].grad == pytest.approx((o - 1.0) * o * (1 - o))
    names = {node.label for node in topological_order(L)} - {""}
    assert {"z", "o", "L", *NEURON_INPUTS} <= names


def drawn(root, figsize=(9.6, 4.5), **options):
    fig = Figure(figsize=figsize, dpi=100)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    viz.draw_graph(ax, root, **options)
    FigureCanvasAgg(fig).draw()
    return fig, ax


def graph_overlaps(fig, ax):
    """Texts of a draw_graph drawing that leave their box, or sit on a box not theirs."""
    renderer = fig.canvas.get_renderer()
    boxes = [patch.get_window_extent(renderer) for patch in ax.patches
             if isinstance(patch, FancyBboxPatch)]
    problems = []
    for text in ax.texts:
        extent = text.get_window_extent(renderer)
        inside = [box for box in boxes if box.x0 <= extent.x0 and extent.x1 <= box.x1
                  and box.y0 <= extent.y0 and extent.y1 <= box.y1]
        touched = [box for box in boxes if box.overlaps(extent)]
        if text.get_gid() == "graph node" and (len(inside) != 1 or len(touched) != 1):
            problems.append(f"{text.get_text()!r} is not inside one box alone")
        if text.get_gid() == "graph edge" and touched:
            problems.append(f"edge label {text.get_text()!r} touches a box")
    return problems


def texts_of(ax, gid):
    return [text.get_text() for text in ax.texts if text.get_gid() == gid]


def test_draw_graph_shows_a_shared_node_with_one_arrow_per_use():
    x = Value(3.0, label="x")
    f = x * x + x
    f.backward()
    assert x.grad == 7.0  # 3 + 3 through x * x, 1 through + x
    fig, ax = drawn(f, edge_labels="product")
    node_texts = texts_of(ax, "graph node")
    for name in ("x", "\u00d7", "+"):
        assert name in node_texts
    assert "grad 7.000" in node_texts and "value 12.00" in node_texts  # room for the words here
    # Per use of x an arrow and a label: 3 and 3 into x * x, 1 into the sum (that one bends
    # round the x * x box: two stretches); 1 from x * x into the sum.
    assert sorted(texts_of(ax, "graph edge")) == ["1", "1", "3", "3"]
    assert sum(not isinstance(patch, FancyBboxPatch) for patch in ax.patches) == 5
    assert graph_overlaps(fig, ax) == []
    assert layout_problems(fig) == []


def test_draw_graph_of_the_neuron_labels_every_node_and_keeps_texts_apart():
    L, leaves = computational_graph.neuron_graph_values()
    nodes = topological_order(L)
    for edge_labels in ("local", "product", None):
        fig, ax = drawn(L, edge_labels=edge_labels)
        boxes = [patch for patch in ax.patches if isinstance(patch, FancyBboxPatch)]
        assert len(boxes) == len(nodes) == 17
        names = texts_of(ax, "graph node")
        assert {node.label or node.op.replace("*", "\u00d7") or viz.short_number(node.data)
                for node in nodes} <= set(names)
        assert viz.number(leaves["w1"].grad) in names  # 9 columns: numbers without words
        assert len(texts_of(ax, "graph edge")) == (0 if edge_labels is None else 16)
        assert graph_overlaps(fig, ax) == []
        assert layout_problems(fig) == []
    product = texts_of(ax := drawn(L, edge_labels="product")[1], "graph edge")
    local = texts_of(drawn(L, edge_labels="local")[1], "graph edge")
    assert viz.short_number(leaves["w1"].grad) in product and "0.248" in local  # sigma'(-0.2)
    assert texts_of(ax, "graph op").count("\u00d7") == 4  # w1*x1, w2*x2, -t, L


def test_draw_graph_options():
    x, y, z = Value(3.0, label="x"), Value(-4.0, label="y"), Value(2.0, label="z")
    q = x + y
    f = q * y.max(z)
    f.backward()
    fig, ax = drawn(f, show_grad=False, highlight={q})
    assert not any(text.startswith("grad") for text in texts_of(ax, "graph node"))
    assert sorted(texts_of(ax, "graph edge")) == ["0", "1", "1", "1", "2", "\u22121"]
    frames = [patch.get_linewidth() for patch in ax.patches if isinstance(patch, FancyBboxPatch)]
    assert sorted(frames) == [1.0] * 5 + [2.5]
    with pytest.raises(ValueError, match="edge_labels must be"):
        viz.draw_graph(ax, f, edge_labels="global")
    assert graph_overlaps(*drawn(Value(1.0))) == []  # a lone leaf is a graph too


@pytest.mark.parametrize("params", [{}, dict(x1=-3.0, w1=3.0, x2=-3.0, w2=3.0, b=-3.0, t=0.35),
                                    dict(x1=2.5, w1=2.9, x2=-2.0, w2=-3.0, b=3.0, t=0.0)])
@pytest.mark.parametrize("labels", ["local gradient", "upstream \u00d7 local"])
def test_the_explorer_keeps_every_text_in_its_box(params, labels):
    fig = computational_graph.neuron_graph().figure(labels=labels, **params)
    FigureCanvasAgg(fig).draw()
    assert graph_overlaps(fig, fig.axes[0]) == []
    assert layout_problems(fig) == []


def test_the_explorer_caption_shows_the_gradients():
    fig = computational_graph.neuron_graph().figure(x2=1.0)
    L, leaves = computational_graph.neuron_graph_values(x2=1.0)
    caption = " ".join(text.get_text() for text in fig.texts)
    for name in ("w1", "w2", "b"):
        assert f"\u2202L/\u2202{name} = {viz.number(leaves[name].grad, 4)}" in caption
    assert "-" not in caption  # true minus signs only
    assert fig.axes[0].get_title().endswith(f"L = \u00bd(o \u2212 t)\u00b2 = {viz.number(L.data, 4)}")


def worked_example_backward(figsize=(8, 3.8)):
    ex = data.worked_example()
    network = Network.from_layers([Dense(ex.W1, ex.b1, "sigmoid"), Dense(ex.W2, ex.b2, "sigmoid")])
    x, t = ex.x[None, :], ex.t[None, :]
    forward = network.forward(x)
    _, grads = network.loss_and_gradients(x, t, SquaredError())
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    ax = fig.subplots()
    viz.draw_backward(ax, network, [["1", "2", "3"], ["4", "5"], ["6"]], forward, grads)
    FigureCanvasAgg(fig).draw()
    return fig, ax, grads


def test_draw_backward_writes_each_delta_and_weight_gradient():
    fig, ax, grads = worked_example_backward()
    units = [text.get_text() for text in ax.texts if text.get_gid() == "unit"]
    deltas = [text for text in units if text.startswith("\u03b4")]
    assert deltas == ["\u03b4\u2084\n0.0087", "\u03b4\u2085\n0.0065", "\u03b4\u2086\n\u22120.1312"]
    assert [text for text in units if text.startswith("x")] == ["x\u2081\n1", "x\u2082\n0", "x\u2083\n1"]
    labels = [text.get_text() for text in ax.texts if text.get_text().startswith("\u2202L/\u2202w")]
    expected = [f"\u2202L/\u2202w{viz.subscript(p + q)}={viz.number(grads.dW[l][i, j], 4)}"
                for l, (ins, outs) in enumerate([("123", "45"), ("45", "6")], start=1)
                for i, p in enumerate(ins) for j, q in enumerate(outs)]
    assert labels == expected
    assert "\u2202L/\u2202w\u2084\u2086=\u22120.0435" in labels  # delta6 * o4 = -0.1312 * 0.332
    assert network_problems(fig) == [] and layout_problems(fig) == []
