"""What the sweep scripts share: the digits split of lessons 06 and 07, and the layout of the
JSON files the sweeps write.

The scripts import it as a sibling module. Running one (``python benchmarks/x_sweep.py``)
puts this folder on ``sys.path``; the tests and lesson 09 put it there before they import a
script.
"""

from __future__ import annotations

import json

from minibp import data


def digits_split(config):
    """(X_train, T_train, X_test, T_test): the digits, one-hot targets, split once as in
    ``config`` (``val_fraction``, ``split_seed``)."""
    X, labels = data.digits()
    return data.train_val_split(X, data.one_hot(labels, 10), config["val_fraction"],
                                rng=config["split_seed"])


def to_json(document):
    """JSON with one line per top-level key and per experiment entry (readable diffs)."""
    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            inner = ",\n  ".join(json.dumps(entry, separators=(",", ":")) for entry in value)
            lines.append(f"{json.dumps(key)}: [\n  {inner}\n]")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
