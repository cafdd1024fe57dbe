"""Every interactive figure of the course: a pure function ``params -> Figure`` with controls.

An ``Explorer`` bundles a drawing function, its controls (sliders, choices, toggles with
defaults and ranges) and two ways to show it:

- ``explorer.figure(**params)`` returns a matplotlib ``Figure`` — a static figure for
  GitHub, PDFs, slides, tests and kernels without a widget frontend (missing params take
  defaults);
- ``explorer.show()`` returns an ipywidgets box: move a control, the figure is redrawn live.

The drawing function ``draw(fig, **params)`` fills a fresh figure. It may return an
``update(**params)`` function: the live path then builds the figure once and, on a move,
calls ``update`` to change only the artists that move (``set_data``, ``set_text``, ...),
which ``draw`` marked with ``set_animated(True)``. Everything else (axes, ticks, labels,
static curves) is rendered once into a background that each redraw copies back
(blitting), so a move costs only the artists it changes. ``update`` returns True when it
also changed the background (limits, ticks, a static artist): the background is then
rendered again (only that of the panels it returns, if it returns an ``Axes`` or a list of
them); it returns ``REBUILD`` when the figure must be drawn afresh (say, another
number of panels). Without ``update`` every move draws the whole figure afresh. Both paths
draw the same picture (tests/test_live_explorers.py compares their pixels).

A lesson's notebook shows the static figure with the defaults first, then the live widget.
Lesson modules (``worked_example``, ...) hold their explorers and list their factories in a
module-level ``EXPLORERS`` dict; ``all_explorers()`` collects them from every module of this
package, so tests and benchmarks reach every one. matplotlib and ipywidgets are imported
only when a figure is drawn or a widget built.
"""

from __future__ import annotations

import io
import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course.i18n import _, display_width, get_language

# Pixels per inch of every explorer figure: matplotlib's inline dpi, so that a point is as big
# in an explorer as in a lecture figure. An explorer is at most 9.6 in wide: its widget PNG
# (figsize x DPI) then fits JupyterLab's output area (968 px in a 1400 px window with the file
# browser open) at its own size, and no text is below 8 pt = 11 px (tests/test_figure_text_size.py).
DPI = 100
MARGINS = dict(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.3, hspace=0.4)
CHARACTER_PX = 7  # about how wide a character of a control's description is in JupyterLab


REBUILD = "rebuild"  # what an update(**params) returns when it cannot redraw in place


def _decimals(step):
    """How many decimals a slider's readout needs to show every value of its steps."""
    from decimal import Decimal

    return max(0, -Decimal(str(step)).normalize().as_tuple().exponent)


def _width(description, content_px):
    """A control wide enough for its description and ``content_px`` of slider, box or list."""
    return f"{CHARACTER_PX * display_width(description) + content_px}px"



@dataclass(frozen=True)
class Slider:
    """A number between ``low`` and ``high``; ``integer`` for whole numbers, ``log`` for a
    log-scaled slider (the value moves by factors, e.g. learning rates)."""

    low: float
    high: float
    default: float
    step: float | None = None
    label: str | None = None
    integer: bool = False
    log: bool = False

    def validate(self, name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"{name} must be a number in [{self.low}, {self.high}], got {value!r}")
        if not self.low <= value <= self.high:
            raise ValueError(f"{name} must be in [{self.low}, {self.high}], got {value}")
        return int(value) if self.integer else float(value)

    def extremes(self):
        return [self.low, self.high]

    def widget(self, name):
        import ipywidgets as widgets

        description = _(self.label or name)
        # The track gets about 180 px whatever the description's length, the readout 60.
        # Live while dragged: ipywidgets sends at most one change until the kernel is idle
        # again (msg_throttle) and then only the latest value, so a drag never queues a backlog.
        common = dict(description=description, continuous_update=True,
                      style={"description_width": "initial"},
                      layout=widgets.Layout(width=_width(description, 280)))
        if self.integer:
            return widgets.IntSlider(value=self.default, min=self.low, max=self.high,
                                     step=self.step or 1, **common)
        if self.log:
            return widgets.FloatLogSlider(value=self.default, min=np.log10(self.low),
                                          max=np.log10(self.high), step=self.step or 0.1,
                                          readout_format=".3g", **common)
        step = self.step or (self.high - self.low) / 100
        # As many decimals as the step has: 0.095 on a 0.005 step, not 0.10.
        readout = f".{_decimals(step)}f" if self.step else ".3g"
        return widgets.FloatSlider(value=self.default, min=self.low, max=self.high, step=step,
                                   readout_format=readout, **common)


@dataclass(frozen=True)
class Choice:
    """One of ``options`` (names such as activations or initializers)."""

    options: tuple
    default: object
    label: str | None = None

    def validate(self, name, value):
        if value not in self.options:
            raise ValueError(f"{name} must be one of {list(self.options)}, got {value!r}")
        return value

    def extremes(self):
        return list(self.options)

    def widget(self, name):
        import ipywidgets as widgets

        description = _(self.label or name)
        options = list(self.options)
        if get_language() != "en":  # (label, value) pairs: the draw function gets the value
            options = [(_(option) if isinstance(option, str) else str(option), option)
                       for option in self.options]
        longest = max(display_width(option[0] if isinstance(option, tuple) else option)
                      for option in options)
        return widgets.Dropdown(options=options, value=self.default,
                                description=description, style={"description_width": "initial"},
                                layout=widgets.Layout(width=_width(
                                    description, max(CHARACTER_PX * longest + 60, 100))))


@dataclass(frozen=True)
class Toggle:
    """On or off."""

    default: bool
    label: str | None = None

    def validate(self, name, value):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}")
        return bool(value)

    def extremes(self):
        return [False, True]

    def widget(self, name):
        import ipywidgets as widgets

        description = _(self.label or name)
        # Not indented, and wide enough: the description is never cut to "centre the in...".
        return widgets.Checkbox(value=self.default, description=description, indent=False,
                                layout=widgets.Layout(width=_width(description, 40)))


@dataclass
class Explorer:
    """``draw(fig, **params)`` fills a fresh matplotlib Figure; ``controls`` name its params.

    ``margins``: where the axes go, as fractions of the figure (``left``, ``right``,
    ``bottom``, ``top``, ``wspace``, ``hspace`` of ``Figure.subplots_adjust``). The axes are
    placed by hand, not by constrained layout: measuring every label on every redraw doubled
    a widget's answer time, and fixed axes stay put while a slider moves.
    """

    title: str
    draw: Callable
    controls: dict
    figsize: tuple = (9.0, 4.0)
    margins: dict = field(default_factory=lambda: dict(MARGINS))

    def defaults(self):
        return {name: control.default for name, control in self.controls.items()}

    def _params(self, params):
        unknown = set(params) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)} for '{self.title}'; "
                             f"expected some of {sorted(self.controls)}")
        full = self.defaults()
        full.update({name: self.controls[name].validate(name, value)
                     for name, value in params.items()})
        return full

    def _build(self, params, fig=None):
        """Draw ``params`` (validated) into ``fig`` (cleared) or a new figure: (fig, update)."""
        from matplotlib import rc_context
        from matplotlib.figure import Figure

        if fig is None:
            fig = Figure(figsize=self.figsize, dpi=DPI)
        else:
            fig.clear()
        fig.subplots_adjust(**self.margins)  # Figure(subplotpars=...) is reset by its clear()
        # Titles at a fixed height above their axes: placing them automatically measures
        # every tick label of the panel once more on each redraw.
        with rc_context({"axes.titley": 1.0}):
            update = self.draw(fig, **params)
        lighter_ticks(fig)
        if update is not None and not callable(update):
            raise TypeError(f"the draw function of '{self.title}' returned {update!r}; "
                            f"expected None or an update(**params) function")
        return fig, update

    def tour(self):
        """Settings after each move of a learner's tour: every control in turn to its ends (a
        slider also to a point inside), then back to its default (for tests and benchmarks)."""
        settings, current = [], self.defaults()
        for name, control in self.controls.items():
            values = list(control.extremes())
            if isinstance(control, Slider):
                inside = control.low + 0.37 * (control.high - control.low)
                values.insert(1, round(inside) if control.integer else inside)
            for value in values + [control.default]:
                current = {**current, name: value}
                settings.append(current)
        return settings

    def figure(self, **params):
        """The figure for these control values (the others at their defaults)."""
        fig, _ = self._build(self._params(params))
        for artist in fig.findobj(lambda a: a.get_animated()):
            artist.set_animated(False)  # a static figure draws every artist in its own order
        return fig

    def png(self, **params):
        """The static figure rendered to PNG bytes, encoded as the live widget encodes it."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(self.figure(**params))
        canvas.draw()
        return encode_png(canvas)

    def live(self):
        """A ``LiveFigure``: this explorer's figure kept for redrawing in place."""
        return LiveFigure(self)

    def show(self):
        """An ipywidgets box: the title, the controls, the figure (redrawn in place on every
        change) and an output that shows an error, should a redraw raise one."""
        import ipywidgets as widgets

        controls = {name: control.widget(name) for name, control in self.controls.items()}
        live = self.live()
        image = widgets.Image(value=live.png(**self.defaults()), format="png")
        errors = widgets.Output()

        failed = []  # whether ``errors`` shows a traceback

        def redraw(change):
            # Not ``with errors:`` around every redraw: entering an Output widget's context
            # sends two messages to the browser, which cost more than a blit.
            try:
                image.value = live.png(**{name: c.value for name, c in controls.items()})
            except Exception:
                errors.clear_output()
                with errors:  # the traceback below the figure instead of in the kernel's log
                    traceback.print_exc()
                failed[:] = [True]
                return
            if failed:
                errors.clear_output()
                failed.clear()

        for control in controls.values():
            control.observe(redraw, names="value")
        header = widgets.HTML(f"<b>{_(self.title)}</b>")
        return widgets.VBox([header, widgets.HBox(list(controls.values()),
                                                   layout=widgets.Layout(flex_flow="row wrap")),
                             image, errors])


class LiveFigure:
    """One explorer's figure, kept between moves and redrawn in place.

    ``png(**params)`` returns the figure for ``params`` as PNG bytes. The first call builds
    the figure; later calls use the draw function's ``update`` if it returned one (only the
    animated artists are drawn again, over the cached background), else they draw the whole
    figure again into the same figure and canvas (matplotlib's text metrics stay cached).

    What ``update`` returns says how much of the background changed: nothing (falsy), some
    panels (an ``Axes`` or a list of them: only their slots of the background are drawn
    again), all of it (True), or the whole figure (``REBUILD``).
    """

    def __init__(self, explorer):
        self.explorer = explorer
        self.fig = self.canvas = self.update = self.background = None
        self.animated, self.slots = [], {}
        # How each redraw went, read by tests and benchmarks.
        self.full_redraws = self.panel_redraws = self.blits = 0

    def png(self, **params):
        from matplotlib.axes import Axes
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        params = self.explorer._params(params)
        changed = self.update(**params) if self.update is not None else None
        if self.update is None or changed is REBUILD:
            self.fig, self.update = self.explorer._build(params, self.fig)
            if self.canvas is None:
                self.canvas = FigureCanvasAgg(self.fig)
            changed = True
        if changed:  # an update that changed the background may also have made new artists
            self.animated = sorted(self.fig.findobj(lambda a: a.get_animated()),
                                   key=lambda a: a.get_zorder())
        if isinstance(changed, Axes):
            changed = [changed]
        if isinstance(changed, (list, tuple)) and self._redraw_panels(changed):
            self.panel_redraws += 1
        elif changed or self.background is None:
            self.canvas.draw()  # everything but the animated artists
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.slots = self._slots()
            self.full_redraws += 1
        else:
            self.canvas.restore_region(self.background)
            self.blits += 1
        renderer = self.canvas.get_renderer()
        for artist in self.animated:
            artist.draw(renderer)
        return encode_png(self.canvas)

    def _slots(self):
        """{axes: the area its background may use}: its extent now, widened half-way to the
        nearest other panel (or figure-level text, legend) on each side, or to the figure's
        edge. A panel redrawn in place is erased and drawn within its slot, which measures
        nothing (measuring a panel's ticks again costs a third of drawing them)."""
        from matplotlib.transforms import Bbox

        renderer = self.canvas.get_renderer()
        boxes = {ax: ax.get_tightbbox(renderer) for ax in self.fig.axes}
        fixed = [artist.get_window_extent(renderer) for artist in
                 [*self.fig.texts, *self.fig.legends, *self.fig.patches, *self.fig.lines]
                 if artist.get_visible()]
        width, height = self.canvas.get_width_height()
        slots = {}
        for ax, box in boxes.items():
            others = [b for other, b in boxes.items() if other is not ax] + fixed
            x0, y0, x1, y1 = box.extents
            beside = [b for b in others if b.y0 < y1 and b.y1 > y0]
            x0 = max([(x0 + b.x1) / 2 for b in beside if b.x1 <= box.x0], default=0)
            x1 = min([(x1 + b.x0) / 2 for b in beside if b.x0 >= box.x1], default=width)
            above_below = [b for b in others if b.x0 < x1 and b.x1 > x0]
            y0 = max([(y0 + b.y1) / 2 for b in above_below if b.y1 <= box.y0], default=0)
            y1 = min([(y1 + b.y0) / 2 for b in above_below if b.y0 >= box.y1], default=height)
            slot = Bbox.from_extents(math.ceil(x0), math.ceil(y0), math.floor(x1), math.floor(y1))
            touches = any(slot.overlaps(b) for b in others) or not slot.contains(*box.min) \
                or not slot.contains(*box.max)
            slots[ax] = None if touches else slot  # None: this panel cannot be redrawn alone
        return slots

    def _redraw_panels(self, axes):
        """Draw the background of ``axes`` again, each over a blank of its slot; False
        (nothing done) if a panel has no slot, or is new."""
        from matplotlib.path import Path
        from matplotlib.transforms import Affine2D

        if any(self.slots.get(ax) is None for ax in axes):
            return False
        renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self.background)
        blank = renderer.new_gc()
        blank.set_antialiased(False)
        blank.set_linewidth(0)
        for ax in axes:
            slot = self.slots[ax]
            renderer.draw_path(blank, Path.unit_rectangle(),
                               Affine2D().scale(slot.width, slot.height).translate(slot.x0, slot.y0),
                               self.fig.patch.get_facecolor())
            ax.draw(renderer)  # its animated artists are left out, as in canvas.draw()
        blank.restore()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        return True


def animated_legends(owner, entries, shown, **style):
    """Animated legends of an Axes or Figure ``owner``, one per list of handles in ``entries``,
    all hidden but the one with ``shown`` handles (``owner``'s own legend; the others are added
    as artists). A live update cannot add an entry to a legend: it shows another one
    (``show_legend``)."""
    from matplotlib.legend import Legend

    legends = []
    for handles in entries:
        labels = [""] * len(handles)  # show_legend writes them
        if len(handles) == shown:
            legend = owner.legend(handles, labels, **style)
        else:
            legend = owner.add_artist(Legend(owner, handles, labels, **style))
        legend.set_animated(True)
        legend.set_visible(len(handles) == shown)
        legends.append(legend)
    return legends


def show_legend(legends, labels):
    """Show the legend of ``animated_legends`` with as many entries as ``labels``, labelled so."""
    for legend in legends:
        texts = legend.get_texts()
        legend.set_visible(len(texts) == len(labels))
        if legend.get_visible():
            for text, label in zip(texts, labels):
                text.set_text(label)


def rescaled(*axes):
    """Autoscale ``axes`` to their artists' data as a fresh figure would; True if any limits
    changed (then the ticks did too: an ``update`` returns this to redraw the background)."""
    changed = False
    for ax in axes:
        before = (ax.get_xlim(), ax.get_ylim())
        ax.relim()
        ax.autoscale_view()
        changed |= (ax.get_xlim(), ax.get_ylim()) != before
    return changed


def encode_png(canvas):
    """A drawn Agg canvas as PNG bytes, quickly: 256 colours (Pillow's fast octree; a figure
    has a few thousand, mostly antialiasing shades, and looks the same) at zlib level 1.
    About 10 ms and 40 kB, where matplotlib's RGBA at level 6 took 25 ms and 90 kB, and a
    smaller PNG also reaches and decodes in the browser sooner. tests/test_live_explorers.py
    holds every explorer's PNG to its canvas: 99.9 % of pixels within 16 of 255 levels."""
    from PIL import Image

    buffer = io.BytesIO()
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    palette = rgba.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    palette.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def lighter_ticks(fig):
    """Fewer ticks, in plain text, on every axis of ``fig`` that kept matplotlib's defaults.

    Ticks are most of what a redraw costs: each one is five artists, made afresh for every
    new figure, and matplotlib typesets its log labels (10^-2) with mathtext, its slowest text.
    So linear axes get at most six ticks at round numbers, log axes minor ticks at 2 and 5
    only, and log labels read 0.01, 0.1, 1. Locators a drawing chose itself are kept.
    """
    from matplotlib.ticker import AutoLocator, LogFormatterSciNotation, LogLocator, MaxNLocator

    class PlainLogFormatter(LogFormatterSciNotation):
        def __call__(self, x, pos=None):
            # The parent decides which ticks get a label ('' for the others), we write it.
            return f"{x:g}" if super().__call__(x, pos) else ""

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                if isinstance(axis.get_major_formatter(), LogFormatterSciNotation):
                    axis.set_major_formatter(PlainLogFormatter())
                    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))
                if type(axis.get_minor_locator()) is LogLocator:  # not a NullLocator
                    axis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            elif type(axis.get_major_locator()) is AutoLocator:
                axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))


def all_explorers():
    """{"module.factory": factory} for every explorer of every lesson module in this package."""
    import importlib
    import pkgutil

    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, factory in getattr(module, "EXPLORERS", {}).items():
            found[f"{info.name}.{name}"] = factory
    return found


def __getattr__(name):
    # ``explorers.worked_example`` works without importing every lesson module up front.
    import importlib

    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
