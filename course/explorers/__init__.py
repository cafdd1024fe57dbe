"""Every interactive figure of the course: a pure function ``params -> Figure`` with controls.

An ``Explorer`` bundles a drawing function, its controls (sliders, choices, toggles with
defaults and ranges) and two ways to show it:

- ``explorer.figure(**params)`` returns a matplotlib ``Figure`` — a static figure for
  GitHub, PDFs, tests and kernels without a widget frontend (missing params take defaults);
- ``explorer.show()`` returns an ipywidgets box: move a control, the figure is redrawn.

A lesson's notebook shows the static figure with the defaults first, then the live widget.
Lesson modules (``worked_example``, ...) hold their explorers and list their factories in a
module-level ``EXPLORERS`` dict; ``all_explorers()`` collects them from every module of this
package, so tests and benchmarks reach every one. matplotlib and ipywidgets are imported
only when a figure is drawn or a widget built.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# Pixels per inch of every explorer figure: matplotlib's inline dpi, so that a point is as big
# in an explorer as in a lecture figure. An explorer is at most 9.6 in wide: its widget PNG
# (figsize x DPI) then fits JupyterLab's output area (968 px in a 1400 px window with the file
# browser open) at its own size, and no text is below 8 pt = 11 px (tests/test_figure_text_size.py).
DPI = 100
MARGINS = dict(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.3, hspace=0.4)
CHARACTER_PX = 7  # about how wide a character of a control's description is in JupyterLab


def _decimals(step):
    """How many decimals a slider's readout needs to show every value of its steps."""
    from decimal import Decimal

    return max(0, -Decimal(str(step)).normalize().as_tuple().exponent)


def _width(description, content_px):
    """A control wide enough for its description and ``content_px`` of slider, box or list."""
    return f"{CHARACTER_PX * len(description) + content_px}px"


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

        description = self.label or name
        # The track gets about 180 px whatever the description's length, the readout 60.
        common = dict(description=description, continuous_update=False,
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

        description = self.label or name
        longest = max(len(str(option)) for option in self.options)
        return widgets.Dropdown(options=list(self.options), value=self.default,
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

        description = self.label or name
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

    def figure(self, **params):
        """The figure for these control values (the others at their defaults)."""
        from matplotlib import rc_context
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.figsize, dpi=DPI)
        fig.subplots_adjust(**self.margins)  # Figure(subplotpars=...) is reset by its clear()
        # Titles at a fixed height above their axes: placing them automatically measures
        # every tick label of the panel once more on each redraw.
        with rc_context({"axes.titley": 1.0}):
            self.draw(fig, **self._params(params))
        lighter_ticks(fig)
        return fig

    def png(self, **params):
        """The figure rendered to PNG bytes (what the widget shows)."""
        buffer = io.BytesIO()
        self.figure(**params).savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def show(self):
        """An ipywidgets box with the controls above the figure, redrawn on every change."""
        import ipywidgets as widgets
        from IPython.display import Image, display

        controls = {name: control.widget(name) for name, control in self.controls.items()}

        def redraw(**params):
            display(Image(self.png(**params)))

        output = widgets.interactive_output(redraw, controls)
        header = widgets.HTML(f"<b>{self.title}</b>")
        return widgets.VBox([header, widgets.HBox(list(controls.values()),
                                                   layout=widgets.Layout(flex_flow="row wrap")),
                             output])


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
