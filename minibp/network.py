"""Layers and the network: the forward pass and backpropagation.

Notation (the notebooks'): a batch holds N examples as rows. Layer l = 1, ..., L computes

    z_l = a_{l-1} W_l + b_l        a_l = f_l(z_l)              a_0 = X

with W_l[p, q] the weight from unit p of layer l-1 to unit q of layer l. Backprop defines
delta_l = dL/dz_l for each example and runs the recursion from the output down:

    delta_L      = what the loss says (``Loss.output_delta``)
    delta_{l-1}  = (delta_l W_l^T) * f'_{l-1}(z_{l-1})
    dL/dW_l      = a_{l-1}^T delta_l / N          dL/db_l = sum over rows of delta_l / N

The lists in ``Forward`` and ``Gradients`` are indexed by l exactly as above; index 0 is the
input layer, which has an activation a_0 = X but no z, W, b or delta (None there).

The layer contract. ``Network`` runs any layer that speaks ``Dense``'s language (the others are
in ``minibp.layers``: convolutions, ``Flatten``, ``Dropout``). With one example's input of
shape ``in`` and output of shape ``out`` (``(n_l,)`` for Dense, ``(C, H, W)`` for a 2-D
convolution), a layer has

    activation                     f_l; identity for a layer without one (then a_l = z_l)
    input_shape                    ``in``, or None: any shape (Dropout, Flatten)
    output_shape(input_shape)      ``out`` for the given ``in``
    parameters()                   [W_l, b_l] (the arrays themselves), or [] without weights
    forward(a_prev, train=False)   a_{l-1} (N, *in) -> (z_l, a_l), each (N, *out)
    backward(a_prev, z, a, delta)  delta_l (N, *out) -> dL/da_{l-1} (N, *in)
    gradients(a_prev, delta)       (dL/dW_l, dL/db_l) shaped like W_l, b_l; (None, None) without

and the network turns dL/da_{l-1} into delta_{l-1} = dL/da_{l-1} * f'_{l-1}(z_{l-1}), the one
step every layer shares. ``train`` is True only in a training step: Dropout drops units then.
The network's input a_0 and output a_L are batches of rows, (N, n_0) and (N, n_L); a
convolution reshapes a flat input itself, and the output layer must be Dense.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ._validate import as_array, as_batch, as_rng, boolean, integer
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

    @property
    def input_shape(self):
        return (self.n_in,)

    def output_shape(self, input_shape):
        return (self.n_out,)

    def parameters(self):
        return [self.W, self.b]

    def forward(self, a_prev, train=False):
        """a_prev: (N, n_in) -> z, a: (N, n_out) each (the same in training: ``train`` is unused)."""
        z = a_prev @ self.W + self.b
        return z, self.activation.value(z)

    def backward(self, a_prev, z, a, delta):
        """dL/da_prev = delta W^T (N, n_in): unit p below fed every unit q here through W[p, q]."""
        return delta @ self.W.T

    def gradients(self, a_prev, delta):
        """dL/dW = a_prev^T delta / N, dL/db = sum over rows of delta / N (the batch mean)."""
        N = a_prev.shape[0]
        return a_prev.T @ delta / N, delta.sum(axis=0) / N

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
    """delta[l] (N, n_l), dW[l] (n_{l-1}, n_l), db[l] (n_l,) for l = 1..L; index 0 is None.

    For other layers delta[l] is shaped like z[l], dW[l] like the layer's weights (a
    convolution's kernel K_l); dW[l] and db[l] are None for a layer without weights."""

    delta: list
    dW: list
    db: list

    def as_list(self):
        """[dW_1, db_1, dW_2, db_2, ...] without the Nones: the order of ``Network.parameters()``."""
        return [g for l in range(1, len(self.dW)) if self.dW[l] is not None
                for g in (self.dW[l], self.db[l])]


class Network:
    """A multi-layer perceptron, or any stack of layers (``from_layers``).

    ``sizes``: units per layer, input first, e.g. (64, 100, 10). ``activation``: the hidden
    layers' f (a name, or one name per hidden layer). ``output_activation``: the output's f.
    ``init``: an initializer name from ``minibp.initializers`` (options such as ``c`` for
    "negative_mean" go in ``init_options``). Biases start at zero. ``rng``: a seed or Generator.
    ``shapes[l]``: the shape of one example's a_l, l = 0..L ((n_l,) for Dense layers).
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
        """A network of the given layers, input first: ``Dense`` layers (or (W, b, f) tuples,
        such as the lesson-01 weights), convolutions, ``Flatten``, ``Dropout``."""
        net = cls.__new__(cls)
        net._set_layers([layer if hasattr(layer, "forward") else Dense(*layer) for layer in layers])
        return net

    def _set_layers(self, layers):
        if not layers:
            raise ValueError("layers must hold at least one Dense layer")
        if layers[0].input_shape is None:
            raise ValueError(f"layer 1 must fix the input's size (Dense or a convolution), "
                             f"got {layers[0]!r}")
        if not isinstance(layers[-1], Dense):
            raise ValueError(f"the output layer must be Dense (a_L is one row of n_L outputs per "
                             f"example), got {layers[-1]!r}")
        shapes = [layers[0].input_shape]  # one example's a_l, l = 0..L
        for l, layer in enumerate(layers, start=1):
            given, wanted = shapes[-1], layer.input_shape or shapes[-1]
            if np.prod(wanted) != np.prod(given):
                raise ValueError(f"layer {l} expects {np.prod(wanted)} inputs but layer {l - 1} has "
                                 f"{np.prod(given)} units ({layer!r} after {layers[l - 2]!r})")
            if len(given) > 1 and wanted != given:  # a flat input may be reshaped, no other
                raise ValueError(f"layer {l} ({layer!r}) expects inputs of shape {wanted} but "
                                 f"layer {l - 1} gives {given}"
                                 + (": put a Flatten() between them" if len(wanted) == 1 else ""))
            shapes.append(layer.output_shape(given))
        for l, layer in enumerate(layers[:-1], start=1):
            if not layer.activation.elementwise:
                raise ValueError(f"softmax can only be the output activation (hidden layer {l})")
        self.layers, self.shapes = layers, shapes

    @property
    def sizes(self):
        """n_l, the number of units of layer l = 0..L (``shapes[l]`` holds their arrangement)."""
        return [int(np.prod(shape)) for shape in self.shapes]

    @property
    def depth(self):
        """L, the number of layers (those with weights and those without)."""
        return len(self.layers)

    @property
    def output_activation(self):
        return self.layers[-1].activation

    def parameters(self):
        """[W_1, b_1, W_2, b_2, ...]: the arrays themselves, so optimizers update in place."""
        return [p for layer in self.layers for p in layer.parameters()]

    def copy(self):
        return Network.from_layers([Dense(layer.W, layer.b, layer.activation)
                                    if isinstance(layer, Dense) else copy.deepcopy(layer)
                                    for layer in self.layers])

    def forward(self, X, train=False) -> Forward:
        """X: (N, n_0) -> ``Forward`` with z[l], a[l] of shape (N, n_l) (or (N, *shapes[l])).

        ``train=True`` runs the layers as in a training step (Dropout drops units)."""
        X = as_batch(X, "X", width=self.layers[0].n_in)
        return self.forward_unchecked(X, boolean(train, "train"))

    def forward_unchecked(self, a_0, train=False) -> Forward:
        """``forward`` for an already checked float64 batch a_0 (the training loop's path, which
        passes ``train=True``)."""
        z, a = [None], [a_0]
        for layer in self.layers:
            z_l, a_l = layer.forward(a[-1], train)
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
        L, layers = self.depth, [None] + self.layers  # layers[l] is layer l; the input has none
        z, a = forward.z, forward.a
        delta, dW, db = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
        delta[L] = output_delta
        for l in range(L, 0, -1):
            dW[l], db[l] = layers[l].gradients(a[l - 1], delta[l])
            if l > 1:  # dL/da_{l-1} from layer l, then through f'_{l-1}: delta_{l-1}
                grad_a = layers[l].backward(a[l - 1], z[l], a[l], delta[l])
                delta[l - 1] = layers[l - 1].activation.vjp(z[l - 1], a[l - 1], grad_a)
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
