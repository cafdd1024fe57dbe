"""Checks for the exercises: does the learner's function agree with minibp's own?

Every exercise asks for a function. The check cell right after it calls, for example,
``checks.worked_example.output_delta(output_delta)``, which runs the learner's function and
minibp's reference on many cases (the lesson's numbers first, then random ones) and

- prints one short line when every case agrees, or
- raises ``CheckFailure`` naming the first case that disagrees, with the expected and the
  returned value, and a hint when the answer matches a known mistake on every case it gets
  wrong. In a notebook only the message shows (``_render_traceback_``), never this source.

One module per lesson holds that lesson's checks; this one holds the machinery they share.
"""

from __future__ import annotations

import inspect
import re
import signal
import threading

import numpy as np

from course.i18n import _

__all__ = ["CheckFailure", "NotAnsweredYet", "check_function", "cases_with"]

TIME_LIMIT = 5.0  # seconds for one call of the learner's function: a loop that never ends stops


class CheckFailure(AssertionError):
    """The learner's answer disagrees with the reference."""

    def _render_traceback_(self):
        # IPython shows these lines instead of the traceback. A traceback would print this
        # module's source — the reference answers and the hints of every mistake — above the
        # message. Raising still stops "Run All" at the first exercise that is not done.
        return [f"{type(self).__name__}: {self}"]


class NotAnsweredYet(CheckFailure, NotImplementedError):
    """The learner's function still raises NotImplementedError: the exercise is not done."""


class _TimeLimit(Exception):
    pass


def _copy(args):
    return tuple(np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in args)


def _several(value):
    """A reference's several results: a tuple, or a list of arrays (one per layer, say)."""
    return isinstance(value, tuple) or (
        isinstance(value, list) and any(v is None or isinstance(v, np.ndarray) for v in value))


def _agree(got, expected, rtol, atol):
    """(True, "") or (False, why): ``got`` against ``expected``, entry by entry for several."""
    if _several(expected):
        got = tuple(got) if isinstance(got, (tuple, list)) else (got,)
    else:
        got, expected = (got,), (expected,)
    if len(got) != len(expected):
        return False, _("returned {got} value(s), expected {expected}").format(
            got=len(got), expected=len(expected))
    for i, (g, e) in enumerate(zip(got, expected)):
        which = f"result[{i}]" if len(expected) > 1 else _("the result")
        if e is None or g is None:
            if (e is None) != (g is None):
                return False, _("{which} is {got}, expected {expected}").format(
                    which=which, got=_show(g), expected=_show(e))
            continue
        try:
            g = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError):
            return False, _("{which} is a {kind}, expected numbers").format(
                which=which, kind=type(g).__name__)
        e = np.asarray(e, dtype=np.float64)
        if g.shape != e.shape:
            return False, _("{which} has shape {got}, expected shape {expected}").format(
                which=which, got=g.shape, expected=e.shape)
        if not np.allclose(g, e, rtol=rtol, atol=atol):
            return False, (_("{which} has the wrong values").format(which=which)
                           + _first_difference(g, e, rtol, atol))
    return True, ""


def _first_difference(got, expected, rtol, atol):
    if got.ndim == 0 or got.size <= 6:
        return ""
    index = tuple(int(i) for i in np.argwhere(~np.isclose(got, expected, rtol=rtol, atol=atol))[0])
    return _(" (first at index {index}: expected {expected}, got {got})").format(
        index=index, expected=_number(expected[index]), got=_number(got[index]))


def _number(x):
    return f"{float(x):.6g}"


def _show(value, width=70):
    """A short, readable description of a value: numbers as numbers, big things summarized."""
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _number(value)
    if isinstance(value, np.random.Generator):
        return _("a random generator")
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            with np.printoptions(precision=4, suppress=True):
                text = np.array2string(value, separator=", ").replace("\n", "")
            return " ".join(text.split())
        return _("array of shape {shape}").format(shape=value.shape)
    if isinstance(value, (tuple, list)):
        if len(value) <= 4 and all(not isinstance(v, (tuple, list)) for v in value):
            inner = ", ".join(_show(v, width) for v in value)
            text = f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
            if len(text) <= width:
                return text
        kinds = sorted({type(v).__name__ for v in value})
        shapes = [np.shape(v) for v in value if isinstance(v, np.ndarray)]
        listed = ", ".join(map(str, shapes[:3])) + (", ..." if len(shapes) > 3 else "")
        detail = _(" of shapes {shapes}").format(shapes=listed) if len(shapes) == len(value) else ""
        return _("{kind} of {count} {kinds}{detail}").format(
            kind=type(value).__name__, count=len(value), kinds="/".join(kinds), detail=detail)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:  # Forward, Gradients: name the lists, not their arrays
        return f"{type(value).__name__}({', '.join(fields)})"
    sizes = getattr(value, "sizes", None)
    if sizes is not None:  # a Network
        return f"{type(value).__name__} {list(sizes)}"
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _arguments(learner, case):
    """The case as the learner's function received it: name=value, by its own parameter names."""
    try:
        parameters = list(inspect.signature(learner).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p.name for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = positional if len(positional) >= len(case) else [
        _("argument {number}").format(number=i + 1) for i in range(len(case))]
    return [f"{name} = {_show(value)}" for name, value in zip(names, case)]


def _call(learner, case, time_limit):
    """learner(*case), stopped after ``time_limit`` seconds where a timer can be set."""
    can_time = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not can_time:
        return learner(*_copy(case))

    def stop(signum, frame):
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        return learner(*_copy(case))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_function(name, learner, reference, cases, mistakes=(), rtol=1e-7, atol=1e-10,
                   time_limit=TIME_LIMIT, received=None):
    """Compare ``learner(*case)`` with ``reference(*case)`` for every case.

    ``name``: the function's name, as the learner wrote it. ``cases``: a list of argument
    tuples (arrays are copied, so a learner's function that changes its inputs changes
    nothing here). ``mistakes``: (wrong_function, hint) pairs — a hint is shown only when the
    learner's answer equals that wrong answer on *every* case it gets wrong (a mistake that
    happens to agree on one case is not the learner's mistake). The message fits on a screen:
    the first failing case, its arguments by the learner's parameter names, big arrays
    summarized; it never shows this module's source (``CheckFailure._render_traceback_``).
    ``received``: (the learner's own function, case -> its arguments) when ``learner`` wraps
    it (say, building a network and a generator from weights and a seed), so that messages
    name what the learner's function received.
    """

    def arguments(case):
        if received is None:
            return ", ".join(_arguments(learner, case))
        own, transform = received
        return ", ".join(_arguments(own, transform(*case)))

    if not callable(learner):
        raise CheckFailure(_("{name} must be a function; got {kind}").format(
            name=name, kind=type(learner).__name__))
    failures = []  # (number, case, expected, got, why)
    for number, case in enumerate(cases, start=1):
        expected = reference(*_copy(case))
        try:
            got = _call(learner, case, time_limit)
        except NotImplementedError:
            raise NotAnsweredYet(_(
                "{name} is not written yet: replace `raise NotImplementedError` with your "
                "code, run its cell, then run this check again.").format(name=name)) from None
        except _TimeLimit:
            raise CheckFailure(_(
                "{name} did not finish within {seconds:g} s on case {number}: is there a "
                "loop that never ends?").format(name=name, seconds=time_limit, number=number)
                + "\n  " + _("arguments:") + " " + arguments(case)) from None
        except Exception as exc:  # the learner's code crashed: noted, and the cases go on
            failures.append((number, case, expected, _Crash(exc), None))
            continue
        ok, why = _agree(got, expected, rtol, atol)
        if not ok:
            failures.append((number, case, expected, got, why))
    if not failures:
        print(_("Correct: {name} agrees with minibp on all {count} cases.").format(
            name=name, count=len(cases)))
        return
    number, case, expected, got, why = failures[0]
    more = _(" (and {count} more)").format(count=len(failures) - 1) if len(failures) > 1 else ""
    where = dict(name=name, number=number, total=len(cases), more=more)
    if isinstance(got, _Crash):  # say where it crashed, keep it short
        lines = [_("{name} raised {error}").format(name=name, error=got) + "\n  "
                 + _("on case {number} of {total}{more}, arguments:").format(**where) + " "
                 + arguments(case)]
    else:
        expected, got, which = _the_wrong_part(expected, got, why)
        lines = [_("{name} is not right yet: on case {number} of {total}{more}, {why}.").format(
                     why=why, **where),
                 "  " + _("arguments:") + " " + arguments(case),
                 "  " + _("expected{which}:  {value}").format(which=which, value=_show(expected)),
                 "  " + _("got{which}:       {value}").format(which=which, value=_show(got))]
    hint = _hint(mistakes, failures, rtol, atol)
    if hint:
        lines.append("  " + _("Hint: {hint}").format(hint=_(hint)))
    raise CheckFailure("\n".join(_short(line, 300) for line in lines))


def _the_wrong_part(expected, got, why):
    """Of several results, the one ``why`` names (result[i]), so that its numbers show rather
    than a summary of the whole tuple; otherwise everything, as it is."""
    match = re.match(r"result\[(\d+)\]", why)
    if match and _several(expected) and isinstance(got, (tuple, list)):
        i = int(match.group(1))
        if i < len(got) and i < len(expected):
            return expected[i], got[i], f" result[{i}]"
    return expected, got, ""


class _Crash:
    """What the learner's function raised on a case, kept to compare with known mistakes."""

    def __init__(self, error):
        self.error = error

    def __str__(self):
        return f"{type(self.error).__name__}: {_short(str(self.error))}"


def _hint(mistakes, failures, rtol, atol):
    """The hint of the first mistake that explains every failing case, or "": it gives the
    learner's answer there, or raises the same kind of error where the learner's code did."""

    def explains(wrong, case, got):
        try:
            answer = wrong(*_copy(case))
        except Exception as error:
            return isinstance(got, _Crash) and type(error) is type(got.error)
        return not isinstance(got, _Crash) and _agree(got, answer, rtol, atol)[0]

    for wrong, message in mistakes:
        with np.errstate(all="ignore"):
            if all(explains(wrong, case, got) for _, case, _, got, _ in failures):
                return message
    return ""


def _short(text, limit=200):
    return text if len(text) <= limit else text[:limit - 3] + "..."


def cases_with(first_cases, make_random_case, n_random=20, seed=0):
    """The lesson's own cases first, then ``n_random`` cases from ``make_random_case(rng)``."""
    rng = np.random.default_rng(seed)
    return list(first_cases) + [make_random_case(rng) for _ in range(n_random)]
