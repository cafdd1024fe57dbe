"""Run the number-pinning tests under other BLAS kernels than this CPU's own.

    python tools/check_blas_kernels.py                                # every lecture and solution
    python tools/check_blas_kernels.py notebooks/09_power_error.ipynb # one notebook
    python tools/check_blas_kernels.py --list                         # which kernels, and stop

Why: OpenBLAS picks a matrix-product kernel for the CPU it runs on (SkylakeX, Haswell,
SandyBridge, ...), and the kernels round differently in the last bit. A lesson that prints a
number from a run that amplifies rounding (a high learning rate, a plateau, a saturated network)
prints another number on a learner's laptop. Strict nbval on one machine cannot see that; this
tool reruns it with ``OPENBLAS_CORETYPE`` forcing other kernels of this same CPU.

It looks for kernels that (a) run here (newer ones stop with SIGILL on older CPUs) and
(b) round differently from the kernel the tests already ran under (a fixed set of matrix
products, hashed), keeps the first ``--kernels`` of them (2), and runs, in parallel, strict
nbval over the given notebooks (default: notebooks/ and solutions/) plus the tests marked
``lesson_numbers``. ``make test`` calls it after the main test run.

Where numpy does not use OpenBLAS (Apple's Accelerate, MKL) there is nothing to force: it
says so and exits 0, unless ``CI`` is set, where too few kernels is an error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Tried in this order. x86-64 first (AVX-512, AVX2, AVX, SSE4.2, SSE3), then 64-bit Arm.
CANDIDATES = ("SkylakeX", "Haswell", "SandyBridge", "Nehalem", "Prescott",
              "NeoverseN1", "CortexA57", "ARMV8")
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tools/nbval_sanitize.cfg"]

# Matrix products of the shapes the lessons use; the hash of their bits tells kernels apart.
FINGERPRINT = """
import hashlib, numpy as np
rng = np.random.default_rng(0)
digest = hashlib.sha256()
for m, k, n in [(37, 53, 41), (200, 64, 10), (10, 784, 30), (128, 128, 128), (25, 32, 10)]:
    a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    digest.update((a @ b).tobytes()); digest.update((a @ b[:, :1]).tobytes())
    digest.update((a.T @ a[:, :n]).tobytes())
print(digest.hexdigest()[:16])
"""


def _environment(kernel=None):
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")  # as the Makefile sets them: one BLAS thread
    if kernel is not None:
        env["OPENBLAS_CORETYPE"] = kernel
    return env


def fingerprint(kernel=None):
    """The hash of a few products under ``kernel`` (None: as the environment says), or None
    if numpy cannot run with it (an instruction this CPU lacks)."""
    result = subprocess.run([sys.executable, "-c", FINGERPRINT], env=_environment(kernel),
                            capture_output=True, text=True, timeout=120)
    return result.stdout.strip() if result.returncode == 0 else None


def uses_openblas():
    import numpy as np

    config = np.show_config(mode="dicts")
    return "openblas" in str(config.get("Build Dependencies", {}).get("blas", {})).lower()


def other_kernels(count):
    """Up to ``count`` kernels that run here and round differently from the current one and
    from each other: [(name, fingerprint)]."""
    seen = {fingerprint()}
    chosen = []
    for kernel in CANDIDATES:
        if len(chosen) == count:
            break
        mark = fingerprint(kernel)
        if mark is not None and mark not in seen:
            seen.add(mark)
            chosen.append((kernel, mark))
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks solutions)")
    parser.add_argument("--kernels", type=int, default=2, help="how many other kernels (default 2)")
    parser.add_argument("--list", action="store_true", help="only say which kernels would run")
    args = parser.parse_args(argv)
    if args.kernels < 1:
        parser.error(f"--kernels must be at least 1, got {args.kernels}")
    required = bool(os.environ.get("CI"))

    current = os.environ.get("OPENBLAS_CORETYPE") or "this CPU's default"
    if not uses_openblas():
        print("check_blas_kernels: numpy here does not use OpenBLAS, so there are no kernels to "
              "force; skipped.")
        return 1 if required else 0
    kernels = other_kernels(args.kernels)
    print(f"check_blas_kernels: the tests ran under {current}; other kernels that run here and "
          f"round differently: {', '.join(k for k, _ in kernels) or 'none'}")
    if len(kernels) < args.kernels:
        message = (f"check_blas_kernels: found {len(kernels)} of the {args.kernels} kernels "
                   f"wanted (tried {', '.join(CANDIDATES)})")
        if required or not kernels:
            print(message + (" — an error in CI." if required else "; skipped."))
            return 1 if required else 0
        print(message + "; running those.")
    if args.list:
        return 0

    paths = args.paths or ["notebooks", "solutions"]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    commands = [pytest + NBVAL + paths]
    if not args.paths:
        commands.append(pytest + ["-m", "lesson_numbers", "tests"])
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(kernels)) as pool:
        results = list(pool.map(lambda kernel: _run(kernel, commands), [k for k, _ in kernels]))
    failed = False
    for kernel, log, summaries, code in results:
        print(f"  OPENBLAS_CORETYPE={kernel}: {'; '.join(summaries)}")
        if code != 0:
            failed = True
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith(("FAILED", "ERROR")):
                    print("    " + line)
            print(f"    full output: {log.relative_to(ROOT)}")
    print(f"check_blas_kernels: {time.monotonic() - start:.0f} s")
    if failed:
        print("A lesson prints (or a test pins) a number that changes with the BLAS kernel: see "
              "CONTRIBUTING.md, 'Numbers that reproduce on every CPU'.")
        return 1
    return 0


def _run(kernel, commands):
    """Run ``commands`` one after the other under ``kernel``; one log file for all."""
    log = ROOT / ".pytest_kernels" / f"{kernel}.log"
    log.parent.mkdir(exist_ok=True)
    summaries, worst = [], 0
    with log.open("w") as out:
        for command in commands:
            out.write("$ " + " ".join(command[1:]) + "\n")
            out.flush()
            result = subprocess.run(command, cwd=ROOT, env=_environment(kernel), text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out.write(result.stdout)
            lines = result.stdout.strip().splitlines()
            summaries.append(lines[-1].strip("= ") if lines else "(no output)")
            worst = worst or result.returncode
    return kernel, log, summaries, worst


if __name__ == "__main__":
    sys.exit(main())
