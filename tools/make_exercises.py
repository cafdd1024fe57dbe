"""Generate the student notebooks in exercises/ from the solution notebooks in solutions/.

solutions/ is the single source of truth. In a solution notebook, each answer sits between
two marker lines (nbgrader's):

    ### BEGIN SOLUTION
    ...the answer...
    ### END SOLUTION

In code cells the block becomes ``raise NotImplementedError`` at the marker's indentation; in
markdown cells it becomes "YOUR ANSWER HERE". Outputs and execution counts are cleared.

A learner's exercise notebook is their work: this tool never overwrites an exercise notebook
whose cells were edited since it was generated (it keeps a hash of the generated cells in
the notebook's metadata) unless you pass --force.

    python tools/make_exercises.py            # write exercises/ and zh/exercises/ (the Chinese
                                              # edition's, from zh/solutions/); refuses to clobber edits
    python tools/make_exercises.py --check    # exit 1 if exercises/ is out of date
    python tools/make_exercises.py --force    # overwrite even edited exercise notebooks
    python tools/make_exercises.py 03_backprop_matrix_form.ipynb   # only these lessons
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
CODE_STUB = "raise NotImplementedError"
MARKDOWN_STUB = "YOUR ANSWER HERE"
HEADER = (
    "> **Exercise notebook.** Write your answers where the code says `raise "
    "NotImplementedError` (or the text says YOUR ANSWER HERE), run the cell, then run the "
    "check cell below it. The solutions are in `solutions/{name}`."
)
# The Chinese edition's solutions (zh/solutions/, written by tools/translate.py) say so in
# their metadata; their exercises get this header and this stub for a written answer.
HEADERS = {"en": HEADER, "zh": (
    "> **练习笔记本。** 在代码写着 `raise NotImplementedError`（或文字写着 YOUR ANSWER HERE）"
    "的地方写下你的答案，运行该单元格，再运行它下面的检查单元格。参考答案在 "
    "`solutions/{name}`。")}
# Where ``make_exercises.py`` looks without --solutions/--exercises: English, then Chinese.
EDITIONS = (("solutions", "exercises"), ("zh/solutions", "zh/exercises"))


class MarkerError(ValueError):
    """Unbalanced or nested solution markers."""


def strip_solutions(source: str, cell_type: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION block of one cell's source with the stub."""
    out, inside, indent = [], False, ""
    for number, line in enumerate(source.splitlines(), start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside another block")
            inside, indent = True, begin.group("indent")
        elif end:
            if not inside:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
            out.append(indent + (CODE_STUB if cell_type == "code" else MARKDOWN_STUB))
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def cells_hash(nb) -> str:
    """A hash of what a learner can edit: each cell's type and source."""
    payload = json.dumps([[c.cell_type, c.source] for c in nb.cells])
    return hashlib.sha256(payload.encode()).hexdigest()


def make_exercise(solution_path: Path):
    """The exercise notebook (an nbformat node) for one solution notebook."""
    nb = nbformat.read(solution_path, as_version=4)
    exercise = copy.deepcopy(nb)
    for index, cell in enumerate(exercise.cells):
        where = f"{solution_path.name}, cell {index}"
        cell.source = strip_solutions(cell.source, cell.cell_type, where)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    language = nb.metadata.get("minibp", {}).get("language", "en")
    header = HEADERS[language].format(name=solution_path.name)
    exercise.cells.insert(0, nbformat.v4.new_markdown_cell(header))
    for cell in exercise.cells:
        cell.pop("id", None)  # ids derived from position below, so regeneration is stable
    for index, cell in enumerate(exercise.cells):
        cell["id"] = f"cell-{index}"
    exercise.metadata["minibp"] = {"generated_from": f"solutions/{solution_path.name}",
                                   "cells_sha256": cells_hash(exercise)}
    if language != "en":
        exercise.metadata["minibp"]["language"] = language
    return exercise


def plan(solutions_dir: Path, exercises_dir: Path, names=None):
    """For each solution: (exercise path, generated notebook, status).

    status: "same" (up to date), "new" (missing), "stale" (generated earlier, safe to
    replace), "edited" (changed by hand since it was generated: a learner's work) or
    "unreadable" (not a notebook: a crashed save, merge markers; said in one line).
    """
    result = []
    for solution in sorted(solutions_dir.glob("*.ipynb")):
        if names and solution.name not in names:
            continue
        target = exercises_dir / solution.name
        generated = make_exercise(solution)
        if not target.exists():
            status = "new"
        else:
            try:
                current = nbformat.read(target, as_version=4)
            except Exception as error:  # a crashed save or merge markers: one line, go on
                print(f"unreadable: {target} is not a notebook ({type(error).__name__}); "
                      f"move it away and run make exercises to regenerate it", file=sys.stderr)
                result.append((target, generated, "unreadable"))
                continue
            recorded = current.metadata.get("minibp", {}).get("cells_sha256")
            if cells_hash(current) == cells_hash(generated):
                status = "same"
            elif recorded == cells_hash(current):
                status = "stale"
            else:
                status = "edited"
        result.append((target, generated, status))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if out of date")
    parser.add_argument("--force", action="store_true", help="overwrite edited exercise notebooks")
    parser.add_argument("--solutions", type=Path,
                        help="solution notebooks (default: solutions/, then zh/solutions/)")
    parser.add_argument("--exercises", type=Path,
                        help="where their exercises go (default: exercises/, zh/exercises/)")
    args = parser.parse_args(argv)
    if args.solutions or args.exercises:
        pairs = [(args.solutions or ROOT / "solutions", args.exercises or ROOT / "exercises")]
    else:
        pairs = [(ROOT / a, ROOT / b) for a, b in EDITIONS if (ROOT / a).is_dir()]
    try:
        names = {Path(n).name for n in args.names}
        unknown = names - {p.name for p in pairs[0][0].glob("*.ipynb")}
        if unknown:
            raise MarkerError(f"no solution notebook named {sorted(unknown)} in {pairs[0][0]}")
        items = [item for solutions, exercises in pairs
                 for item in plan(solutions, exercises, names)]
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        bad = [(t, s) for t, _, s in items if s != "same"]
        for target, status in bad:
            print(f"out of date ({status}): {target}")
        if not bad:
            print(f"exercises are up to date ({len(items)} notebooks)")
        return 1 if bad else 0
    refused = 0
    for target, generated, status in items:
        target.parent.mkdir(parents=True, exist_ok=True)
        if status == "same":
            continue
        if status == "unreadable" and not args.force:
            refused += 1  # already said, in one line
            continue
        if status == "edited" and not args.force:
            print(f"refused: {target} was edited by hand (a learner's work?); "
                  f"move it away or pass --force to overwrite it", file=sys.stderr)
            refused += 1
            continue
        nbformat.write(generated, target)
        print(f"wrote {target} ({status})")
    return 3 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
