"""Checks for lesson 04, momentum: one function per exercise.

The references run minibp's own ``Momentum`` optimizer and ``Network`` where there is one to
run, and the lesson's closed forms (roots of the characteristic polynomial, the eigenvalues of
A) where the answer is a formula. Cases start with the lesson's numbers (the quadratic with
eigenvalues 1 and 20, eta = 0.095, mu = 0.5), then random ones.
"""

from __future__ import annotations

import numpy as np

from minibp import data
from minibp.losses import CrossEntropy
from minibp.network import Dense, Network
from minibp.optimizers import Momentum
from minibp.training import train_step

from . import cases_with, check_function

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
    for _ in range(2):
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
        cases_with(_lesson_steps(), _random_step),
        mistakes=[
            (lambda w, v, g, eta, mu: (w + v, mu * v - eta * g), "w moved by the *old* velocity: "
             "update v first, v_new = mu v - eta g, then w_new = w + v_new."),
            (lambda w, v, g, eta, mu: (w + mu * v + eta * g, mu * v + eta * g), "the gradient "
             "points uphill: the velocity collects -eta g, v_new = mu v - eta g."),
            (lambda w, v, g, eta, mu: (w + v - eta * g, v - eta * g), "the old velocity must be "
             "scaled by mu before the new gradient is added: v_new = mu v - eta g."),
            (lambda w, v, g, eta, mu: (w - eta * g, mu * v - eta * g), "w_new = w + v_new: the "
             "step is the whole new velocity, not just -eta g."),
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
        cases_with([(steady, 0.1, 0.9), (across, 0.1, 0.9), (np.eye(3), 0.5, 0.5)],
                   _random_gradients),
        mistakes=[
            (lambda G, eta, mu: _weighted(G, eta, mu ** np.arange(len(G))), "the weights run "
             "the wrong way: the newest gradient g_k has weight mu^0 = 1, the oldest g_1 has "
             "mu^(k-1)."),
            (lambda G, eta, mu: _weighted(G, eta, mu ** np.arange(len(G), 0, -1)), "off by one: "
             "the newest gradient enters with weight mu^0 = 1, not mu."),
            (lambda G, eta, mu: -_velocity_from_gradients(G, eta, mu), "the sign: the velocity "
             "is -eta times the weighted sum, it points downhill."),
            (lambda G, eta, mu: -eta * np.sum(G, axis=0), "the old gradients must fade: weight "
             "mu^(k-j) for g_j."),
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
              (0.15, 20.0, 0.9), (0.2, 20.0, 0.5)]
    check_function(
        "convergence_factor", fn, _convergence_factor,
        cases_with(lesson, _random_factor),
        mistakes=[
            (lambda eta, lam, mu: abs(1 - eta * lam), "|1 - eta lambda| is plain gradient "
             "descent's factor; with momentum e_{k+1} = (1 + mu - eta lambda) e_k - mu e_{k-1}."),
            (lambda eta, lam, mu: np.sqrt(mu), "sqrt(mu) holds only when the two roots are "
             "complex; with real roots take the larger |r|."),
            (lambda eta, lam, mu: _convergence_factor(-eta, lam, mu), "the sign of eta lambda: "
             "r^2 - (1 + mu - eta lambda) r + mu = 0."),
            (lambda eta, lam, mu: max(np.roots([1.0, -(1.0 + mu - eta * lam), mu]).real), "the "
             "roots can be complex: the factor is their modulus |r| (np.abs), not the real part."),
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
        cases_with([(_A, 0.0), (_A, 0.5), (_A, 0.9), (_A, 0.99)], _random_quadratic),
        mistakes=[
            (lambda A, mu: 2.0 / np.linalg.eigvalsh(A).max(), "2 / lambda_max is the bound "
             "without momentum; with it the bound is 2 (1 + mu) / lambda_max."),
            (lambda A, mu: 2.0 * (1 + mu) / np.linalg.eigvalsh(A).min(), "the steepest direction "
             "(the largest eigenvalue) is the one that blows up first."),
            (lambda A, mu: 2.0 * (1 + mu) / np.max(np.diag(A)), "the diagonal of A is not its "
             "spectrum unless A is diagonal: use the largest eigenvalue."),
            (lambda A, mu: 2.0 * (1 - mu) / np.linalg.eigvalsh(A).max(), "momentum widens the "
             "stable range: the bound is 2 (1 + mu) / lambda_max."),
        ],
    )


# --- exercise 5: momentum plugged into the training loop ----------------------------------------
def _train_with_momentum(W1, b1, W2, b2, X, T, learning_rate, momentum, steps):
    network = Network.from_layers([Dense(W1, b1, "tanh"), Dense(W2, b2, "softmax")])
    optimizer = Momentum(learning_rate, momentum)
    for _ in range(steps):
        train_step(network, X, T, CrossEntropy(), optimizer)
    return tuple(network.parameters())


def _train_wrongly(mistake):
    """The training loop with one known mistake, on minibp's own forward and backward pass."""

    def train(W1, b1, W2, b2, X, T, eta, mu, steps):
        network = Network.from_layers([Dense(W1, b1, "tanh"), Dense(W2, b2, "softmax")])
        params = network.parameters()
        velocities = [np.zeros_like(p) for p in params]
        for _ in range(steps):
            _, grads = network.loss_and_gradients(X, T, CrossEntropy())
            for i, (p, g) in enumerate(zip(params, grads.as_list())):
                if mistake == "weights only" and p.ndim == 1:
                    continue
                if mistake == "old velocity":
                    p += velocities[i]
                velocities[i] = mu * velocities[i] + (eta * g if mistake == "uphill" else -eta * g)
                if mistake != "old velocity":
                    p += velocities[i]
        return tuple(params)

    return train


def _lesson_network():
    X, labels = data.digits()
    network = Network([64, 8, 10], activation="tanh", output_activation="softmax", rng=0)
    return (*network.parameters(), X[:40], data.one_hot(labels[:40], 10), 0.1, 0.9, 5)


def _random_network(rng):
    n_in, n_h, n_out = (int(n) for n in rng.integers(2, 5, size=3))
    N = int(rng.integers(2, 7))
    labels = rng.integers(0, n_out, size=N)
    return (rng.normal(size=(n_in, n_h)), rng.normal(size=n_h), rng.normal(size=(n_h, n_out)),
            rng.normal(size=n_out), rng.normal(size=(N, n_in)), data.one_hot(labels, n_out),
            float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.1, 0.95)), int(rng.integers(2, 6)))


def _plain_gradient_descent(W1, b1, W2, b2, X, T, eta, mu, steps):
    return _train_with_momentum(W1, b1, W2, b2, X, T, eta, 0.0, steps)


def train_with_momentum(fn):
    """Check ``fn(W1, b1, W2, b2, X, T, learning_rate, momentum, steps) -> (W1, b1, W2, b2)``."""
    check_function(
        "train_with_momentum", fn, _train_with_momentum,
        cases_with([_lesson_network()], _random_network, n_random=10),
        mistakes=[
            (_plain_gradient_descent, "these are plain gradient descent's weights: keep one "
             "velocity per parameter array across the steps (start them at zero once, before "
             "the loop)."),
            (_train_wrongly("old velocity"), "each parameter moved by the velocity of the step "
             "before: update v first, then w <- w + v."),
            (_train_wrongly("uphill"), "the velocity collects -eta g (downhill), not +eta g."),
            (_train_wrongly("weights only"), "the biases b1, b2 are parameters too: give them "
             "velocities and update them."),
        ],
    )
