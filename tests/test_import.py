"""``import minibp`` needs numpy alone, and the framework never imports the course machinery."""

import os
import subprocess
import sys
from pathlib import Path

import minibp

REPO = Path(__file__).resolve().parents[1]


def test_import_minibp_does_not_load_matplotlib_or_ipywidgets():
    code = (
        "import sys, minibp\n"
        "assert minibp.__file__.startswith(sys.argv[1]), minibp.__file__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets')))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code, str(REPO)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_public_names():
    assert minibp.__version__ == "0.1.0"
    for name in minibp.__all__:
        assert hasattr(minibp, name), name
    assert minibp.Network is minibp.network.Network
    assert minibp.fit is minibp.training.fit


def test_minibp_never_imports_the_course_package_or_plotting_libraries():
    offenders = []
    for path in sorted((REPO / "minibp").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.strip().split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1 and \
                    words[1].split(".")[0] in ("course", "matplotlib", "ipywidgets"):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_framework_stays_small_enough_for_an_evening():
    lines = sum(len(path.read_text().splitlines()) for path in (REPO / "minibp").rglob("*.py"))
    # 3000 until lesson 02's autograd and the conv/dropout layers came: 3200 keeps it an evening.
    assert lines <= 3200, f"minibp/ has {lines} lines of Python; the aim is at most 3200"
