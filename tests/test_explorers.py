"""Every explorer draws at its defaults and at the extremes of every control, with nothing
cut off at the figure's edge, no panel's labels running into another panel, no text on top of
another, no legend over a data point or a text, and in network drawings every value inside its
unit; its controls show their whole description and value. ``layout_problems`` is shared with
tests/test_figure_text_size.py, which runs it on the lecture figures too."""

import io
from itertools import combinations

import numpy as np
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


def visible_texts(fig):
    """Every text a reader sees: titles, axis and tick labels, offsets, legends with their
    titles, annotations, table cells, figure texts."""
    texts = list(fig.texts)  # the suptitle is one of them
    legends = list(fig.legends)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title]
        for axis in (ax.xaxis, ax.yaxis) if ax.axison else ():  # axis("off") hides them all
            texts += [axis.label, axis.get_offset_text()]
            # The ticks drawn are those inside the view limits.
            texts += [label for tick in axis._update_ticks() for label in (tick.label1, tick.label2)]
        texts += ax.texts
        texts += [cell.get_text() for table in ax.tables for cell in table.get_celld().values()]
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for legend in legends:
        texts += legend.get_texts() + [legend.get_title()]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _overlap(a, b, tolerance=2.0):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance)


def _data_points(ax):
    """Display coordinates of the points a reader looks for: every vertex of every line and
    every scatter marker of ``ax`` inside its frame."""
    from matplotlib.collections import PathCollection

    points = [line.get_transform().transform(line.get_xydata())
              for line in ax.lines if line.get_visible() and len(line.get_xydata())]
    points += [c.get_offset_transform().transform(c.get_offsets())
               for c in ax.collections if isinstance(c, PathCollection) and c.get_visible()
               and len(c.get_offsets())]
    if not points:
        return np.empty((0, 2))
    points = np.concatenate(points)
    frame = ax.bbox
    keep = (np.isfinite(points).all(axis=1) & (points[:, 0] >= frame.x0) & (points[:, 0] <= frame.x1)
            & (points[:, 1] >= frame.y0) & (points[:, 1] <= frame.y1))
    return points[keep]


def layout_problems(fig, edges=True):
    """What a reader would see as broken in a drawn figure (an empty list when none): texts
    cut off at the figure's edge (``edges``; not for figures saved with a tight bounding
    box), panels running into each other, texts on top of each other, legends over data."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    problems = []
    texts = visible_texts(fig)
    boxes = [text.get_window_extent(renderer) for text in texts]
    for text, box in zip(texts, boxes):
        if edges and (box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1):
            problems.append(f"text {text.get_text()!r} is cut off at the figure's edge")
    for i, j in combinations(range(len(texts)), 2):
        if _overlap(boxes[i], boxes[j], tolerance=1.0):
            problems.append(f"texts {texts[i].get_text()[:30]!r} and {texts[j].get_text()[:30]!r} "
                            "overlap")
    # Each panel with its labels, legend and title; figure-level titles and legends too.
    blocks = [(f"panel {i}", ax.get_tightbbox(renderer)) for i, ax in enumerate(fig.axes)]
    if fig._suptitle is not None:
        blocks.append(("the figure title", fig._suptitle.get_window_extent(renderer)))
    blocks += [("the figure legend", legend.get_window_extent(renderer)) for legend in fig.legends]
    for (name_a, a), (name_b, b) in combinations(blocks, 2):
        if _overlap(a, b):
            problems.append(f"{name_a} and {name_b} overlap")
    legends = [(f"the legend of panel {i}", ax.get_legend()) for i, ax in enumerate(fig.axes)
               if ax.get_legend() is not None and ax.get_legend().get_visible()]
    legends += [("the figure legend", legend) for legend in fig.legends]
    for name, legend in legends:
        frame = legend.get_window_extent(renderer).padded(-1)
        own = set(map(id, legend.get_texts())) | {id(legend.get_title())}
        for i, ax in enumerate(fig.axes):
            points = _data_points(ax)
            covered = ((points[:, 0] > frame.x0) & (points[:, 0] < frame.x1)
                       & (points[:, 1] > frame.y0) & (points[:, 1] < frame.y1))
            if covered.any():
                problems.append(f"{name} covers {covered.sum()} data point(s) of panel {i}")
        for text, box in zip(texts, boxes):
            if id(text) not in own and _overlap(frame, box, tolerance=1.0):
                problems.append(f"{name} covers the text {text.get_text()[:30]!r}")
    return problems + network_problems(fig)


def _distance_to_box(cx, cy, box):
    return np.hypot(max(box.x0 - cx, 0, cx - box.x1), max(box.y0 - cy, 0, cy - box.y1))


def network_problems(fig, clearance=1.0):
    """In network drawings (``viz.draw_network``: texts with gid "unit" on circles): a unit's
    text must fit inside its circle, and no other text (with its box) may touch a circle."""
    renderer = fig.canvas.get_renderer()
    problems = []
    for i, ax in enumerate(fig.axes):
        if not any(text.get_gid() == "unit" for text in ax.texts):
            continue
        circles = []
        for patch in ax.patches:
            box = patch.get_window_extent(renderer)
            circles.append(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, box.width / 2))
        for text in ax.texts:
            if text.get_gid() == "unit":
                box = text.get_window_extent(renderer)
                corners = [(box.x0, box.y0), (box.x0, box.y1), (box.x1, box.y0), (box.x1, box.y1)]
                if not any(all(np.hypot(x - cx, y - cy) <= r - clearance for x, y in corners)
                           for cx, cy, r in circles):
                    problems.append(f"panel {i}: {text.get_text()!r} spills out of its unit")
            else:
                box = (text.get_bbox_patch() or text).get_window_extent(renderer)
                if any(_distance_to_box(cx, cy, box) <= r + clearance for cx, cy, r in circles):
                    problems.append(f"panel {i}: {text.get_text()!r} touches a unit")
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
    import ipywidgets as widgets

    box = built[name].show()
    header, controls, image, errors = box.children
    assert isinstance(image, widgets.Image) and bytes(image.value[:4]) == b"\x89PNG"
    assert isinstance(errors, widgets.Output) and not errors.outputs
    assert len(controls.children) == len(built[name].controls)
    assert {c.description for c in controls.children}


def test_bad_parameters_get_clear_errors(built):
    explorer = built["worked_example.network_update"]
    with pytest.raises(ValueError, match="unknown parameter"):
        explorer.figure(momentum=0.5)
    with pytest.raises(ValueError, match="learning_rate must be in"):
        explorer.figure(learning_rate=-1.0)


@pytest.mark.parametrize("name", sorted(ALL))
def test_controls_show_their_whole_description_and_value(built, name):
    """A slider's readout shows every value of its steps (0.095, not 0.10, on a 0.005 step),
    and every control is wide enough for its description and a usable slider track."""
    from course.explorers import CHARACTER_PX

    for control, widget in zip(built[name].controls.values(), built[name].show().children[1].children):
        width = int(widget.layout.width.removesuffix("px"))
        assert width >= CHARACTER_PX * len(widget.description) + 40, widget.description
        if isinstance(control, explorers.Slider):
            assert width >= CHARACTER_PX * len(widget.description) + 250, widget.description
            if control.step and not control.integer and not control.log:
                grid = np.arange(control.low, control.high + control.step / 2, control.step)
                shown = [float(format(value, widget.readout_format)) for value in grid]
                np.testing.assert_allclose(shown, grid, atol=1e-9, err_msg=widget.description)
        if isinstance(control, explorers.Toggle):
            assert widget.indent is False  # no empty space before the box eats the description


def test_saturation_axes_stay_put_while_the_sliders_move():
    explorer = explorers.hebbian_descent.saturation()
    limits = {tuple(tuple(ax.get_ylim()) for ax in explorer.figure(net_input=z, target=t).axes)
              for z in (-10.0, -3.0, 0.0, 10.0) for t in (0.0, 0.5, 1.0)}
    assert len(limits) == 1, limits
