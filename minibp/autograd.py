"""A scalar autograd: backpropagation on a computational graph (lesson 02).

Every number computed from ``Value``s remembers which values it came from and how. Each
operation below writes its local gradient right beside its forward math: once the gradient
of the final result with respect to a node's output is known (``out.grad``, the *upstream*
gradient), the node sends ``upstream x local gradient`` to each of its inputs. ``backward``
visits the nodes in reverse topological order, so a node sends only after every node that
used it has sent to it; a node used twice receives twice, and the two contributions add.

    >>> x, w = Value(2.0), Value(-3.0)
    >>> L = (x * w).tanh()
    >>> L.backward()            # x.grad = (1 - tanh(-6)^2) * w, w.grad = (1 - tanh(-6)^2) * x

One node per scalar keeps every step visible and is far too slow for training: the dense
layers in ``network`` do the same sums for whole matrices at once (lesson 03).
"""

from __future__ import annotations

import math
import numbers


class Value:
    """A scalar node: ``data`` (its forward value), ``grad`` (dL/d this node after
    ``L.backward()``), ``inputs`` (the nodes it was computed from), ``op`` (how)."""

    def __init__(self, data, inputs=(), op="", label=""):
        if not isinstance(data, numbers.Real):
            raise TypeError(f"data must be one real number, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.inputs = tuple(inputs)
        self.op = op
        self.label = label
        self._backward = lambda: None  # a leaf has no inputs to send its gradient to

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    # --- operations: forward value, then the local gradients --------------------------------
    def __add__(self, other):
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward():  # d(x + y)/dx = d(x + y)/dy = 1: add hands the gradient to both
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward():  # d(xy)/dx = y, d(xy)/dy = x: multiply swaps its inputs
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    def __pow__(self, exponent):
        if not isinstance(exponent, numbers.Real):
            raise TypeError(f"exponent must be a constant int or float, got {type(exponent).__name__}")
        out = Value(self.data ** exponent, (self,), f"**{exponent:g}")

        def backward():  # d(x^k)/dx = k x^(k-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def backward():  # d(e^x)/dx = e^x, the output itself
            self.grad += out.data * out.grad
        out._backward = backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive value, got {self.data:g}")
        out = Value(math.log(self.data), (self,), "log")

        def backward():  # d(ln x)/dx = 1/x
            self.grad += out.grad / self.data
        out._backward = backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def backward():  # d tanh(x)/dx = 1 - tanh(x)^2, written with the output
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = backward
        return out

    def sigmoid(self):
        out = Value(0.5 * (1.0 + math.tanh(0.5 * self.data)), (self,), "σ")  # no overflow

        def backward():  # f'(x) = f(x) (1 - f(x)), written with the output
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def backward():  # slope 1 where the input is positive, else 0
            self.grad += (self.data > 0) * out.grad
        out._backward = backward
        return out

    def max(self, other):
        other = as_value(other)
        out = Value(max(self.data, other.data), (self, other), "max")

        def backward():  # max routes the gradient to the larger input (to self on a tie)
            if self.data >= other.data:
                self.grad += out.grad
            else:
                other.grad += out.grad
        out._backward = backward
        return out

    # --- the rest are compositions of the above ---------------------------------------------
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-as_value(other))

    def __truediv__(self, other):
        return self * as_value(other) ** -1

    def __radd__(self, other):
        return as_value(other) + self

    def __rmul__(self, other):
        return as_value(other) * self

    def __rsub__(self, other):
        return as_value(other) - self

    def __rtruediv__(self, other):
        return as_value(other) / self

    # --- backpropagation -------------------------------------------------------------------
    def backward(self):
        """Fill ``grad`` of every node this one depends on with d(self)/d(node)."""
        order = topological_order(self)
        for node in order:  # start from zero, so that calling backward twice does not add up
            node.grad = 0.0
        self.grad = 1.0  # dL/dL
        for node in reversed(order):  # every node after all the nodes that use it
            node._backward()


def as_value(x):
    """x itself if it is a Value, else a new leaf holding the number x."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root):
    """Every node ``root`` depends on, each once, inputs before the nodes computed from them."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    order, seen = [], {id(root)}
    stack = [(root, iter(root.inputs))]  # depth first, without recursion: chains may be long
    while stack:
        node, inputs = stack[-1]
        for parent in inputs:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.inputs)))
                break
        else:  # all of this node's inputs are placed: now the node
            order.append(node)
            stack.pop()
    return order
