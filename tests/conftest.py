"""Shared helpers for the minibp tests: a seeded generator, an independent finite difference,
and the scripts of benchmarks/ imported as modules."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test (so every test is reproducible on its own)."""
    return np.random.default_rng(20240601)


def _central_difference(f, x, eps=1e-6):
    """d f(x) / d x by centred differences for a scalar function f of an array x.

    Written independently of minibp.gradcheck so that it can referee minibp's own code.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2.0 * eps)
    return grad


@pytest.fixture
def central_difference():
    return _central_difference


@pytest.fixture(scope="session")
def benchmark_script():
    """``load(name)``: the script benchmarks/<name>.py as a module (imported once per session).

    benchmarks/ goes on sys.path first, as when the script runs: the sweeps import their
    sibling ``sweep_common``.
    """
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    loaded = {}

    def load(name):
        if name not in loaded:
            spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
            loaded[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(loaded[name])
        return loaded[name]

    return load
