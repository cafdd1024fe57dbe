"""Figures the lessons share. matplotlib is imported inside the functions, never at import.

Each function draws into an ``Axes`` you pass (``ax``), so lessons and explorers can place it
in any layout; nothing here calls ``plt.show()`` or keeps global state.
"""

from __future__ import annotations

import numpy as np

LAYER_GAP, UNIT_GAP, UNIT_RADIUS = 2.4, 1.2, 0.25  # drawing units of draw_network
ALONG = 0.36  # where draw_network writes a weight: just over a third of the way along its edge
SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _unit_positions(sizes):
    """(x, y) of every unit: layers as columns left to right, units centred in each column."""
    positions = []
    for l, n in enumerate(sizes):
        ys = UNIT_GAP * (np.arange(n)[::-1] - 0.5 * (n - 1))
        positions.append([(LAYER_GAP * l, float(y)) for y in ys])
    return positions


def draw_network(ax, network, unit_names=None, outputs=None, previous=None, fontsize=9):
    """Draw a small MLP with every weight and bias written on it.

    ``unit_names``: one list of labels per layer (default 1, 2, ... in order).
    ``outputs``: one array of unit outputs per layer, written inside the units.
    ``previous``: an earlier copy of the network; each label then reads "old -> new".
    Edge width grows with |w|; red is negative, blue positive.
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
        for p, (x0, y0) in enumerate(pos[l - 1]):
            for q, (x1, y1) in enumerate(pos[l]):
                w = layer.W[p, q]
                ax.plot([x0, x1], [y0, y1], color="tab:blue" if w >= 0 else "tab:red",
                        lw=0.8 + 2.5 * min(abs(w), 1.5), alpha=0.6, zorder=1)
                # Labels sit near the source, where edges into one unit fan apart, and past
                # the unit itself, which a long "old→new" label would otherwise run into.
                tx, ty = x0 + ALONG * (x1 - x0), y0 + ALONG * (y1 - y0)
                ax.text(tx, ty, f"w{subscript(unit_names[l - 1][p] + unit_names[l][q])}="
                        + label(w, None if old is None else old.W[p, q]),
                        fontsize=fontsize - 1, ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        for q, (x1, y1) in enumerate(pos[l]):
            theta = label(layer.b[q], None if old is None else old.b[q])
            ax.text(x1, y1 - 1.2 * UNIT_RADIUS, f"\u03b8{subscript(unit_names[l][q])}={theta}",
                    fontsize=fontsize - 1, ha="center", va="top", zorder=3)
    for l, column in enumerate(pos):
        for q, (x, y) in enumerate(column):
            ax.add_patch(_circle(ax, (x, y)))
            text = unit_names[l][q]
            if outputs is not None:
                text += f"\n{np.ravel(outputs[l])[q]:.3f}"
            ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5)
    ax.set_xlim(-0.5, LAYER_GAP * (len(sizes) - 1) + 0.6)
    half = 0.5 * UNIT_GAP * (max(sizes) - 1)
    ax.set_ylim(-half - 0.7, half + 0.4)
    ax.axis("off")


def subscript(name):
    """"14" -> "₁₄", for labels such as w₁₄ in plain text (mathtext is slow to draw)."""
    return name.translate(SUBSCRIPT_DIGITS) if name.isdigit() else f"_{name}"


def _circle(ax, centre):  # in data units: it takes the axes' aspect (an ellipse in wide panels)
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
