"""Every lecture is also a slide deck: the rules of its slide metadata (CONTRIBUTING, "Slides").

A lecturer presses one key in JupyterLab (RISE) and presents the lecture; `make slides` writes the
same slides as offline HTML. These tests hold every lecture to what makes that work in front of a
class: a core of at most 45 minutes (the minutes are the speaker notes' own), a deep dive the
lecturer can skip with one key, speaker notes on every core slide, and nothing on a slide too long
to read from the back of the room.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_slides", ROOT / "tools" / "make_slides.py")
make_slides = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_slides)
slide_type, is_deep_dive = make_slides.slide_type, make_slides.is_deep_dive
notes_minutes, core_minutes = make_slides.notes_minutes, make_slides.core_minutes
DEEP_DIVE = make_slides.DEEP_DIVE
LECTURES = make_slides.lectures(ROOT)

SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
STARTS = {"slide", "subslide"}  # a cell of these types begins a new slide
CORE_MINUTES = (20, 45)
MAX_SLIDE_WORDS = 200  # a markdown cell shown on a slide
MAX_SLIDE_CODE_LINES = 15  # a code cell shown on a slide, unless its source is hidden


def _source(cell):
    return "".join(cell["source"])


def source_hidden(cell):
    return bool(cell["metadata"].get("jupyter", {}).get("source_hidden"))


def shown(cell):
    return slide_type(cell) not in ("skip", "notes")


def slides(cells):
    """[(first cell's index, [indices of the slide's cells])], a slide per slide/subslide start."""
    groups = []
    for index, cell in enumerate(cells):
        if slide_type(cell) in STARTS or not groups:
            groups.append((index, []))
        groups[-1][1].append(index)
    return groups


def problems(cells):
    """What breaks the slide rules in a lecture's cells, each as one readable line."""
    found = []
    for index, cell in enumerate(cells):
        kind = slide_type(cell)
        where = f"cell {index} ({_source(cell)[:40]!r})"
        if kind not in SLIDE_TYPES:
            found.append(f"{where}: slide_type {kind!r}, expected one of {sorted(SLIDE_TYPES)}")
            continue
        if kind == "notes":
            if notes_minutes(cell) is None:
                found.append(f"{where}: notes must begin '**Speaker notes (N min).**'")
            continue
        if not shown(cell):
            continue
        if cell["cell_type"] == "markdown" and len(_source(cell).split()) > MAX_SLIDE_WORDS:
            found.append(
                f"{where}: {len(_source(cell).split())} words on one slide cell, "
                f"expected at most {MAX_SLIDE_WORDS} (split it at a natural break)"
            )
        lines = len(_source(cell).splitlines())
        if cell["cell_type"] == "code" and lines > MAX_SLIDE_CODE_LINES and not source_hidden(cell):
            found.append(
                f"{where}: {lines} lines of code on a slide, expected at most "
                f"{MAX_SLIDE_CODE_LINES} or metadata.jupyter.source_hidden"
            )
    if cells and slide_type(cells[0]) != "slide":
        found.append("cell 0: the first cell must be a 'slide'")

    for start, members in slides(cells):
        if is_deep_dive(cells[start]) or slide_type(cells[start]) not in STARTS:
            continue
        count = sum(notes_minutes(cells[i]) is not None for i in members)
        if count != 1:
            found.append(f"core slide at cell {start}: {count} speaker-notes cells, expected 1")

    runs, index = [], 0
    while index < len(cells):
        if is_deep_dive(cells[index]):
            end = index
            while end + 1 < len(cells) and is_deep_dive(cells[end + 1]):
                end += 1
            runs.append((index, end))
            index = end + 1
        else:
            index += 1
    if not runs:
        found.append("no deep dive: tag its cells 'deep-dive' (at least one run of cells)")
    for first, last in runs:
        head = cells[first]
        heading = _source(head).splitlines()[0] if _source(head) else ""
        if head["cell_type"] != "markdown" or "Deep dive" not in heading:
            found.append(f"deep dive at cell {first}: its first line must say 'Deep dive'")
        if slide_type(head) not in STARTS:
            found.append(f"deep dive at cell {first}: must begin a slide or subslide")
        after = [i for i in range(last + 1, len(cells)) if shown(cells[i])]
        if after and slide_type(head) == "slide":
            found.append(
                f"deep dive at cell {first}: core cells follow it, so it must be a 'subslide' "
                "(the right-arrow key then skips it)"
            )
        if after and slide_type(cells[after[0]]) != "slide":
            found.append(
                f"cell {after[0]} after the deep dive at cell {first}: must be a 'slide', or the "
                "core continues inside the deep dive's column"
            )

    minutes = core_minutes(cells)
    low, high = CORE_MINUTES
    if not low <= minutes <= high:
        found.append(f"core: {minutes} minutes of speaker notes, expected {low}-{high}")
    live = [
        c for c in cells
        if c["cell_type"] == "code" and ".show()" in _source(c) and not is_deep_dive(c)
    ]
    if not any(shown(c) for c in live):
        found.append("no live explorer (an `explorer.show()` cell) on a core slide")
    return found


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_follows_the_slide_rules(path):
    cells = json.loads(path.read_text())["cells"]
    found = problems(cells)
    assert not found, "\n".join(found)


# The rules themselves, on small made-up lectures.

def _cell(kind, source, slide="-", tags=(), hidden=False):
    cell = {
        "cell_type": kind,
        "source": source,
        "metadata": {"slideshow": {"slide_type": slide}},
    }
    if tags:
        cell["metadata"]["tags"] = list(tags)
    if hidden:
        cell["metadata"]["jupyter"] = {"source_hidden": True}
    return cell


def _notes(minutes, **kwargs):
    return _cell("markdown", f"**Speaker notes ({minutes} min).** Say this.", "notes", **kwargs)


def _good_lecture():
    return [
        _cell("markdown", "# Lesson", "slide"),
        _notes(10),
        _cell("markdown", "## Part", "slide"),
        _cell("code", "explorer.show()"),
        _notes(15),
        _cell("markdown", "### Deep dive: more", "subslide", tags=[DEEP_DIVE]),
        _cell("code", "x = 1", tags=[DEEP_DIVE]),
        _cell("markdown", "## Summary", "slide"),
        _notes(5),
    ]


def test_a_lecture_that_follows_the_rules_passes():
    cells = _good_lecture()
    assert problems(cells) == []
    assert core_minutes(cells) == 30


@pytest.mark.parametrize(
    "break_it, complaint",
    [
        (lambda c: c[2]["metadata"].pop("slideshow"), "slide_type None"),
        (lambda c: c.pop(1), "0 speaker-notes cells"),
        (lambda c: c.insert(2, _notes(1)), "2 speaker-notes cells"),
        (lambda c: c[1].update(source="Speaker notes: say this."), "must begin '**Speaker notes"),
        (lambda c: c[4].update(source="**Speaker notes (35 min).** Too long."), "50 minutes"),
        (lambda c: c[4].update(source="**Speaker notes (1 min).** Short."), "16 minutes"),
        (lambda c: c[7]["metadata"]["slideshow"].update(slide_type="-"), "must be a 'slide'"),
        (lambda c: c[5]["metadata"]["slideshow"].update(slide_type="slide"), "must be a 'subslide'"),
        (lambda c: c[5].update(source="### More"), "must say 'Deep dive'"),
        (lambda c: [c[i]["metadata"].pop("tags") for i in (5, 6)], "no deep dive"),
        (lambda c: c[2].update(source="word " * 201), "201 words"),
        (lambda c: c[3].update(source="x = 1\n" * 16 + "explorer.show()"), "17 lines of code"),
        (lambda c: c[3].update(source="explorer.figure()"), "no live explorer"),
        (lambda c: c[0]["metadata"]["slideshow"].update(slide_type="subslide"), "first cell"),
    ],
)
def test_each_rule_fails_a_lecture_that_breaks_it(break_it, complaint):
    cells = _good_lecture()
    break_it(cells)
    assert any(complaint in problem for problem in problems(cells)), problems(cells)


def test_long_code_may_stay_on_a_slide_when_its_source_is_hidden():
    cells = _good_lecture()
    cells[3] = _cell("code", "x = 1\n" * 20 + "explorer.show()", hidden=True)
    assert problems(cells) == []


# `make slides`: the lectures as HTML slides that open offline.

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    make_slides.main(["--out", str(out)])
    return out


FETCHED = re.compile(r"""(?:<script[^>]*\ssrc|<link[^>]*\shref|<img[^>]*\ssrc)=["']([^"']+)["']"""
                     r"""|@import\s+url\(["']?([^"')]+)""")


def test_every_lecture_is_exported_with_an_index(exported):
    assert sorted(p.name for p in exported.glob("*.slides.html")) == [
        f"{p.stem}.slides.html" for p in LECTURES]
    index = (exported / "index.html").read_text()
    for path in LECTURES:
        cells = json.loads(path.read_text())["cells"]
        assert f'href="{path.stem}.slides.html"' in index
        assert f"<td>{core_minutes(cells)} min</td>" in index


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_exported_slides_fetch_nothing_from_a_network(path, exported):
    page = (exported / f"{path.stem}.slides.html").read_text()
    fetched = [a or b for a, b in FETCHED.findall(page)]
    assert fetched, "no script, style sheet or image found: the pattern is broken"
    remote = [url for url in fetched if not url.startswith("data:")
              and (":" in url.split("/")[0] or url.startswith("//"))]
    assert remote == []
    for url in fetched:
        if not url.startswith("data:"):
            assert (exported / url.split("?")[0]).is_file(), url


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_exported_slides_show_what_the_lecture_shows(path, exported):
    """Speaker notes as reveal.js notes, hidden code left out, figures in, live widgets out."""
    page = (exported / f"{path.stem}.slides.html").read_text()
    cells = json.loads(path.read_text())["cells"]
    notes = [c for c in cells if notes_minutes(c) is not None]
    assert page.count('<aside class="notes">') == len(notes)

    def widget_only(cell):
        outputs = cell.get("outputs", [])
        return outputs and all(make_slides.WIDGET_VIEW in o.get("data", {}) for o in outputs)

    code = [c for c in cells if c["cell_type"] == "code" and slide_type(c) != "skip"
            and not widget_only(c)]
    visible = [c for c in code if not source_hidden(c)]
    assert page.count('class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor"') == len(visible)
    pictures = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64', page)) == pictures > 0
    assert make_slides.WIDGET_VIEW not in page
