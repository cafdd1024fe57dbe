"""Measure the course's speed goals; write a JSON report and print a table.

    make benchmark                        # = python benchmarks/run.py
    python benchmarks/run.py --quick      # fewer repetitions, no notebook execution
    python benchmarks/run.py --only explorers framework

Sections (each a goal from the course's issue tracker, measured here, never asserted in CI):

    explorers   every Explorer's redraw inside Python: the live path (what a widget's kernel
                does per move of a tour through every control; goal median <= 60 ms, p95 <=
                200 ms) and the static figure + PNG at defaults and extremes. What a learner
                waits for in the browser: benchmarks/browser.py (make benchmark-browser).
    notebooks   every lecture and solution notebook executed in a fresh kernel (not saved).
                Goal: each <= 30 s, all together <= 180 s.
    framework   one training step (forward, backward, SGD update) of minibp against plain
                numpy doing exactly the same math, and PyTorch CPU float64 if installed.
                Goal: ratio minibp / numpy <= 1.10.
    scaling     step time against width and batch size; share of time in matrix products.
    import      ``import minibp`` in a fresh interpreter. Goal: <= 0.2 s.

The report goes to benchmarks/results/benchmark.json with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
RESULTS = ROOT / "benchmarks" / "results" / "benchmark.json"
# The live path's kernel time: the browser adds about 40 ms (message, transfer, decode, paint)
# to reach issue 23's goal of 100 ms median and 250 ms p95 from input to painted pixels.
GOALS = {"explorer_median_s": 0.060, "explorer_p95_s": 0.200, "notebook_s": 30.0,
         "course_s": 180.0, "framework_ratio": 1.10, "import_s": 0.2}


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


# --- explorers ------------------------------------------------------------------------------
def bench_explorers(repeats):
    """Inside Python, no browser (benchmarks/browser.py measures what a learner waits for):
    ``static``: ``explorer.png()`` — a fresh figure, drawn and encoded (slides, tests) — at the
    defaults and each control's extremes; ``live``: what the widget's kernel does for each move
    of ``explorer.tour()`` (``LiveFigure``: update, blit or redraw, encode)."""
    from course import explorers

    report = {}
    for name, factory in explorers.all_explorers().items():
        explorer = factory()
        settings = [{}] + [{control: value} for control, spec in explorer.controls.items()
                           for value in spec.extremes()]
        first_calls, times = [], []
        for params in settings:
            for repeat in range(repeats):
                started = time.perf_counter()
                explorer.png(**params)
                elapsed = time.perf_counter() - started
                (first_calls if repeat == 0 else times).append(elapsed)
        everything = first_calls + times
        live, moves = explorer.live(), []
        live.png()
        for _ in range(repeats):
            for params in explorer.tour():
                started = time.perf_counter()
                live.png(**params)
                moves.append(time.perf_counter() - started)
        report[name] = {
            "static": {"calls": len(everything), "median_s": statistics.median(everything),
                       "p95_s": percentile(everything, 95), "first_call_max_s": max(first_calls)},
            "live": {"moves": len(moves), "median_s": statistics.median(moves),
                     "p95_s": percentile(moves, 95), "blits": live.blits,
                     "panel_redraws": live.panel_redraws, "full_redraws": live.full_redraws},
        }
    return report


# --- notebooks ------------------------------------------------------------------------------
def bench_notebooks():
    from execute_notebooks import execute

    report = {}
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            report[f"{folder}/{path.name}"] = {"seconds": execute(path, save=False)}
    return report


# --- framework overhead ---------------------------------------------------------------------
def plain_numpy_step(Ws, bs, X, T, learning_rate):
    """The same math as minibp's train_step for sigmoid hidden layers, softmax + cross-entropy."""
    a = [X]
    L = len(Ws)
    for l in range(L):
        z = a[-1] @ Ws[l] + bs[l]
        if l < L - 1:
            a.append(1.0 / (1.0 + np.exp(-z)))
        else:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a.append(e / e.sum(axis=1, keepdims=True))
    N = X.shape[0]
    delta = a[-1] - T
    grads = []
    for l in range(L - 1, -1, -1):
        grads.append((a[l].T @ delta / N, delta.sum(axis=0) / N))
        if l > 0:
            delta = (delta @ Ws[l].T) * (a[l] * (1.0 - a[l]))
    for l, (dW, db) in zip(range(L - 1, -1, -1), grads):
        Ws[l] -= learning_rate * dW
        bs[l] -= learning_rate * db


def blas_threads():
    """The threads numpy's BLAS uses: OPENBLAS/OMP/MKL_NUM_THREADS (the Makefile sets 1), else
    every core this process may run on."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(name, "").isdigit():
            return max(1, int(os.environ[name]))
    return len(os.sched_getaffinity(0))


def torch_step_factory(sizes, X, T, learning_rate):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(blas_threads())  # the same thread count as numpy's BLAS
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out).double())
        if i < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=learning_rate)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(T.argmax(axis=1))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(Xt), yt).backward()
        opt.step()

    return step


def time_per_call(step, min_seconds=0.5, rounds=5):
    """Best of ``rounds`` averages over enough calls to last ``min_seconds`` each."""
    return best_times([step], min_seconds, rounds)[0]


def best_times(steps, min_seconds=0.5, rounds=5):
    """``time_per_call`` for several steps at once, their rounds taken in turn: a ratio of two
    steps then compares them under the same machine load, not a second apart."""
    calls = []
    for step in steps:
        step()
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < min_seconds / rounds:
            step()
            n += 1
        calls.append(max(n, 1))
    best = [float("inf")] * len(steps)
    for _ in range(rounds):
        for i, (step, n) in enumerate(zip(steps, calls)):
            started = time.perf_counter()
            for _ in range(n):
                step()
            best[i] = min(best[i], (time.perf_counter() - started) / n)
    return best


def bench_framework(quick):
    from minibp import SGD, Network
    from minibp.losses import CrossEntropy
    from minibp.training import train_step

    cases = [((64, 32, 10), 32), ((64, 100, 100, 10), 32), ((784, 1000, 1000, 1000, 10), 256)]
    rng = np.random.default_rng(0)
    report = {}
    for sizes, batch in cases:
        net = Network(sizes, activation="sigmoid", output_activation="softmax", rng=0)
        X = rng.normal(size=(batch, sizes[0]))
        T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
        Ws, bs = [l.W.copy() for l in net.layers], [l.b.copy() for l in net.layers]
        loss, optimizer = CrossEntropy(), SGD(1e-3)
        seconds = 0.5 if quick else 2.0
        minibp_s, numpy_s = best_times([partial(train_step, net, X, T, loss, optimizer),
                                        partial(plain_numpy_step, Ws, bs, X, T, 1e-3)],
                                       seconds, rounds=10)
        entry = {"minibp_s": minibp_s, "numpy_s": numpy_s, "ratio": minibp_s / numpy_s}
        torch_step = torch_step_factory(sizes, X, T, 1e-3)
        if torch_step is not None:
            entry["torch_s"] = time_per_call(torch_step, seconds)
            entry["torch_threads"] = blas_threads()
        report["-".join(map(str, sizes)) + f" batch {batch}"] = entry
    return report


def bench_scaling(quick):
    from minibp import SGD, Network
    from minibp.losses import CrossEntropy
    from minibp.training import train_step

    rng = np.random.default_rng(0)
    widths = [32, 128, 512, 2048] if quick else [32, 64, 128, 256, 512, 1024, 2048]
    report = {"width (64-w-w-10, batch 64)": {}, "batch (64-256-256-10)": {}}

    def step_time(sizes, batch):
        net = Network(sizes, activation="sigmoid", output_activation="softmax", rng=0)
        X = rng.normal(size=(batch, sizes[0]))
        T = np.eye(10)[rng.integers(0, 10, batch)]
        step_s = time_per_call(lambda: train_step(net, X, T, CrossEntropy(), SGD(1e-3)), 0.3)
        # The matrix products of one step alone: forward a W, backward delta W^T and a^T delta.
        acts = [X] + [rng.normal(size=(batch, n)) for n in sizes[1:]]
        Ws = [layer.W for layer in net.layers]

        def products():
            for l, W in enumerate(Ws):
                acts[l] @ W
                acts[l].T @ acts[l + 1]
                if l > 0:
                    acts[l + 1] @ W.T

        return step_s, time_per_call(products, 0.3) / step_s

    for width in widths:
        step_s, share = step_time((64, width, width, 10), 64)
        report["width (64-w-w-10, batch 64)"][width] = {"step_s": step_s, "matmul_share": share}
    for batch in ([1, 32, 512] if quick else [1, 8, 32, 128, 512]):
        step_s, share = step_time((64, 256, 256, 10), batch)
        report["batch (64-256-256-10)"][batch] = {"step_s": step_s, "matmul_share": share,
                                                  "per_example_s": step_s / batch}
    return report


def bench_import(repeats=7):
    code = "import time; t = time.perf_counter(); import minibp; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True, cwd=ROOT).stdout) for _ in range(repeats)]
    return {"median_s": statistics.median(times), "max_s": max(times)}


# --- report ---------------------------------------------------------------------------------
def machine():
    return {"python": platform.python_version(), "numpy": np.__version__,
            "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "blas_threads_env": {k: os.environ.get(k) for k in
                                 ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}


def print_table(report):
    ms = 1e3
    if "explorers" in report:
        print(f"\nExplorer redraw inside Python, no browser (goal for the live path: median <= "
              f"{GOALS['explorer_median_s'] * ms:.0f} ms, p95 <= {GOALS['explorer_p95_s'] * ms:.0f} ms; "
              f"what a learner waits for: benchmarks/browser.py)")
        for name, r in report["explorers"].items():
            static, live = r["static"], r["live"]
            ok = live["median_s"] <= GOALS["explorer_median_s"] and live["p95_s"] <= GOALS["explorer_p95_s"]
            print(f"  {name:52s} live median {live['median_s'] * ms:6.1f} ms "
                  f" p95 {live['p95_s'] * ms:6.1f} ms"
                  f" ({live['blits']} blits, {live['panel_redraws']} panel, {live['full_redraws']} full)"
                  f"  static median {static['median_s'] * ms:6.1f} ms  {'ok' if ok else 'MISSED'}")
    if "notebooks" in report:
        total = sum(r["seconds"] for r in report["notebooks"].values())
        print(f"\nNotebook execution (goal: each <= {GOALS['notebook_s']:.0f} s, "
              f"course <= {GOALS['course_s']:.0f} s): total {total:.1f} s")
        for name, r in report["notebooks"].items():
            flag = "ok" if r["seconds"] <= GOALS["notebook_s"] else "MISSED"
            print(f"  {name:55s} {r['seconds']:6.1f} s  {flag}")
    if "framework" in report:
        print(f"\nTraining step, minibp vs plain numpy (goal: ratio <= {GOALS['framework_ratio']})")
        for name, r in report["framework"].items():
            torch = f"  torch {r['torch_s'] * ms:9.3f} ms" if "torch_s" in r else ""
            flag = "ok" if r["ratio"] <= GOALS["framework_ratio"] else "MISSED"
            print(f"  {name:40s} minibp {r['minibp_s'] * ms:9.3f} ms  numpy {r['numpy_s'] * ms:9.3f} ms"
                  f"  ratio {r['ratio']:5.2f}{torch}  {flag}")
    if "scaling" in report:
        for title, rows in report["scaling"].items():
            print(f"\nStep time against {title}")
            for key, r in rows.items():
                print(f"  {key!s:>6}: {r['step_s'] * ms:9.3f} ms per step, "
                      f"matrix products {100 * r['matmul_share']:5.1f}% of it")
    if "import" in report:
        r = report["import"]
        flag = "ok" if r["median_s"] <= GOALS["import_s"] else "MISSED"
        print(f"\nimport minibp: median {r['median_s'] * ms:.0f} ms (goal <= "
              f"{GOALS['import_s'] * ms:.0f} ms)  {flag}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sections = ["explorers", "notebooks", "framework", "scaling", "import"]
    parser.add_argument("--only", nargs="+", choices=sections, default=sections)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, skip notebooks")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = {"machine": machine(), "goals": GOALS}
    if "explorers" in args.only:
        report["explorers"] = bench_explorers(repeats=2 if args.quick else 3)
    if "notebooks" in args.only and not args.quick:
        report["notebooks"] = bench_notebooks()
    if "framework" in args.only:
        report["framework"] = bench_framework(args.quick)
    if "scaling" in args.only:
        report["scaling"] = bench_scaling(args.quick)
    if "import" in args.only:
        report["import"] = bench_import()
    print_table(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nreport written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
