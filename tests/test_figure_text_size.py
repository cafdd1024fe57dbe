"""Every text of every figure is readable where the course is read: at least ``MIN_TEXT_PX``
pixels tall as JupyterLab shows it, with nothing overlapping.

The display model
-----------------
The window: JupyterLab 4 at the browser's default zoom, 1400 x 900 CSS px, the file browser
open at its default width (250 px) as JupyterLab opens a notebook. There a notebook's output
area (``.jp-OutputArea-output``) is ``DISPLAY_WIDTH_PX`` = 968 px wide. Measured, not guessed:
JupyterLab 4.6.6 served by ``browser_support.LabServer`` with lesson 07 opened in Chromium
at that viewport (an explorer's widget box is as wide); the same measurement with the sidebar
collapsed (what the screenshots of tests/test_browser.py show) gives 1220 px, the width of
their widget screenshots. The file browser's layout is the narrower one, so it is the test.

- An image wider than the output area is scaled down to its width (``max-width: 100%``);
  a narrower one is shown at its own pixel size (devicePixelRatio 1).
- A lecture figure (``plt.show()`` with ``%matplotlib inline``) is a PNG saved at
  ``figure.dpi`` with ``bbox_inches="tight"``: matplotlib-inline 0.2 changes no rcParams, so
  100 dpi, and the PNG's width is the figure's tight bounding box (not ``figsize``).
- An explorer is seen twice: its static figure (``explorer.figure()`` as a cell's value,
  drawn by the same inline formatter at the explorer's ``DPI``, tight) and its widget
  (``explorer.png()``, ``figsize`` x ``DPI`` pixels, not tight). Both must pass.

The height of a text as displayed, in px, is its font size in points (taken as its height)
at the PNG's dpi, times the scale of the image:

    fontsize_pt * dpi / 72 * min(1, DISPLAY_WIDTH_PX / png_width_px)

So at 100 dpi a figure at most 9.68 in wide is shown at full size and needs 8 pt text
(8 * 100 / 72 = 11.1 px); a wider one needs more (0.82 pt per inch of width: 12.3 pt at 15 in,
where lesson 07's five panels had 8.3 to 12 pt).

The lecture figures come from running each lecture notebook's code cells in this process,
with ``plt.show`` recording the figures it would show (``%`` magics skipped, widget cells
skipped: their explorers are checked directly). The layout checks of tests/test_explorers.py
(overlapping panels, texts and legends over data) run on them too; "cut off at the figure's
edge" does not apply to them, as the tight bounding box grows to hold every text.
"""

import ast
import contextlib
import io
import json
import os
import re
import struct
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from test_explorers import layout_problems, network_problems, visible_texts  # noqa: E402

from course import explorers, viz  # noqa: E402

DISPLAY_WIDTH_PX = 968  # JupyterLab's output area, 1400 x 900 window, file browser open
MIN_TEXT_PX = 11.0
INLINE_DPI = 100  # matplotlib's figure.dpi; matplotlib-inline keeps it
NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_CELL = re.compile(r"^(?!plt\.|pyplot\.|fig\w*\.)[A-Za-z_][\w.]*(\([^()]*\))?\.show\(\)\s*;?\s*$")


def png_size(png):
    """(width, height) in pixels from a PNG's header."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", png[16:24])


def inline_png(fig):
    """The PNG the inline backend shows for ``fig`` (IPython's print_figure: fig.dpi, tight)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    return buffer.getvalue()


def inline_width(fig):
    """The width in px of ``inline_png(fig)``, from one draw instead of a PNG: the figure's
    tight bounding box plus savefig's 0.1 in pad on each side. Draws (lays out) the figure."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # a Figure() of an explorer: give it a canvas that renders
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    return round((box.width + 2 * matplotlib.rcParams["savefig.pad_inches"]) * fig.dpi)


def displayed_scale(png_width):
    return min(1.0, DISPLAY_WIDTH_PX / png_width)


def small_texts(fig, dpi, png_width, where=""):
    """Texts of a drawn figure shown below MIN_TEXT_PX when its PNG (``png_width`` px, saved
    at ``dpi``) is displayed in the output area."""
    scale = displayed_scale(png_width)
    problems = []
    for text in visible_texts(fig):
        shown = text.get_fontsize() * dpi / 72 * scale
        if shown < MIN_TEXT_PX - 1e-9:
            problems.append(f"{where}text {text.get_text()[:40]!r} is {shown:.1f} px tall "
                            f"({text.get_fontsize():g} pt at {dpi:g} dpi, image {png_width} px "
                            f"shown at {scale:.0%})")
    return problems


def static_figure_problems(fig, where=""):
    """Text size and layout problems of ``fig`` shown by the inline backend."""
    width = inline_width(fig)
    return (small_texts(fig, fig.dpi, width, where)
            + [where + problem for problem in layout_problems(fig, edges=False)])


# --- the check itself ----------------------------------------------------------------------
def five_panels_as_lesson_07_drew_them():
    """Lesson 07's five-panel figure as it was: 15 x 4 in, default fonts, a small legend."""
    fig = plt.figure(figsize=(15, 4), layout="constrained")
    axes = fig.subplots(1, 5, sharey=True)
    for ax, name in zip(axes, ("sigmoid", "tanh", "softsign", "relu", "leaky_relu")):
        for depth in (2, 4, 6, 8, 10):
            ax.semilogy(range(1, depth + 1), 0.25 ** np.arange(depth, 0, -1), "o-", ms=3,
                        label=f"{depth} layers")
        ax.set(title=name, xlabel="hidden layer l", xticks=range(1, 11, 2))
    axes[0].set_ylabel(r"$\|\partial L / \partial W_l\|$")
    axes[-1].legend(fontsize="small")
    fig.suptitle("weight-gradient norm per hidden layer at initialization (normalized init, seed 0)")
    return fig


def test_the_check_finds_the_small_text_of_lesson_06s_five_panel_figure():
    fig = five_panels_as_lesson_07_drew_them()
    problems = static_figure_problems(fig)
    plt.close(fig)
    # 15 in at 100 dpi is a ~1500 px PNG shown at ~64 %: 10 pt ticks are ~9 px, the legend ~7.
    assert any("'2 layers'" in p and "7." in p for p in problems), problems
    assert any("'hidden layer l'" in p for p in problems), problems
    assert len(problems) > 30, problems

    fig = plt.figure(figsize=(7, 3), layout="constrained")  # narrow, default fonts: readable
    fig.subplots().plot([1, 2], [3, 4], label="a line")
    fig.axes[0].legend(loc="upper left")
    assert static_figure_problems(fig) == []
    plt.close(fig)


def test_the_display_model():
    assert matplotlib.rcParams["figure.dpi"] == INLINE_DPI  # what the inline backend saves at
    assert displayed_scale(500) == 1.0 and displayed_scale(2 * DISPLAY_WIDTH_PX) == 0.5
    fig = Figure(figsize=(4, 2), dpi=100)
    fig.text(0.5, 0.5, "eight points", fontsize=8)  # 8 * 100 / 72 = 11.1 px
    fig.text(0.5, 0.2, "seven points", fontsize=7)  # 9.7 px
    FigureCanvasAgg(fig).draw()
    problems = small_texts(fig, 100, 400)
    assert len(problems) == 1 and "'seven points' is 9.7 px" in problems[0]
    assert len(small_texts(fig, 100, 2000)) == 2  # the same PNG scaled to 48 %
    fig = five_panels_as_lesson_07_drew_them()  # the width without a PNG is the PNG's
    assert abs(inline_width(fig) - png_size(inline_png(fig))[0]) <= 1
    plt.close(fig)


# --- the explorers -------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(explorers.all_explorers()))
def test_explorer_text_is_readable_in_the_widget_and_the_static_figure(name):
    explorer = explorers.all_explorers()[name]()
    width, _ = png_size(explorer.png())  # what the widget shows: figsize x DPI, not tight
    assert width == round(explorer.figsize[0] * explorers.DPI)
    fig = explorer.figure()
    static_width = inline_width(fig)  # draws it
    problems = small_texts(fig, explorers.DPI, width, "widget: ")
    problems += small_texts(fig, explorers.DPI, static_width, "static figure: ")
    problems += layout_problems(fig)
    assert not problems, "\n".join(problems)


# --- the lecture notebooks -----------------------------------------------------------------
def code_cells(path):
    """(index, source) of each code cell to run: magics dropped, widget cells skipped."""
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        lines = [line for line in "".join(cell["source"]).splitlines()
                 if not line.lstrip().startswith(("%", "!"))]
        code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if code and WIDGET_CELL.match(code[-1].strip()):
            continue  # explorer.show(): a widget, checked above through its explorer
        yield index, "\n".join(lines)


def lecture_figure_problems(path):
    """Run the notebook's code cells here; return the problems of every figure it shows."""
    problems, shown = [], []

    def check(fig, where):
        problems.extend(static_figure_problems(fig, where))
        shown.append(where)

    def show(*args, **kwargs):
        for number in plt.get_fignums():
            check(plt.figure(number), f"cell {cell}, figure {len(shown) + 1}: ")
        plt.close("all")

    namespace = {"__name__": "__main__"}
    saved_path, saved_environ, saved_cwd = list(sys.path), dict(os.environ), os.getcwd()
    saved_show = plt.show
    plt.close("all")
    try:
        os.chdir(path.parent)  # the notebooks read ../benchmarks/... relative to themselves
        plt.show = show
        for cell, source in code_cells(path):
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(tree, f"{path.name}, cell {cell}", "exec"), namespace)
                value = None if last is None else eval(
                    compile(ast.Expression(last.value), f"{path.name}, cell {cell}", "eval"),
                    namespace)
            if isinstance(value, Figure):  # an explorer's static figure, shown by the formatter
                check(value, f"cell {cell}, its value: ")
            show()  # the inline backend shows what the cell left open
    finally:
        plt.show = saved_show
        plt.close("all")
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_environ)
    return problems, shown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lecture_figures_are_readable_and_nothing_overlaps(path):
    problems, shown = lecture_figure_problems(path)
    assert shown, f"{path.name} showed no figure"
    assert not problems, f"{len(problems)} problems in {len(shown)} figures:\n" + "\n".join(problems)


# --- the network drawing of lesson 01 ---------------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"learning_rate": 5.0, "x1": -1.0, "x2": -1.0, "target": 0.0}])
def test_network_values_fit_their_units_and_labels_keep_clear(params):
    fig = explorers.worked_example.network_update().figure(**params)
    FigureCanvasAgg(fig).draw()
    assert sum(text.get_gid() == "unit" for ax in fig.axes for text in ax.texts) == 6
    assert network_problems(fig) == []
    fig = Figure(figsize=(3, 2))  # a unit too small for its value, a label on it: found
    ax = fig.subplots()
    viz.draw_network(ax, explorers.worked_example.one_update()[0], outputs=[[0.5] * 3, [0.5] * 2, [0.5]])
    FigureCanvasAgg(fig).draw()
    problems = network_problems(fig)
    assert any("spills out" in p for p in problems) and any("touches a unit" in p for p in problems)
