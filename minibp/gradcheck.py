"""Gradient checking by centred finite differences (lesson 03).

For a scalar function L(w), the centred difference

    dL/dw_i ~ (L(w + eps e_i) - L(w - eps e_i)) / (2 eps)

has error O(eps^2), against O(eps) for the one-sided difference. It costs two evaluations of
L per parameter — which is why nobody trains with it, and why it is the perfect referee for
backprop, which gets all the gradients for about the cost of two forward passes.

We compare with the relative error ||a - b|| / (||a|| + ||b||) over a whole array (norms, so a
single entry that is zero on both sides cannot blow it up): with float64 and eps = 1e-6,
a correct gradient gives about 1e-7 or less; a bug (a missing f', a transposed W) gives 1e-2
or more.
"""

from __future__ import annotations

import numpy as np

from ._validate import number
from .losses import get_loss


def _check_eps(eps):
    return number(eps, "eps", low=1e-10, high=1e-2)  # smaller drowns in rounding, larger is a secant


def numerical_gradient(f, w, eps=1e-6):
    """Centred differences of the scalar function ``f()`` with respect to the array ``w``.

    ``w`` is changed in place, one entry at a time, and restored; ``f`` takes no arguments and
    must read ``w`` (a closure). Returns an array shaped like ``w``.
    """
    eps = _check_eps(eps)
    if not isinstance(w, np.ndarray) or w.dtype != np.float64:
        raise ValueError(f"w must be a float64 numpy array (smaller or integer types would round "
                         f"w + eps back to w), got {getattr(w, 'dtype', type(w).__name__)}")
    if not w.flags.writeable:
        raise ValueError("w is read-only, and finite differences change it in place: pass a "
                         "writable copy, w = w.copy()")
    grad = np.zeros_like(w, dtype=np.float64)
    flat_w, flat_grad = w.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat_w, w):
        raise ValueError("w must be a contiguous array that can be changed in place")
    for i in range(flat_w.size):
        original = flat_w[i]
        flat_w[i] = original + eps
        f_plus = f()
        flat_w[i] = original - eps
        f_minus = f()
        flat_w[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b, tiny=1e-12):
    """||a - b|| / max(||a|| + ||b||, tiny): 0 for equal arrays, about 1 for unrelated ones."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), tiny))


def check_network_gradients(network, X, T, loss="squared_error", eps=1e-6):
    """Relative error of backprop's dW_l and db_l against finite differences, per layer.

    Returns a list of dicts {"layer": l, "dW": err, "db": err}, one per layer with weights. X: (N, n_0),
    T: (N, n_L). Use small networks: it costs two forward passes per parameter.
    """
    loss = get_loss(loss)
    eps = _check_eps(eps)  # before the costly part, not after it
    _, grads = network.loss_and_gradients(X, T, loss)

    def mean_loss():
        fwd = network.forward(X)
        return loss.value(fwd.z[-1], fwd.output, T, network.output_activation)

    report = []
    for l, layer in enumerate(network.layers, start=1):
        if not layer.parameters():  # Flatten, Dropout: no weights to check
            continue
        W, b = layer.parameters()  # a convolution's W is its kernel K
        report.append({
            "layer": l,
            "dW": relative_error(grads.dW[l], numerical_gradient(mean_loss, W, eps)),
            "db": relative_error(grads.db[l], numerical_gradient(mean_loss, b, eps)),
        })
    return report
