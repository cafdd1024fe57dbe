"""Activation functions f, each with its derivative f' written right beside it.

A unit computes a = f(z) from its net input z. Backprop needs f'(z) at every hidden unit:
the delta recursion multiplies by it, layer after layer (lesson 03). The derivative functions
take z and, optionally, the already computed a = f(z), because several derivatives are
cheapest in terms of the output: sigmoid' = a (1 - a), tanh' = 1 - a^2.

Each activation also carries its *potential* Phi with Phi' = f, summed over a row. Hebbian
descent (lesson 10) uses it: the loss sum_j [Phi(z_j) - t_j z_j] has dL/dz = f(z) - t.

All functions work elementwise on arrays of any shape, except softmax, which works on rows
(shape (N, k)): it is not elementwise, so it has no f'(z) array, only a vector-Jacobian
product (``vjp``), and may only be used at the output layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import choice

LEAKY_SLOPE = 0.01  # the slope alpha of leaky ReLU for z < 0


# --- identity: f(z) = z --------------------------------------------------------------------
def identity(z):
    return np.asarray(z, dtype=np.float64)


def identity_derivative(z, a=None):
    return np.ones_like(z, dtype=np.float64)


def identity_potential(z):  # Phi(z) = z^2 / 2
    return 0.5 * np.sum(z * z, axis=-1)


# --- sigmoid (logistic): f(z) = 1 / (1 + e^-z) ----------------------------------------------
@np.errstate(over="ignore")  # as a decorator: half the cost of a ``with`` block per call
def sigmoid(z):
    # For z < -709, e^-z overflows to inf and 1 / (1 + inf) = 0 is the right answer, so the
    # overflow warning is silenced. Tiny outputs such as f(-40) = 4e-18 keep their digits.
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def sigmoid_derivative(z, a=None):
    a = sigmoid(z) if a is None else a
    return a * (1.0 - a)  # never more than 1/4, reached at z = 0


def sigmoid_potential(z):  # Phi(z) = softplus(z) = ln(1 + e^z)
    return np.sum(np.logaddexp(0.0, z), axis=-1)


# --- tanh: f(z) = (e^z - e^-z) / (e^z + e^-z) ------------------------------------------------
def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_derivative(z, a=None):
    a = tanh(z) if a is None else a
    return 1.0 - a * a


def tanh_potential(z):  # Phi(z) = ln cosh z, written so that it never overflows
    z = np.abs(z)
    return np.sum(z + np.log1p(np.exp(-2.0 * z)) - np.log(2.0), axis=-1)


# --- softsign: f(z) = z / (1 + |z|) (Glorot & Bengio 2010) ------------------------------------
def softsign(z):
    z = np.asarray(z, dtype=np.float64)
    return z / (1.0 + np.abs(z))


def softsign_derivative(z, a=None):
    return 1.0 / (1.0 + np.abs(z)) ** 2  # decays polynomially, not exponentially like tanh'


def softsign_potential(z):  # Phi(z) = |z| - ln(1 + |z|)
    z = np.abs(z)
    return np.sum(z - np.log1p(z), axis=-1)


# --- relu: f(z) = max(0, z) -----------------------------------------------------------------
def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_derivative(z, a=None):
    return (np.asarray(z) > 0).astype(np.float64)  # we take f'(0) = 0


def relu_potential(z):  # Phi(z) = max(0, z)^2 / 2
    r = np.maximum(z, 0.0)
    return 0.5 * np.sum(r * r, axis=-1)


# --- leaky relu: f(z) = z for z > 0, alpha z otherwise ---------------------------------------
def leaky_relu(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z, a=None):
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)  # never 0, so no unit dies


def leaky_relu_potential(z):
    return 0.5 * np.sum(np.where(z > 0, 1.0, LEAKY_SLOPE) * z * z, axis=-1)


# --- softmax over each row: f(z)_k = e^{z_k} / sum_j e^{z_j} -----------------------------------
def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # shifting by the max changes nothing but overflow
    return e / e.sum(axis=-1, keepdims=True)


def softmax_vjp(z, a, grad_a):
    """dL/dz from dL/da through the softmax Jacobian diag(a) - a a^T, row by row."""
    return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


def softmax_potential(z):  # Phi(z) = log sum_j e^{z_j}, whose gradient is softmax(z)
    m = z.max(axis=-1)
    return m + np.log(np.sum(np.exp(z - m[..., None]), axis=-1))


@dataclass(frozen=True)
class Activation:
    """An activation function bundled with what backprop needs of it.

    ``derivative(z, a=None)`` is f'(z) elementwise (None for softmax); ``vjp(z, a, grad_a)``
    turns dL/da into dL/dz; ``potential(z)`` is sum_j Phi(z_j) per row, with Phi' = f.
    ``max_derivative`` is max f', used to call a unit saturated when f'(z) < max f' / 10.
    """

    name: str
    value: Callable
    derivative: Callable | None
    potential: Callable
    max_derivative: float
    elementwise: bool = True

    def __call__(self, z):
        return self.value(z)

    def vjp(self, z, a, grad_a):
        """Vector-Jacobian product: dL/dz given dL/da (shapes (N, k))."""
        if self.elementwise:
            return grad_a * self.derivative(z, a)
        return softmax_vjp(z, a, grad_a)


ACTIVATIONS = {
    act.name: act
    for act in (
        Activation("identity", identity, identity_derivative, identity_potential, 1.0),
        Activation("sigmoid", sigmoid, sigmoid_derivative, sigmoid_potential, 0.25),
        Activation("tanh", tanh, tanh_derivative, tanh_potential, 1.0),
        Activation("softsign", softsign, softsign_derivative, softsign_potential, 1.0),
        Activation("relu", relu, relu_derivative, relu_potential, 1.0),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative, leaky_relu_potential, 1.0),
        Activation("softmax", softmax, None, softmax_potential, 0.25, elementwise=False),
    )
}


def get_activation(name) -> Activation:
    """Look up an activation by name (an ``Activation`` passes through unchanged)."""
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[choice(name, "activation", ACTIVATIONS)]
