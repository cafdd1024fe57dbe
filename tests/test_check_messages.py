"""What a learner sees when a check fails: the message alone, short, in their terms, no spoilers."""

import time

import nbformat
import numpy as np
import pytest
from nbclient.exceptions import CellExecutionError
from test_exercises import WRONG_ANSWERS, Client

from course.checks import CheckFailure, NotAnsweredYet, check_function
from course.checks import momentum as momentum_checks
from course.checks import noise_and_bidirectional as noise_checks
from course.checks import training as training_checks
from course.checks import vanishing_gradients as vanishing_checks


def _failure(check, answer):
    with pytest.raises(CheckFailure) as failure:
        check(answer)
    return str(failure.value)


def test_in_a_notebook_only_the_message_shows_never_the_checks_source():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from course.checks import worked_example as check\n\n"
        "def output_delta(o, t):\n    raise NotImplementedError\n\n"
        "check.output_delta(output_delta)"),
        nbformat.v4.new_code_cell("check.output_delta(lambda o, t: (o - t) * o)"),
        nbformat.v4.new_code_cell("print('never reached by Run All')")]
    Client(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    for cell, name in zip(nb.cells[:2], ("NotAnsweredYet", "CheckFailure")):
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        shown = "\n".join(error.traceback)
        assert error.ename == name and error.traceback[0].startswith(name + ":")
        assert len(error.traceback) == 1 and len(shown.splitlines()) <= 15
        for secret in ("mistakes", "check_function", "def ", "(1 - o)", "_output_delta"):
            assert secret not in shown, f"the message shows {secret!r}:\n{shown}"
    # Run All stops at the first failing check (an error output ends nbclient's run too).
    with pytest.raises(CellExecutionError, match="NotAnsweredYet"):
        Client(nbformat.v4.new_notebook(cells=nb.cells[:1] + nb.cells[2:]), timeout=120,
               kernel_name="python3").execute()


def test_a_hint_needs_the_mistake_on_every_failing_case():
    # (w, v_new): agrees with "moved by the old velocity" only where v = 0, the first case.
    message = _failure(momentum_checks.momentum_step, lambda w, v, g, eta, mu: (w, mu * v - eta * g))
    assert "Hint" not in message
    # A dropped axis=1 is not "the ball centred at 0".
    message = _failure(noise_checks.regression_nem_accept,
                       lambda n, t, a: np.linalg.norm(t + n - a) <= np.linalg.norm(t - a))
    assert "Hint" not in message
    # The real mistake still gets its hint.
    message = _failure(momentum_checks.momentum_step, lambda w, v, g, eta, mu: (w + v, mu * v - eta * g))
    assert "Hint" in message


@pytest.mark.parametrize("lesson, name", [("vanishing_gradients", "update_ratios"),
                                          ("vanishing_gradients", "delta_norms"),
                                          ("vanishing_gradients", "layer_gradient_norms"),
                                          ("training", "sgd_epoch")])
def test_messages_about_big_arguments_fit_on_a_screen(lesson, name):
    check = getattr({"vanishing_gradients": vanishing_checks, "training": training_checks}[lesson], name)
    for wrong in WRONG_ANSWERS[lesson][name]:
        message = _failure(check, wrong)
        assert len(message.splitlines()) <= 15 and len(message) <= 1500, message
        assert "np.float64(" not in message and "array([[" not in message, message


def test_arguments_are_named_as_the_learner_named_them():
    def sgd_epoch(network, X, T, batch_size, learning_rate, rng):
        return [np.zeros(1)]

    message = _failure(training_checks.sgd_epoch, sgd_epoch)
    arguments = next(line for line in message.splitlines() if "arguments:" in line)
    assert "network = Network [" in arguments and "rng = a random generator" in arguments
    assert "learning_rate = " in arguments and "argument 1" not in arguments


def test_an_endless_loop_is_stopped_with_a_message():
    def layers_to_vanish(gain, fraction):
        layers = 0
        while gain > fraction:  # gain never changes: the classic slip
            layers += 1
        return layers

    started = time.perf_counter()
    with pytest.raises(CheckFailure, match="did not finish within 1 s on case 1: is there a loop"):
        check_function("layers_to_vanish", layers_to_vanish, lambda g, f: 1, [(0.5, 0.1)],
                       time_limit=1.0)
    assert time.perf_counter() - started < 5


def test_a_list_of_layers_is_compared_layer_by_layer():
    def reference(x):
        return [None, np.ones(2), np.zeros((2, 2))]

    with pytest.raises(CheckFailure, match=r"result\[2\] has the wrong values"):
        check_function("deltas", lambda x: [None, np.ones(2), np.ones((2, 2))], reference, [(1.0,)])
    check_function("deltas", reference, reference, [(1.0,)])  # passes


def test_not_answered_is_still_a_check_failure_and_not_implemented():
    assert issubclass(NotAnsweredYet, CheckFailure) and issubclass(NotAnsweredYet, NotImplementedError)


def test_a_crash_that_a_known_mistake_also_makes_still_gets_its_hint():
    # v0 / tau**k divides by zero where tau = 0, and is wrong elsewhere: the swapped-power mistake.
    message = _failure(noise_checks.annealed_variance, lambda v0, tau, k: v0 / tau**k)
    assert "Hint: base and exponent are swapped" in message
    # A crash no mistake explains: the message says where, without a hint.
    message = _failure(noise_checks.annealed_variance, lambda v0, tau, k: 1 / 0)
    assert message.startswith("annealed_variance raised ZeroDivisionError") and "Hint" not in message


def test_of_several_results_the_wrong_one_is_shown_with_its_numbers():
    def reference(x):
        return np.full((3, 2), x), np.array([x, 2 * x])

    def learner(x):
        return np.full((3, 2), x), np.array([x, 3 * x])

    with pytest.raises(CheckFailure) as failure:
        check_function("two_results", learner, reference, [(1.0,)])
    lines = str(failure.value).splitlines()
    assert "result[1] has the wrong values" in lines[0]
    assert lines[2] == "  expected result[1]:  [1., 2.]"
    assert lines[3] == "  got result[1]:       [1., 3.]"
