"""Plausible wrong answers to lesson 02's exercises; each must fail its check."""

import numpy as np

from minibp.autograd import Value


def _order(root):
    """Every node once, inputs first (the learner's own depth-first search)."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in node.inputs:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def _sweep_forward_order(root):
    root.grad = 1.0
    for node in _order(root):  # not reversed
        node._backward()


def _sweep_without_seed(root):
    for node in reversed(_order(root)):
        node._backward()


def _sweep_recursive(root):
    root.grad = 1.0

    def send(node):
        node._backward()
        for parent in node.inputs:
            send(parent)

    send(root)


def _sweep_every_path(root):
    order = []

    def visit(node):  # no "seen": a shared node is listed once per path to it
        for parent in node.inputs:
            visit(parent)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def _sweep_breadth_first(root):
    queue, seen = [root], {root}
    root.grad = 1.0
    while queue:
        node = queue.pop(0)
        node._backward()
        for parent in node.inputs:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)


def _sweep_with_minibp(root):
    root.backward()  # refused by the check


def _mul_node(send):
    def mul_node(a, b):
        out = Value(a.data * b.data, (a, b), "*")

        def backward():
            send(a, b, out)

        out._backward = backward
        return out

    return mul_node


def _assign(a, b, out):  # the lesson's bug: = instead of +=
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _not_swapped(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _no_upstream(a, b, out):
    a.grad += b.data
    b.grad += a.data


def _mul_node_without_inputs(a, b):
    return Value(a.data * b.data)


def _mul_node_with_minibp(a, b):
    return a * b  # refused by the check


def _network_gradients(x, t, W1, b1, W2, b2, half=True, squash_output=True, biases=True,
                       return_values=False):
    W1v = [[Value(w) for w in row] for row in W1]
    W2v = [[Value(w) for w in row] for row in W2]
    b1v, b2v = [Value(b) for b in b1], [Value(b) for b in b2]
    h = []
    for q in range(len(b1)):
        z = sum((x[p] * W1v[p][q] for p in range(len(x))), Value(0.0))
        h.append((z + b1v[q] if biases else z).sigmoid())
    loss = Value(0.0)
    for k in range(len(b2)):
        z = sum((h[q] * W2v[q][k] for q in range(len(h))), Value(0.0))
        z = z + b2v[k] if biases else z
        o = z.sigmoid() if squash_output else z
        loss = loss + (0.5 if half else 1.0) * (t[k] - o) ** 2
    loss.backward()
    if return_values:
        return np.array(W1v), np.array(b1v), np.array(W2v), np.array(b2v)
    return (np.array([[w.grad for w in row] for row in W1v]), np.array([b.grad for b in b1v]),
            np.array([[w.grad for w in row] for row in W2v]), np.array([b.grad for b in b2v]))


def _softmax_naive(z, t):
    y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.sum(t * np.log(y), axis=1), y - t


def _softmax_stable(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


WRONG_ANSWERS = {
    "mul_backward": [
        lambda x, y, upstream: (upstream * x, upstream * y),  # not swapped
        lambda x, y, upstream: (y, x),  # upstream forgotten
        lambda x, y, upstream: (upstream, upstream),  # an add node's backward
    ],
    "tanh_backward": [
        lambda x, upstream: upstream * (1 - x**2),  # the output's formula on the input
        lambda x, upstream: 1 - np.tanh(x) ** 2,  # upstream forgotten
        lambda x, upstream: upstream * np.tanh(x) * (1 - np.tanh(x)),  # the sigmoid's formula
    ],
    "backward_sweep": [
        _sweep_forward_order,
        _sweep_without_seed,
        _sweep_recursive,
        _sweep_every_path,
        _sweep_breadth_first,
        _sweep_with_minibp,
    ],
    "mul_node": [
        _mul_node(_assign),
        _mul_node(_not_swapped),
        _mul_node(_no_upstream),
        _mul_node_without_inputs,
        _mul_node_with_minibp,
    ],
    "graph_gradients": [
        lambda x, t, W1, b1, W2, b2: _network_gradients(x, t, W1, b1, W2, b2, half=False),
        lambda x, t, W1, b1, W2, b2: _network_gradients(x, t, W1, b1, W2, b2, squash_output=False),
        lambda x, t, W1, b1, W2, b2: _network_gradients(x, t, W1, b1, W2, b2, biases=False),
        lambda x, t, W1, b1, W2, b2: _network_gradients(x, t, W1, b1, W2, b2, return_values=True),
        lambda x, t, W1, b1, W2, b2: tuple(-g for g in _network_gradients(x, t, W1, b1, W2, b2)),
    ],
    "softmax_cross_entropy": [
        _softmax_naive,  # overflows for large logits
        lambda z, t: (-np.sum(t * np.log(_softmax_stable(z)), axis=1),  # ln 0 where y underflows
                      _softmax_stable(z) - t),
        lambda z, t: (-np.log(np.sum(t * _softmax_stable(z), axis=1)),  # one-hot targets only
                      _softmax_stable(z) - t),
        lambda z, t: (-np.sum(t * _log_softmax(z), axis=1), t - _softmax_stable(z)),  # sign
        lambda z, t: (np.mean(-np.sum(t * _log_softmax(z), axis=1)),  # averaged over the batch
                      _softmax_stable(z) - t),
        lambda z, t: (-np.sum(t * _log_softmax(z), axis=1),  # the sigmoid's delta
                      _softmax_stable(z) * (1 - _softmax_stable(z)) * (_softmax_stable(z) - t)),
    ],
}
