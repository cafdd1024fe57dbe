"""Figures the lessons share. matplotlib is imported inside the functions, never at import.

Each function draws into an ``Axes`` you pass (``ax``), so lessons and explorers can place it
in any layout; nothing here calls ``plt.show()`` or keeps global state.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

from course.i18n import N_, _, display_width, family

# Drawing units of draw_network, drawn to scale (equal aspect). The 3-2-1 network takes
# about 7.6 x 3.3 units; its texts fit at about 1 inch per unit with fontsize 10.
LAYER_GAP, UNIT_GAP, UNIT_RADIUS = 3.2, 1.2, 0.34
ALONG = 0.36  # where a weight is written: just over a third of the way along its edge
SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _unit_positions(sizes):
    """(x, y) of every unit: layers as columns left to right, units centred in each column."""
    positions = []
    for l, n in enumerate(sizes):
        ys = UNIT_GAP * (np.arange(n)[::-1] - 0.5 * (n - 1))
        positions.append([(LAYER_GAP * l, float(y)) for y in ys])
    return positions


def draw_network(ax, network, unit_names=None, outputs=None, previous=None, fontsize=10,
                 animated=False):
    """Draw a small MLP with every weight and bias written on it.

    ``unit_names``: one list of labels per layer (default 1, 2, ... in order).
    ``outputs``: one array of unit outputs per layer, written inside the units.
    ``previous``: an earlier copy of the network; each label then reads "old -> new".
    Edge width grows with |w|; red is negative, blue positive.

    The drawing is to scale (equal aspect): the values fit inside the units and the labels
    keep clear of them when a drawing unit is about an inch (``fontsize`` 10; the 3-2-1
    network then needs a panel of about 7.6 x 3.3 in). Unit texts carry the gid "unit".

    ``animated``, for a live widget: every artist of the drawing is animated, and the
    function returns ``update(network, outputs=None, previous=None)``, which redraws the same
    drawing for other values of a network of the same sizes (edges, labels, unit texts).
    """
    sizes = network.sizes
    pos = _unit_positions(sizes)
    if unit_names is None:
        counter = iter(range(1, sum(sizes) + 1))
        unit_names = [[str(next(counter)) for _ in range(n)] for n in sizes]

    def label(new, old):
        return f"{new:.3f}" if old is None else f"{old:.3f}\u2192{new:.3f}"

    edges, weights, biases, units = {}, {}, {}, {}  # the artists whose looks the values set
    for l in range(1, len(sizes)):
        # Labels sit near the source, where the edges into one unit fan apart (they cross
        # half-way); edges that all end in one unit do not cross, so theirs sit half-way.
        along = 0.5 if len(pos[l]) == 1 else ALONG
        for p, (x0, y0) in enumerate(pos[l - 1]):
            for q, (x1, y1) in enumerate(pos[l]):
                (edges[l, p, q],) = ax.plot([x0, x1], [y0, y1], color="tab:blue", alpha=0.6,
                                            zorder=1, animated=animated)
                tx, ty = x0 + along * (x1 - x0), y0 + along * (y1 - y0)
                weights[l, p, q] = ax.text(
                    tx, ty, "", fontsize=fontsize - 1, ha="center", va="center", zorder=3,
                    animated=animated,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        for q, (x1, y1) in enumerate(pos[l]):
            biases[l, q] = ax.text(x1, y1 - UNIT_RADIUS - 0.06, "", fontsize=fontsize - 1,
                                   ha="center", va="top", zorder=3, animated=animated)
    for l, column in enumerate(pos):
        for q, (x, y) in enumerate(column):
            ax.add_patch(_circle((x, y))).set_animated(animated)
            units[l, q] = ax.text(x, y, "", ha="center", va="center", fontsize=fontsize, zorder=5,
                                  linespacing=1.1, gid="unit", animated=animated)

    def update(network, outputs=None, previous=None):
        for (l, p, q), edge in edges.items():
            w = network.layers[l - 1].W[p, q]
            old = None if previous is None else previous.layers[l - 1].W[p, q]
            edge.set_color("tab:blue" if w >= 0 else "tab:red")
            edge.set_linewidth(0.8 + 2.5 * min(abs(w), 1.5))
            weights[l, p, q].set_text(f"w{subscript(unit_names[l - 1][p] + unit_names[l][q])}="
                                      + label(w, old))
        for (l, q), text in biases.items():
            old = None if previous is None else previous.layers[l - 1].b[q]
            text.set_text(f"\u03b8{subscript(unit_names[l][q])}="
                          + label(network.layers[l - 1].b[q], old))
        for (l, q), text in units.items():
            text.set_text(unit_names[l][q] if outputs is None
                          else f"{unit_names[l][q]}\n{np.ravel(outputs[l])[q]:.3f}")

    update(network, outputs, previous)
    ax.set_xlim(-0.5, LAYER_GAP * (len(sizes) - 1) + 0.9)
    half = 0.5 * UNIT_GAP * (max(sizes) - 1)
    ax.set_ylim(-half - 0.45, half + 0.45)
    ax.set_aspect("equal")
    ax.axis("off")
    return update if animated else None


def subscript(name):
    """"14" -> "₁₄", for labels such as w₁₄ in plain text (mathtext is slow to draw)."""
    return name.translate(SUBSCRIPT_DIGITS) if name.isdigit() else f"_{name}"


def _circle(centre, radius=UNIT_RADIUS):  # in data units: a circle, as the aspect is equal
    from matplotlib.patches import Circle

    return Circle(centre, radius, fc="#f4f1e8", ec="black", lw=1.2, zorder=4)


def table(ax, rows, header, fontsize=9, animated_columns=None):
    """A table of strings (``rows``: list of lists, ``header``: list) on an axis with no frame.

    One block of monospaced text, columns right-aligned: a single text artist draws in a few
    milliseconds, where a matplotlib table of 70 cells took 50 (a widget redraws it live).

    ``animated_columns`` (indices), for a live widget: the same table, its header one text
    and its body one text per run of neighbouring columns, the texts of the animated columns
    animated (a redraw then sets only the values that move).
    Returns ``update(rows)``, which writes new rows into the animated columns and returns
    False, or True when the columns' widths changed (then draw the table afresh).
    """
    ax.axis("off")
    header = [_(str(name)) for name in header]  # the course's one language setting
    widths = [max(display_width(row[j]) for row in [header] + rows) for j in range(len(header))]
    if animated_columns is not None:
        return _column_table(ax, rows, header, widths, fontsize, set(animated_columns))

    def line(row):
        return "  ".join(_right(value, width) for value, width in zip(row, widths))

    lines = [line(header), "\u2500" * len(line(header))] + [line(row) for row in rows]
    return ax.text(0.5, 0.5, "\n".join(lines), family=family("monospace"), fontsize=fontsize,
                   ha="center", va="center", transform=ax.transAxes)


def _column_table(ax, rows, header, widths, fontsize, animated):
    """``table`` for a live widget: the header (with its rule) as one static text, and below
    it the body as one text per run of neighbouring columns that are all animated or all not,
    each placed on the monospaced grid of the block."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.transforms import ScaledTranslation

    style = dict(family=family("monospace"), fontsize=fontsize, va="top")
    line = "  ".join(_right(value, width) for value, width in zip(header, widths))
    # Where the block's characters and lines fall, in points, as Agg sets them at the
    # figure's dpi: a line is as high as any other, a character as wide as any other.
    dpi, renderer = ax.figure.dpi, RendererAgg(1, 1, ax.figure.dpi)
    probe = ax.text(0, 0, "", **style)
    sizes = {}
    for text in ("0" * 41, "0" * 81, "0\n0", "0\n0\n0"):
        probe.set_text(text)
        sizes[text] = probe.get_window_extent(renderer).size * 72 / dpi
    probe.remove()
    advance = (sizes["0" * 81][0] - sizes["0" * 41][0]) / 40
    height = sizes["0\n0\n0"][1] - sizes["0\n0"][1]
    top = height * (2 + len(rows)) / 2  # the whole block centred in the axes, as in ``table``

    def place(x, y):  # points from the axes' centre
        return ax.transAxes + ScaledTranslation(x / 72, y / 72, ax.figure.dpi_scale_trans)

    ax.text(0.5, 0.5, line + "\n" + "\u2500" * display_width(line), ha="center", transform=place(0, top),
            **style)
    runs = []  # (columns, animated) of each run of neighbouring columns
    for j in range(len(widths)):
        if runs and (j in animated) == runs[-1][1]:
            runs[-1][0].append(j)
        else:
            runs.append(([j], j in animated))

    def body(columns, rows):
        return "\n".join("  ".join(_right(row[j], widths[j]) for j in columns) for row in rows)

    texts = []
    for columns, moving in runs:
        right = sum(widths[: columns[-1] + 1]) + 2 * columns[-1]  # characters from the left
        texts.append(ax.text(0.5, 0.5, body(columns, rows), ha="right", animated=moving,
                             transform=place((right - display_width(line) / 2) * advance, top - 2 * height),
                             **style))

    def update(rows):
        for (columns, moving), text in zip(runs, texts):
            if moving:
                text.set_text(body(columns, rows))
        return [max(display_width(row[j]) for row in [header] + rows) for j in range(len(header))] != widths

    return update


def _right(value, width):
    """``str(value)`` right-aligned in ``width`` cells (``str.rjust`` counts CJK as one)."""
    return " " * (width - display_width(value)) + str(value)


def loss_curves(ax, curves, xlabel=N_("epoch"), ylabel=N_("loss"), log=False):  # noqa: B008
    """Plot several curves: ``curves`` maps a label to (x, y) arrays."""
    for name, (x, y) in curves.items():
        ax.plot(x, y, label=name)
    ax.set_xlabel(_(xlabel))
    ax.set_ylabel(_(ylabel))
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


# --- lesson 02: computational graphs and the backward pass ----------------------------------
VALUE_COLOUR, GRADIENT_COLOUR = "#1a2f6b", "#c0392b"  # forward numbers dark blue, gradients red
LOCAL_COLOUR = "#4d4d4d"  # local derivatives: neither a value nor a gradient of L


def number(value, decimals=3):
    """``value`` rounded for a figure: a true minus sign, never "−0.000", and at most
    ``decimals + 1`` digits for numbers of 10 and more (21.00, 123.5), which keeps labels short."""
    if abs(value) >= 10:
        decimals = max(0, decimals + 1 - len(str(int(abs(value)))))
    return f"{round(value, decimals) + 0.0:.{decimals}f}".replace("-", "\u2212")


def short_number(value, decimals=3):
    """``number`` without trailing zeros: 1, 0.25, −0.136 (short labels for crowded arrows)."""
    text = number(value, decimals)
    return text.rstrip("0").rstrip(".") if "." in text else text


def local_gradients(node):
    """[d node / d input for each of ``node.inputs``], at the values the graph holds now.

    Read from the node's own ``_backward`` (one source of truth for every op, a learner's
    too): with an upstream gradient of 1 each input receives exactly its local gradient.
    The graph's gradients are left as they were. An input used twice (x * x) receives the sum
    of its edges; each edge is shown with an equal share. A leaf has none.
    """
    saved = [(v, v.grad) for v in (node, *node.inputs)]
    try:
        for parent in node.inputs:
            parent.grad = 0.0
        node.grad = 1.0
        node._backward()
        uses = [sum(other is parent for other in node.inputs) for parent in node.inputs]
        return [parent.grad / n for parent, n in zip(node.inputs, uses)]
    finally:
        for v, grad in saved:
            v.grad = grad


def _graph_layout(root):
    """Where ``draw_graph`` puts each node: ({key: (column, height)}, chains).

    Columns, left to right: every node as far right as the nodes using it allow, ``root``
    alone in the last column, so a constant sits just before the node that uses it. An edge
    that skips columns gets a bend in each column it crosses, which takes a place there like
    a node: the edge then goes between the boxes, not through them. A node's key is the node,
    a bend's a tuple. ``chains``: (input, node, k, [bends]) for the k-th input of every node.
    Order in a column: by the mean height of the neighbours on the left, then on the right,
    a few times over (the barycenter heuristic): fewer crossings, and deterministic.
    """
    from minibp.autograd import topological_order

    order = topological_order(root)
    users = {node: [] for node in order}
    for node in order:
        for parent in node.inputs:
            users[parent].append(node)
    steps_to_root = {}
    for node in reversed(order):  # every node after all the nodes that use it
        steps_to_root[node] = 1 + max((steps_to_root[user] for user in users[node]), default=-1)
    last = max(steps_to_root.values())  # the root's column
    column_of = {node: last - steps for node, steps in steps_to_root.items()}

    columns = [[] for _ in range(last + 1)]
    for node in order:
        columns[column_of[node]].append(node)
    left, right, chains = {}, {}, []
    for node in order:
        for k, parent in enumerate(node.inputs):
            bends = [("bend", id(node), k, c) for c in range(column_of[parent] + 1, column_of[node])]
            for bend, c in zip(bends, range(column_of[parent] + 1, column_of[node])):
                columns[c].append(bend)
            path = [parent, *bends, node]
            for a, b in zip(path, path[1:]):
                right.setdefault(a, []).append(b)
                left.setdefault(b, []).append(a)
            chains.append((parent, node, k, bends))

    def heights():
        return {key: 0.5 * (len(column) - 1) - i for column in columns for i, key in enumerate(column)}

    for _sweep in range(4):
        for sweep, neighbours in ((range(1, len(columns)), left),
                                  (range(len(columns) - 2, -1, -1), right)):
            for c in sweep:
                y = heights()
                columns[c].sort(key=lambda key: -np.mean([y[n] for n in neighbours.get(key, [key])]))
    # Then, in that order, each key moves towards the mean height of its neighbours (at least
    # 1 apart), a neighbour weighing as much as the number of nodes it is computed from: the
    # long chain to the root runs straight, and the constants hang off it.
    upstream = {}
    for node in order:
        upstream[node] = set().union(*(upstream[parent] | {parent} for parent in node.inputs))
    weight = {node: 1 + len(nodes) for node, nodes in upstream.items()}
    for parent, _node, _input, bends in chains:
        weight.update(dict.fromkeys(bends, weight[parent]))
    y = heights()
    for _pass in range(8):
        for c in [*range(len(columns)), *range(len(columns) - 1, -1, -1)]:
            wanted = []
            for key in columns[c]:
                near = left.get(key, []) + right.get(key, [])
                wanted.append(np.average([y[n] for n in near], weights=[weight[n] for n in near])
                              if near else y[key])
            y.update(zip(columns[c], _spread(wanted, [weight[key] for key in columns[c]])))
    return {key: (c, y[key]) for c, column in enumerate(columns) for key in column}, chains


def _spread(wanted, weights):
    """Heights as close to ``wanted`` as can be (weighted least squares: a heavy key moves
    least), in the same order top to bottom and at least 1 apart. y[i] + i must not increase
    with i, so fit wanted[i] + i by the closest non-increasing sequence (pool adjacent
    violators: a run that breaks the order moves as one, to its weighted mean), then take
    the i back off."""
    blocks = []  # [weighted sum, total weight, count] of neighbouring entries pooled together
    for i, (height, weight) in enumerate(zip(wanted, weights)):
        blocks.append([weight * (height + i), weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            total, weight_sum, count = blocks.pop()
            blocks[-1] = [blocks[-1][0] + total, blocks[-1][1] + weight_sum, blocks[-1][2] + count]
    pooled = [total / weight_sum for total, weight_sum, count in blocks for _ in range(count)]
    return [v - i for i, v in enumerate(pooled)]


@lru_cache(maxsize=4096)  # a live graph measures its numbers on every move
def _text_width(text, fontsize, weight="normal"):
    """Width in points of one line of ``text`` as matplotlib will set it (no renderer needed)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=fontsize, weight=weight)
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]


OP_SYMBOLS = {"*": "\u00d7"}  # ops as a figure writes them: x * y as x \u00d7 y


def _node_name(node):
    """What a box is called: its label, else its op, else (a constant) its value."""
    return node.label or OP_SYMBOLS.get(node.op, node.op) or f"{node.data:g}".replace("-", "\u2212")


def _node_lines(node, show_grad, words):
    """(text, colour, weight) of each line in a node's box: name, value, gradient. A constant's
    name is its value already."""
    lines = [(_node_name(node), "black", "bold")]
    if node.label or node.op:
        lines.append(((_("value") + " " if words else "") + number(node.data), VALUE_COLOUR, "normal"))
    if show_grad:
        lines.append(((_("grad") + " " if words else "") + number(node.grad), GRADIENT_COLOUR, "normal"))
    return lines


def draw_graph(ax, root, show_grad=True, edge_labels="local", fontsize=10, highlight=None,
               animated=False):
    """Draw the computational graph of ``root`` (a ``minibp.autograd.Value``), left to right.

    Each node is a box: its name (label, else op, else the constant's value) with its op on
    a tag at the top when it has both, its forward value (dark blue) and, with ``show_grad``,
    its gradient dL/d(node) (red) as ``root.backward()`` left it. Arrows go from each input
    to the node computed from it; a node that uses one input twice (x * x) gets two arrows,
    one per use: both contributions reach x, and add up there.

    ``edge_labels``: "local" writes d node / d input on each arrow (``local_gradients``);
    "product" writes upstream x local = node.grad x d node / d input, what backpropagation
    sends back along the arrow (an input's gradient is the sum over its arrows); None nothing.
    ``highlight``: nodes to draw emphasised (an orange frame).

    Boxes and texts are sized in points, so they keep their size in any axes: give each column
    about 1.2 in (a 9.6 in wide axes holds 8 columns) and each row about 0.9 in. Where the
    columns leave room, lines read "value 0.474" and "grad -0.131"; else the words are dropped
    and the colours alone tell value from gradient (say so in a caption). A warning says when
    the axes is too small for the graph. With a layout engine (layout="constrained") the
    layout runs first, to size the drawing for the axes' final place. Texts carry the gid
    "graph node" (inside a box), "graph op" (the tags) or "graph edge" (on the arrows).

    ``animated``, for a live widget: the numbers (values, gradients, arrow labels) are
    animated texts, and the function returns ``update(root, edge_labels=...)``, which writes
    another graph's numbers into them and returns False, or True when the drawing cannot show
    that graph (another structure, or boxes of another size): then draw it afresh.
    """
    from collections import Counter

    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.transforms import ScaledTranslation, offset_copy

    from minibp.autograd import topological_order

    if edge_labels not in ("local", "product", None):
        raise ValueError(f"edge_labels must be 'local', 'product' or None, got {edge_labels!r}")
    where, chains = _graph_layout(root)
    nodes = [key for key in where if not isinstance(key, tuple)]  # the other keys are bends
    columns = 1 + max(c for c, _ in where.values())
    heights = [y for _, y in where.values()]
    fig, highlight = ax.figure, set(highlight or ())
    ax.axis("off")
    if fig.get_layout_engine() is not None:  # e.g. constrained: where the axes will be, roughly
        fig.get_layout_engine().execute(fig)
    axes_width = ax.get_position().width * fig.get_figwidth() * 72  # in points
    axes_height = ax.get_position().height * fig.get_figheight() * 72
    label_width = _text_width("\u22120.000", fontsize - 1)  # about the widest edge label

    # Box sizes in points: as wide as the widest line, with words if the columns have room.
    def box_width(words, nodes):
        return 12 + max(_text_width(text, fontsize, weight) for node in nodes
                        for text, _, weight in _node_lines(node, show_grad, words))

    def column_step(width):  # first and last boxes just inside the axes; arrows not too long
        return min((axes_width - width - 8) / max(columns - 1, 1), width + 2 * label_width + 32)

    def sizes(nodes):  # what the numbers decide of the drawing: words or not, box width
        with_words = box_width(True, nodes)
        if with_words + label_width + 16 <= column_step(with_words):
            return True, with_words
        return False, box_width(False, nodes)

    words, width = sizes(nodes)
    line = 1.3 * fontsize
    tag = 8 if any(node.label and node.op for node in nodes) else 0  # room for the op tags
    height = line * (2 + show_grad) + 6 + tag
    gap = label_width + 4 if edge_labels else 16  # what an arrow needs between two boxes
    rows = max(heights) - min(heights) + 1
    if column_step(width) < width + gap or axes_height / rows < height + 6:
        needed = ((columns - 1) * (width + gap) + width + 8) / 72, rows * (height + 6) / 72
        warnings.warn(f"draw_graph: this graph needs an axes of about {needed[0]:.1f} x {needed[1]:.1f} in, "
                      f"got {axes_width / 72:.1f} x {axes_height / 72:.1f} in: texts will overlap",
                      stacklevel=2)
    # Centred in the axes, rows at most 3 box heights apart.
    half_width = 0.5 * axes_width / column_step(width)  # in columns
    half_height = 0.5 * max(rows, axes_height / (3 * height))  # in rows
    middle = 0.5 * (max(heights) + min(heights))
    ax.set_xlim(0.5 * (columns - 1) - half_width, 0.5 * (columns - 1) + half_width)
    ax.set_ylim(middle - half_height, middle + half_height)

    def shifted(dy):  # data coordinates, then dy points up
        return offset_copy(ax.transData, fig, 0, dy, units="points")

    points_per_unit = np.array([axes_width / np.ptp(ax.get_xlim()), axes_height / np.ptp(ax.get_ylim())])

    def to_edge(a, b):  # points from the centre of a box at a to its edge, towards b
        step = (np.subtract(b, a)) * points_per_unit
        with np.errstate(divide="ignore"):
            return np.hypot(*step) * min(0.5 * np.divide([width, height], np.abs(step)))

    numbers = {}  # node -> its value and gradient texts; (input, node, k) -> its arrow's label
    for node in nodes:
        x, y = where[node]
        face = "#fdf2dc" if node in highlight else "#eaf0fa" if not node.inputs else "#f4f1e8"
        ax.add_artist(FancyBboxPatch(
            (-width / 144, -height / 144), width / 72, height / 72,  # inches around (x, y)
            boxstyle="round,pad=0,rounding_size=0.06", fc=face, zorder=4,
            ec="#e67e22" if node in highlight else "#333333", lw=2.5 if node in highlight else 1.0,
            transform=fig.dpi_scale_trans + ScaledTranslation(x, y, ax.transData)))
        lines = _node_lines(node, show_grad, words)
        top = 0.5 * line * (len(lines) - 1) - 0.5 * tag
        texts = [ax.text(x, y, text, color=colour, fontsize=fontsize, fontweight=weight,
                         ha="center", va="center", zorder=5, gid="graph node",
                         transform=shifted(top - i * line), animated=animated and i > 0)
                 for i, (text, colour, weight) in enumerate(lines)]
        numbers[node] = texts[1:]  # the name stays, the numbers move
        if node.label and node.op:
            ax.text(x, y, OP_SYMBOLS.get(node.op, node.op), fontsize=fontsize - 1, color="#555555",
                    ha="center", va="center", zorder=6, gid="graph op", transform=shifted(height / 2),
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="#999999", lw=0.8))

    uses = Counter((parent, node) for parent, node, _, _ in chains)
    for parent, node, k, bends in chains:
        # One input used twice (x * x): two arrows side by side, 8 points above and below.
        along = shifted(8 * (1 - 2 * k) if uses[parent, node] == 2 and not bends else 0)
        points = [where[parent], *(where[bend] for bend in bends), where[node]]
        last = len(points) - 2
        for i, (a, b) in enumerate(zip(points, points[1:])):
            # From box edge to box edge, cut to length here: matplotlib's patchA/patchB would
            # find the edges by bisection at every draw, most of the time of a redraw.
            ax.add_artist(FancyArrowPatch(
                a, b, transform=along, zorder=2, color="#666666", lw=1.2, mutation_scale=12,
                arrowstyle="-|>" if i == last else "-", shrinkA=to_edge(a, b) if i == 0 else 0,
                shrinkB=to_edge(b, a) + 1 if i == last else 0))
        if edge_labels is not None:
            local = local_gradients(node)[k]
            (xa, ya), (xb, yb) = points[-2], points[-1]  # on the arrow's last stretch
            numbers[parent, node, k] = ax.text(
                0.5 * (xa + xb), 0.5 * (ya + yb), _edge_label(node, local, edge_labels),
                color=LOCAL_COLOUR if edge_labels == "local" else GRADIENT_COLOUR,
                fontsize=fontsize - 1, ha="center", va="center", zorder=3, gid="graph edge",
                transform=along, animated=animated,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))
    if not animated:
        return None
    order = topological_order(root)

    def shape(order):  # what the drawing shows of a graph but its numbers
        position = {id(node): i for i, node in enumerate(order)}
        return [(_node_name(node), node.op, [position[id(p)] for p in node.inputs]) for node in order]

    drawn = shape(order), (words, width), edge_labels is None

    def update(root, edge_labels=edge_labels):
        new_order = topological_order(root)
        if shape(new_order) != drawn[0] or (edge_labels is None) != drawn[2]:
            return True
        same = dict(zip(order, new_order))
        if sizes([same[node] for node in nodes]) != drawn[1]:
            return True
        for node, texts in numbers.items():
            if isinstance(node, tuple):  # an arrow: (input, node, k)
                new = same[node[1]]
                texts.set_text(_edge_label(new, local_gradients(new)[node[2]], edge_labels))
                texts.set_color(LOCAL_COLOUR if edge_labels == "local" else GRADIENT_COLOUR)
            else:
                for text, (value, _, _) in zip(texts, _node_lines(same[node], show_grad, words)[1:]):
                    text.set_text(value)
        return False

    return update


def _edge_label(node, local, edge_labels):
    """What an arrow into ``node`` reads: d node / d input (``local``), or upstream x local."""
    return short_number(local if edge_labels == "local" else node.grad * local)


BACKWARD_RADIUS = 0.42  # units of draw_backward: room for a 4-decimal delta inside


def draw_backward(ax, network, unit_names, forward, grads, fontsize=10):
    """Draw the backward pass of one example (row 0 of the batch) through a small MLP.

    ``unit_names``: one list of labels per layer, e.g. [["1", "2", "3"], ["4", "5"], ["6"]].
    ``forward``: the ``Forward`` of the batch, ``grads``: its ``Gradients``, e.g. from
    ``network.forward(x)`` and ``network.loss_and_gradients(x, t, SquaredError())[1]``.

    Each unit q shows its delta_q = dL/dz_q (also dL/d theta_q, its bias' gradient), with
    its output o_q below it; an input unit p shows its value x_p. Each weight shows
    dL/dw_pq = delta_q o_p, on an arrow from q back to p: the backward pass runs from the
    output towards the inputs. Darker, wider arrows carry larger |dL/dw|; an input of 0
    gives its weights no gradient. minibp's delta is dL/dz, so its sign is opposite to the
    "error" Err_q = -dL/dz_q of textbooks that write w += eta Err_q o_p.

    Drawn to scale like ``draw_network`` (equal aspect, a drawing unit about an inch at
    ``fontsize`` 10: the 3-2-1 network needs about 7.8 x 3.4 in). Unit texts carry the gid
    "unit", so tests can check they fit their circles.
    """
    from matplotlib import colormaps

    sizes = network.sizes
    pos = _unit_positions(sizes)
    largest = max(np.abs(forward.a[l - 1][0][:, None] * grads.delta[l][0]).max()
                  for l in range(1, len(sizes)))
    circles = [[_circle(xy, BACKWARD_RADIUS) for xy in column] for column in pos]
    for l in range(1, len(sizes)):
        along = 0.5 if len(pos[l]) == 1 else ALONG  # as in draw_network
        for p, (x0, y0) in enumerate(pos[l - 1]):
            for q, (x1, y1) in enumerate(pos[l]):
                gradient = grads.delta[l][0, q] * forward.a[l - 1][0, p]
                strength = abs(gradient) / largest if largest > 0 else 0.0
                colour, head = colormaps["Reds"](0.3 + 0.7 * strength), 9 + 5 * strength  # head in pt
                ax.plot([x1, x0], [y1, y0], color=colour, lw=0.8 + 2.5 * strength, zorder=1)
                # The arrow head: a triangle marker with its tip on p's circle, pointing at p
                # (a line and a marker, not an arrow patch: tests take patches for units).
                angle = np.degrees(np.arctan2(y0 - y1, x0 - x1))
                back = BACKWARD_RADIUS + head / 144  # about an inch per unit: head/2 points
                ax.plot(x0 - back * np.cos(np.radians(angle)), y0 - back * np.sin(np.radians(angle)),
                        marker=(3, 0, angle - 90), ms=head, color=colour, zorder=2)
                name = subscript(unit_names[l - 1][p] + unit_names[l][q])
                ax.text(x0 + along * (x1 - x0), y0 + along * (y1 - y0),
                        f"\u2202L/\u2202w{name}={number(gradient, 4)}", fontsize=fontsize - 1,
                        ha="center", va="center", zorder=3, color=GRADIENT_COLOUR,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    for l, column in enumerate(pos):
        for q, (x, y) in enumerate(column):
            ax.add_patch(circles[l][q])
            name = subscript(unit_names[l][q])
            if l == 0:
                text = f"x{name}\n{short_number(forward.a[0][0, q], 4)}"
            else:
                text = f"\u03b4{name}\n{number(grads.delta[l][0, q], 4)}"
                ax.text(x, y - BACKWARD_RADIUS - 0.06, f"o{name}={number(forward.a[l][0, q])}",
                        fontsize=fontsize - 1, ha="center", va="top", zorder=3, color=VALUE_COLOUR)
            ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5,
                    linespacing=1.1, gid="unit", color=GRADIENT_COLOUR if l else VALUE_COLOUR)
    ax.set_xlim(-0.5, LAYER_GAP * (len(sizes) - 1) + 0.6)
    half = 0.5 * UNIT_GAP * (max(sizes) - 1)
    ax.set_ylim(-half - 0.55, half + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
