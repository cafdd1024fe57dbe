"""The exercise generator: markers, sync with solutions/, and never clobbering a learner's work."""

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_exercises as mx  # noqa: E402


def test_code_block_becomes_stub_at_its_indentation():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = 2 * x\n    return y\n    ### END SOLUTION\n"
    assert mx.strip_solutions(source, "code", "here") == "def f(x):\n    raise NotImplementedError"


def test_markdown_block_becomes_your_answer_here():
    source = "Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert mx.strip_solutions(source, "markdown", "here") == "Why?\n\nYOUR ANSWER HERE"


def test_text_outside_blocks_is_kept_and_several_blocks_work():
    source = ("a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n"
              "c = 3\n### BEGIN SOLUTION\nd = 4\n### END SOLUTION")
    assert mx.strip_solutions(source, "code", "x") == (
        "a = 1\nraise NotImplementedError\nc = 3\nraise NotImplementedError"
    )


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "without END"),
    ("x = 1\n### END SOLUTION\n", "without BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx\n### END SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_or_nested_markers_are_rejected(source, message):
    with pytest.raises(mx.MarkerError, match=message):
        mx.strip_solutions(source, "code", "nb.ipynb, cell 3")


def test_exercises_are_in_sync_with_solutions():
    items = mx.plan(ROOT / "solutions", ROOT / "exercises")
    assert items, "no solution notebooks found"
    out_of_date = [(str(target), status) for target, _, status in items if status != "same"]
    assert not out_of_date, f"run: python tools/make_exercises.py  ({out_of_date})"
    assert sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "solutions").glob("*.ipynb"))


def test_every_lesson_has_a_lecture_and_a_solution_notebook():
    lectures = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    solutions = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    assert lectures and lectures == solutions


@pytest.mark.parametrize("solution", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_generated_exercise_holds_no_solution_and_no_outputs(solution):
    solved = nbformat.read(solution, as_version=4)
    blocks = [c.source for c in solved.cells if "### BEGIN SOLUTION" in c.source]
    assert blocks, f"{solution.name} has no exercises"
    exercise = mx.make_exercise(solution)
    assert exercise.cells[0].source == mx.HEADER.format(name=solution.name)
    text = "\n".join(c.source for c in exercise.cells[1:])  # after the generated header
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert all(not c.get("outputs") for c in exercise.cells if c.cell_type == "code")
    stubs = text.count("raise NotImplementedError") + text.count("YOUR ANSWER HERE")
    assert stubs == sum(b.count("### BEGIN SOLUTION") for b in blocks)


@pytest.fixture
def workspace(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", solutions)
    args = ["--solutions", str(solutions), "--exercises", str(exercises)]
    assert mx.main(args) == 0
    return solutions, exercises, args


def _first(folder):
    return sorted(folder.glob("*.ipynb"))[0]


def test_a_learners_edited_notebook_is_never_overwritten(workspace, capsys):
    solutions, exercises, args = workspace
    target = _first(exercises)
    nb = nbformat.read(target, as_version=4)
    nb.cells[-1].source += "\nmy own notes"
    nbformat.write(nb, target)
    before = target.read_bytes()
    # The solution changes too, so the generator would now write something else.
    sol = nbformat.read(_first(solutions), as_version=4)
    sol.cells[0].source += "\n\nA new sentence."
    nbformat.write(sol, _first(solutions))
    assert mx.main(args) == 3
    assert target.read_bytes() == before
    assert "refused" in capsys.readouterr().err
    assert mx.main(args + ["--check"]) == 1
    assert mx.main(args + ["--force"]) == 0
    assert "A new sentence." in target.read_text()


def test_an_untouched_stale_exercise_is_regenerated(workspace):
    solutions, exercises, args = workspace
    sol = nbformat.read(_first(solutions), as_version=4)
    sol.cells[0].source += "\n\nAnother sentence."
    nbformat.write(sol, _first(solutions))
    assert mx.main(args + ["--check"]) == 1
    assert mx.main(args) == 0
    assert "Another sentence." in _first(exercises).read_text()
    assert mx.main(args + ["--check"]) == 0


def test_running_an_exercise_without_editing_it_is_not_an_edit(workspace):
    _, exercises, args = workspace
    target = _first(exercises)
    nb = nbformat.read(target, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="hello")]
    code.execution_count = 1
    nbformat.write(nb, target)
    assert mx.main(args + ["--check"]) == 0


def test_an_unreadable_exercise_gets_one_line_and_the_others_are_still_made(workspace, capsys):
    solutions, exercises, args = workspace
    broken = sorted(exercises.glob("*.ipynb"))[1]
    broken.write_text('{"cells": [\n<<<<<<< HEAD\n')
    (exercises / _first(exercises).name).unlink()
    assert mx.main(args) == 3  # refused the unreadable one, as it would an edited one
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if broken.name in line and "unreadable" in line]
    assert "Traceback" not in err and "move it away" in line
    assert _first(exercises).exists()  # the missing one was regenerated all the same
    assert broken.read_text() == '{"cells": [\n<<<<<<< HEAD\n'


def _solution_lines(source):
    """Lines of a cell's solution blocks that are neither blank nor only a comment."""
    lines, inside = [], False
    for line in source.splitlines():
        if mx.BEGIN.match(line):
            inside = True
        elif mx.END.match(line):
            inside = False
        elif inside and line.strip() and not line.strip().startswith("#"):
            lines.append(line)
    return lines


def derive_and_implement_exercises(notebook):
    """Headings of the exercises whose solution derives on paper first (a markdown answer
    block), then implements it (a later code answer of >= 5 lines) in the same exercise — or
    in the exercise right after a "## Question" that holds only the derivation."""
    found, heading, derived, question_derived = [], None, False, False
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith(("## Exercise", "## Question")):
            carried = question_derived and cell.source.startswith("## Exercise")
            heading, derived = cell.source.splitlines()[0], carried
            question_derived = False
        if heading is None or "### BEGIN SOLUTION" not in cell.source:
            continue
        if cell.cell_type == "markdown":
            derived = True
            question_derived = heading.startswith("## Question")
        else:
            question_derived = False
            if derived and len(_solution_lines(cell.source)) >= 5 and heading not in found:
                found.append(heading)
    return found


@pytest.mark.parametrize("solution", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_every_lesson_has_a_derive_and_implement_exercise(solution):
    assert derive_and_implement_exercises(solution), (
        f"{solution.name}: no exercise asks for a written derivation (a markdown answer) and then "
        f"code of >= 5 lines implementing it")


def test_the_derive_and_implement_rule_sees_order_and_length(tmp_path):
    def notebook(*cells):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:")
                    else nbformat.v4.new_code_cell(c) for c in cells]
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.ipynb"
        nbformat.write(nb, path)
        return path

    derivation = "md:### BEGIN SOLUTION\n$y - t$\n### END SOLUTION"
    code = "def f(x):\n    ### BEGIN SOLUTION\n" + "".join(f"    x{i} = {i}\n" for i in range(5)) \
        + "    # a comment\n    ### END SOLUTION"
    short = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    assert derive_and_implement_exercises(notebook("md:## Exercise 1", derivation, code)) == ["## Exercise 1"]
    assert not derive_and_implement_exercises(notebook("md:## Exercise 1", code, derivation))  # code first
    assert not derive_and_implement_exercises(notebook("md:## Exercise 1", derivation, short))  # too short
    assert not derive_and_implement_exercises(  # the derivation belongs to another exercise
        notebook("md:## Exercise 1", derivation, "md:## Exercise 2", code))
    assert derive_and_implement_exercises(  # a question that derives, then its exercise
        notebook("md:## Question 1", derivation, "md:## Exercise 2", code)) == ["## Exercise 2"]
    assert not derive_and_implement_exercises(  # a question with code of its own does not carry
        notebook("md:## Question 1", derivation, short, "md:## Exercise 2", code))
