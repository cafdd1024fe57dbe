"""``import minibp`` needs numpy alone: the plotting and widget libraries load only on demand."""

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
