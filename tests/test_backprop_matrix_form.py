"""Lesson 03's own pieces: the bug-injecting backward pass of its explorer, and its checks."""

import numpy as np
import pytest

from course.checks import CheckFailure
from course.checks import backprop_matrix_form as check
from course.explorers import backprop_matrix_form as explorer
from minibp.losses import SquaredError


def _forward_and_delta(network, X, T):
    forward = network.forward(X)
    delta_L = SquaredError().output_delta(forward.z[-1], forward.output, T, network.output_activation)
    return forward, delta_L


@pytest.mark.parametrize("activation", explorer.ACTIVATIONS)
def test_backward_without_a_bug_is_network_backward(activation):
    network, X, T = explorer.problem(3, 4, activation)
    forward, delta_L = _forward_and_delta(network, X, T)
    ours = explorer.buggy_backward(network, forward, delta_L, "none")
    reference = network.backward(forward, delta_L)
    for l in range(1, network.depth + 1):
        np.testing.assert_allclose(ours.delta[l], reference.delta[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ours.dW[l], reference.dW[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ours.db[l], reference.db[l], rtol=1e-12, atol=1e-15)


def test_bug_layer_says_where_each_bug_can_sit():
    one_hidden, _, _ = explorer.problem(1, 4, "tanh")
    three_hidden, _, _ = explorer.problem(3, 4, "tanh")
    assert explorer.bug_layer(one_hidden, "none") is None
    assert explorer.bug_layer(one_hidden, "missing f'") == 1
    assert explorer.bug_layer(one_hidden, "transposed W") is None  # no square W to misuse
    assert explorer.bug_layer(three_hidden, "missing f'") == 3
    assert explorer.bug_layer(three_hidden, "transposed W") == 2  # W_3 is the top square one
    with pytest.raises(ValueError, match="unknown bug"):
        explorer.bug_layer(one_hidden, "typo")


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softsign", "identity"])
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_correct_backprop_agrees_with_finite_differences(depth, activation):
    report = explorer.layer_report(depth, 5, activation, "none")
    assert max(report["dW"] + report["db"]) < 1e-6
    np.testing.assert_allclose(report["norm_backprop"], report["norm_numerical"], rtol=1e-5)


@pytest.mark.parametrize("bug", ["missing f'", "transposed W"])
def test_the_check_locates_an_injected_bug(bug):
    report = explorer.layer_report(3, 4, "sigmoid", bug)
    broken = report["bug_layer"]
    for l in range(1, 5):
        errors = report["dW"][l - 1], report["db"][l - 1]
        if l <= broken:  # the corrupted delta and everything computed from it
            assert min(errors) > explorer.BAD
        else:
            assert max(errors) < explorer.GOOD


def test_the_lessons_batch_is_what_the_lecture_uses():
    assert check.BATCH_X.shape == (4, 3) and check.BATCH_T.shape == (4, 1)


def test_a_list_without_the_input_gets_its_hint():
    def forward_without_x(X, W, b):
        a = [X]
        for l in range(1, len(W)):
            a.append(1 / (1 + np.exp(-(a[-1] @ W[l] + b[l]))))
        return a[1:]

    with pytest.raises(CheckFailure, match="starts with the input itself"):
        check.forward_pass(forward_without_x)


def test_relative_error_check_accepts_numpy_scalars_and_rejects_nan_for_zeros():
    def numpy_scalar(a, b):
        return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)

    check.relative_error(numpy_scalar)
    with pytest.raises(CheckFailure, match="case 2"):  # both zero: 0 / 0
        with np.errstate(invalid="ignore"):
            check.relative_error(lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def test_the_checks_do_not_let_a_learner_change_the_lessons_arrays():
    W_before = [w.copy() for w in check._lesson_lists()[0][1:]]

    def destructive_forward(X, W, b):
        a = [X]
        for l in range(1, len(W)):
            W[l] *= 1.0  # harmless, but in place
            a.append(1 / (1 + np.exp(-(a[-1] @ W[l] + b[l]))))
        return a

    check.forward_pass(destructive_forward)
    for before, after in zip(W_before, check._lesson_lists()[0][1:]):
        np.testing.assert_array_equal(before, after)
