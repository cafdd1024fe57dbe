"""Exercise notebooks fail only where the learner has work to do; checks catch wrong answers."""

import importlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path

import nbformat
import pytest

from course.checks import CheckFailure, NotAnsweredYet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from execute_notebooks import Client  # noqa: E402  (nbclient, robust to widget cells)

# The Chinese edition's exercises (zh/exercises/) too: their checks fail in Chinese.
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb")) + sorted((ROOT / "zh" / "exercises").glob("*.ipynb"))
CHECK_CALL = re.compile(r"^check\.(\w+)\((\w+)\)\s*$", re.MULTILINE)


WRONG_ANSWERS_DIR = Path(__file__).resolve().parent / "wrong_answers"


def _load_wrong_answers():
    """{lesson: {exercise: [wrong functions]}} from tests/wrong_answers/<lesson>.py."""
    found = {}
    for path in sorted(WRONG_ANSWERS_DIR.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"wrong_answers_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[path.stem] = module.WRONG_ANSWERS
    return found


# Plausible wrong answers per lesson (named like its check module) and exercise.
WRONG_ANSWERS = _load_wrong_answers()


@pytest.mark.parametrize("notebook", EXERCISES, ids=lambda p: str(p.relative_to(ROOT)))
def test_unanswered_exercise_notebook_fails_only_where_work_is_left(notebook):
    nb = nbformat.read(notebook, as_version=4)
    Client(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    checks_seen = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if CHECK_CALL.search(cell.source):
            checks_seen += 1
            assert [e.ename for e in errors] == ["NotAnsweredYet"], (
                f"cell {index}: the check on an unanswered stub must fail with NotAnsweredYet")
        else:
            assert all(e.ename == "NotImplementedError" for e in errors), (
                f"cell {index} raised {[(e.ename, e.evalue) for e in errors]}")
    assert checks_seen >= 4


CHECK_MODULES = sorted(p.stem for p in (ROOT / "course" / "checks").glob("*.py")
                       if not p.stem.startswith("_"))


def test_every_lesson_has_a_check_module():
    lessons = sorted(p.stem.split("_", 1)[1] for p in (ROOT / "solutions").glob("*.ipynb"))
    assert lessons == CHECK_MODULES


@pytest.mark.parametrize("lesson", CHECK_MODULES)
def test_every_check_has_wrong_answers_and_is_used_by_its_solution(lesson):
    assert lesson in WRONG_ANSWERS, f"add tests/wrong_answers/{lesson}.py"
    module = importlib.import_module(f"course.checks.{lesson}")
    public = {name for name, obj in inspect.getmembers(module, inspect.isfunction)
              if not name.startswith("_") and obj.__module__ == module.__name__}
    assert public == set(WRONG_ANSWERS[lesson]), "list wrong answers for every check"
    (solution,) = (ROOT / "solutions").glob(f"[0-9][0-9]_{lesson}.ipynb")
    source = "\n".join(c.source for c in nbformat.read(solution, as_version=4).cells)
    called = {m.group(1) for m in CHECK_CALL.finditer(source)}
    assert called == public, "every check is called in the solution notebook"


CASES = [(lesson, name, i, wrong) for lesson, exercises in WRONG_ANSWERS.items()
         for name, wrongs in exercises.items() for i, wrong in enumerate(wrongs)]


@pytest.mark.parametrize("lesson, name, i, wrong", CASES, ids=[f"{c[0]}.{c[1]}[{c[2]}]" for c in CASES])
def test_plausible_wrong_answers_fail_their_check(lesson, name, i, wrong):
    check = getattr(importlib.import_module(f"course.checks.{lesson}"), name)
    with pytest.raises(CheckFailure) as failure:
        check(wrong)
    assert not isinstance(failure.value, NotAnsweredYet)
    assert "expected" in str(failure.value) or "raised" in str(failure.value)


def test_the_unanswered_stub_fails_and_says_what_to_do():
    from course.checks import worked_example as check

    def output_delta(o, t):
        raise NotImplementedError

    with pytest.raises(NotAnsweredYet, match="not written yet"):
        check.output_delta(output_delta)


def test_a_known_mistake_gets_its_hint():
    from course.checks import worked_example as check

    with pytest.raises(CheckFailure, match="Err_6"):
        check.output_delta(lambda o, t: (t - o) * o * (1 - o))


def test_a_correct_answer_passes_and_says_so(capsys):
    from course.checks import worked_example as check

    check.output_delta(lambda o, t: (o - t) * o * (1 - o))
    assert capsys.readouterr().out.startswith("Correct: output_delta")


def test_a_crashing_answer_is_reported_with_its_case():
    from course.checks import worked_example as check

    with pytest.raises(CheckFailure, match="raised ZeroDivisionError"):
        check.output_delta(lambda o, t: 1 / 0)
