"""Dense layers and the multi-layer perceptron: the forward pass and backpropagation.

Notation (the notebooks'): a batch holds N examples as rows. Layer l = 1, ..., L computes

    z_l = a_{l-1} W_l + b_l        a_l = f_l(z_l)              a_0 = X

with W_l[p, q] the weight from unit p of layer l-1 to unit q of layer l. Backprop defines
delta_l = dL/dz_l for each example and runs the recursion from the output down:

    delta_L      = what the loss says (``Loss.output_delta``)
    delta_{l-1}  = (delta_l W_l^T) * f'_{l-1}(z_{l-1})
    dL/dW_l      = a_{l-1}^T delta_l / N          dL/db_l = sum over rows of delta_l / N

The lists in ``Forward`` and ``Gradients`` are indexed by l exactly as above; index 0 is the
input layer, which has an activation a_0 = X but no z, W, b or delta (None there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import as_array, as_batch, as_rng, integer
from .activations import Activation, get_activation
from .initializers import get_initializer
from .losses import get_loss


class Dense:
    """One fully connected layer: z = a_prev W + b, a = f(z).

    W: (n_in, n_out), W[p, q] from unit p below to unit q here.  b: (n_out,).
    """

    def __init__(self, W, b, activation="sigmoid"):
        self.W = as_array(W, "W", ndim=2).copy()
        self.b = as_array(b, "b", ndim=1).copy()
        if self.b.shape[0] != self.W.shape[1]:
            raise ValueError(
                f"b must have one entry per unit of the layer ({self.W.shape[1]}), "
                f"got shape {self.b.shape}"
            )
        self.activation = get_activation(activation)

    @property
    def n_in(self):
        return self.W.shape[0]

    @property
    def n_out(self):
        return self.W.shape[1]

    def forward(self, a_prev):
        """a_prev: (N, n_in) -> z, a: (N, n_out) each."""
        z = a_prev @ self.W + self.b
        return z, self.activation.value(z)

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation.name})"


@dataclass
class Forward:
    """What the forward pass keeps for backprop: z[l] and a[l] for l = 0..L (z[0] is None)."""

    z: list
    a: list

    @property
    def output(self):
        return self.a[-1]


@dataclass
class Gradients:
    """delta[l] (N, n_l), dW[l] (n_{l-1}, n_l), db[l] (n_l,) for l = 1..L; index 0 is None."""

    delta: list
    dW: list
    db: list

    def as_list(self):
        """[dW_1, db_1, dW_2, db_2, ...]: the order of ``Network.parameters()``."""
        return [g for l in range(1, len(self.dW)) for g in (self.dW[l], self.db[l])]


class Network:
    """A multi-layer perceptron.

    ``sizes``: units per layer, input first, e.g. (64, 100, 10). ``activation``: the hidden
    layers' f (a name, or one name per hidden layer). ``output_activation``: the output's f.
    ``init``: an initializer name from ``minibp.initializers`` (options such as ``c`` for
    "negative_mean" go in ``init_options``). Biases start at zero. ``rng``: a seed or Generator.
    """

    def __init__(self, sizes, activation="sigmoid", output_activation="sigmoid",
                 init="xavier_normal", rng=0, init_options=None):
        sizes = [integer(n, "sizes", low=1) for n in sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
        n_hidden = len(sizes) - 2
        single = isinstance(activation, (str, Activation))
        hidden = [activation] * n_hidden if single else list(activation)
        if len(hidden) != n_hidden:
            raise ValueError(
                f"activation must be one name or one per hidden layer ({n_hidden}), got {activation}"
            )
        initializer = get_initializer(init)
        rng = as_rng(rng)
        layers = []
        for n_in, n_out, f in zip(sizes[:-1], sizes[1:], hidden + [output_activation]):
            W = initializer(n_in, n_out, rng=rng, **(init_options or {}))
            layers.append(Dense(W, np.zeros(n_out), f))
        self._set_layers(layers)

    @classmethod
    def from_layers(cls, layers):
        """A network made of given ``Dense`` layers (for example the lesson-01 weights)."""
        net = cls.__new__(cls)
        net._set_layers([layer if isinstance(layer, Dense) else Dense(*layer) for layer in layers])
        return net

    def _set_layers(self, layers):
        if not layers:
            raise ValueError("layers must hold at least one Dense layer")
        for l in range(1, len(layers)):
            if layers[l].n_in != layers[l - 1].n_out:
                raise ValueError(
                    f"layer {l + 1} expects {layers[l].n_in} inputs but layer {l} has "
                    f"{layers[l - 1].n_out} units"
                )
        for l, layer in enumerate(layers[:-1], start=1):
            if not layer.activation.elementwise:
                raise ValueError(f"softmax can only be the output activation (hidden layer {l})")
        self.layers = layers

    @property
    def sizes(self):
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def depth(self):
        """L, the number of layers with weights."""
        return len(self.layers)

    @property
    def output_activation(self):
        return self.layers[-1].activation

    def parameters(self):
        """[W_1, b_1, W_2, b_2, ...]: the arrays themselves, so optimizers update in place."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def copy(self):
        return Network.from_layers(
            [Dense(layer.W, layer.b, layer.activation) for layer in self.layers]
        )

    def forward(self, X) -> Forward:
        """X: (N, n_0) -> ``Forward`` with z[l], a[l] of shape (N, n_l)."""
        return self.forward_unchecked(as_batch(X, "X", width=self.layers[0].n_in))

    def forward_unchecked(self, a_0) -> Forward:
        """``forward`` for an already checked float64 batch a_0 (the training loop's path)."""
        z, a = [None], [a_0]
        for layer in self.layers:
            z_l, a_l = layer.forward(a[-1])
            z.append(z_l)
            a.append(a_l)
        return Forward(z, a)

    def predict(self, X):
        """The network's outputs a_L for a batch X: (N, n_0) -> (N, n_L)."""
        return self.forward(X).output

    def backward(self, forward: Forward, output_delta) -> Gradients:
        """Backpropagate delta_L (N, n_L) through the layers; return every delta, dW and db."""
        output_delta = as_batch(output_delta, "output_delta", width=self.layers[-1].n_out,
                                finite=False)
        if output_delta.shape[0] != forward.a[0].shape[0]:
            raise ValueError(f"output_delta must have one row per example "
                             f"({forward.a[0].shape[0]}), got {output_delta.shape[0]}")
        return self.backward_unchecked(forward, output_delta)

    def backward_unchecked(self, forward: Forward, output_delta) -> Gradients:
        """``backward`` for an already checked (N, n_L) float64 delta_L."""
        L = self.depth
        W = [None] + [layer.W for layer in self.layers]  # W[l] is W_l; the input has none
        f = [None] + [layer.activation for layer in self.layers]
        z, a = forward.z, forward.a
        N = a[0].shape[0]
        delta, dW, db = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
        delta[L] = output_delta
        for l in range(L, 0, -1):
            dW[l] = a[l - 1].T @ delta[l] / N
            db[l] = delta[l].sum(axis=0) / N
            if l > 1:
                delta[l - 1] = (delta[l] @ W[l].T) * f[l - 1].derivative(z[l - 1], a[l - 1])
        return Gradients(delta, dW, db)

    def loss_and_gradients(self, X, T, loss="squared_error"):
        """Forward, loss, output delta and backward in one call: returns (mean loss, Gradients)."""
        loss, fwd, T = self._forward_with_targets(X, T, loss)
        value = loss.value(fwd.z[-1], fwd.output, T, self.output_activation)
        return value, self.backward(fwd, loss.output_delta(fwd.z[-1], fwd.output, T,
                                                           self.output_activation))

    def gradients(self, X, T, loss="squared_error"):
        """The Gradients alone: for a loss whose error signal works where its value is not
        defined (``PowerError`` on tanh outputs, say), where ``loss_and_gradients`` raises."""
        loss, fwd, T = self._forward_with_targets(X, T, loss)
        return self.backward(fwd, loss.output_delta(fwd.z[-1], fwd.output, T, self.output_activation))

    def _forward_with_targets(self, X, T, loss):
        loss = get_loss(loss)
        fwd = self.forward(X)
        T = as_batch(T, "T", width=self.layers[-1].n_out)
        if T.shape[0] != fwd.output.shape[0]:
            raise ValueError(f"T must have one row per example of X ({fwd.output.shape[0]}), "
                             f"got {T.shape[0]}")
        return loss, fwd, T

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{inner}])"
