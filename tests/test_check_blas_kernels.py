"""tools/check_blas_kernels.py: finds kernels that round differently, and make test runs it."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("check_blas_kernels", ROOT / "tools" / "check_blas_kernels.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def test_the_fingerprint_is_repeatable_and_a_crashing_kernel_gives_none(monkeypatch):
    assert tool.fingerprint() == tool.fingerprint() is not None
    monkeypatch.setattr(tool, "FINGERPRINT", "raise SystemExit(132)")  # as a SIGILL exit
    assert tool.fingerprint("Haswell") is None


def test_chosen_kernels_differ_from_the_current_one_and_from_each_other(monkeypatch):
    marks = {None: "a", "SkylakeX": "a", "Haswell": "b", "SandyBridge": None, "Nehalem": "b",
             "Prescott": "c"}
    monkeypatch.setattr(tool, "fingerprint", lambda kernel=None: marks.get(kernel))
    assert tool.other_kernels(2) == [("Haswell", "b"), ("Prescott", "c")]
    assert tool.other_kernels(5) == [("Haswell", "b"), ("Prescott", "c")]


@pytest.mark.parametrize("ci, code", [("", 0), ("1", 1)])
def test_too_few_kernels_is_an_error_only_in_ci(monkeypatch, capsys, ci, code):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(tool, "uses_openblas", lambda: True)
    monkeypatch.setattr(tool, "other_kernels", lambda count: [])
    assert tool.main(["--list"]) == code
    assert "found 0 of the 2 kernels" in capsys.readouterr().out


def test_bad_kernel_count_names_the_option(capsys):
    with pytest.raises(SystemExit):
        tool.main(["--kernels", "0"])
    assert "--kernels must be at least 1, got 0" in capsys.readouterr().err


def test_make_test_runs_it_after_the_main_test_run():
    recipe = re.search(r"^test:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    lines = [line.strip() for line in recipe.splitlines()]
    assert lines[-1] == "$(BIN)/python tools/check_blas_kernels.py"
    assert any("pytest" in line and "notebooks solutions" in line for line in lines[:-1])
