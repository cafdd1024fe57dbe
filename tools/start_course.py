"""Open the course: prepare the learner's workspace, then start JupyterLab on the landing page.

    python tools/start_course.py            # what `make course` runs
    python tools/start_course.py --prepare  # only the workspace and JupyterLab's defaults

JupyterLab serves the repository root, so the landing page (START_HERE.ipynb), the lectures
(notebooks/) and your exercises are all reachable from its file browser.

**Your work lives in ``work/``** (git-ignored): on first use every exercise notebook is copied
there from ``exercises/``, and whenever the course gains an exercise, the new one is added.
A file that is already in ``work/`` is never overwritten, so ``git pull`` and ``make course``
leave your answers alone, and ``exercises/`` stays the pristine, generated copy that the
tests check. To start an exercise over, delete (or rename) ``work/NN_topic.ipynb`` and run
``make course`` again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANDING_PAGE = "START_HERE.ipynb"
WORKSPACE = "work"
# JupyterLab's defaults for this environment (not the user's own settings): no "Would you like
# to get notified about official Jupyter news?" pop-up over the first lesson.
LAB_DEFAULTS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                                  "checkForUpdates": False}}
# Run All sends every cell at once; after an exception the kernel drops the cells already
# queued. Waiting 2 s for the rest to arrive makes Run All stop at the first failing check
# even on a busy machine (ipykernel's default, 0 s, lets late cells run: NameErrors follow).
KERNEL_DEFAULTS = {"Kernel": {"stop_on_error_timeout": 2.0}}


def fill_workspace(root=ROOT, out=print):
    """Copy each exercise notebook that ``work/`` lacks; never overwrite. Returns the added names.

    Every notebook already in ``work/`` is read once: one that JupyterLab could not open (a
    crashed save, merge-conflict markers) gets a one-line message naming it, nothing more.
    """
    root = Path(root)
    workspace = root / WORKSPACE
    workspace.mkdir(exist_ok=True)
    added = []
    exercises = sorted((root / "exercises").glob("[0-9][0-9]_*.ipynb"))
    _follow_renumbering(workspace, {e.name for e in exercises}, root, out)
    for exercise in exercises:
        mine = workspace / exercise.name
        if mine.exists():
            problem = notebook_problem(mine)
            if problem:
                out(f"{mine.relative_to(root)}: {problem}; your file is left as it is — rename it "
                    f"and run `make course` again for a fresh copy of the exercise")
            continue
        shutil.copyfile(exercise, mine)
        added.append(exercise.name)
    if added:
        out(f"{WORKSPACE}/: added {len(added)} exercise notebook(s): {', '.join(added)}")
    return added


def _follow_renumbering(workspace, exercise_names, root, out):
    """Move your work along when a lesson got a new number (a lesson was inserted before it).

    ``work/02_backprop_matrix_form.ipynb`` becomes ``work/03_backprop_matrix_form.ipynb`` when
    the exercises now hold the latter and not the former — only if nothing has that name yet,
    so nothing is ever overwritten.
    """
    by_topic = {name[3:]: name for name in exercise_names}
    for mine in sorted(workspace.glob("[0-9][0-9]_*.ipynb")):
        new_name = by_topic.get(mine.name[3:])
        if mine.name in exercise_names or new_name is None:
            continue
        target = workspace / new_name
        if not target.exists():
            mine.rename(target)
            out(f"{mine.relative_to(root)} is now {target.relative_to(root)}: the lessons were "
                f"renumbered, your work moved with them")


def notebook_problem(path):
    """Why ``path`` is not a readable notebook, in a few words, or "" if it is one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot be read ({error.__class__.__name__})"
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line == "=======":
            return f"has a merge-conflict marker on line {number}"
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        return f"is not a notebook (broken JSON on line {error.lineno}; a crashed save?)"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return "is not a notebook (no cells)"
    return ""


def landing_page(root=ROOT):
    """The landing notebook: one row per lesson, linking its lecture, your exercises, solutions."""
    root = Path(root)
    rows = []
    for lecture in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        heading = json.loads(lecture.read_text())["cells"][0]["source"]
        title = "".join(heading).splitlines()[0].lstrip("# ")
        title = title.split("\u2014", 1)[-1].strip()  # "Lesson 01 — Backprop..." -> "Backprop..."
        number = lecture.name[:2]
        rows.append(f"| {number} | {title} | [lecture](notebooks/{lecture.name}) | "
                    f"[your exercises]({WORKSPACE}/{lecture.name}) | "
                    f"[solutions](solutions/{lecture.name}) |")
    text = "\n".join([
        "# Backpropagation from Scratch \u2014 start here",
        "",
        "Each lesson has three notebooks. Read and run the **lecture** first "
        "(*Run \u2192 Run All Cells*; it takes seconds), then open **your exercises**: each "
        "exercise is a function to write, and the check cell under it says `Correct: \u2026` or "
        "shows the first case that disagrees. The **solutions** are there when you are stuck.",
        "",
        "| # | lesson | read | do | compare |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"**Your work lives in `{WORKSPACE}/`.** `make course` copied the exercise notebooks "
        "there; it never overwrites them, and `git pull` never touches them (the folder is not "
        "part of the repository). To start an exercise over, delete or rename "
        f"`{WORKSPACE}/NN_topic.ipynb` and run `make course` again.",
        "",
        "**Notation:** every symbol, its code name and its shape on one page: "
        "[notation](notebooks/notation.ipynb).",
        "",
        "Everything runs offline on a laptop CPU. `minibp/` is the framework the lessons build "
        "(numpy only \u2014 read it in an evening); `course/` holds the checks and the "
        "interactive figures.",
    ])
    lines = text.split("\n")
    return {"cells": [{"cell_type": "markdown", "id": "start-here", "metadata": {},
                       "source": [line + "\n" for line in lines[:-1]] + [lines[-1]]}],
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def write_landing_page(root=ROOT):
    """Write START_HERE.ipynb if it differs from ``landing_page``; True if it was written."""
    path = Path(root) / LANDING_PAGE
    text = json.dumps(landing_page(root), indent=1, ensure_ascii=False) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def write_lab_defaults(prefix=sys.prefix):
    """This environment's defaults for JupyterLab (``<prefix>/share/jupyter/lab/settings``)
    and for its kernels (``<prefix>/etc/ipython``); the user's own settings are untouched."""
    _merge_json(Path(prefix) / "etc" / "ipython" / "ipython_kernel_config.json", KERNEL_DEFAULTS)
    return _merge_json(Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
                       LAB_DEFAULTS)


def _merge_json(path, defaults):
    path.parent.mkdir(parents=True, exist_ok=True)
    current = {}
    if path.exists():
        try:
            current = json.loads(path.read_text())
        except json.JSONDecodeError:
            current = {}
    merged = {**current, **defaults}
    if merged != current:
        path.write_text(json.dumps(merged, indent=2) + "\n")
    return path


def lab_arguments(root=ROOT):
    """What `make course` passes to ``jupyter lab``: serve ``root``, open the landing page."""
    arguments = [f"--ServerApp.root_dir={Path(root)}", LANDING_PAGE]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        arguments.insert(0, "--allow-root")  # classrooms' containers often run as root
    return arguments


def prepare(root=ROOT, out=print):
    write_landing_page(root)
    fill_workspace(root, out)
    write_lab_defaults()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prepare", action="store_true",
                        help="only fill work/ and write JupyterLab's defaults; do not start it")
    args = parser.parse_args(argv)
    prepare()
    if args.prepare:
        return 0
    command = [sys.executable, "-m", "jupyter", "lab", *lab_arguments()]
    os.chdir(ROOT)
    os.execv(sys.executable, command)  # JupyterLab replaces this process (Ctrl-C stops it)


if __name__ == "__main__":
    sys.exit(main())
