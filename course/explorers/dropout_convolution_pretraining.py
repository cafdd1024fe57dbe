"""Lesson 08's explorer: the two backward sums of a 1-D convolution, on the lesson's example.

One example, one channel: a_prev = [1, 2, 0, -1, 3] (5 inputs), the kernel K = [1, 0, -2]
(3 taps) and the error signals delta = dL/dz = [1, -1, 2] at the 3 positions. Left: the
kernel's gradient dL/dK[p] is a sum over the positions i of a_prev[i + p] delta[i], one
product per position (the kernel is shared). Right: the input's gradient dL/da_prev[x] is a
sum over the taps p of delta[x - p] K[p], one product per position that input x fed; read
with the delta row fixed, it runs through the kernel backwards (the flip).
"""

from __future__ import annotations

import numpy as np

from . import Explorer, Slider

A_PREV = np.array([1.0, 2.0, 0.0, -1.0, 3.0])
KERNEL = np.array([1.0, 0.0, -2.0])
DELTA = np.array([1.0, -1.0, 2.0])
HIGHLIGHT, MUTED = "#d62728", "#bbbbbb"


def kernel_gradient_terms(tap, a_prev=A_PREV, delta=DELTA):
    """[(i, a_prev[i + tap], delta[i])] for every position i: the terms of dL/dK[tap]."""
    return [(i, float(a_prev[i + tap]), float(delta[i])) for i in range(len(delta))]


def input_gradient_terms(pixel, kernel=KERNEL, delta=DELTA):
    """[(i, p, delta[i], K[p])] for every position i and tap p with i + p = pixel: the terms
    of dL/da_prev[pixel]."""
    return [(i, pixel - i, float(delta[i]), float(kernel[pixel - i]))
            for i in range(len(delta)) if 0 <= pixel - i < len(kernel)]


def _signed(value):
    return f"{value:g}".replace("-", "\u2212")


def _row(ax, y, values, name, colours, below=False, x0=0.0):
    for j, (value, colour) in enumerate(zip(values, colours)):
        ax.add_patch(_box(x0 + j, y, colour))
        ax.text(x0 + j + 0.5, y + 0.5, _signed(value), ha="center", va="center", fontsize=12,
                color="black")
        ax.text(x0 + j + 0.5, y - 0.08 if below else y + 1.08, str(j), ha="center",
                va="top" if below else "bottom", fontsize=10, color="#555555")
    ax.text(x0 - 0.15, y + 0.5, name, ha="right", va="center", fontsize=12)


def _box(x, y, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x + 0.05, y), 0.9, 1.0, facecolor="white", edgecolor=colour,
                     lw=3 if colour == HIGHLIGHT else 1.2)


def _link(ax, x_top, x_bottom):
    ax.annotate("", xy=(x_bottom + 0.5, 1.02), xytext=(x_top + 0.5, 2.95),
                arrowprops=dict(arrowstyle="-", color=HIGHLIGHT, lw=1.8))


def _frame(ax, title):
    ax.set_xlim(-2.2, 5.3)
    ax.set_ylim(-2.5, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=12)


def _draw(fig, tap, pixel):
    left, right = fig.subplots(1, 2)
    # Left: dL/dK[tap] = sum_i a_prev[i + tap] delta[i].
    _frame(left, f"kernel gradient \u2202L/\u2202K[{tap}]")
    terms = kernel_gradient_terms(tap)
    _row(left, 3.0, A_PREV, "a_prev",
         [HIGHLIGHT if tap <= x < tap + len(DELTA) else MUTED for x in range(len(A_PREV))])
    _row(left, 0.0, DELTA, "\u03b4", [HIGHLIGHT] * len(DELTA), below=True)
    for i, _, _ in terms:
        _link(left, i + tap, i)
    total = sum(a * d for _, a, d in terms)
    products = " + ".join(f"({_signed(a)})({_signed(d)})" for _, a, d in terms)
    left.text(1.5, -0.75, f"= {products}", ha="center", va="top", fontsize=11)
    left.text(1.5, -1.6, f"= {_signed(total)}   (one product per position i)", ha="center", va="top",
              fontsize=11, color=HIGHLIGHT)
    # Right: dL/da_prev[pixel] = sum_p delta[pixel - p] K[p].
    _frame(right, f"input gradient \u2202L/\u2202a_prev[{pixel}]")
    terms = input_gradient_terms(pixel)
    used = {i for i, *_ in terms}
    _row(right, 3.0, A_PREV, "a_prev",
         [HIGHLIGHT if x == pixel else MUTED for x in range(len(A_PREV))])
    _row(right, 0.0, DELTA, "\u03b4", [HIGHLIGHT if i in used else MUTED for i in range(len(DELTA))],
         below=True)
    for i, p, _, _ in terms:
        _link(right, pixel, i)
        right.text(i + 0.5 + 0.3 * (pixel - i) + 0.32, 1.55, f"K[{p}]",
                   ha="center", va="center", fontsize=10, color="#333333",
                   bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
    total = sum(d * k for _, _, d, k in terms)
    products = " + ".join(f"({_signed(d)})({_signed(k)})" for _, _, d, k in terms)
    right.text(1.5, -0.75, f"= {products}", ha="center", va="top", fontsize=11)
    right.text(1.5, -1.6, f"= {_signed(total)}   (taps p = {pixel} \u2212 i)", ha="center", va="top",
               fontsize=11, color=HIGHLIGHT)
    fig.text(0.5, 0.03, "a_prev = [1, 2, 0, \u22121, 3],  K = [1, 0, \u22122],  "
             "\u03b4 = \u2202L/\u2202z = [1, \u22121, 2]: red lines are the terms of the sum",
             ha="center", fontsize=11)


def conv_gradient_sums():
    """A kernel tap and an input pixel -> the terms of dL/dK[tap] and of dL/da_prev[pixel]."""
    return Explorer(
        title="Lesson 08: a shared kernel's gradient is a sum over positions",
        draw=_draw,
        controls={
            "tap": Slider(0, 2, 2, step=1, integer=True, label="kernel tap p"),
            "pixel": Slider(0, 4, 2, step=1, integer=True, label="input pixel x"),
        },
        figsize=(9.6, 4.4),
        margins=dict(left=0.02, right=0.98, bottom=0.1, top=0.92, wspace=0.12),
    )


EXPLORERS = {"conv_gradient_sums": conv_gradient_sums}
