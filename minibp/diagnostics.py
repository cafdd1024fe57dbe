"""Per-layer statistics: how signals and gradients flow through a network (lessons 06 and 07).

For each layer l = 1..L on a probe batch X (N, n_0), T (N, n_L):

    activation_mean, activation_std   of a_l over the batch and the units
    saturated                         fraction of units with f'(z) < max f' / 10 (their delta
                                      is cut to a tenth or less: sigmoid a < 0.03 or > 0.97,
                                      tanh |a| > 0.95, dead ReLUs)
    delta_std                         spread of the back-propagated delta_l = dL/dz_l
    gradient_norm, weight_norm        ||dW_l||, ||W_l|| (Frobenius)
    update_ratio                      ||W_l(now) - W_l(one epoch earlier)|| / ||W_l(earlier)||

``Recorder`` collects them during ``fit`` at chosen epochs, with the raw a_l and delta_l
arrays kept for histograms.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, boolean, integer, same_rows
from .losses import get_loss


def layer_statistics(network, X, T, loss="squared_error", keep_arrays=False):
    """A list with one dict of statistics per layer l = 1..L (see the module docstring).

    With ``keep_arrays`` each dict also holds "a" (N, n_l) and "delta" (N, n_l).
    """
    loss, fwd, T = network._forward_with_targets(X, T, loss)  # X and T checked there
    delta_L = loss.output_delta(fwd.z[-1], fwd.output, T, network.output_activation)
    grads = network.backward(fwd, delta_L)
    stats = []
    for l, layer in enumerate(network.layers, start=1):
        f = layer.activation
        z_l, a_l = fwd.z[l], fwd.a[l]
        if f.elementwise:
            saturated = float(np.mean(f.derivative(z_l, a_l) < f.max_derivative / 10))
        else:
            saturated = float(np.mean(a_l.max(axis=1) > 0.99))  # softmax: one output takes all
        entry = {
            "layer": l,
            "activation_mean": float(a_l.mean()),
            "activation_std": float(a_l.std()),
            "saturated": saturated,
            "delta_std": float(grads.delta[l].std()),
            "gradient_norm": _norm(grads.dW[l]),
            "weight_norm": _norm(_weights(layer)),
        }
        if keep_arrays:
            entry["a"], entry["delta"] = a_l.copy(), grads.delta[l].copy()
        stats.append(entry)
    return stats


def _weights(layer, copy=False):
    """A layer's weights W (a convolution's kernel), or None for Flatten and Dropout."""
    parameters = layer.parameters()
    return None if not parameters else parameters[0].copy() if copy else parameters[0]


def _norm(array):
    return float("nan") if array is None else float(np.linalg.norm(array))


class Recorder:
    """A ``fit`` callback: ``layer_statistics`` of a probe batch at the given epochs.

    ``epochs``: the epochs to record (0 is before training), or None for every epoch.
    After training, ``snapshots`` is a list of {"epoch": k, "layers": [stats of layer 1..L]}
    and ``series(key)`` gives an array (n_snapshots, L) of one statistic over time.
    """

    def __init__(self, X, T, loss="squared_error", epochs=None, keep_arrays=False):
        # Checked now, not at the first epoch of fit: the message names the Recorder's argument.
        self.X, self.T = as_batch(X, "Recorder X"), as_batch(T, "Recorder T")
        same_rows(self.X, self.T, "Recorder X", "Recorder T")
        self.loss = get_loss(loss)
        if epochs is not None:
            if isinstance(epochs, (str, bytes)) or not hasattr(epochs, "__iter__"):
                raise ValueError(f"epochs must be a list of epoch numbers or None, got {epochs!r}")
            epochs = {integer(epoch, "each of epochs", low=0) for epoch in epochs}
        self.epochs = epochs
        self.keep_arrays = boolean(keep_arrays, "keep_arrays")
        self.snapshots = []
        self._previous_weights = None

    def __call__(self, epoch, network, history):
        weights = [_weights(layer, copy=True) for layer in network.layers]
        if self.epochs is None or epoch in self.epochs:
            layers = layer_statistics(network, self.X, self.T, self.loss, self.keep_arrays)
            for entry, W, W_before in zip(layers, weights, self._previous_weights or weights):
                entry["update_ratio"] = (
                    float(np.linalg.norm(W - W_before) / max(np.linalg.norm(W_before), 1e-300))
                    if self._previous_weights is not None and W is not None else float("nan")
                )
            self.snapshots.append({"epoch": epoch, "layers": layers})
        self._previous_weights = weights

    @property
    def recorded_epochs(self):
        return [s["epoch"] for s in self.snapshots]

    def series(self, key):
        """Array (n_snapshots, L) of statistic ``key`` for every recorded epoch and layer."""
        if not self.snapshots:
            raise ValueError("nothing recorded yet: pass the Recorder to fit(callbacks=[...])")
        if key not in self.snapshots[0]["layers"][0]:
            raise ValueError(f"unknown statistic {key!r}; expected one of "
                             f"{', '.join(self.snapshots[0]['layers'][0])}")
        return np.array([[entry[key] for entry in s["layers"]] for s in self.snapshots])
