"""Checks for the exercises: does the learner's function agree with minibp's own?

Every exercise asks for a function. The check cell right after it calls, for example,
``checks.worked_example.output_delta(output_delta)``, which runs the learner's function and
minibp's reference on many cases (the lesson's numbers first, then random ones) and

- prints one short line when every case agrees, or
- raises ``CheckFailure`` naming the first case that disagrees, with the expected and the
  returned value, and a hint when the answer matches a known mistake (a flipped sign, a
  missing f'...).

One module per lesson holds that lesson's checks; this one holds the machinery they share.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CheckFailure", "NotAnsweredYet", "check_function", "cases_with"]


class CheckFailure(AssertionError):
    """The learner's answer disagrees with the reference."""


class NotAnsweredYet(CheckFailure, NotImplementedError):
    """The learner's function still raises NotImplementedError: the exercise is not done."""


def _copy(args):
    return tuple(np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in args)


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _agree(got, expected, rtol, atol):
    got, expected = _as_tuple(got), _as_tuple(expected)
    if len(got) != len(expected):
        return False, f"returned {len(got)} value(s), expected {len(expected)}"
    for i, (g, e) in enumerate(zip(got, expected)):
        which = f"value {i + 1}: " if len(expected) > 1 else ""
        try:
            g = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError):
            return False, f"{which}returned {type(g).__name__}, expected numbers"
        e = np.asarray(e, dtype=np.float64)
        if g.shape != e.shape:
            return False, f"{which}has shape {g.shape}, expected shape {e.shape}"
        if not np.allclose(g, e, rtol=rtol, atol=atol):
            return False, f"{which}values differ"
    return True, ""


def _show(value):
    with np.printoptions(precision=6, suppress=True, threshold=20):
        if isinstance(value, tuple):
            return "(" + ", ".join(_show(v) for v in value) + ")"
        if isinstance(value, np.ndarray):
            return np.array2string(value, separator=", ")
        return repr(value)


def check_function(name, learner, reference, cases, mistakes=(), rtol=1e-7, atol=1e-10):
    """Compare ``learner(*case)`` with ``reference(*case)`` for every case.

    ``name``: the function's name, as the learner wrote it. ``cases``: a list of argument
    tuples (arrays are copied, so a learner's function that changes its inputs changes
    nothing here). ``mistakes``: (wrong_function, hint) pairs — when the learner's answer
    equals a known wrong answer, the hint says which mistake it is.
    """
    if not callable(learner):
        raise CheckFailure(f"{name} must be a function; got {type(learner).__name__}")
    for number, case in enumerate(cases, start=1):
        expected = reference(*_copy(case))
        try:
            got = learner(*_copy(case))
        except NotImplementedError:
            raise NotAnsweredYet(
                f"{name} is not written yet: replace `raise NotImplementedError` with your "
                f"code, run its cell, then run this check again."
            ) from None
        except Exception as exc:  # the learner's code crashed: say where, keep it short
            raise CheckFailure(
                f"{name} raised {type(exc).__name__}: {exc}\n  on case {number}: "
                f"arguments {_show(case)}"
            ) from None
        ok, why = _agree(got, expected, rtol, atol)
        if ok:
            continue
        hint = ""
        for wrong, message in mistakes:
            if _agree(got, wrong(*_copy(case)), rtol, atol)[0]:
                hint = f"\n  Hint: {message}"
                break
        raise CheckFailure(
            f"{name} is not right yet: {why} on case {number} of {len(cases)}.\n"
            f"  arguments: {_show(case)}\n  expected:  {_show(expected)}\n"
            f"  got:       {_show(got)}{hint}"
        )
    print(f"Correct: {name} agrees with minibp on all {len(cases)} cases.")


def cases_with(first_cases, make_random_case, n_random=20, seed=0):
    """The lesson's own cases first, then ``n_random`` cases from ``make_random_case(rng)``."""
    rng = np.random.default_rng(seed)
    return list(first_cases) + [make_random_case(rng) for _ in range(n_random)]
