"""Argument checks shared by every module (the basement: imports numpy only).

Every public function of minibp validates what it is given and raises ``ValueError`` with a
message that names the argument and says what was expected, so a learner who passes the
wrong shape reads *which* array was wrong instead of a numpy broadcasting trace.

Arrays: anything numpy can read as real numbers — floats, integers, booleans (as 0.0 and
1.0) — becomes a float64 array. Complex numbers are refused (their imaginary part would be
dropped), and so are empty batches (a mean over zero examples is not a number).
"""

from __future__ import annotations

import numbers

import numpy as np


def as_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator or an integer seed.

    minibp never touches numpy's global random state: every random thing takes ``rng``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a seed >= 0 or a numpy.random.Generator, got {rng}")
        return np.random.default_rng(int(rng))
    raise ValueError(
        f"{name} must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}"
    )


def as_array(x, name: str, ndim: int | tuple[int, ...] | None = None,
             finite: bool = True, empty: bool = True) -> np.ndarray:
    """Convert ``x`` to a float64 array, checking its number of dimensions and finiteness
    (and, with ``empty=False``, that it holds at least one number)."""
    try:
        complex_input = np.iscomplexobj(x)
    except (TypeError, ValueError):  # ragged lists and the like: the conversion below says so
        complex_input = False
    if complex_input:
        raise ValueError(f"{name} must hold real numbers, got complex values")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers, got {type(x).__name__}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got an array of shape {arr.shape}")
    if not empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one number")
    if finite and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); expected finite numbers")
    return arr


def as_batch(x, name: str, width: int | None = None, finite: bool = True,
             empty: bool = False) -> np.ndarray:
    """A batch of row vectors, shape (N, width); a single 1-D vector becomes shape (1, width).

    N = 0 is refused unless ``empty`` (a mean over no examples is not a number)."""
    arr = as_array(x, name, ndim=(1, 2), finite=finite, empty=empty)
    if arr.ndim == 1:
        arr = arr[None, :]
    if width is not None and arr.shape[1] != width:
        raise ValueError(
            f"{name} must have {width} column(s) (one per unit), got shape {arr.shape}"
        )
    return arr


def same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}"
        )


def same_rows(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """One row per example in both: no silent broadcasting of a single row against N."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of rows, got {a.shape[0]} and {b.shape[0]}"
        )


def number(x, name: str, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number inside the given interval (closed unless told open)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if low is not None and (x < low or (low_open and x == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {x}")
    if high is not None and (x > high or (high_open and x == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {x}")
    return x


def integer(x, name: str, low: int | None = None) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {x!r}")
    if low is not None and x < low:
        raise ValueError(f"{name} must be >= {low}, got {x}")
    return int(x)


def boolean(x, name: str) -> bool:
    """True or False (numpy's bools too); not a truthy string such as "no"."""
    if not isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {x!r}")
    return bool(x)


def choice(x, name: str, options) -> str:
    """A name among ``options``; the error lists them so the learner can pick."""
    try:
        known = x in options
    except TypeError:  # unhashable, e.g. a list
        known = False
    if not known:
        raise ValueError(f"unknown {name} {x!r}; expected one of: {', '.join(sorted(options))}")
    return x
