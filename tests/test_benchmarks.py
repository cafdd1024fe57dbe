"""benchmarks/run.py: its plain-numpy reference does minibp's math, and the script runs."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minibp import SGD, Network
from minibp.losses import CrossEntropy
from minibp.training import train_step

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run(benchmark_script):
    return benchmark_script("run")


@pytest.mark.parametrize("sizes", [(64, 32, 10), (64, 100, 100, 10)])
def test_the_plain_numpy_step_is_minibps_training_step(run, sizes):
    # The overhead ratio means something only if both sides compute the same update.
    rng = np.random.default_rng(0)
    net = Network(sizes, activation="sigmoid", output_activation="softmax", rng=0)
    Ws, bs = [layer.W.copy() for layer in net.layers], [layer.b.copy() for layer in net.layers]
    X = rng.normal(size=(32, sizes[0]))
    T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 32)]
    for _ in range(3):
        train_step(net, X, T, CrossEntropy(), SGD(0.5))
        run.plain_numpy_step(Ws, bs, X, T, 0.5)
    for layer, W, b in zip(net.layers, Ws, bs):
        np.testing.assert_allclose(layer.W, W, rtol=0, atol=1e-13)
        np.testing.assert_allclose(layer.b, b, rtol=0, atol=1e-13)
    assert not np.allclose(net.layers[0].W, Network(sizes, rng=0).layers[0].W)  # it moved


def test_best_times_times_each_step(run):
    calls = {"a": 0, "b": 0}

    def step(name):
        calls[name] += 1

    times = run.best_times([lambda: step("a"), lambda: step("b")], min_seconds=0.01, rounds=3)
    assert len(times) == 2 and all(0 < t < 0.01 for t in times)
    assert calls["a"] > 3 and calls["b"] > 3


def test_the_script_writes_its_report(tmp_path):
    output = tmp_path / "report.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only",
                    "import", "--output", str(output)], check=True, capture_output=True, cwd=ROOT)
    report = json.loads(output.read_text())
    assert set(report) == {"machine", "goals", "import"}
    assert 0 < report["import"]["median_s"] < 5


def test_the_browser_benchmark_summarizes_each_control_against_the_goal(benchmark_script):
    """benchmarks/browser.py's per-control row (the browser run itself is `make benchmark-browser`)."""
    browser = benchmark_script("browser")
    fast = [{"image_ms": 40.0 + i, "painted_ms": 70.0 + i, "redraws": 1} for i in range(10)]
    row = browser.summarize("q", "slider", fast, [{"painted_ms": 90.0, "redraws": 2}])
    assert row["painted_median_ms"] == 74.5 and row["painted_p95_ms"] == 79.0
    assert row["burst_redraws"] == [2] and row["meets_goal"]
    slow_tail = fast[:-1] + [{"image_ms": 300.0, "painted_ms": 330.0, "redraws": 1}]
    assert not browser.summarize("q", "slider", slow_tail, [])["meets_goal"]  # p95 over 250 ms
    assert not browser.summarize("q", "slider", [], [])["meets_goal"]  # nothing measured
