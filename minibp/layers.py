"""Layers beyond Dense (lesson 08): convolutions (weight sharing), Flatten and Dropout.

Each speaks the layer contract of ``minibp.network`` (read it there), so ``Network.from_layers``
stacks them with Dense layers and one backward pass trains them all. Each layer's local
gradient is written right beside its forward math.

A convolution (valid padding, stride 1) slides one small kernel over every position. In 2-D,
with a_prev (N, C_in, H, W), K (C_out, C_in, kh, kw), b (C_out,):

    z[n, o, i, j] = sum_{c, p, q} a_prev[n, c, i + p, j + q] K[o, c, p, q] + b[o]
    a = f(z)                                           z, a: (N, C_out, H - kh + 1, W - kw + 1)

(deep learning's "convolution" is this cross-correlation). Backward, with delta = dL/dz:

    dL/dK[o, c, p, q] = sum over n, i, j of a_prev[n, c, i + p, j + q] delta[n, o, i, j] / N
    dL/db[o]          = sum over n, i, j of delta[n, o, i, j] / N
    dL/da_prev        = the full correlation of delta (zero-padded by kh - 1, kw - 1 on each
                        side) with the kernel flipped in p and q, summed over o

The kernel is shared by all positions, so its gradient is a sum over them; the input gradient
collects, at each pixel, every (position, weight) pair that pixel fed. Conv1D: one spatial axis.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import as_array, as_rng, integer, number
from .activations import get_activation


class _Convolution:
    """What Conv1D and Conv2D share; they differ only in the number of spatial axes and in
    the index letters of their sums (``FORWARD``, ``KERNEL``, ``INPUT``, for ``np.einsum``)."""

    SPATIAL = 0

    def __init__(self, K, b, input_size, activation="sigmoid"):
        d = self.SPATIAL
        self.K = as_array(K, "K", ndim=d + 2).copy()
        self.b = as_array(b, "b", ndim=1).copy()
        C_out, C_in, *kernel = self.K.shape
        if self.b.shape != (C_out,):
            raise ValueError(f"b must have one entry per output channel ({C_out}, the first axis "
                             f"of K), got shape {self.b.shape}")
        size = tuple(input_size) if isinstance(input_size, (tuple, list)) else (input_size,)
        size = tuple(integer(n, "input_size", low=1) for n in size)
        if len(size) != d or any(n < k for n, k in zip(size, kernel)):
            raise ValueError(f"input_size must give the {d} spatial size(s) of the input, each at "
                             f"least the kernel's {tuple(kernel)}, got {input_size!r}")
        self.input_shape, self.n_in = (C_in, *size), C_in * int(np.prod(size))
        self.activation = get_activation(activation)
        self._spatial_axes = tuple(range(2, 2 + d))

    def output_shape(self, input_shape):
        C_out, _, *kernel = self.K.shape
        return (C_out, *(n - k + 1 for n, k in zip(self.input_shape[1:], kernel)))

    def parameters(self):
        return [self.K, self.b]

    def _windows(self, x):
        """(N, C, *size) -> (N, C, *positions, *kernel): the patch under the kernel at each position."""
        return sliding_window_view(x, self.K.shape[2:], axis=self._spatial_axes)

    def forward(self, a_prev, train=False):
        """a_prev: (N, C_in, *size), or flat (N, n_in) -> z, a: (N, C_out, *positions) each."""
        a_prev = a_prev.reshape(len(a_prev), *self.input_shape)
        bias = self.b.reshape(-1, *[1] * self.SPATIAL)  # b[o] at every position
        # optimize=True lets einsum hand each sum to a matrix product: ~30x its own loop
        z = np.einsum(self.FORWARD, self._windows(a_prev), self.K, optimize=True) + bias
        return z, self.activation.value(z)

    def backward(self, a_prev, z, a, delta):
        """dL/da_prev, shaped like a_prev: delta padded, correlated with the flipped kernel."""
        pad = [(0, 0), (0, 0)] + [(k - 1, k - 1) for k in self.K.shape[2:]]
        flipped = np.flip(self.K, axis=self._spatial_axes)
        grad = np.einsum(self.INPUT, self._windows(np.pad(delta, pad)), flipped, optimize=True)
        return grad.reshape(a_prev.shape)

    def gradients(self, a_prev, delta):
        """dL/dK and dL/db: sums over every position (and the batch mean over examples)."""
        N = len(a_prev)
        windows = self._windows(a_prev.reshape(N, *self.input_shape))
        return (np.einsum(self.KERNEL, windows, delta, optimize=True) / N,
                delta.sum(axis=(0, *self._spatial_axes)) / N)

    def __repr__(self):
        shapes = self.input_shape, self.output_shape(self.input_shape)
        shape_in, shape_out = ("x".join(map(str, shape)) for shape in shapes)
        return f"{type(self).__name__}({shape_in} -> {shape_out}, {self.activation.name})"


class Conv1D(_Convolution):
    """1-D convolution. K: (C_out, C_in, k), b: (C_out,), ``input_size``: the input's length;
    a_prev (N, C_in, length) -> z, a (N, C_out, length - k + 1)."""

    SPATIAL = 1
    FORWARD = "ncip,ocp->noi"  # z[n, o, i] = sum_{c,p} a_prev[n, c, i + p] K[o, c, p]
    KERNEL = "ncip,noi->ocp"  # dK[o, c, p] = sum_{n,i} a_prev[n, c, i + p] delta[n, o, i]
    INPUT = "noip,ocp->nci"  # grad[n, c, x] = sum_{o,p} delta_padded[n, o, x + p] K_flipped[o, c, p]


class Conv2D(_Convolution):
    """2-D convolution. K: (C_out, C_in, kh, kw), b: (C_out,), ``input_size``: (H, W);
    a_prev (N, C_in, H, W) -> z, a (N, C_out, H - kh + 1, W - kw + 1)."""

    SPATIAL = 2  # the sums of Conv1D with a second position index j and kernel index q
    FORWARD = "ncijpq,ocpq->noij"
    KERNEL = "ncijpq,noij->ocpq"
    INPUT = "noijpq,ocpq->ncij"


class _Weightless:
    """A layer with nothing to learn and no activation (f = identity, so a = z): any input shape."""

    activation = get_activation("identity")
    input_shape = None

    def parameters(self):
        return []

    def gradients(self, a_prev, delta):
        return None, None


class Flatten(_Weightless):
    """(N, C, *size) -> (N, C * prod(size)): each example's feature maps as one row, for Dense."""

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, a_prev, train=False):
        z = a_prev.reshape(len(a_prev), -1)
        return z, z

    def backward(self, a_prev, z, a, delta):
        return delta.reshape(a_prev.shape)  # a reshape moves numbers, so its gradient moves them back

    def __repr__(self):
        return "Flatten()"


class Dropout(_Weightless):
    """Inverted dropout (Srivastava et al. 2014), the identity in evaluation. In training each
    unit is kept with probability 1 - p and scaled by 1 / (1 - p), so E[z] = a_prev:

        m = (u >= p) / (1 - p), u ~ U[0, 1) per unit     z = a = a_prev * m
        dL/da_prev = delta * m: the same mask, so a dropped unit passes no gradient back.

    ``rng``: a seed or Generator for the masks."""

    def __init__(self, p=0.5, rng=0):
        self.p = number(p, "p (the probability of dropping a unit)", low=0.0, high=1.0, high_open=True)
        self.rng = as_rng(rng)
        self._latest = (None, None)  # (z, m) of the latest training pass, for its backward

    def output_shape(self, input_shape):
        return input_shape

    def forward(self, a_prev, train=False):
        if not train or self.p == 0.0:
            return a_prev, a_prev  # the scaling in training already made E[z] = a_prev
        m = (self.rng.random(a_prev.shape) >= self.p) / (1.0 - self.p)
        z = a_prev * m
        self._latest = (z, m)
        return z, z

    def backward(self, a_prev, z, a, delta):
        if z is a_prev:  # an evaluation pass: the identity
            return delta
        if z is not self._latest[0]:
            raise ValueError("Dropout can only backpropagate its latest training pass (it keeps "
                             "that pass's mask): run backward before the next forward(train=True)")
        return delta * self._latest[1]

    def __repr__(self):
        return f"Dropout(p={self.p:g})"
