"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python tools/execute_notebooks.py                      # notebooks/ and solutions/
    python tools/execute_notebooks.py notebooks/01_worked_example.ipynb
    python tools/execute_notebooks.py zh/notebooks zh/solutions   # the Chinese edition

This is how a maintainer refreshes a lesson after changing it or minibp; strict nbval then
compares every later run with the outputs saved here. exercises/ is never executed in
place (learners' files); regenerate it with tools/make_exercises.py instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = ("notebooks", "solutions")
# One BLAS thread, as the Makefile sets for every kernel (small matrices run faster so).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


class Client(NotebookClient):
    """nbclient's NotebookClient, waiting for each cell's reply in short slices.

    With a widget in a cell, nbclient sometimes waits out the whole cell timeout for a reply
    that has already arrived (nbclient issue #312, open): a long wait on the shell channel
    misses it. Asking again every half second sees it. The total timeout stays the same.
    """

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        original = kc.shell_channel.get_msg

        async def get_msg_in_slices(timeout=None, **kwargs):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                remaining = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
                try:
                    return await ensure_async(original(timeout=max(remaining, 0.0), **kwargs))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

        kc.shell_channel.get_msg = get_msg_in_slices
        return kc


def execute(path: Path, timeout: int = 600, save: bool = True) -> float:
    """Run one notebook in a fresh kernel, save it in place (unless ``save`` is False);
    return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    client = Client(nb, timeout=timeout, kernel_name="python3",
                    resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    if save:
        for cell in nb.cells:
            cell.metadata.pop("execution", None)  # timestamps would change on every run
        nbformat.write(nb, path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="notebooks or folders (default: notebooks/ and solutions/)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    given = args.paths or [ROOT / d for d in DEFAULT_DIRS]
    paths = [p for g in given for p in (sorted(g.glob("*.ipynb")) if g.is_dir() else [g])]
    for path in paths:
        if path.resolve().parent.name == "exercises":
            print(f"skipped {path}: exercise notebooks are generated, not executed in place")
            continue
        seconds = execute(path, args.timeout)
        print(f"{seconds:6.1f} s  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
