"""The live path of every explorer draws what its static figure draws.

A widget keeps its figure and redraws only what a move changes (``LiveFigure``: blitting
over a cached background, see ``course/explorers/__init__.py``); slides, PDFs and tests use
the pure ``explorer.figure(**params)``. Here each control of each explorer moves to its ends
and back (``Explorer.tour``), one after the other as a learner's hand would, and after every move the live PNG
must match a fresh static figure at the same settings, pixel for pixel up to antialiasing
at the edges of artists that the live path draws last.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from course import explorers
from course.explorers import REBUILD, Explorer, LiveFigure, Slider, rescaled

matplotlib = pytest.importorskip("matplotlib")
PIL = pytest.importorskip("PIL")

ALL = explorers.all_explorers()
# A pixel "differs" when a channel is off by more than this; at most this share may differ
# (antialiased edges where the live path draws an artist over one of higher zorder).
LEVELS, SHARE = 48, 0.002


def pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def mismatch(live_png, static_png):
    """Share of pixels that differ between two PNGs of one size; 1.0 when the sizes differ."""
    live, static = pixels(live_png), pixels(static_png)
    if live.shape != static.shape:
        return 1.0
    return float((np.abs(live - static).max(axis=2) > LEVELS).mean())


@pytest.fixture(scope="module")
def built():
    return {name: factory() for name, factory in ALL.items()}


@pytest.mark.parametrize("name", sorted(ALL))
def test_live_redraws_match_the_static_figure(built, name):
    explorer = built[name]
    live = explorer.live()
    assert mismatch(live.png(), explorer.png()) <= SHARE
    for params in explorer.tour():
        share = mismatch(live.png(**params), explorer.png(**params))
        assert share <= SHARE, f"{name} at {params}: {share:.2%} of the pixels differ"


@pytest.mark.parametrize("name", sorted(ALL))
def test_the_fast_png_looks_like_the_canvas(built, name):
    """256 colours are enough: almost every pixel within 16 of 255 levels of the drawing."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from course.explorers import encode_png

    canvas = FigureCanvasAgg(built[name].figure())
    canvas.draw()
    drawn = np.asarray(canvas.buffer_rgba())[..., :3].astype(np.int16)
    difference = np.abs(pixels(encode_png(canvas)) - drawn).max(axis=2)
    assert np.percentile(difference, 99.9) <= 16 and difference.max() <= 64


def _line_explorer(update_sets_data):
    def draw(fig, a):
        ax = fig.subplots()
        x = np.linspace(0, 1, 50)
        ax.plot(x, x, color="gray")
        (line,) = ax.plot(x, a * x, lw=3, animated=True)
        ax.set_ylim(-2, 2)

        def update(a):
            if update_sets_data:
                line.set_ydata(a * x)

        return update

    return Explorer("test", draw, {"a": Slider(-2.0, 2.0, 1.0)}, figsize=(3, 2))


def test_a_live_update_blits_and_matches():
    explorer = _line_explorer(update_sets_data=True)
    live = explorer.live()
    live.png()
    assert mismatch(live.png(a=-1.5), explorer.png(a=-1.5)) == 0.0
    assert (live.full_redraws, live.blits) == (1, 1)  # the background was drawn once


def test_the_comparison_catches_an_update_that_forgets_an_artist():
    explorer = _line_explorer(update_sets_data=False)
    live = explorer.live()
    live.png()
    assert mismatch(live.png(a=-1.5), explorer.png(a=-1.5)) > SHARE


def _two_panels(hspace):
    def draw(fig, a):
        top, bottom = fig.subplots(2, 1)
        top.plot([0, 1], [0, 1], color="gray")
        bottom.set_title(f"a = {a:.2f}")
        (line,) = bottom.plot([0, 1], [0, a])

        def update(a):
            bottom.set_title(f"a = {a:.2f}")
            line.set_ydata([0, a])
            rescaled(bottom)  # new limits, new ticks: this panel's background changed
            return bottom

        return update

    return Explorer("test", draw, {"a": Slider(0.5, 5.0, 1.0)}, figsize=(3, 4),
                    margins=dict(left=0.2, right=0.95, bottom=0.08, top=0.92, hspace=hspace))


def test_an_update_can_redraw_one_panel_of_the_background():
    explorer = _two_panels(hspace=0.5)
    live = explorer.live()
    live.png()
    for a in (4.5, 0.7, 2.0):
        assert mismatch(live.png(a=a), explorer.png(a=a)) == 0.0
    assert (live.full_redraws, live.panel_redraws) == (1, 3)


def test_a_panel_that_touches_another_redraws_the_whole_background():
    explorer = _two_panels(hspace=0.0)  # the bottom panel's title runs into the top panel
    live = explorer.live()
    live.png()
    assert mismatch(live.png(a=4.5), explorer.png(a=4.5)) == 0.0
    assert (live.full_redraws, live.panel_redraws) == (2, 0)


def test_rebuild_draws_the_figure_afresh():
    calls = []

    def draw(fig, n):
        calls.append(n)
        fig.subplots(1, n)
        return lambda n: REBUILD

    explorer = Explorer("test", draw, {"n": Slider(1, 3, 1, integer=True)}, figsize=(3, 2))
    live = LiveFigure(explorer)
    live.png()
    assert mismatch(live.png(n=3), explorer.png(n=3)) == 0.0
    assert calls == [1, 3, 3] and live.full_redraws == 2


def test_an_update_that_returns_something_else_is_an_error():
    explorer = Explorer("test", lambda fig, a: 42, {"a": Slider(0.0, 1.0, 0.5)}, figsize=(3, 2))
    with pytest.raises(TypeError, match="expected None or an update"):
        explorer.figure()
