"""Small data sets for trying out backpropagation, and two helpers to prepare them.

Every generator returns plain numpy arrays: inputs ``X`` of shape (N, D), float64, one sample
per row, and either targets ``T`` or integer class ``labels`` of shape (N,). Anything random
takes ``rng`` (a ``numpy.random.Generator`` or an integer seed), so the same seed always gives
the same data and numpy's global random state is never touched.

- ``xor``, ``worked_example``: tiny fixed problems you can check by hand.
- ``moons``, ``circles``, ``spirals``: 2-D toy sets that a straight line cannot separate.
- ``digits``: 1797 real 8x8 images of handwritten digits, bundled with minibp (works offline).
- ``one_hot``, ``train_val_split``: turn labels into target rows; hold out validation rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validate import as_array, as_rng, integer, number

DIGITS_FILE = Path(__file__).parent / "datasets" / "digits.npz"


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table: the smallest problem a single-layer network cannot learn.

    Returns ``(X, T)``: ``X`` shape (4, 2) holds the inputs [0,0], [0,1], [1,0], [1,1] and
    ``T`` shape (4, 1) the targets 0, 1, 1, 0 (1 when exactly one input is 1).
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    T = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, T


@dataclass(frozen=True, eq=False)
class WorkedExample:
    """Inputs, target, weights and biases of the classic 3-2-1 sigmoid worked example.

    Units are numbered as in the textbook: inputs 1, 2, 3; hidden 4, 5; output 6. ``w_ij`` is
    the weight from unit i to unit j and ``theta_j`` the bias of unit j.

    - ``x`` shape (3,): inputs [x1, x2, x3].
    - ``t`` shape (1,): target of output unit 6.
    - ``W1`` shape (3, 2): ``W1[p, q]`` is the weight from input p to hidden unit q,
      i.e. [[w14, w15], [w24, w25], [w34, w35]].
    - ``b1`` shape (2,): [theta4, theta5].
    - ``W2`` shape (2, 1): [[w46], [w56]].
    - ``b2`` shape (1,): [theta6].
    - ``learning_rate``: the step size used for the textbook's weight update.
    - ``input_units``, ``hidden_units``, ``output_units``: the textbook's unit numbers.
    """

    x: np.ndarray
    t: np.ndarray
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    learning_rate: float
    input_units: tuple[int, ...]
    hidden_units: tuple[int, ...]
    output_units: tuple[int, ...]


def worked_example() -> WorkedExample:
    """A new copy of the classic textbook worked example of backpropagation.

    Source: J. Han, M. Kamber & J. Pei, "Data Mining: Concepts and Techniques" (3rd ed., 2011,
    section 9.2, "Classification by Backpropagation"), reproduced in the lecture note
    "Backpropagation algorithm, learning rate, momentum, Xavier, vanishing gradients": a 3-2-1
    network of sigmoid units trained on one sample, x = [1, 0, 1] with target 1, learning
    rate 0.9.

    With ``h = sigmoid(x @ W1 + b1)`` and ``o = sigmoid(h @ W2 + b2)`` the forward outputs
    are, to 3 decimals, o4 = 0.332, o5 = 0.525 (the hidden units) and o6 = 0.474 (the
    output), so you can check your own forward and backward pass number by number.
    The arrays are read-only, and fresh on every call.
    """

    def fixed(values) -> np.ndarray:
        array = np.array(values, dtype=np.float64)
        array.setflags(write=False)
        return array

    return WorkedExample(
        x=fixed([1.0, 0.0, 1.0]),
        t=fixed([1.0]),
        W1=fixed([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]),
        b1=fixed([-0.4, 0.2]),
        W2=fixed([[-0.3], [-0.2]]),
        b2=fixed([0.1]),
        learning_rate=0.9,
        input_units=(1, 2, 3),
        hidden_units=(4, 5),
        output_units=(6,),
    )


def _shuffled(X: np.ndarray, labels: np.ndarray, rng: np.random.Generator):
    """The same random reordering applied to the rows of ``X`` and to ``labels``."""
    order = rng.permutation(len(labels))
    return X[order], labels[order]


def moons(n_samples: int = 200, noise: float = 0.1, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("moons"), one per class.

    Class 0 (n_samples // 2 points) lies on the upper half of the unit circle, class 1
    (the rest) on a lower half circle shifted right by 1 and up by 0.5, so each moon reaches
    into the other's hollow. Gaussian noise of standard deviation ``noise`` is added to both
    coordinates, and the rows are shuffled.

    Returns ``(X, labels)``: ``X`` shape (n_samples, 2), float64; ``labels`` shape
    (n_samples,), int64 in {0, 1}.
    """
    n_samples = integer(n_samples, "n_samples", low=2)
    noise = number(noise, "noise", low=0)
    rng = as_rng(rng)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    upper_angles = np.linspace(0, np.pi, n_upper)
    lower_angles = np.linspace(0, np.pi, n_lower)
    upper = np.column_stack([np.cos(upper_angles), np.sin(upper_angles)])
    lower = np.column_stack([1 - np.cos(lower_angles), 0.5 - np.sin(lower_angles)])
    X = np.vstack([upper, lower]) + rng.normal(0.0, noise, size=(n_samples, 2))
    labels = np.repeat(np.array([0, 1], dtype=np.int64), [n_upper, n_lower])
    return _shuffled(X, labels, rng)


def circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5,
            rng=0) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one: no straight line separates the two classes.

    Class 0 (n_samples // 2 points) lies on the circle of radius 1, class 1 (the rest) on the
    circle of radius ``factor`` (between 0 and 1), points evenly spaced by angle. Gaussian
    noise of standard deviation ``noise`` is added to both coordinates; rows are shuffled.

    Returns ``(X, labels)``: ``X`` shape (n_samples, 2), float64; ``labels`` shape
    (n_samples,), int64 in {0, 1}.
    """
    n_samples = integer(n_samples, "n_samples", low=2)
    noise = number(noise, "noise", low=0)
    factor = number(factor, "factor", low=0, high=1, low_open=True, high_open=True)
    rng = as_rng(rng)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer_angles = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    inner_angles = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(outer_angles), np.sin(outer_angles)])
    inner = factor * np.column_stack([np.cos(inner_angles), np.sin(inner_angles)])
    X = np.vstack([outer, inner]) + rng.normal(0.0, noise, size=(n_samples, 2))
    labels = np.repeat(np.array([0, 1], dtype=np.int64), [n_outer, n_inner])
    return _shuffled(X, labels, rng)


def spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2,
            rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the spiral set of Stanford's cs231n course).

    Each class gets n_samples // n_classes points (the first n_samples % n_classes classes one
    more). Along arm k the radius grows evenly from 0 to 1 while the angle turns through 4
    radians, starting at 2 * pi * k / n_classes so the arms are rotated copies of each other.
    Gaussian noise of standard deviation ``noise`` (in radians) is added to each angle, and
    the rows are shuffled.

    Returns ``(X, labels)``: ``X`` shape (n_samples, 2), float64; ``labels`` shape
    (n_samples,), int64 in 0 .. n_classes - 1.
    """
    n_classes = integer(n_classes, "n_classes", low=2)
    n_samples = integer(n_samples, "n_samples", low=n_classes)
    noise = number(noise, "noise", low=0)
    rng = as_rng(rng)
    arms, labels = [], []
    for k in range(n_classes):
        n_arm = n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        radius = np.linspace(0.0, 1.0, n_arm)
        start = 2 * np.pi * k / n_classes
        angle = np.linspace(start, start + 4.0, n_arm) + rng.normal(0.0, noise, size=n_arm)
        arms.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(n_arm, k, dtype=np.int64))
    return _shuffled(np.vstack(arms), np.concatenate(labels), rng)


_digits_cache: tuple[np.ndarray, np.ndarray] | None = None


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits: 1797 small real images, 10 classes (the digits 0-9).

    Each image is 8x8 pixels flattened row by row into 64 numbers. The raw pixels count "on"
    dots in a 4x4 block of a 32x32 scan, 0..16; here they are divided by 16 so every input
    lies in [0, 1]. (Use ``X[i].reshape(8, 8)`` to look at image i.) Loaded from the file
    bundled with minibp; see ``minibp/datasets/README.md`` for its source and licence.

    Returns ``(X, labels)``: ``X`` shape (1797, 64), float64 in [0, 1]; ``labels`` shape
    (1797,), int64 in 0..9. Both are fresh copies you may change freely.
    """
    global _digits_cache
    if _digits_cache is None:
        with np.load(DIGITS_FILE) as archive:
            images = archive["images"].astype(np.float64) / 16.0
            labels = archive["labels"].astype(np.int64)
        _digits_cache = (images, labels)
    images, labels = _digits_cache
    return images.copy(), labels.copy()


MAX_CLASSES = 100_000


def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """Turn class labels into target rows: row i is all zeros except a 1 in column labels[i].

    ``labels`` shape (N,): non-negative whole numbers (ints, or floats like 2.0).
    ``n_classes`` is the number of columns; by default ``max(labels) + 1``.
    Returns shape (N, n_classes), float64. ``one_hot(labels).argmax(axis=1)`` gives the labels
    back.
    """
    values = as_array(labels, "labels", ndim=1)
    if np.any(values != np.round(values)) or np.any(values < 0):
        raise ValueError("labels must be non-negative whole numbers (class indices 0, 1, 2, ...)")
    if values.size and values.max() >= MAX_CLASSES:
        raise ValueError(f"labels must be class indices below {MAX_CLASSES}, got a label "
                         f"{values.max():g} (one column per class would not fit in memory)")
    classes = values.astype(np.int64)
    if n_classes is None:
        if classes.size == 0:
            raise ValueError("labels is empty; pass n_classes to say how many columns to make")
        n_classes = int(classes.max()) + 1
    n_classes = integer(n_classes, "n_classes", low=1)
    if classes.size and classes.max() >= n_classes:
        raise ValueError(
            f"labels must be < n_classes = {n_classes}, got a label {int(classes.max())}"
        )
    targets = np.zeros((classes.size, n_classes), dtype=np.float64)
    targets[np.arange(classes.size), classes] = 1.0
    return targets


def train_val_split(X, T, val_fraction: float = 0.2, rng=0):
    """Shuffle the rows and set a fraction of them aside to measure generalisation.

    ``X`` shape (N, D) inputs; ``T`` shape (N,) labels or (N, K) targets; row i of ``T``
    belongs to row i of ``X`` and stays with it. About ``val_fraction`` of the rows (rounded,
    but at least one, and at least one left for training) go to the validation set.

    Returns ``(X_train, T_train, X_val, T_val)``: copies with shapes (N - M, D), (N - M,) or
    (N - M, K), (M, D), (M,) or (M, K), where M is the number of validation rows. ``X`` comes
    back as float64; integer labels stay integers, other targets become float64.
    """
    X = as_array(X, "X", ndim=2)
    T_float = as_array(T, "T", ndim=(1, 2))
    T_given = np.asarray(T)
    T = T_given if np.issubdtype(T_given.dtype, np.integer) else T_float
    val_fraction = number(val_fraction, "val_fraction", low=0, high=1,
                          low_open=True, high_open=True)
    rng = as_rng(rng)
    n_rows = X.shape[0]
    if T.shape[0] != n_rows:
        raise ValueError(
            f"X and T must have the same number of rows, got {n_rows} and {T.shape[0]}"
        )
    if n_rows < 2:
        raise ValueError(f"X must have at least 2 rows to split, got {n_rows}")
    n_val = min(max(round(val_fraction * n_rows), 1), n_rows - 1)
    order = rng.permutation(n_rows)
    val_rows, train_rows = order[:n_val], order[n_val:]
    return X[train_rows], T[train_rows], X[val_rows], T[val_rows]
