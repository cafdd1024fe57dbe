"""Checks for lesson 11, NEM noise and bidirectional backprop: one function per exercise.

References are minibp's own ``noise`` and ``bidirectional`` modules; the first cases are the
lesson's small examples, then random ones (several rows, several sizes).
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_
from minibp import noise
from minibp.activations import sigmoid, softmax
from minibp.bidirectional import BidirectionalNetwork

from . import cases_with, check_function
from ._no_minibp import without_minibp_gradients

# The lesson's 2-D example: target class 1 of two, softmax output a = (0.7, 0.3).
_T_2D = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
_A_2D = np.array([[0.7, 0.3], [0.7, 0.3], [0.7, 0.3]])
_N_2D = np.array([[0.1, -0.2], [-0.1, 0.1], [-0.3, 0.2]])


def _random_probabilities(rng, n, k):
    return softmax(rng.normal(scale=1.5, size=(n, k)))


# --- exercise 1: the classification NEM test ---------------------------------------------------
def _classification_case(rng):
    n, k = int(rng.integers(1, 7)), int(rng.integers(2, 6))
    return (0.3 * rng.normal(size=(n, k)), _random_probabilities(rng, n, k))


_FLIPPED = N_("the inequality points the wrong way: keep the noise when the noisy target is at "
              "least as likely.")


def classification_nem_accept(fn):
    """Check ``fn(noise, outputs) -> accepted``: (N, k), (N, k) -> (N,) bools, n . ln a >= 0."""
    check_function(
        "classification_nem_accept", fn, noise.classification_condition,
        cases_with([(_N_2D, _A_2D),
                    # equal outputs: the likelihood does not change, so the noise passes
                    (np.array([[0.1, -0.1], [-0.2, 0.1], [0.2, -0.1]]), np.full((3, 2), 0.5)),
                    (np.zeros((2, 3)), _random_probabilities(np.random.default_rng(2), 2, 3))],
                   _classification_case),
        mistakes=[
            (lambda n, a: np.sum(n * np.log(a), axis=1) <= 0, _FLIPPED),
            (lambda n, a: np.sum(n * np.log(a), axis=1) < 0, _FLIPPED),
            (lambda n, a: np.sum(n * a, axis=1) >= 0, N_("the likelihood of a one-hot target uses "
             "the log of the outputs, not the outputs themselves.")),
            (lambda n, a: n * np.log(a) >= 0, N_("one answer per example: combine the classes "
             "before comparing with 0.")),
            (lambda n, a: np.sum(n * np.log(a), axis=1) > 0, N_("noise that leaves the likelihood "
             "unchanged passes the test too: is your comparison strict?")),
        ],
    )


# --- exercise 2: the regression NEM test ---------------------------------------------------------
def _regression_case(rng):
    n, k = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    return (0.5 * rng.normal(size=(n, k)), rng.normal(size=(n, k)), rng.normal(size=(n, k)))


_FLIPPED_REGRESSION = N_("the inequality points the wrong way: keep noise that brings the target "
                         "closer to a.")


def regression_nem_accept(fn):
    """Check ``fn(noise, targets, outputs) -> accepted``: |t + n - a| <= |t - a| per row."""
    check_function(
        "regression_nem_accept", fn, noise.regression_condition,
        cases_with([(_N_2D, _T_2D, _A_2D),
                    # no noise: as close as before, so it passes; t == a: only no noise passes
                    (np.array([[0.0, 0.0], [0.0, 0.0], [0.1, 0.0]]), _T_2D,
                     np.vstack([_A_2D[:2], _T_2D[:1]])),
                    (np.array([[0.0], [0.5]]), np.array([[1.0], [1.0]]), np.array([[1.0], [0.0]]))],
                   _regression_case),
        mistakes=[
            (lambda n, t, a: np.linalg.norm(t - n - a, axis=1) <= np.linalg.norm(t - a, axis=1),
             N_("the noise is added to the target, not subtracted.")),
            (lambda n, t, a: np.linalg.norm(n, axis=1) <= np.linalg.norm(t - a, axis=1),
             N_("the ball is not centred at 0: compare how close the noisy and the clean target "
                "are to the output a.")),
            (lambda n, t, a: np.linalg.norm(t + n - a, axis=1) >= np.linalg.norm(t - a, axis=1),
             _FLIPPED_REGRESSION),
            (lambda n, t, a: np.linalg.norm(t + n - a, axis=1) > np.linalg.norm(t - a, axis=1),
             _FLIPPED_REGRESSION),
            (lambda n, t, a: np.linalg.norm(t + n - a, axis=1) < np.linalg.norm(t - a, axis=1),
             N_("noise that leaves the distance to a unchanged passes the test too: is your "
                "comparison strict?")),
        ],
    )


# --- exercise 3: the annealing schedule -----------------------------------------------------------
def _schedule_case(rng):
    return (float(10 ** rng.uniform(-4, 0)), float(rng.choice([0.0, 0.5, 1.0, 2.0, 3.0])),
            int(rng.integers(1, 60)))


def annealed_variance(fn):
    """Check ``fn(v0, tau, epoch) -> v_k = v0 / k^tau`` (epoch k = 1, 2, ...)."""
    check_function(
        "annealed_variance", fn, noise.annealed_variance,
        cases_with([(0.1, 1.0, 1), (0.1, 1.0, 4), (0.1, 2.0, 4), (0.01, 2.0, 10),
                    (0.3, 2.0, 1),  # the first epoch: the full variance
                    (0.1, 0.0, 5),  # tau = 0: no annealing
                    (0.2, 0.5, 4)],  # a fractional power: exactly 0.1
                   _schedule_case),
        mistakes=[
            (lambda v0, tau, k: v0 / k, N_("the exponent tau is missing.")),
            (lambda v0, tau, k: v0 * k**tau, N_("the variance must shrink as the epochs go by.")),
            (lambda v0, tau, k: v0 / tau**k, N_("base and exponent are swapped: the epoch is the "
                                                "base, tau the exponent.")),
            (lambda v0, tau, k: v0 / (k + 1) ** tau, N_("epochs count from 1, and the first epoch "
                                                        "has the full variance v0.")),
        ],
    )


# --- exercise 4: NEM targets for one batch ------------------------------------------------------
def _nem_targets(targets, outputs, noise_draws):
    return noise.noisy_targets("classification", targets, outputs, noise_draws)


def _targets_case(rng):
    n, k = int(rng.integers(2, 8)), int(rng.integers(2, 6))
    targets = np.eye(k)[rng.integers(0, k, n)]
    return (targets, _random_probabilities(rng, n, k), 0.3 * rng.normal(size=(n, k)))


def nem_targets(fn):
    """Check ``fn(targets, outputs, noise) -> targets to train toward`` (classification NEM)."""
    check_function(
        "nem_targets", fn, _nem_targets,
        cases_with([(_T_2D, _A_2D, _N_2D),
                    (_T_2D, _A_2D, np.zeros((3, 2))),  # no noise: the targets stay as they are
                    (_T_2D[:2], np.full((2, 2), 0.5), np.array([[0.1, -0.1], [0.3, 0.2]]))],
                   _targets_case),
        mistakes=[
            (lambda t, a, n: t + n, N_("that is blind noise: keep a row's noise only where that "
                                       "row passes the NEM test.")),
            (lambda t, a, n: t + n * (n * np.log(a) >= 0), N_("the test is per example, not per "
             "entry: a row's whole noise vector is kept or dropped.")),
            (lambda t, a, n: t + n * (np.sum(n * np.log(a), axis=1) < 0)[:, None],
             N_("you kept the rows that FAIL the test.")),
        ],
    )


# --- exercise 5: one backward pass through the transposed weights -------------------------------
def _model(W1, W2, c2, c1):
    """A BidirectionalNetwork (sigmoid hidden, identity backward output) with these weights."""
    D, H = W1.shape
    model = BidirectionalNetwork((D, H, W2.shape[1]), activation="sigmoid", rng=0)
    for mine, given in zip(model.parameters(), (W1, np.zeros(H), W2, np.zeros(W2.shape[1]),
                                                 c2, c1)):
        mine[...] = given
    return model


def _lesson_weights():
    rng = np.random.default_rng(9)
    return (rng.normal(size=(4, 2)), rng.normal(size=(2, 3)), rng.normal(size=2),
            rng.normal(size=4))


def _backward_pass(targets, W1, W2, c2, c1):
    return _model(W1, W2, c2, c1).reconstruct(targets)


def _backward_case(rng):
    D, H, K = int(rng.integers(2, 7)), int(rng.integers(1, 5)), int(rng.integers(2, 5))
    n = int(rng.integers(1, 5))
    return (np.eye(K)[rng.integers(0, K, n)], rng.normal(size=(D, H)), rng.normal(size=(H, K)),
            rng.normal(size=H), rng.normal(size=D))


def backward_pass(fn):
    """Check ``fn(targets, W1, W2, c2, c1) -> x'``: (N, K) one-hot rows -> (N, D) inputs."""
    check_function(
        "backward_pass", fn, _backward_pass,
        cases_with([(np.eye(3),) + _lesson_weights(),
                    (np.eye(3), np.zeros((4, 2)), np.zeros((2, 3)), np.zeros(2),
                     np.array([0.5, -1.0, 0.0, 2.0]))],  # zero weights: only c1 is left
                   _backward_case),
        mistakes=[
            (lambda t, W1, W2, c2, c1: sigmoid(sigmoid(t @ W2.T + c2) @ W1.T + c1),
             N_("the backward output is the identity here (pixels are regressed): no sigmoid on x'.")),
            (lambda t, W1, W2, c2, c1: sigmoid(t @ W2.T) @ W1.T + c1,
             N_("the hidden units' backward bias c2 is missing.")),
            (lambda t, W1, W2, c2, c1: (t @ W2.T + c2) @ W1.T + c1,
             N_("the hidden units are the same sigmoid units in both directions: where is their "
                "nonlinearity?")),
        ],
    )


# --- exercise 6: the backward error's gradient on the shared matrices ----------------------------
def _backward_gradients(targets, inputs, W1, W2, c2, c1):
    backward = _model(W1, W2, c2, c1).backward_network()
    _, grads = backward.loss_and_gradients(targets, inputs, "squared_error")
    return grads.dW[2].T, grads.dW[1].T  # layer 2 holds W1^T, layer 1 holds W2^T


def _gradient_case(rng):
    targets, W1, W2, c2, c1 = _backward_case(rng)
    return (targets, rng.uniform(size=(targets.shape[0], W1.shape[0])), W1, W2, c2, c1)


def _without_hidden_derivative(t, x, W1, W2, c2, c1):
    h = sigmoid(t @ W2.T + c2)
    eps0 = (h @ W1.T + c1 - x) / len(t)
    return eps0.T @ h, ((eps0 @ W1).T @ t)


def _sent_down_through_transpose(t, x, W1, W2, c2, c1):
    h = sigmoid(t @ W2.T + c2)
    eps0 = (h @ W1.T + c1 - x) / len(t)
    eps1 = (eps0 @ W1.T) * h * (1 - h)  # a shape error unless D = H
    return eps0.T @ h, eps1.T @ t


def _guarded(fn, name):
    """fn, run with minibp's backward pass, losses and optimizers refused."""
    def run(*args):
        with without_minibp_gradients(name, fn):
            return fn(*args)
    return run


def backward_gradients(fn):
    """Check ``fn(targets, inputs, W1, W2, c2, c1) -> (dW1, dW2)`` of 1/2 |x' - x|^2 (batch
    mean); minibp's backward pass, losses and optimizers are refused while ``fn`` runs."""
    t = np.eye(3)
    x = np.random.default_rng(10).uniform(size=(3, 4))
    check_function(
        "backward_gradients", _guarded(fn, "backward_gradients") if callable(fn) else fn,
        _backward_gradients,
        cases_with([(t, x) + _lesson_weights(),
                    # x == x': a perfect reconstruction has zero gradients
                    (t, _backward_pass(t, *_lesson_weights())) + _lesson_weights()],
                   _gradient_case),
        mistakes=[
            (_without_hidden_derivative, N_("the error reaching the hidden units must also pass "
                                            "through their sigmoid's slope f'.")),
            (lambda *args: tuple(-g for g in _backward_gradients(*args)), N_("the sign is flipped: "
             "which way does the reconstruction's error, x' against x, point?")),
            (lambda *args: tuple(len(args[0]) * g for g in _backward_gradients(*args)),
             N_("these are the gradients of the summed loss; the loss is a batch mean.")),
            (lambda *args: tuple(g.T for g in _backward_gradients(*args)), N_("these are the "
             "gradients on W1^T and W2^T, the matrices the backward pass multiplies by; the "
             "gradient on W1 has W1's shape.")),
            (_sent_down_through_transpose, N_("the error sent down to the hidden units has shape "
                                              "(N, H): which matrix takes an (N, D) error there?")),
        ],
        received=(fn, lambda *case: case),
    )
