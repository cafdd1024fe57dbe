"""A figure never shows NaN without a word: it says what happened instead."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course.explorers import vanishing_gradients  # noqa: E402
from course.explorers.training import decision_boundary  # noqa: E402
from minibp import Network, data  # noqa: E402


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts + [ax.title]] + \
        [fig._suptitle.get_text() if fig._suptitle else ""]


def test_dead_relu_layers_get_a_note_not_a_nan_ratio():
    explorer = vanishing_gradients.EXPLORERS[next(iter(vanishing_gradients.EXPLORERS))]()
    fig = explorer.figure(activation="relu", depth=10, init="glorot_normalized", c=8.0)
    words = " ".join(texts(fig))
    assert "nan" not in words.lower()
    assert "dead ReLU units" in words and "is not a number (see the note)" in words
    plt.close(fig)
    healthy = explorer.figure(activation="relu", depth=10, init="he_normal", c=0.0)
    assert "note" not in " ".join(texts(healthy)) and "layer 1 / layer 10 = " in " ".join(texts(healthy))
    plt.close(healthy)


def test_a_decision_boundary_of_a_broken_network_says_so():
    X, labels = data.moons(20, noise=0.1, rng=0)
    network = Network([2, 3, 2], activation="tanh", output_activation="softmax", rng=0)
    network.layers[0].W[0, 0] = np.nan  # as a learner's in-place edit could leave it
    fig, ax = plt.subplots()
    decision_boundary(ax, network, X, labels)
    assert any("not numbers (NaN or inf)" in t.get_text() for t in ax.texts)
    assert not ax.images  # nothing drawn from NaN
    plt.close(fig)
