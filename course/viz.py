"""Figures the lessons share. matplotlib is imported inside the functions, never at import.

Each function draws into an ``Axes`` you pass (``ax``), so lessons and explorers can place it
in any layout; nothing here calls ``plt.show()`` or keeps global state.
"""

from __future__ import annotations

import numpy as np

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


def draw_network(ax, network, unit_names=None, outputs=None, previous=None, fontsize=10):
    """Draw a small MLP with every weight and bias written on it.

    ``unit_names``: one list of labels per layer (default 1, 2, ... in order).
    ``outputs``: one array of unit outputs per layer, written inside the units.
    ``previous``: an earlier copy of the network; each label then reads "old -> new".
    Edge width grows with |w|; red is negative, blue positive.

    The drawing is to scale (equal aspect): the values fit inside the units and the labels
    keep clear of them when a drawing unit is about an inch (``fontsize`` 10; the 3-2-1
    network then needs a panel of about 7.6 x 3.3 in). Unit texts carry the gid "unit".
    """
    sizes = network.sizes
    pos = _unit_positions(sizes)
    if unit_names is None:
        counter = iter(range(1, sum(sizes) + 1))
        unit_names = [[str(next(counter)) for _ in range(n)] for n in sizes]

    def label(new, old):
        return f"{new:.3f}" if old is None else f"{old:.3f}\u2192{new:.3f}"

    for l, layer in enumerate(network.layers, start=1):
        old = previous.layers[l - 1] if previous is not None else None
        # Labels sit near the source, where the edges into one unit fan apart (they cross
        # half-way); edges that all end in one unit do not cross, so theirs sit half-way.
        along = 0.5 if len(pos[l]) == 1 else ALONG
        for p, (x0, y0) in enumerate(pos[l - 1]):
            for q, (x1, y1) in enumerate(pos[l]):
                w = layer.W[p, q]
                ax.plot([x0, x1], [y0, y1], color="tab:blue" if w >= 0 else "tab:red",
                        lw=0.8 + 2.5 * min(abs(w), 1.5), alpha=0.6, zorder=1)
                tx, ty = x0 + along * (x1 - x0), y0 + along * (y1 - y0)
                ax.text(tx, ty, f"w{subscript(unit_names[l - 1][p] + unit_names[l][q])}="
                        + label(w, None if old is None else old.W[p, q]),
                        fontsize=fontsize - 1, ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        for q, (x1, y1) in enumerate(pos[l]):
            theta = label(layer.b[q], None if old is None else old.b[q])
            ax.text(x1, y1 - UNIT_RADIUS - 0.06, f"\u03b8{subscript(unit_names[l][q])}={theta}",
                    fontsize=fontsize - 1, ha="center", va="top", zorder=3)
    for l, column in enumerate(pos):
        for q, (x, y) in enumerate(column):
            ax.add_patch(_circle((x, y)))
            text = unit_names[l][q]
            if outputs is not None:
                text += f"\n{np.ravel(outputs[l])[q]:.3f}"
            ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5,
                    linespacing=1.1, gid="unit")
    ax.set_xlim(-0.5, LAYER_GAP * (len(sizes) - 1) + 0.9)
    half = 0.5 * UNIT_GAP * (max(sizes) - 1)
    ax.set_ylim(-half - 0.45, half + 0.45)
    ax.set_aspect("equal")
    ax.axis("off")


def subscript(name):
    """"14" -> "₁₄", for labels such as w₁₄ in plain text (mathtext is slow to draw)."""
    return name.translate(SUBSCRIPT_DIGITS) if name.isdigit() else f"_{name}"


def _circle(centre):  # in data units: a circle, as draw_network keeps the aspect equal
    from matplotlib.patches import Circle

    return Circle(centre, UNIT_RADIUS, fc="#f4f1e8", ec="black", lw=1.2, zorder=4)


def table(ax, rows, header, fontsize=9):
    """A table of strings (``rows``: list of lists, ``header``: list) on an axis with no frame.

    One block of monospaced text, columns right-aligned: a single text artist draws in a few
    milliseconds, where a matplotlib table of 70 cells took 50 (a widget redraws it live).
    """
    ax.axis("off")
    widths = [max(len(str(row[j])) for row in [header] + rows) for j in range(len(header))]

    def line(row):
        return "  ".join(str(value).rjust(width) for value, width in zip(row, widths))

    lines = [line(header), "\u2500" * len(line(header))] + [line(row) for row in rows]
    return ax.text(0.5, 0.5, "\n".join(lines), family="monospace", fontsize=fontsize,
                   ha="center", va="center", transform=ax.transAxes)


def loss_curves(ax, curves, xlabel="epoch", ylabel="loss", log=False):
    """Plot several curves: ``curves`` maps a label to (x, y) arrays."""
    for name, (x, y) in curves.items():
        ax.plot(x, y, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
