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

from course.i18n import N_, _

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


def _row(ax, y, values, name, below=False, x0=0.0):
    """A row of boxes with their values, indices and name (static); returns the boxes'
    frames, drawn on top, animated: a move only recolours them."""
    from matplotlib.patches import Rectangle

    frames = []
    for j, value in enumerate(values):
        # White fill under the value (static), the frame over it (its colour moves).
        ax.add_patch(Rectangle((x0 + j + 0.05, y), 0.9, 1.0, facecolor="white", edgecolor="none"))
        ax.text(x0 + j + 0.5, y + 0.5, _signed(value), ha="center", va="center", fontsize=12,
                color="black")
        ax.text(x0 + j + 0.5, y - 0.08 if below else y + 1.08, str(j), ha="center",
                va="top" if below else "bottom", fontsize=10, color="#555555")
        frames.append(ax.add_patch(Rectangle((x0 + j + 0.05, y), 0.9, 1.0, fill=False,
                                             animated=True)))
    ax.text(x0 - 0.15, y + 0.5, name, ha="right", va="center", fontsize=12)
    return frames


def _colour(frames, colours):
    for frame, colour in zip(frames, colours):
        frame.set_edgecolor(colour)
        frame.set_linewidth(3 if colour == HIGHLIGHT else 1.2)


def _link(ax):
    """A red line from a box of a_prev down to a box of delta, placed by ``_place``."""
    return ax.annotate("", xy=(0, 0), xytext=(0, 0), animated=True,
                       arrowprops=dict(arrowstyle="-", color=HIGHLIGHT, lw=1.8))


def _place(link, x_top, x_bottom):
    link.xy, link.xyann = (x_bottom + 0.5, 1.02), (x_top + 0.5, 2.95)


def _frame(ax):
    ax.set_xlim(-2.2, 5.3)
    ax.set_ylim(-2.5, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax.set_title(" ", fontsize=12, animated=True)  # its text moves with the slider


def _draw(fig, tap, pixel):
    # Built once: the rows' values, indices and names and the caption stay in the background;
    # what a move changes (titles, frame colours, red lines, K[p] tags, sums) is animated.
    left, right = fig.subplots(1, 2)
    sum_text = dict(ha="center", va="top", fontsize=11, animated=True)
    # Left: dL/dK[tap] = sum_i a_prev[i + tap] delta[i].
    left_title = _frame(left)
    left_top = _row(left, 3.0, A_PREV, "a_prev")
    _colour(_row(left, 0.0, DELTA, "\u03b4", below=True), [HIGHLIGHT] * len(DELTA))
    left_links = [_link(left) for _position in DELTA]  # one per position i, whatever the tap
    left_products = left.text(1.5, -0.75, "", **sum_text)
    left_total = left.text(1.5, -1.6, "", color=HIGHLIGHT, **sum_text)
    # Right: dL/da_prev[pixel] = sum_p delta[pixel - p] K[p]; up to 3 terms, unused ones hidden.
    right_title = _frame(right)
    right_top = _row(right, 3.0, A_PREV, "a_prev")
    right_bottom = _row(right, 0.0, DELTA, "\u03b4", below=True)
    right_links = [_link(right) for _tap in KERNEL]
    taps = [right.text(0, 0, "", ha="center", va="center", fontsize=10, color="#333333",
                       animated=True, bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
            for _tap in KERNEL]
    right_products = right.text(1.5, -0.75, "", **sum_text)
    right_total = right.text(1.5, -1.6, "", color=HIGHLIGHT, **sum_text)
    fig.text(0.5, 0.03, _("a_prev = [1, 2, 0, \u22121, 3],  K = [1, 0, \u22122],  "
                          "\u03b4 = \u2202L/\u2202z = [1, \u22121, 2]: red lines are the terms of the sum"),
             ha="center", fontsize=11)

    def update(tap, pixel):
        left_title.set_text(_("kernel gradient \u2202L/\u2202K[{tap}]").format(tap=tap))
        terms = kernel_gradient_terms(tap)
        _colour(left_top, [HIGHLIGHT if tap <= x < tap + len(DELTA) else MUTED
                           for x in range(len(A_PREV))])
        for link, (i, _a, _d) in zip(left_links, terms):
            _place(link, i + tap, i)
        total = sum(a * d for _i, a, d in terms)
        products = " + ".join(f"({_signed(a)})({_signed(d)})" for _i, a, d in terms)
        left_products.set_text(f"= {products}")
        left_total.set_text(_("= {total}   (one product per position i)").format(total=_signed(total)))

        right_title.set_text(_("input gradient \u2202L/\u2202a_prev[{pixel}]").format(pixel=pixel))
        terms = input_gradient_terms(pixel)
        used = {i for i, *_rest in terms}
        _colour(right_top, [HIGHLIGHT if x == pixel else MUTED for x in range(len(A_PREV))])
        _colour(right_bottom, [HIGHLIGHT if i in used else MUTED for i in range(len(DELTA))])
        for k, (link, label) in enumerate(zip(right_links, taps)):
            link.set_visible(k < len(terms))
            label.set_visible(k < len(terms))
            if k < len(terms):
                i, p, _d, _k = terms[k]
                _place(link, pixel, i)
                label.set_position((i + 0.5 + 0.3 * (pixel - i) + 0.32, 1.55))
                label.set_text(f"K[{p}]")
        total = sum(d * k for _i, _p, d, k in terms)
        products = " + ".join(f"({_signed(d)})({_signed(k)})" for _i, _p, d, k in terms)
        right_products.set_text(f"= {products}")
        right_total.set_text(_("= {total}   (taps p = {pixel} \u2212 i)").format(total=_signed(total),
                                                                        pixel=pixel))

    update(tap, pixel)
    return update


def conv_gradient_sums():
    """A kernel tap and an input pixel -> the terms of dL/dK[tap] and of dL/da_prev[pixel]."""
    return Explorer(
        title=N_("Lesson 08: a shared kernel's gradient is a sum over positions"),
        draw=_draw,
        controls={
            "tap": Slider(0, 2, 2, step=1, integer=True, label=N_("kernel tap p")),
            "pixel": Slider(0, 4, 2, step=1, integer=True, label=N_("input pixel x")),
        },
        figsize=(9.6, 4.4),
        margins=dict(left=0.02, right=0.98, bottom=0.1, top=0.92, wspace=0.12),
    )


EXPLORERS = {"conv_gradient_sums": conv_gradient_sums}
