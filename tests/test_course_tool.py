"""tools/start_course.py (`make course`): the landing page, the learner's workspace, JupyterLab's defaults."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("course_tool", ROOT / "tools" / "start_course.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


@pytest.fixture
def course_copy(tmp_path):
    for name in ("notebooks", "exercises"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_committed_landing_page_is_up_to_date_and_links_every_lesson():
    committed = json.loads((ROOT / tool.LANDING_PAGE).read_text())
    assert committed == tool.landing_page(ROOT), "run `python tools/start_course.py --prepare`"
    text = "".join(committed["cells"][0]["source"])
    for lecture in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for folder in ("notebooks", "work", "solutions"):
            assert f"]({folder}/{lecture.name})" in text
        assert (ROOT / "exercises" / lecture.name).exists() and (ROOT / "solutions" / lecture.name).exists()


def test_the_workspace_is_filled_once_and_never_overwritten(course_copy):
    messages = []
    added = tool.fill_workspace(course_copy, messages.append)
    exercises = sorted(p.name for p in (course_copy / "exercises").glob("*.ipynb"))
    assert added == exercises and f"added {len(exercises)} exercise notebook(s)" in messages[0]
    mine = course_copy / "work" / exercises[0]
    mine.write_text(mine.read_text().replace("raise NotImplementedError", "return 42"))
    edited = mine.read_text()
    (course_copy / "exercises" / exercises[0]).write_text("{}")  # the course changed it since
    assert tool.fill_workspace(course_copy, messages.append) == []
    assert mine.read_text() == edited  # the learner's work is kept


def test_a_new_exercise_is_added_and_a_deleted_one_comes_back(course_copy):
    tool.fill_workspace(course_copy, lambda m: None)
    shutil.copyfile(course_copy / "exercises" / "01_worked_example.ipynb",
                    course_copy / "exercises" / "11_new_lesson.ipynb")
    (course_copy / "work" / "03_backprop_matrix_form.ipynb").unlink()  # "start it over"
    assert tool.fill_workspace(course_copy, lambda m: None) == [
        "03_backprop_matrix_form.ipynb", "11_new_lesson.ipynb"]


def test_work_follows_a_renumbered_lesson_and_nothing_is_overwritten(course_copy):
    work = course_copy / "work"
    work.mkdir()
    (work / "02_backprop_matrix_form.ipynb").write_text("my old lesson 02")  # before lesson 02 came
    (work / "04_momentum.ipynb").write_text("old 04")  # its new name is taken: left alone
    (work / "05_momentum.ipynb").write_text("new 05")
    messages = []
    added = tool.fill_workspace(course_copy, messages.append)
    assert (work / "03_backprop_matrix_form.ipynb").read_text() == "my old lesson 02"
    assert not (work / "02_backprop_matrix_form.ipynb").exists()
    assert "03_backprop_matrix_form.ipynb" not in added and "02_computational_graph.ipynb" in added
    assert (work / "04_momentum.ipynb").read_text() == "old 04"
    assert (work / "05_momentum.ipynb").read_text() == "new 05"
    assert ("work/02_backprop_matrix_form.ipynb is now work/03_backprop_matrix_form.ipynb: the "
            "lessons were renumbered, your work moved with them") in messages


@pytest.mark.parametrize("text, problem", [
    ('{"cells": [\n<<<<<<< HEAD\n', "has a merge-conflict marker on line 2"),
    ('{"cells": [', "is not a notebook (broken JSON on line 1; a crashed save?)"),
    ("[]", "is not a notebook (no cells)"),
])
def test_a_broken_notebook_in_the_workspace_gets_one_line_and_the_rest_goes_on(course_copy, text, problem):
    tool.fill_workspace(course_copy, lambda m: None)
    broken = course_copy / "work" / "04_training.ipynb"
    broken.write_text(text)
    (course_copy / "work" / "05_momentum.ipynb").unlink()
    messages = []
    assert tool.fill_workspace(course_copy, messages.append) == ["05_momentum.ipynb"]
    (line,) = [m for m in messages if "04_training" in m]
    assert line.startswith(f"work/04_training.ipynb: {problem}") and "\n" not in line
    assert broken.read_text() == text  # left as it is


def test_lab_defaults_turn_off_the_news_popup_and_keep_other_overrides(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    assert tool.write_lab_defaults(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert settings["@jupyterlab/apputils-extension:themes"]["theme"] == "JupyterLab Dark"
    kernel = json.loads((tmp_path / "etc" / "ipython" / "ipython_kernel_config.json").read_text())
    assert kernel["Kernel"]["stop_on_error_timeout"] >= 1.0  # Run All stops at the first error


def test_make_course_serves_the_root_and_opens_the_landing_page():
    arguments = tool.lab_arguments(ROOT)
    assert f"--ServerApp.root_dir={ROOT}" in arguments and arguments[-1] == tool.LANDING_PAGE
    makefile = (ROOT / "Makefile").read_text()
    assert "course: setup\n\t$(BIN)/python tools/start_course.py\n" in makefile
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "work/" in ignored


def test_nothing_in_make_test_reads_the_learners_workspace():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'extend-exclude = ["work"]' in pyproject  # ruff
    assert 'testpaths = ["tests"]' in pyproject  # pytest collects tests/ only
    test_recipe = (ROOT / "Makefile").read_text().split("\ntest: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "work" not in test_recipe and "tests notebooks solutions" in test_recipe


def test_every_lecture_has_concept_checks_and_a_prediction_before_a_figure():
    """At least 3 questions with their answer hidden (<details>), and one that asks for a
    prediction right before the code cell whose output reveals it."""
    for lecture in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(lecture.read_text())["cells"]
        text = ["".join(c["source"]) for c in cells]
        hidden = sum(t.count("<details>") for t, c in zip(text, cells) if c["cell_type"] == "markdown")
        assert hidden >= 3, f"{lecture.name}: {hidden} concept checks with hidden answers"
        assert any(c["cell_type"] == "markdown" and "predict" in t.lower() and "<details>" in t
                   and following["cell_type"] == "code"
                   for c, t, following in zip(cells, text, cells[1:])), \
            f"{lecture.name}: no 'predict first' question right before a figure"


def test_every_lecture_links_the_notation_page_first_thing():
    assert (ROOT / "notebooks" / "notation.ipynb").exists()
    for lecture in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        first = json.loads(lecture.read_text())["cells"][0]
        assert first["cell_type"] == "markdown", lecture.name
        assert "](notation.ipynb)" in "".join(first["source"]), lecture.name
    assert "](notebooks/notation.ipynb)" in (ROOT / tool.LANDING_PAGE).read_text()


def test_make_course_zh_opens_the_chinese_landing_page_and_fills_zh_work(tmp_path):
    arguments = tool.lab_arguments(ROOT, language="zh")
    assert arguments[-1] == "zh/" + tool.LANDING_PAGE and (ROOT / arguments[-1]).exists()
    makefile = (ROOT / "Makefile").read_text()
    assert "course-zh: setup\n\t$(BIN)/python tools/start_course.py --language zh\n" in makefile
    shutil.copytree(ROOT / "zh" / "exercises", tmp_path / "zh" / "exercises")
    added = tool.fill_workspace(tmp_path, lambda message: None, edition="zh/")
    assert len(added) == 12 and (tmp_path / "zh" / "work" / "01_worked_example.ipynb").exists()
    mine = tmp_path / "zh" / "work" / "01_worked_example.ipynb"
    mine.write_text("my answers")
    assert tool.fill_workspace(tmp_path, lambda message: None, edition="zh/") == []
    assert mine.read_text() == "my answers"  # never overwritten
