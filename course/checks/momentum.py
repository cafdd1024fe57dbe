"""Checks for lesson 05, momentum: one function per exercise.

The references run minibp's own ``Momentum`` optimizer and ``Network`` where there is one to
run, and the lesson's closed forms (roots of the characteristic polynomial, the eigenvalues of
A) where the answer is a formula. Cases start with the lesson's numbers (the quadratic with
eigenvalues 1 and 20, eta = 0.095, mu = 0.5), then random ones. Exercise 5's learner writes
softmax regression's gradients: minibp's network gradients, losses and optimizers raise while
it runs (``_no_minibp``), and a one-layer minibp network trained by ``Momentum`` referees it.
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_, _
from minibp import data
from minibp.losses import CrossEntropy
from minibp.network import Dense, Network
from minibp.optimizers import Momentum
from minibp.training import train_step

from . import CheckFailure, cases_with, check_function
from ._no_minibp import without_minibp_gradients

# The lesson's quadratic: f(w) = 1/2 w^T A w - b^T w, eigenvalues 1 and 20, minimum (1, 1).
_A = np.array([[10.5, 9.5], [9.5, 10.5]])
_B = np.array([20.0, 20.0])
_W0 = np.array([-2.5, 3.0])
_ETA, _MU = 0.095, 0.5


def _random_spd(rng, n):
    M = rng.normal(size=(n, n))
    return M @ M.T + 0.1 * np.eye(n)


# --- exercise 1: one heavy-ball step ---------------------------------------------------------
def _momentum_step(w, v, g, learning_rate, momentum):
    optimizer = Momentum(learning_rate, momentum)
    optimizer.velocities = [np.array(v, dtype=np.float64)]
    w_new = np.array(w, dtype=np.float64)
    optimizer.step([w_new], [np.asarray(g, dtype=np.float64)])
    return w_new, optimizer.velocities[0]


def _lesson_steps():
    """The first two steps on the lesson's quadratic: (w, v, g, eta, mu) before each."""
    cases, w, v = [], _W0.copy(), np.zeros(2)
    for _step in range(2):
        g = _A @ w - _B
        cases.append((w.copy(), v.copy(), g, _ETA, _MU))
        w, v = _momentum_step(w, v, g, _ETA, _MU)
    return cases


def _random_step(rng):
    n = int(rng.integers(1, 5))
    return (rng.normal(size=n), rng.normal(size=n), rng.normal(size=n),
            float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.0, 0.99)))


def momentum_step(fn):
    """Check ``fn(w, v, g, learning_rate, momentum) -> (w_new, v_new)``; w, v, g: (n,)."""
    check_function(
        "momentum_step", fn, _momentum_step,
        cases_with(_lesson_steps() + [
            (np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.zeros(2), 0.1, 0.9),  # g = 0: coast
            (np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.array([1.0, -1.0]), 0.1, 0.0),  # mu = 0
            (np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), 0.1, 0.9)],  # at rest: stays put
            _random_step),
        mistakes=[
            (lambda w, v, g, eta, mu: (w + v, mu * v - eta * g), N_("w moved by the old velocity: "
             "which velocity should the step use, the one before or after this gradient?")),
            (lambda w, v, g, eta, mu: (w + mu * v + eta * g, mu * v + eta * g), N_("is the step "
             "going downhill? The velocity should collect the negative of the gradient.")),
            (lambda w, v, g, eta, mu: (w + v - eta * g, v - eta * g), N_("the old velocity is "
             "carried over at full strength: where does the momentum mu come in?")),
            (lambda w, v, g, eta, mu: (w - eta * g, mu * v - eta * g), N_("w moved by the gradient "
             "step alone: the step is the whole new velocity, momentum included.")),
        ],
    )


# --- exercise 2: the velocity as an exponentially weighted sum of past gradients --------------
def _velocity_from_gradients(gradients, learning_rate, momentum):
    gradients = np.asarray(gradients, dtype=np.float64)
    optimizer = Momentum(learning_rate, momentum)
    w = np.zeros(gradients.shape[1])
    for g in gradients:
        optimizer.step([w], [g])
    return optimizer.velocities[0]


def _random_gradients(rng):
    k, n = int(rng.integers(1, 9)), int(rng.integers(1, 4))
    return (rng.normal(size=(k, n)), float(rng.uniform(0.01, 1.0)),
            float(rng.uniform(0.05, 0.99)))


def _weighted(gradients, eta, exponents):
    return -eta * np.tensordot(exponents, np.asarray(gradients), axes=1)


def velocity_from_gradients(fn):
    """Check ``fn(gradients, learning_rate, momentum) -> v_k``; gradients (k, n), rows g_1..g_k."""
    steady = np.ones((50, 1))  # a constant slope: v approaches -eta / (1 - mu)
    across = np.array([[(-1.0) ** j] for j in range(50)])  # alternating: across a valley
    check_function(
        "velocity_from_gradients", fn, _velocity_from_gradients,
        cases_with([(steady, 0.1, 0.9), (across, 0.1, 0.9), (np.eye(3), 0.5, 0.5),
                    (np.array([[2.0, -1.0]]), 0.1, 0.9),  # one gradient: the first step
                    (np.eye(3), 0.5, 0.0),  # mu = 0: only the newest gradient counts
                    (np.zeros((4, 2)), 0.1, 0.9)],  # zero gradients: zero velocity
                   _random_gradients),
        mistakes=[
            (lambda G, eta, mu: _weighted(G, eta, mu ** np.arange(len(G))), N_("the weights run "
             "the wrong way: the newest gradient should count most, the oldest least.")),
            (lambda G, eta, mu: _weighted(G, eta, mu ** np.arange(len(G), 0, -1)), N_("off by one: "
             "the newest gradient should enter at full weight, not already discounted by mu.")),
            (lambda G, eta, mu: -_velocity_from_gradients(G, eta, mu), N_("check the sign: the "
             "velocity points downhill, against the gradients.")),
            (lambda G, eta, mu: -eta * np.sum(G, axis=0), N_("the old gradients must fade: what "
             "does the momentum mu do to a gradient's weight at each step back in time?")),
        ],
    )


# --- exercise 3: the convergence factor along one eigen-direction ------------------------------
def _convergence_factor(learning_rate, curvature, momentum):
    # e_{k+1} = (1 + mu - eta lam) e_k - mu e_{k-1}: roots of r^2 - (1 + mu - eta lam) r + mu.
    a = 1.0 + momentum - learning_rate * curvature
    discriminant = a * a - 4.0 * momentum
    if discriminant < 0:  # complex pair: |r|^2 = product of the roots = mu
        return float(np.sqrt(momentum))
    root = np.sqrt(discriminant)
    return float(max(abs(a + root), abs(a - root)) / 2.0)


def _random_factor(rng):
    mu = float(rng.uniform(0.0, 0.99))
    lam = float(rng.uniform(0.1, 50.0))
    return (float(rng.uniform(0.0, 2.4 * (1 + mu))) / lam, lam, mu)


def convergence_factor(fn):
    """Check ``fn(learning_rate, curvature, momentum) -> max |r|`` (a float)."""
    lesson = [(_ETA, 20.0, _MU), (_ETA, 1.0, _MU), (_ETA, 20.0, 0.0), (_ETA, 1.0, 0.0),
              (0.15, 20.0, 0.9), (0.2, 20.0, 0.5),
              (0.25, 1.0, 0.25),  # a double root: the discriminant is exactly 0
              (0.15, 20.0, 0.5),  # eta lambda = 2 (1 + mu): at the edge of stability, factor 1
              (0.0, 5.0, 0.5)]  # eta = 0: nothing moves, factor 1
    check_function(
        "convergence_factor", fn, _convergence_factor,
        cases_with(lesson, _random_factor),
        mistakes=[
            (lambda eta, lam, mu: abs(1 - eta * lam), N_("that is plain gradient descent's factor; "
             "with momentum each error depends on the two before it. What are that recursion's roots?")),
            (lambda eta, lam, mu: np.sqrt(mu), N_("sqrt(mu) holds only when the two roots are "
             "complex; with real roots, which of the two decides?")),
            (lambda eta, lam, mu: _convergence_factor(-eta, lam, mu), N_("check the sign of the "
             "eta lambda term in your characteristic polynomial.")),
            (lambda eta, lam, mu: max(np.roots([1.0, -(1.0 + mu - eta * lam), mu]).real), N_("the "
             "roots can be complex: the factor is their size (the modulus), not their real part.")),
        ],
        rtol=1e-6,  # np.roots near a double root is accurate to about sqrt(machine epsilon)
    )


# --- exercise 4: the largest stable learning rate of a quadratic --------------------------------
def _largest_stable_learning_rate(A, momentum):
    return float(2.0 * (1.0 + momentum) / np.linalg.eigvalsh(A).max())


def _random_quadratic(rng):
    return (_random_spd(rng, int(rng.integers(1, 6))), float(rng.uniform(0.0, 0.99)))


def largest_stable_learning_rate(fn):
    """Check ``fn(A, momentum) -> float``; A (n, n) symmetric positive definite."""
    check_function(
        "largest_stable_learning_rate", fn, _largest_stable_learning_rate,
        cases_with([(_A, 0.0), (_A, 0.5), (_A, 0.9), (_A, 0.99),
                    (np.array([[4.0]]), 0.5),  # one dimension: its eigenvalue is the number
                    (np.diag([1.0, 3.0, 2.0]), 0.0),  # diagonal: the eigenvalues are on it
                    (2.0 * np.eye(3), 0.9)],  # all eigenvalues equal
                   _random_quadratic),
        mistakes=[
            (lambda A, mu: 2.0 / np.linalg.eigvalsh(A).max(), N_("that is the bound without "
             "momentum: how does momentum change the stable range?")),
            (lambda A, mu: 2.0 * (1 + mu) / np.linalg.eigvalsh(A).min(), N_("which direction "
             "blows up first, the flattest or the steepest? Look at the eigenvalues again.")),
            (lambda A, mu: 2.0 * (1 + mu) / np.max(np.diag(A)), N_("the diagonal of A is not its "
             "spectrum unless A is diagonal: use its eigenvalues.")),
            (lambda A, mu: 2.0 * (1 - mu) / np.linalg.eigvalsh(A).max(), N_("momentum widens the "
             "stable range, and yours narrows it: check how mu enters.")),
        ],
    )


# --- exercise 5: softmax regression trained with momentum, gradients derived by hand ----------
def _train_with_momentum(W, b, X, T, learning_rate, momentum, steps):
    network = Network.from_layers([Dense(W, b, "softmax")])
    optimizer = Momentum(learning_rate, momentum)
    for _step in range(steps):
        train_step(network, X, T, CrossEntropy(), optimizer)
    return tuple(network.parameters())


def _by_hand(mistake):
    """Full-batch heavy ball on softmax regression in numpy, with one known ``mistake``."""

    def train(W, b, X, T, eta, mu, steps):
        params = [np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)]
        velocities = [np.zeros_like(p) for p in params]
        N = 1 if mistake == "no 1/N" else len(X)
        for _step in range(steps):
            z = X @ params[0] + params[1]
            y = np.exp(z - z.max(axis=1, keepdims=True))
            y /= y.sum(axis=1, keepdims=True)
            delta = y - T
            dW = delta.T @ X if mistake == "transposed" else X.T @ delta  # (K, n_in) when wrong
            grads = [dW / N, delta.sum(axis=0) / N]
            if mistake == "reset":
                velocities = [np.zeros_like(p) for p in params]
            for i, (p, g) in enumerate(zip(params, grads)):
                if mistake == "weights only" and i == 1:
                    continue
                if mistake == "old velocity":
                    p += velocities[i]
                velocities[i] = mu * velocities[i] + (eta * g if mistake == "uphill" else -eta * g)
                if mistake != "old velocity":
                    p += velocities[i]
        return tuple(params)

    return train


def _lesson_regression():
    X, labels = data.digits()
    network = Network([64, 10], output_activation="softmax", rng=0)
    return (*network.parameters(), X[:40], data.one_hot(labels[:40], 10), 0.1, 0.9, 5)


def _random_regression(rng):
    n_in, K = (int(n) for n in rng.integers(2, 6, size=2))
    N = int(rng.integers(2, 8))
    labels = rng.integers(0, K, size=N)
    return (rng.normal(size=(n_in, K)), rng.normal(size=K), rng.normal(size=(N, n_in)),
            data.one_hot(labels, K), float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.1, 0.95)),
            int(rng.integers(2, 7)))


def _boundary_regressions():
    """One step (the velocity starts at zero), mu = 0 (plain gradient descent), one example,
    and a square W (n_in = K), where a transposed gradient still fits."""
    W, b, X, T, eta, mu, _steps = _random_regression(np.random.default_rng(4))
    square = np.random.default_rng(5)
    return [(W, b, X, T, eta, mu, 1), (W, b, X, T, eta, 0.0, 3), (W, b, X[:1], T[:1], eta, mu, 3),
            (square.normal(size=(3, 3)), square.normal(size=3), square.normal(size=(5, 3)),
             data.one_hot(square.integers(0, 3, size=5), 3), 0.3, 0.8, 4)]


def _plain_gradient_descent(W, b, X, T, eta, mu, steps):
    return _train_with_momentum(W, b, X, T, eta, 0.0, steps)


def train_with_momentum(fn):
    """Check ``fn(W, b, X, T, learning_rate, momentum, steps) -> (W, b)``: softmax regression,
    W (n_in, K), b (K,), X (N, n_in), one-hot T (N, K), full-batch heavy ball for ``steps``.

    The learner derives and writes the gradients: minibp's network gradients, losses and
    optimizers raise while ``fn`` runs. The reference is a one-layer minibp network trained by
    minibp's ``Momentum``.
    """
    if not callable(fn):
        raise CheckFailure(_("{name} must be a function; got {kind}").format(
            name="train_with_momentum", kind=type(fn).__name__))

    def learner(W, b, X, T, learning_rate, momentum, steps):
        with without_minibp_gradients("train_with_momentum", fn):
            return fn(W, b, X, T, learning_rate, momentum, steps)

    check_function(
        "train_with_momentum", learner, _train_with_momentum,
        cases_with([_lesson_regression()] + _boundary_regressions(), _random_regression),
        mistakes=[
            (_by_hand("reset"), N_("these are plain gradient descent's weights: do your "
             "velocities survive from one step to the next?")),
            (_by_hand("old velocity"), N_("each parameter moved by the previous step's velocity: "
             "which velocity should move it, the old one or the new one?")),
            (_by_hand("uphill"), N_("the weights went uphill: the velocity collects -eta g, so it "
             "points downhill, and the weights move by +v.")),  # also v = mu v - eta g, w -= v
            (_by_hand("no 1/N"), N_("the steps are too large by the number of examples: the loss is "
             "the mean over the batch.")),
            (_by_hand("transposed"), N_("a gradient has its parameter's shape: which product of X "
             "(N, n_in) and Y - T (N, K) gives dL/dW of shape (n_in, K)?")),
            (_by_hand("weights only"), N_("the bias b is a parameter too: does it move?")),
        ],
        received=(fn, lambda *case: case),
    )
