"""Every explorer draws at its defaults and at the extremes of every control, with nothing
cut off at the figure's edge and no panel's labels running into another panel."""

import io
from itertools import combinations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course import explorers

ALL = explorers.all_explorers()
CASES = [(name, control, value)
         for name, factory in ALL.items()
         for control, spec in factory().controls.items()
         for value in spec.extremes()]


@pytest.fixture(scope="module")
def built():
    return {name: factory() for name, factory in ALL.items()}


def test_every_lesson_module_has_explorers():
    assert "worked_example.network_update" in ALL


@pytest.mark.parametrize("name", sorted(ALL))
def test_explorer_draws_its_defaults(built, rendered, name):
    fig = built[name].figure()
    assert fig.axes, "the figure has no axes"
    assert built[name].png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not rendered(name)[1], rendered(name)[1]


def _texts(fig):
    """Every text a reader sees: titles, axis and tick labels, legends, annotations."""
    texts = list(fig.texts)  # the suptitle is one of them
    for legend in fig.legends:
        texts += legend.get_texts()
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title]
        for axis in (ax.xaxis, ax.yaxis) if ax.axison else ():  # axis("off") hides them all
            texts.append(axis.label)
            # The ticks drawn are those inside the view limits.
            texts += [label for tick in axis._update_ticks() for label in (tick.label1, tick.label2)]
        texts += ax.texts
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _overlap(a, b, tolerance=2.0):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance)


def layout_problems(fig):
    """What a reader would see as broken in a drawn figure (an empty list when none)."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    problems = []
    for text in _texts(fig):
        box = text.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            problems.append(f"text {text.get_text()!r} is cut off at the figure's edge")
    # Each panel with its labels, legend and title; figure-level titles and legends too.
    blocks = [(f"panel {i}", ax.get_tightbbox(renderer)) for i, ax in enumerate(fig.axes)]
    if fig._suptitle is not None:
        blocks.append(("the figure title", fig._suptitle.get_window_extent(renderer)))
    blocks += [("the figure legend", legend.get_window_extent(renderer)) for legend in fig.legends]
    for (name_a, a), (name_b, b) in combinations(blocks, 2):
        if _overlap(a, b):
            problems.append(f"{name_a} and {name_b} overlap")
    return problems


@pytest.fixture(scope="module")
def rendered(built):
    """(PNG bytes, layout problems) of each explorer at some control values, drawn once."""
    cache = {}

    def render(name, **params):
        key = (name, tuple(sorted(params.items())))
        if key not in cache:
            fig = built[name].figure(**params)
            buffer = io.BytesIO()
            FigureCanvasAgg(fig).print_png(buffer)
            cache[key] = buffer.getvalue(), layout_problems(fig)
        return cache[key]

    return render


@pytest.mark.parametrize("name, control, value", CASES, ids=[f"{c[0]}-{c[1]}={c[2]}" for c in CASES])
def test_explorer_draws_at_each_extreme_and_the_picture_changes(built, rendered, name, control,
                                                                value):
    png, problems = rendered(name, **{control: value})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not problems, problems
    if value != built[name].controls[control].default:
        assert png != rendered(name)[0], f"moving {control} to {value} changed nothing"


def test_the_layout_check_finds_cut_off_and_overlapping_labels():
    fig = Figure(figsize=(4, 3), dpi=80)
    left, right = fig.subplots(1, 2)
    left.set_ylabel("a long label that the figure's left edge cuts off")
    right.set_ylabel("this one runs into the left panel", fontsize=20)
    FigureCanvasAgg(fig).draw()
    problems = layout_problems(fig)
    assert any("cut off" in p for p in problems)
    assert "panel 0 and panel 1 overlap" in problems
    fig = Figure(figsize=(4, 3), dpi=80, layout="constrained")
    fig.subplots(1, 2)[0].set_ylabel("short")
    FigureCanvasAgg(fig).draw()
    assert layout_problems(fig) == []


@pytest.mark.parametrize("name", sorted(ALL))
def test_widget_has_one_control_per_parameter(built, name):
    box = built[name].show()
    header, controls, output = box.children
    assert len(controls.children) == len(built[name].controls)
    assert {c.description for c in controls.children}


def test_bad_parameters_get_clear_errors(built):
    explorer = built["worked_example.network_update"]
    with pytest.raises(ValueError, match="unknown parameter"):
        explorer.figure(momentum=0.5)
    with pytest.raises(ValueError, match="learning_rate must be in"):
        explorer.figure(learning_rate=-1.0)
