"""End to end: every lecture notebook in JupyterLab in a real browser (issue #11).

Widgets that work in a headless kernel can still fail to render in JupyterLab. For each
``notebooks/NN_*.ipynb`` this test opens the notebook in a private JupyterLab (127.0.0.1, a free
port, a random token) in headless Chromium driven by Playwright, runs all cells from the menus
as a lecturer would, and asserts:

- no cell has an error output (an exception; plain stderr warnings are allowed) and every code
  cell ran;
- every cell calling ``.show()`` renders one widget box with its title, its controls and its
  figure, and no "Error displaying widget";
- moving each widget's first control (keyboard on a slider, another option in a dropdown, a
  click on a checkbox) redraws its figure: the PNG data of the <img> changes;

and saves a screenshot of the whole notebook to ``build/browser-screenshots/<notebook>.png``
(``<notebook>-2.png``, ... continue a very long one) and one of each widget after its control
moved (``<notebook>-widget-cell<N>.png``), for a person to look at.

The server is started as `make course` starts it (tools/start_course.py: the course root served,
START_HERE.ipynb, the learner's work/ filled from exercises/), on a temporary copy laid out
like the repository (notebooks/ and the landing page copied, the other top-level directories
symlinked), so autosave can never change the course's files. One test follows the landing
page's link to the learner's first exercise and checks what its first check shows. The
kernels are deleted through the REST API and the server is ended by its own process id,
also when a test fails.

Needs Debian/Ubuntu's Chromium at /usr/bin/chromium (``sudo apt-get install chromium``) and the
``playwright`` package (in the test extras); ``playwright install`` is never needed. Without
Chromium the test is skipped with a reason saying so, except under CI (``CI`` set), where it
fails: ``.ci/run`` installs Chromium, so in CI it always runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OPEN_TIMEOUT,
    WIDGET_TIMEOUT,
    LabServer,
    NotebookDriver,
    course_copy,
    show_cells,
)
from browser_support import course_tool as course  # tools/start_course.py

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ROOT / "build" / "browser-screenshots"
VIEWPORT = {"width": 1400, "height": 900}


def _in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _require_browser():
    """Skip (or, in CI, fail) with a clear reason when Chromium or Playwright is missing."""
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium not found at {CHROMIUM} (install Debian/Ubuntu's chromium: "
                       "sudo apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is not installed (pip install -e '.[test]'; "
                       "never `playwright install`: Debian's chromium is used)")
    if not missing:
        return
    reason = ("JupyterLab browser test NOT RUN: " + "; ".join(missing)
              + ". Then run `make test` again to check the lecture widgets in a real browser.")
    if _in_ci():
        pytest.fail(f"{reason} In CI (CI is set) it must run: .ci/run installs chromium first.",
                    pytrace=False)
    pytest.skip(reason)


def _course_copy(target):
    return course_copy(ROOT, target)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A private JupyterLab serving a prepared copy of the course; stopped however the tests end."""
    _require_browser()
    root = _course_copy(tmp_path_factory.mktemp("browser-course"))
    server = LabServer(root, tmp_path_factory.mktemp("browser-jupyter"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class Notebooks:
    """Opens notebooks of ``lab`` on fresh pages of ``browser``; ``close_all()`` closes the pages and
    shuts down the notebooks' kernels through the REST API."""

    def __init__(self, lab, browser):
        self.lab, self.browser, self.opened = lab, browser, []

    def open(self, name):
        context = self.browser.new_context(viewport=VIEWPORT)
        driver = NotebookDriver(context.new_page(), self.lab, name)
        self.opened.append((context, driver))
        driver.open()
        return driver

    def close_all(self):
        while self.opened:
            context, driver = self.opened.pop()
            try:
                context.close()
            finally:
                self.lab.shutdown_sessions(driver.name)

    def assert_no_kernels(self, what):
        deadline = time.monotonic() + 15
        while self.lab.kernels() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.lab.kernels() == [], f"{what}: kernels still running after closing: {self.lab.kernels()}"


@pytest.fixture
def notebooks(lab, browser):
    """Closes what the test opened and shuts down its kernels, also when the test fails."""
    opened = Notebooks(lab, browser)
    try:
        yield opened
    finally:
        opened.close_all()


def _remove_screenshots(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in [path, *path.parent.glob(f"{path.stem}-*.png")]:  # parts and widgets of an earlier run
        old.unlink(missing_ok=True)


def _screenshot(driver, path):
    try:
        driver.screenshot(path)
    except Exception as error:  # a failed screenshot must not hide the test's own failure
        driver.log.append(f"screenshot failed: {error}")


def _run_lecture(driver, shows, closeups):
    """Run All in ``driver``'s lecture, then what a learner would see go wrong: error outputs,
    then broken widgets, then widgets that do not redraw when moved (their close-ups saved)."""
    state = driver.run_all()
    problems = driver.output_problems(state)
    if not problems:
        problems += driver.widget_problems(shows)
    if not problems:
        problems += driver.change_problems(shows, closeups=closeups)
    return problems


def _first_check_output(driver, state):
    """The text of the one error a fresh exercise notebook shows after Run All, which must be
    the first check's NotAnsweredYet."""
    errors = [(index, output) for index, cell in enumerate(state["cells"])
              for output in cell["outputs"] if output["type"] == "error"]
    assert [output["ename"] for _, output in errors] == ["NotAnsweredYet"], errors
    # the model holds the error before the page shows it; a cell outside the viewport may
    # not be rendered at all (JupyterLab's windowing): bring it in and wait for its text
    cell = driver.page.locator(f'[data-browser-test-cell="{errors[0][0]}"]')
    cell.scroll_into_view_if_needed()
    output = cell.locator(".jp-OutputArea-output").filter(has_text="NotAnsweredYet")
    output.wait_for(timeout=OPEN_TIMEOUT * 1000)
    # textContent, not innerText: the latter is '' while the browser skips rendering an
    # off-screen cell (content-visibility), which Run All's scrolling can cause
    return output.text_content()


@pytest.mark.parametrize("notebook", LECTURES, ids=[n.stem for n in LECTURES])
def test_lecture_in_jupyterlab(notebook, lab, notebooks):
    name = f"notebooks/{notebook.name}"
    shows = show_cells(lab.root_dir / name)
    screenshot = SCREENSHOTS / f"{notebook.stem}.png"
    _remove_screenshots(screenshot)
    driver = notebooks.open(name)
    try:
        problems = _run_lecture(driver, shows, closeups=SCREENSHOTS / notebook.stem)
    finally:
        _screenshot(driver, screenshot)
    assert not problems, (f"{notebook.name} in JupyterLab (screenshot: {screenshot.relative_to(ROOT)}):\n- "
                          + "\n- ".join(problems + driver.log + driver.browser_errors[-5:]))
    assert shows, f"{notebook.name}: no cell calls .show(); every lecture has a live widget"
    notebooks.close_all()
    notebooks.assert_no_kernels(name)


def test_the_landing_page_opens_the_learners_exercise(lab, notebooks):
    """As after `make course`: START_HERE.ipynb links every lesson; its "your exercises" link
    opens the learner's copy in work/; Run All stops at the first check, whose output is the
    check's message alone (no traceback, none of the checks' source or hints)."""
    landing = notebooks.open(course.LANDING_PAGE)
    page = landing.page
    links = page.get_by_role("link", name="your exercises")
    assert links.count() == len(LECTURES)
    _screenshot(landing, SCREENSHOTS / "START_HERE.png")
    links.first.click()
    exercise = NotebookDriver(page, lab, f"{course.WORKSPACE}/01_worked_example.ipynb")
    try:
        exercise._wait("the exercise to open from the landing page's link",
                       lambda: exercise.state().get("panel"), OPEN_TIMEOUT)
        exercise.wait_for_idle_kernel(OPEN_TIMEOUT)
        shown = _first_check_output(exercise, exercise.run_all())
        assert "is not written yet" in shown and len(shown.strip().splitlines()) <= 3, shown
        for secret in ("Traceback", "mistakes", "check_function", "course/checks", "Hint"):
            assert secret not in shown, f"the check's output shows {secret!r}:\n{shown}"
        page.screenshot(path=str(SCREENSHOTS / "work_01_first_check.png"))
    finally:
        lab.shutdown_sessions(exercise.name)


# --------------------------------------------------------------------------- 中文版

ZH_LECTURE = "zh/notebooks/01_worked_example.ipynb"


def _has_chinese(text):
    return any("\u4e00" <= character <= "\u9fff" for character in text or "")


def test_a_chinese_lecture_and_exercise_in_jupyterlab(lab, notebooks):
    """The Chinese edition as `make course-zh` serves it: a lecture runs, its explorer's title,
    controls and figure are Chinese and redraw; an exercise's check answers in Chinese."""
    shows = show_cells(lab.root_dir / ZH_LECTURE)
    screenshot = SCREENSHOTS / "zh_01_worked_example.png"
    _remove_screenshots(screenshot)
    driver = notebooks.open(ZH_LECTURE)
    try:
        problems = _run_lecture(driver, shows, closeups=SCREENSHOTS / "zh_01_worked_example")
        widget = driver.page.locator(".widget-vbox").first
        labels = [widget.locator(".widget-html").first.text_content()]
        labels += widget.locator(".widget-label").all_text_contents()
        if not (_has_chinese(labels[0]) and any(_has_chinese(label) for label in labels[1:])):
            problems.append(f"explorer title or control labels not Chinese: {labels}")
    finally:
        _screenshot(driver, screenshot)
    assert not problems, f"{ZH_LECTURE}:\n- " + "\n- ".join(problems + driver.log)

    landing = notebooks.open(f"zh/{course.LANDING_PAGE}")
    assert landing.page.get_by_role("link", name="回到英文原版").count() == 1
    _screenshot(landing, SCREENSHOTS / "zh_START_HERE.png")

    exercise = notebooks.open(f"zh/{course.WORKSPACE}/01_worked_example.ipynb")
    shown = _first_check_output(exercise, exercise.run_all())
    assert "还没有写" in shown and "Traceback" not in shown, shown
    exercise.page.screenshot(path=str(SCREENSHOTS / "zh_work_01_first_check.png"))


# --------------------------------------------------------------------------- negative check

def _code(source):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


BROKEN_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "cells": [
        _code("%matplotlib inline\nimport warnings\n\nimport ipywidgets\nimport traitlets\n\n"
              "from course.explorers import Explorer, Slider\n\n\n"
              "def draw(fig, x):\n"
              "    if x != 0.5:\n"
              "        raise RuntimeError('the figure breaks when x moves')\n"
              "    fig.add_subplot().plot([0, 1], [0, x])\n\n\n"
              "broken = Explorer('a widget whose figure breaks', draw, {'x': Slider(0.0, 1.0, 0.5)})\n\n\n"
              "class NoFrontend(ipywidgets.DOMWidget):  # a view JupyterLab cannot load\n"
              "    _view_name = traitlets.Unicode('NoView').tag(sync=True)\n"
              "    _view_module = traitlets.Unicode('no-such-widget-module').tag(sync=True)\n"
              "    _view_module_version = traitlets.Unicode('1.0.0').tag(sync=True)\n\n"
              "    def show(self):\n"
              "        return self"),
        _code("broken.show()"),
        _code("NoFrontend().show()"),
        _code("broken.show();  # the semicolon hides the widget"),
        _code("warnings.warn('a plain warning on stderr is not an error')"),
        _code("1 / 0"),
        _code("print('never reached: Run All stops at the error')"),
    ],
}


def test_errors_and_broken_widgets_are_reported(lab, notebooks):
    """The checks catch what they are for: an exception in a cell, the cells Run All did not
    reach, a widget JupyterLab cannot render, a .show() that displays nothing and a widget whose
    figure fails to redraw; a warning on stderr is not an error."""
    name = "zz_broken_for_the_test.ipynb"
    (lab.root_dir / name).write_text(json.dumps(BROKEN_NOTEBOOK), encoding="utf-8")
    driver = notebooks.open(name)
    state = driver.run_all()
    assert [o["name"] for o in state["cells"][4]["outputs"]] == ["stderr"], state["cells"][4]
    assert driver.output_problems(state) == [
        "cell 5 (code cell 6: '1 / 0'): error output ZeroDivisionError: division by zero",
        "cell 6 (code cell 7: \"print('never reached: Run All stops at the error')\"): "
        "not executed by Run All",
    ]
    shows = show_cells(lab.root_dir / name)
    assert shows == [1, 2, 3]
    widget_problems = driver.widget_problems(shows)
    assert len(widget_problems) == 2, widget_problems
    assert widget_problems[0].startswith("cell 2: the widget failed to render in JupyterLab"), widget_problems
    assert widget_problems[1] == "cell 3: calls .show() but displays no widget (its outputs: [])"
    assert any("no-such-widget-module" in error for error in driver.browser_errors), driver.browser_errors
    changes = driver.change_problems([1])
    assert len(changes) == 1 and "RuntimeError: the figure breaks when x moves" in changes[0], changes
    notebooks.close_all()
    notebooks.assert_no_kernels(name)


# --------------------------------------------------------------------------- slides (issue #22)

SLIDES_LECTURE = "notebooks/01_worked_example.ipynb"
# RISE asks for a style sheet named after the notebook beside it; the course has none (404).
RISE_OPTIONAL = (f"/files/{SLIDES_LECTURE[:-len('.ipynb')]}.css",)


def _slide_count(path):
    """How many slides and sub-slides the lecture's metadata makes."""
    cells = json.loads(path.read_text())["cells"]
    return sum(c["metadata"]["slideshow"]["slide_type"] in ("slide", "subslide") for c in cells)


def _present_slide(page):
    """The slide reveal.js shows (RISE nests every slide's sub-slides, the slide itself first)."""
    return page.locator(".reveal .slides > section.present > section.present")


def test_a_lecture_presents_as_live_slides_in_rise(lab, notebooks):
    """As a lecturer presents: Run All in JupyterLab, save, Alt+R (RISE's preview) and open the
    slides it shows in their own tab; the space bar walks through the slides to the explorer, whose
    slider moved on the slide redraws the figure. Nothing is fetched from outside the server."""
    driver = notebooks.open(SLIDES_LECTURE)
    driver.run_all()
    page = driver.page
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    # RISE starts at the active cell: the first, as after a click on the title
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    page.locator(".jp-Notebook").first.focus()
    page.keyboard.press("Alt+R")
    frame = page.locator('iframe[src*="/rise/"]')
    frame.wait_for(timeout=OPEN_TIMEOUT * 1000)
    url = frame.get_attribute("src")

    slides = page.context.new_page()
    requests = []
    slides.on("requestfailed", lambda request: requests.append(f"failed: {request.url}"))
    slides.on("request", lambda request: not request.url.startswith((lab.base_url, "data:", "blob:"))
              and requests.append(f"outside the server: {request.url}"))
    slides.goto(url if url.startswith("http") else lab.base_url + url, timeout=OPEN_TIMEOUT * 1000)
    _present_slide(slides).wait_for(timeout=OPEN_TIMEOUT * 1000)
    assert slides.evaluate("() => location.hash") in ("", "#/", "#/slide-0-0"), "not at the title"
    starts = _slide_count(lab.root_dir / SLIDES_LECTURE)
    assert slides.locator(".reveal .slides section:not(.stack)").count() == starts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slides.screenshot(path=str(SCREENSHOTS / "slides-rise-title.png"))

    visited = []
    slides.locator(".reveal").click(position={"x": 5, "y": 5})  # keys go to the slides
    for _ in range(4 * starts):  # fragments take key presses too
        present = _present_slide(slides)
        visited.append(slides.evaluate("() => location.hash"))
        if present.locator(".widget-vbox img").count():
            break
        slides.keyboard.press("Space")
        slides.wait_for_timeout(150)
    else:
        raise AssertionError(f"no slide with a live explorer after {len(visited)} key presses: {visited}")
    assert len(set(visited)) >= 10, visited  # it walked through the core's slides
    figure = present.locator(".widget-vbox img").first
    before = figure.get_attribute("src")
    handle = present.locator(".noUi-handle").first
    readout = present.locator(".widget-readout").first.inner_text()
    # with the mouse, as on a projector: RISE takes Home and End for the first and last slide
    box = handle.bounding_box()
    slides.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    slides.mouse.down()
    slides.mouse.move(box["x"] - 120, box["y"] + box["height"] / 2, steps=5)
    slides.mouse.up()
    driver._wait("the explorer's figure on the slide to change",
                 lambda: figure.get_attribute("src") != before, WIDGET_TIMEOUT)
    assert present.locator(".widget-readout").first.inner_text() != readout
    # The drag sent values while the kernel drew: wait for the figure of the last one.
    deadline, shown = time.monotonic() + WIDGET_TIMEOUT, None
    while time.monotonic() < deadline and shown != figure.get_attribute("src"):
        shown = figure.get_attribute("src")
        slides.wait_for_timeout(1000)
    slides.screenshot(path=str(SCREENSHOTS / "slides-rise-explorer.png"))
    unexpected = [r for r in requests if not r.endswith(RISE_OPTIONAL)]
    assert unexpected == [], unexpected


def test_exported_slides_open_from_disk_without_a_network(browser, tmp_path):
    """`make slides`' HTML opened from a folder with the network cut: reveal.js and MathJax load
    from beside it, every slide is there, the formulas are typeset."""
    spec = importlib.util.spec_from_file_location("make_slides", ROOT / "tools" / "make_slides.py")
    make_slides = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_slides)
    make_slides.main(["--out", str(tmp_path), str(ROOT / SLIDES_LECTURE)])
    deck = tmp_path / f"{Path(SLIDES_LECTURE).stem}.slides.html"

    context = browser.new_context(viewport=VIEWPORT, offline=True)
    try:
        page = context.new_page()
        fetched, errors = [], []
        page.on("request", lambda request: fetched.append(request.url))
        # (MathJax opens an about:blank frame, which an offline context reports as failed)
        page.on("requestfailed", lambda request: request.url != "about:blank"
                and errors.append(f"failed: {request.url}"))
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=OPEN_TIMEOUT * 1000)
        page.wait_for_function("() => document.querySelector('.MathJax, .MathJax_Display, mjx-container')",
                               timeout=OPEN_TIMEOUT * 1000)
        starts = _slide_count(ROOT / SLIDES_LECTURE)
        assert page.evaluate("() => Reveal.getTotalSlides()") == starts
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "slides-exported.png"))
        outside = [url for url in fetched if not url.startswith(("file:", "data:", "about:"))]
        assert outside == [] and errors == [], (outside, errors)
    finally:
        context.close()


def _load(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_quick_drag_coalesces_and_ends_on_the_latest_value(lab, notebooks):
    """Eight quick key presses on a slider (faster than the kernel redraws) cause fewer than
    eight redraws, and the figure they end on is the one for the slider's last value: ipywidgets
    holds back changes while the kernel is busy and then sends only the latest (msg_throttle),
    and the live path draws what the static figure draws."""
    import base64

    from test_live_explorers import SHARE, mismatch

    from course.explorers import power_error

    bench = _load(ROOT / "benchmarks" / "browser.py")
    name = "notebooks/09_power_error.ipynb"
    driver = notebooks.open(name)
    driver.run_all()
    index = show_cells(lab.root_dir / name)[0]  # the loss family: q and depth
    mover = bench.Mover(driver, index)
    handle = driver.cell(index).locator(".noUi-handle").first
    assert mover.timed(lambda: (handle.focus(), driver.page.keyboard.press("Home")))
    record = mover.timed(lambda: [driver.page.keyboard.press("PageUp") for _ in range(8)])
    assert record is not None and record["redraws"] < 8, record
    q = float(handle.get_attribute("aria-valuenow"))
    assert q > 1.0  # it moved by more than one step
    shown = driver.cell(index).locator(".widget-vbox > img.widget-image").first.evaluate(
        """async (img) => { const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
           let text = ''; for (const b of bytes) { text += String.fromCharCode(b); } return btoa(text); }""")
    expected = power_error.loss_family_explorer().png(q=q)
    assert mismatch(base64.b64decode(shown), expected) <= SHARE
