"""Checks for lesson 01, the worked example: one function per exercise.

The references are minibp's own pieces (``activations``, ``losses``, ``Network``), applied to
the lesson's numbers first and then to random ones, so an answer that only fits the lesson's
numbers does not pass. Exercise 8 asks for a whole backward pass: while the learner's function
runs, minibp's network backward, losses and optimizers refuse to work (``_no_minibp``).
"""

from __future__ import annotations

import numpy as np

from course.i18n import N_
from minibp import activations, data
from minibp.losses import SquaredError
from minibp.network import Dense, Network
from minibp.optimizers import SGD
from minibp.training import train_step

from . import cases_with, check_function
from ._no_minibp import without_minibp_gradients

_EXAMPLE = data.worked_example()
_O_HIDDEN = activations.sigmoid(_EXAMPLE.x @ _EXAMPLE.W1 + _EXAMPLE.b1)  # o4, o5
_O6 = activations.sigmoid(_O_HIDDEN @ _EXAMPLE.W2 + _EXAMPLE.b2)


def _logit(o):
    with np.errstate(divide="ignore"):  # a saturated output, o = 0 or 1, has z = -inf or inf
        return np.log(o) - np.log1p(-o)


def _outputs(rng, n):
    return rng.uniform(0.05, 0.95, size=n)


# --- exercise 1: the sigmoid derivative from the output ------------------------------------
def _sigmoid_derivative_from_output(o):
    return activations.sigmoid_derivative(_logit(o), a=o)


def sigmoid_derivative_from_output(fn):
    """Check ``fn(o) -> f'(z)`` where o = sigmoid(z); o: any shape."""
    check_function(
        "sigmoid_derivative_from_output", fn, _sigmoid_derivative_from_output,
        cases_with([(np.array([0.332, 0.525, 0.474]),), (np.array(0.5),),
                    (np.array([0.0, 1.0]),),  # saturated outputs: the slope is 0
                    (np.array([[0.1, 0.9], [0.25, 0.75]]),)],  # any shape
                   lambda rng: (_outputs(rng, rng.integers(1, 5)),)),
        mistakes=[
            (lambda o: activations.sigmoid_derivative(o), N_("o is already the sigmoid's output, "
             "and you squashed it again: which quantity does f' take here, z or o?")),
            (lambda o: 1 - o**2, N_("that is tanh's derivative written with its output; which "
             "activation does this network use?")),
            (lambda o: o * (1 + o), N_("check the sign inside your product: the sigmoid's slope "
             "should shrink toward 0 as o approaches 1.")),
        ],
    )


# --- exercise 2: the hidden layer's net inputs and outputs --------------------------------
def _hidden_layer(x, W1, b1):
    z, o = Dense(W1, b1, "sigmoid").forward(x[None, :])
    return z[0], o[0]


def _random_layer(rng):
    n_in, n_out = rng.integers(1, 5), rng.integers(1, 5)
    return (rng.normal(size=n_in), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))


def hidden_layer(fn):
    """Check ``fn(x, W1, b1) -> (z, o)``: x (n_in,), W1 (n_in, n_out), b1 (n_out,)."""
    ex = _EXAMPLE
    check_function(
        "hidden_layer", fn, _hidden_layer,
        cases_with([(ex.x, ex.W1, ex.b1),
                    (np.zeros(3), ex.W1, ex.b1),  # no input: only the bias is left
                    (np.array([2.0]), np.array([[-0.5]]), np.array([1.0]))],  # z = 0 exactly
                   _random_layer),
        mistakes=[
            (lambda x, W, b: _hidden_layer(x, W, -b), N_("check the bias's sign: how does theta_q "
             "enter the net input?")),
            (lambda x, W, b: _hidden_layer(x, W, 0 * b), N_("the bias theta_q is missing from the "
             "net input.")),
            (lambda x, W, b: _hidden_layer(x, W, b)[::-1], N_("the two results are swapped: which "
             "comes first, the net input or the output?")),
        ],
    )


# --- exercise 3: the output error signal delta_6 --------------------------------------------
def _output_delta(o, t):
    return SquaredError().output_delta(_logit(o), o, t, "sigmoid")[0]


def output_delta(fn):
    """Check ``fn(o, t) -> delta = dL/dz`` for L = 1/2 sum (t - o)^2; o, t: (k,)."""
    check_function(
        "output_delta", fn, _output_delta,
        cases_with([(_O6, _EXAMPLE.t),
                    (np.array([0.2, 0.5, 0.9]), np.array([0.2, 0.5, 0.9])),  # t == o: no error
                    (np.array([0.5, 0.5]), np.array([0.0, 1.0]))],  # the steepest sigmoid
                   lambda rng: (_outputs(rng, 3), rng.integers(0, 2, 3).astype(float))),
        mistakes=[
            (lambda o, t: -_output_delta(o, t), N_("that is the textbook's Err_6; minibp's delta "
             "is the loss's slope with respect to z. Which sign does it have when o > t?")),
            (lambda o, t: o - t, N_("the output sigmoid's slope is missing: delta is taken with "
             "respect to z, not o, and this loss is the squared error.")),
        ],
    )


# --- exercise 4: the hidden deltas ---------------------------------------------------------
def _hidden_deltas(o_hidden, W2, delta_out):
    return ((delta_out[None, :] @ W2.T) * activations.sigmoid_derivative(None, a=o_hidden))[0]


def _random_hidden(rng):
    n_h, n_o = rng.integers(1, 5), rng.integers(1, 4)
    return (_outputs(rng, n_h), rng.normal(size=(n_h, n_o)), rng.normal(size=n_o))


def hidden_deltas(fn):
    """Check ``fn(o_hidden, W2, delta_out) -> delta_hidden``: o (n_h,), W2 (n_h, n_o)."""
    ex = _EXAMPLE
    check_function(
        "hidden_deltas", fn, _hidden_deltas,
        cases_with([(_O_HIDDEN, ex.W2, _output_delta(_O6, ex.t)),
                    (_O_HIDDEN, ex.W2, np.zeros(1)),  # no error at the output: none below
                    (np.array([0.5]), np.array([[2.0, -1.0]]), np.array([0.5, 0.25]))],
                   _random_hidden),
        mistakes=[
            (lambda o, W, d: W @ d, N_("the hidden units' own slope f' is missing: delta_j is "
             "taken with respect to z_j, and z_j passes through a sigmoid.")),
            (lambda o, W, d: -_hidden_deltas(o, W, d), N_("the sign is flipped: delta_j and the "
             "sum sent down from the output are both slopes of the loss, so they agree in sign.")),
        ],
    )


# --- exercise 5: one layer's update ----------------------------------------------------------
def _updated_parameters(W, b, o_prev, delta, learning_rate):
    layer = Dense(W, b, "sigmoid")
    dW, db = np.outer(o_prev, delta), delta  # one example: a_{l-1}^T delta_l and delta_l
    layer.W -= learning_rate * dW
    layer.b -= learning_rate * db
    return layer.W, layer.b


def _random_update(rng):
    n_in, n_out = rng.integers(1, 4), rng.integers(1, 4)
    return (rng.normal(size=(n_in, n_out)), rng.normal(size=n_out), _outputs(rng, n_in),
            rng.normal(size=n_out), float(rng.uniform(0.1, 1.0)))


def updated_parameters(fn):
    """Check ``fn(W, b, o_prev, delta, learning_rate) -> (W_new, b_new)``."""
    ex = _EXAMPLE
    check_function(
        "updated_parameters", fn, _updated_parameters,
        cases_with([(ex.W2, ex.b2, _O_HIDDEN, _output_delta(_O6, ex.t), ex.learning_rate),
                    (ex.W2, ex.b2, _O_HIDDEN, np.zeros(1), ex.learning_rate),  # zero gradient
                    (ex.W2, ex.b2, np.zeros(2), np.array([0.5]), ex.learning_rate)],  # o_prev = 0
                   _random_update),
        mistakes=[
            (lambda W, b, o, d, eta: _updated_parameters(W, b, o, -d, eta), N_("is the step going "
             "downhill? delta is the loss's slope, so the parameters move against it.")),
            (lambda W, b, o, d, eta: (_updated_parameters(W, b, o, d, eta)[0], b), N_("the biases "
             "are parameters too: do they move?")),
        ],
    )


# --- exercise 6: a whole step of backprop on the 3-2-1 network ------------------------------
def _training_step(x, t, W1, b1, W2, b2, learning_rate):
    net = Network.from_layers([Dense(W1, b1, "sigmoid"), Dense(W2, b2, "sigmoid")])
    train_step(net, x[None, :], t[None, :], SquaredError(), SGD(learning_rate))
    return tuple(net.parameters())


def _updated_first_step(x, t, W1, b1, W2, b2, learning_rate):
    """The classic mistake: update W2 first, then use the *new* W2 for the hidden deltas."""
    o_h = activations.sigmoid(x @ W1 + b1)
    o = activations.sigmoid(o_h @ W2 + b2)
    d_out = _output_delta(o, t)
    W2_new, b2_new = _updated_parameters(W2, b2, o_h, d_out, learning_rate)
    d_h = _hidden_deltas(o_h, W2_new, d_out)
    W1_new, b1_new = _updated_parameters(W1, b1, x, d_h, learning_rate)
    return W1_new, b1_new, W2_new, b2_new


def _random_network(rng):
    n_in, n_h, n_o = rng.integers(1, 4), rng.integers(1, 4), rng.integers(1, 3)
    return (rng.integers(0, 2, n_in).astype(float), rng.integers(0, 2, n_o).astype(float),
            rng.normal(size=(n_in, n_h)), rng.normal(size=n_h),
            rng.normal(size=(n_h, n_o)), rng.normal(size=n_o), float(rng.uniform(0.1, 1.0)))


def training_step(fn):
    """Check ``fn(x, t, W1, b1, W2, b2, learning_rate) -> (W1, b1, W2, b2)`` after one step."""
    ex = _EXAMPLE
    check_function(
        "training_step", fn, _training_step,
        cases_with([(ex.x, ex.t, ex.W1, ex.b1, ex.W2, ex.b2, ex.learning_rate),
                    (ex.x, _O6, ex.W1, ex.b1, ex.W2, ex.b2, ex.learning_rate),  # t == o
                    (np.zeros(3), ex.t, ex.W1, ex.b1, ex.W2, ex.b2, ex.learning_rate)],  # x = 0
                   _random_network),
        mistakes=[
            (_updated_first_step, N_("the hidden deltas used W2 after its update. Which weights "
             "did the forward pass use? Compute every delta before changing any weight.")),
        ],
    )


# --- exercise 8: the same step with tanh hidden units, derived first ------------------------
def _tanh_training_step(x, t, W1, b1, W2, b2, learning_rate):
    net = Network.from_layers([Dense(W1, b1, "tanh"), Dense(W2, b2, "sigmoid")])
    train_step(net, x[None, :], t[None, :], SquaredError(), SGD(learning_rate))
    return tuple(net.parameters())


def _tanh_step(x, t, W1, b1, W2, b2, eta, hidden_slope=lambda o: 1 - o**2,
               output_slope=lambda o: o * (1 - o), sign=1.0, new_W2_for_deltas=False):
    """One step with the given slopes (written with the outputs): the known mistakes."""
    o_hidden = np.tanh(x @ W1 + b1)
    o = activations.sigmoid(o_hidden @ W2 + b2)
    delta_out = sign * (o - t) * output_slope(o)
    W2_new = W2 - eta * np.outer(o_hidden, delta_out)
    delta_hidden = hidden_slope(o_hidden) * ((W2_new if new_W2_for_deltas else W2) @ delta_out)
    return (W1 - eta * np.outer(x, delta_hidden), b1 - eta * delta_hidden,
            W2_new, b2 - eta * delta_out)


def _tanh_network(rng):
    x, t, W1, b1, W2, b2, eta = _random_network(rng)
    return (rng.normal(size=x.shape), t, W1, b1, W2, b2, eta)  # inputs of either sign


def _guarded(fn, name):
    """fn, run with minibp's backward pass, losses and optimizers refused."""
    def run(*args):
        with without_minibp_gradients(name, fn):
            return fn(*args)
    return run


def tanh_training_step(fn):
    """Check ``fn(x, t, W1, b1, W2, b2, learning_rate) -> (W1, b1, W2, b2)``: tanh hidden
    units, a sigmoid output, squared error, one step; minibp's gradients are refused."""
    ex = _EXAMPLE
    o6 = activations.sigmoid(np.tanh(ex.x @ ex.W1 + ex.b1) @ ex.W2 + ex.b2)  # this net's o6
    check_function(
        "tanh_training_step", _guarded(fn, "tanh_training_step") if callable(fn) else fn,
        _tanh_training_step,
        cases_with([(ex.x, ex.t, ex.W1, ex.b1, ex.W2, ex.b2, ex.learning_rate),
                    (ex.x, o6, ex.W1, ex.b1, ex.W2, ex.b2, ex.learning_rate),  # t == o
                    (np.zeros(3), ex.t, ex.W1, ex.b1, ex.W2, ex.b2, ex.learning_rate)],  # x = 0
                   _tanh_network),
        mistakes=[
            (lambda *a: _tanh_step(*a, hidden_slope=lambda o: o * (1 - o)), N_("the hidden "
             "deltas use the sigmoid's slope o(1 - o); these hidden units are tanh units.")),
            (lambda *a: _tanh_step(*a, hidden_slope=lambda o: 1 - np.tanh(o) ** 2), N_("the "
             "hidden slope squashed the output again: 1 - o^2 takes the unit's output o itself.")),
            (lambda *a: _tanh_step(*a, hidden_slope=lambda o: 1.0), N_("the hidden deltas miss "
             "the hidden units' own slope f'(z_j).")),
            (lambda *a: _tanh_step(*a, output_slope=lambda o: 1 - o**2), N_("the output unit is "
             "still logistic: only the hidden units changed to tanh.")),
            (lambda *a: _tanh_step(*a, new_W2_for_deltas=True), N_("the hidden deltas used W2 "
             "after its update: compute every delta before changing any weight.")),
            (lambda *a: _tanh_step(*a, sign=-1.0), N_("is the step going downhill? Every "
             "parameter moves against its gradient.")),
        ],
        received=(fn, lambda *case: case),
    )
