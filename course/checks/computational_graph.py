"""Checks for lesson 02, backpropagation on a computational graph: one function per exercise.

The references are minibp's own pieces: ``autograd.Value`` (its operators and
``Value.backward``), ``Network`` and ``CrossEntropy``, applied to the lesson's numbers first
and then to random ones. Exercises 3 and 4 run on small graphs built fresh for every call
from a fixed list of expressions (a chain, a node used twice, a diamond, ...), each at leaf
values x, y, ... rounded to two decimals; the result compared is the leaves' gradients,
d root / d x, d root / d y, ... in that order.
"""

from __future__ import annotations

import contextlib
import numbers

import numpy as np

from course.i18n import N_, _
from minibp import autograd, data
from minibp.activations import get_activation, softmax
from minibp.autograd import Value
from minibp.losses import CrossEntropy, SquaredError
from minibp.network import Dense, Network

from . import cases_with, check_function

_EXAMPLE = data.worked_example()
_NETWORK = Network.from_layers([Dense(_EXAMPLE.W1, _EXAMPLE.b1, "sigmoid"),
                                Dense(_EXAMPLE.W2, _EXAMPLE.b2, "sigmoid")])
_FORWARD = _NETWORK.forward(_EXAMPLE.x[None, :])
_O4 = float(_FORWARD.a[1][0, 0])  # hidden unit 4's output, 0.332
_O6 = _FORWARD.a[2][0]  # the output o6, 0.474 (an array of one)
_DELTA6 = float((_O6[0] - _EXAMPLE.t[0]) * _O6[0] * (1 - _O6[0]))  # dL/dz6, -0.1312
_W46 = float(_EXAMPLE.W2[0, 0])  # -0.3


def _random_operands(rng, n):
    """n numbers, or n arrays of one random shape: the node's inputs and its upstream."""
    if rng.integers(0, 2):
        return tuple(float(v) for v in rng.normal(size=n) * 2)
    shape = tuple(int(s) for s in rng.integers(1, 4, size=int(rng.integers(1, 3))))
    return tuple(rng.normal(size=shape) * 2 for _ in range(n))


# --- exercise 1: the multiply node's backward ---------------------------------------------
def _mul_backward(x, y, upstream):
    return upstream * y, upstream * x


def mul_backward(fn):
    """Check ``fn(x, y, upstream) -> (grad_x, grad_y)`` for z = x * y (numbers or arrays)."""
    check_function(
        "mul_backward", fn, _mul_backward,
        cases_with([(-2.0, 3.0, 1.0),
                    (_O4, _W46, _DELTA6),  # lesson 01: o4 * w46 on its way into z6
                    (0.5, -4.0, 0.0),  # nothing comes from above: nothing goes down
                    (np.array([1.0, -2.0, 0.5]), np.array([3.0, 0.25, -1.0]),
                     np.array([2.0, 1.0, -1.0]))],  # arrays: elementwise
                   lambda rng: _random_operands(rng, 3)),
        mistakes=[
            (lambda x, y, g: (g * x, g * y), N_("d(xy)/dx is y, not x: each input receives the "
             "upstream gradient times the *other* input.")),
            (lambda x, y, g: (y, x), N_("the local gradients are right, but the upstream gradient "
             "is missing: the chain rule multiplies the two.")),
            (lambda x, y, g: (g, g), N_("that is what an add node sends back; a multiply scales "
             "the upstream gradient by a local slope for each input.")),
        ],
    )


# --- exercise 2: the tanh node's backward -------------------------------------------------
def _tanh_backward(x, upstream):
    return upstream * (1.0 - np.tanh(x) ** 2)


def tanh_backward(fn):
    """Check ``fn(x, upstream) -> grad_x`` for o = tanh(x) (numbers or arrays)."""
    check_function(
        "tanh_backward", fn, _tanh_backward,
        cases_with([(0.0, 1.0),  # the steepest point: slope 1
                    (0.5, 2.0),
                    (-6.0, 1.0),  # saturated: almost nothing passes
                    (np.array([-1.0, 0.0, 1.0, 3.0]), np.array([1.0, -2.0, 0.5, 1.0]))],
                   lambda rng: _random_operands(rng, 2)),
        mistakes=[
            (lambda x, g: g * (1.0 - x**2), N_("1 - o^2 is written with tanh's *output* o; this "
             "function receives the input x.")),
            (lambda x, g: 1.0 - np.tanh(x) ** 2, N_("the local slope is right, but the upstream "
             "gradient is missing: the chain rule multiplies the two.")),
            (lambda x, g: g * np.tanh(x) * (1.0 - np.tanh(x)), N_("o(1 - o) is the sigmoid's "
             "slope; tanh's slope is written differently with its output.")),
            (lambda x, g: g * (1.0 - np.tanh(x)) ** 2, N_("check where the square goes: it is "
             "the output that is squared, then subtracted from 1.")),
        ],
    )


# --- the graphs of exercises 3 and 4 ------------------------------------------------------
def _times(a, b):
    return a * b


def _steps(x, y, mul):
    a = x
    for _step in range(10):
        a = a + mul(a, y)
    return a


# The one expression written in words: its text is shown in Chinese (the others are math).
_STEPS = N_("10 steps a = a + a*y, from a = x")

# (text, leaf names, build(leaves, mul) -> root). Exercise 3 uses minibp's own *.
_SWEEP_GRAPHS = [
    ("exp(tanh(2x - 1))**2", "x", lambda x, mul: ((2 * x - 1).tanh().exp()) ** 2),  # a chain
    ("x*x + x", "x", lambda x, mul: x * x + x),  # a leaf used three times
    ("(a + x)*(a*y), a = x*y", "xy",
     lambda x, y, mul: (lambda a: (a + x) * (a * y))(x * y)),  # a diamond
    ("log(exp(x) + exp(y))*max(x, y)", "xy", lambda x, y, mul: (x.exp() + y.exp()).log() * x.max(y)),
    ("s*tanh(s), s = x*y + z", "xyz", lambda x, y, z, mul: (lambda s: s * s.tanh())(x * y + z)),
    ("a*a*a, a = x + y", "xy", lambda x, y, mul: (lambda a: a * a * a)(x + y)),
    ("h*h + h*w, h = tanh(x*w + b)", "xwb",
     lambda x, w, b, mul: (lambda h: h * h + h * w)((x * w + b).tanh())),
    ("(a*b + a)*b, a = x*y, b = tanh(a)", "xy",
     lambda x, y, mul: (lambda a: (lambda b: (a * b + a) * b)(a.tanh()))(x * y)),
    (_STEPS, "xy", lambda x, y, mul: _steps(x, y, _times)),
]

# Exercise 4: every multiplication is the learner's mul_node (``mul``), the rest minibp's.
_MUL_GRAPHS = [
    ("x*y", "xy", lambda x, y, mul: mul(x, y)),
    ("x*x", "x", lambda x, mul: mul(x, x)),
    ("(x*y)*x", "xy", lambda x, y, mul: mul(mul(x, y), x)),
    ("(x + y)*(x*y)", "xy", lambda x, y, mul: mul(x + y, mul(x, y))),
    ("a*a + a, a = x*y", "xy", lambda x, y, mul: (lambda a: mul(a, a) + a)(mul(x, y))),
    ("tanh(x*w + b)*w", "xwb", lambda x, w, b, mul: mul((mul(x, w) + b).tanh(), w)),
    (_STEPS, "xy", _steps),
]


class _Graph:
    """One case of exercises 3 and 4: an expression of a list, at given leaf values."""

    def __init__(self, graphs, index, values):
        self.text, self.names, self._build = graphs[index]
        self.values = tuple(float(v) for v in values)

    def __repr__(self):
        at = ", ".join(f"{name}={value:g}" for name, value in zip(self.names, self.values))
        text = _(self.text) if self.text == _STEPS else self.text
        return f"{text}; {at}"

    def build(self, mul=_times):
        """(root, leaves): a fresh graph, every grad 0."""
        leaves = [Value(v, label=name) for name, v in zip(self.names, self.values)]
        root = self._build(*leaves, mul)
        root.label = repr(self)
        return root, leaves


def _graph_cases(graphs, first_values):
    first = [(_Graph(graphs, i, values),) for i, values in enumerate(first_values)]

    def random_case(rng):
        index = int(rng.integers(0, len(graphs)))
        values = rng.uniform(-2, 2, size=len(graphs[index][1])).round(2)
        if graphs[index][0].startswith("10 steps"):
            values[1] = round(values[1] / 4, 2)  # (1 + y)^10 stays moderate
        return (_Graph(graphs, index, values),)

    return cases_with(first, random_case)


def _grads(leaves):
    for leaf in leaves:
        if not isinstance(leaf.grad, numbers.Real):
            raise TypeError(_("{label}.grad became a {kind}, not a number: gradients are plain "
                              "numbers (a node's .data, .grad)").format(
                                  label=leaf.label, kind=type(leaf.grad).__name__))
    return np.array([leaf.grad for leaf in leaves])


# --- exercise 3: the backward sweep -------------------------------------------------------
_NO_BACKWARD = N_("write the sweep yourself: backward_sweep may not call root.backward()")
_NO_ORDER = N_("order the nodes yourself: backward_sweep may not call minibp's "
               "topological_order")


def _refuse(message):
    def refused(*args, **kwargs):
        raise RuntimeError(_(message))
    return refused


@contextlib.contextmanager
def _without_minibp_sweep(fn):
    """Value.backward and topological_order raise, also where the learner imported them."""
    backward, order = Value.backward, autograd.topological_order
    names = getattr(fn, "__globals__", {})
    imported = [name for name, value in list(names.items()) if value is order]
    Value.backward = _refuse(_NO_BACKWARD)
    autograd.topological_order = _refuse(_NO_ORDER)
    for name in imported:
        names[name] = autograd.topological_order
    try:
        yield
    finally:
        Value.backward, autograd.topological_order = backward, order
        for name in imported:
            names[name] = order


def _swept(sweep, guarded=False):
    """graph -> the leaves' grads after ``sweep(root)`` on a fresh graph."""
    def run(graph):
        root, leaves = graph.build()
        with _without_minibp_sweep(sweep) if guarded else contextlib.nullcontext():
            sweep(root)
        return _grads(leaves)
    return run


def _topological(root):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.inputs:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def _forward_order(root):
    root.grad = 1.0
    for node in _topological(root):
        node._backward()


def _no_seed(root):
    for node in reversed(_topological(root)):
        node._backward()


def _recursive(root):
    root.grad = 1.0

    def send(node):
        node._backward()
        for parent in node.inputs:
            send(parent)

    send(root)


def _every_path(root):
    order = []

    def visit(node):
        for parent in node.inputs:
            visit(parent)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def _breadth_first(root):
    order, seen = [root], {id(root)}
    for node in order:
        for parent in node.inputs:
            if id(parent) not in seen:
                seen.add(id(parent))
                order.append(parent)
    root.grad = 1.0
    for node in order:
        node._backward()


def backward_sweep(fn):
    """Check ``fn(root)``: fills every node's grad with d root / d node (return ignored)."""
    check_function(
        "backward_sweep", _swept(fn, guarded=True) if callable(fn) else fn,
        _swept(lambda root: root.backward()),
        _graph_cases(_SWEEP_GRAPHS, [(0.5,), (-1.5,), (-2.0, 3.0), (0.5, -1.0), (0.3, -0.7, 0.2),
                                     (0.5, 1.0), (1.0, -0.5, 0.1), (0.8, -1.2), (0.5, 0.1)]),
        mistakes=[
            (_swept(_no_seed), N_("every gradient is still 0: the sweep starts at the root with "
             "d root/d root = 1, and each node then sends to its inputs.")),
            (_swept(_forward_order), N_("the nodes sent in forward order, inputs first: a node can "
             "pass on its gradient only after every node that uses it has sent to it.")),
            (_swept(_every_path), N_("some node sent its gradient more than once: list every node "
             "once, each after all the nodes that use it.")),
            (_swept(_recursive), N_("a shared node sent its gradient before all its users had sent "
             "to it, and more than once: a node sends once, after every node that uses it.")),
            (_swept(_breadth_first), N_("each node sends once, but one sent before a node that uses "
             "it had sent to it: breadth-first order is not enough when paths differ in length.")),
        ],
        received=(fn, lambda graph: (graph.build()[0],)),
    )


# --- exercise 4: a multiply node that adds its gradients ----------------------------------
_NO_TIMES = N_("build the node yourself: mul_node may not use minibp's * on Values")


def _with_mul(mul, guarded=False):
    """graph -> (root's value, the leaves' grads), every * of the graph made by ``mul``."""
    def checked_mul(a, b):
        times, rtimes = Value.__mul__, Value.__rmul__
        if guarded:  # Value's own * would pass without a line of backward written
            Value.__mul__ = Value.__rmul__ = _refuse(_NO_TIMES)
        try:
            out = mul(a, b)
        finally:
            Value.__mul__, Value.__rmul__ = times, rtimes
        if not isinstance(out, Value):
            raise TypeError(_("mul_node must return a new Value, got {kind}").format(
                kind=type(out).__name__))
        return out

    def run(graph):
        root, leaves = graph.build(checked_mul)
        root.backward()
        return root.data, _grads(leaves)

    return run


def _reference_mul(a, b):
    return a * b


def _node(a, b, send):
    out = Value(a.data * b.data, (a, b), "*")
    out._backward = lambda: send(a, b, out)
    return out


def _assigns(a, b, out):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _not_swapped(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _no_upstream(a, b, out):
    a.grad += b.data
    b.grad += a.data


def mul_node(fn):
    """Check ``fn(a, b) -> Value`` for a * b whose backward adds to a.grad and b.grad."""
    check_function(
        "mul_node", _with_mul(fn, guarded=True) if callable(fn) else fn, _with_mul(_reference_mul),
        _graph_cases(_MUL_GRAPHS, [(-2.0, 3.0), (0.5,), (0.5, -1.5), (1.0, 2.0), (0.5, -1.0),
                                   (1.0, -0.5, 0.1), (0.5, 0.1)]),
        mistakes=[
            (_with_mul(lambda a, b: _node(a, b, _assigns)), N_("a node used twice lost one of its "
             "gradients: each use must add its share to .grad, not replace what is there.")),
            (_with_mul(lambda a, b: _node(a, b, _not_swapped)), N_("d(ab)/da is b, not a: each "
             "input receives the upstream gradient times the *other* input.")),
            (_with_mul(lambda a, b: _node(a, b, _no_upstream)), N_("the local gradients are there, "
             "but the upstream gradient out.grad is missing: the chain rule multiplies the two.")),
            (_with_mul(lambda a, b: Value(a.data * b.data)), N_("no gradient flows through your "
             "multiply: does the new node remember its inputs (a, b), and is its _backward set?")),
        ],
    )


# --- exercise 5: the lesson-01 network's gradients from a graph ---------------------------
def _graph_gradients(x, t, W1, b1, W2, b2, output="sigmoid", scale=1.0):
    net = Network.from_layers([Dense(W1, b1, "sigmoid"), Dense(W2, b2, output)])
    _, grads = net.loss_and_gradients(x[None, :], t[None, :], SquaredError())
    return tuple(scale * g for g in (grads.dW[1], grads.db[1], grads.dW[2], grads.db[2]))


def _holds_values(item):
    if isinstance(item, Value):
        return True
    if isinstance(item, np.ndarray):
        return item.dtype == object and any(_holds_values(v) for v in item.ravel())
    if isinstance(item, (list, tuple)):
        return any(_holds_values(v) for v in item)
    return False


def _numbers_only(fn):
    """fn, refusing results that hold Value nodes instead of their gradients."""
    def run(*args):
        result = fn(*args)
        if isinstance(result, (tuple, list)):
            for i, item in enumerate(result):
                if _holds_values(item):
                    raise TypeError(_("result[{i}] holds Value nodes: return their gradients, "
                                      "numpy arrays of numbers").format(i=i))
        return result
    return run


def _random_network(rng):
    n_in, n_h, n_o = (int(v) for v in rng.integers(1, 5, size=3))
    t = rng.integers(0, 2, n_o).astype(float) if rng.integers(0, 2) else rng.uniform(size=n_o)
    return (rng.normal(size=n_in), t, rng.normal(size=(n_in, n_h)), rng.normal(size=n_h),
            rng.normal(size=(n_h, n_o)), rng.normal(size=n_o))


def graph_gradients(fn):
    """Check ``fn(x, t, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` of 1/2 sum (t - o)^2."""
    ex = _EXAMPLE
    check_function(
        "graph_gradients", _numbers_only(fn) if callable(fn) else fn, _graph_gradients,
        cases_with([(ex.x, ex.t, ex.W1, ex.b1, ex.W2, ex.b2),
                    (ex.x, _O6, ex.W1, ex.b1, ex.W2, ex.b2),  # t == o: no error, no gradient
                    (np.zeros(3), ex.t, ex.W1, ex.b1, ex.W2, ex.b2)],  # x = 0: dW1 = 0
                   _random_network),
        mistakes=[
            (lambda *a: _graph_gradients(*a, scale=-1.0), N_("every gradient has the wrong sign: "
             "build the loss itself, 1/2 sum (t - o)^2, and let backward find its slopes.")),
            (lambda *a: _graph_gradients(*a, scale=2.0), N_("every gradient is twice too large: "
             "the loss has a factor 1/2.")),
            (lambda *a: _graph_gradients(*a, output="identity"), N_("is the output squashed too? "
             "Both layers are sigmoid layers, the output layer included.")),
            (_without_biases, N_("the biases get no gradient: does your forward pass add them to "
             "the net inputs?")),
        ],
        received=(fn, lambda *case: case),
    )


def _without_biases(x, t, W1, b1, W2, b2):
    dW1, _, dW2, _ = _graph_gradients(x, t, W1, 0 * b1, W2, 0 * b2)
    return dW1, np.zeros_like(b1), dW2, np.zeros_like(b2)


# --- exercise 6: softmax with cross-entropy, stably ---------------------------------------
def _softmax_cross_entropy(z, t):
    return CrossEntropy().losses(z, softmax(z), t, get_activation("softmax")), softmax(z) - t


def _finite_only(fn):
    """fn, raising where its losses or delta hold inf or nan (the reference's never do)."""
    def run(z, t):
        result = fn(z, t)
        if isinstance(result, (tuple, list)):
            for item in result:
                try:
                    values = np.asarray(item, dtype=np.float64)
                except (TypeError, ValueError):
                    continue
                if not np.all(np.isfinite(values)):
                    raise FloatingPointError(_("its losses or delta hold inf or nan"))
        return result
    return run


def _naive(z, t):
    with np.errstate(all="ignore"):
        y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.sum(t * np.log(y), axis=1), y - t


def _log_of_softmax(z, t):
    with np.errstate(all="ignore"):
        y = softmax(z)
        return -np.sum(t * np.log(y), axis=1), y - t


def _one_hot_only(z, t):
    with np.errstate(all="ignore"):
        y = softmax(z)
        return -np.log(np.sum(t * y, axis=1)), y - t


def _soft_targets(rng, N, k):
    return rng.dirichlet(np.ones(k), size=N)


def _random_logits(rng):
    N, k = int(rng.integers(1, 5)), int(rng.integers(2, 11))
    z = rng.normal(size=(N, k)) * 3
    if rng.integers(0, 4) == 0:
        return z, _soft_targets(rng, N, k)
    return z, np.eye(k)[rng.integers(0, k, size=N)]


def softmax_cross_entropy(fn):
    """Check ``fn(z, t) -> (losses, delta)``: z, t (N, k); losses (N,), delta (N, k)."""
    wrong = _finite_only  # a known mistake's inf or nan is "raised" as the learner's is
    check_function(
        "softmax_cross_entropy", _finite_only(fn) if callable(fn) else fn,
        _softmax_cross_entropy,
        cases_with([(np.array([[2.0, 1.0, 0.1]]), np.array([[1.0, 0.0, 0.0]])),
                    (np.zeros((2, 4)), np.eye(4)[[0, 3]]),  # equal logits: loss ln 4
                    (np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]),
                     np.array([[0.2, 0.3, 0.5], [0.5, 0.5, 0.0]])),  # soft targets
                    (np.array([[1000.0, 1000.5, 999.0]]), np.array([[0.0, 1.0, 0.0]])),
                    (np.array([[-1000.0, -1000.0, -1000.0]]), np.array([[0.0, 0.0, 1.0]])),
                    (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]]),
                     np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))],  # a loss of 1000
                   _random_logits),
        mistakes=[
            (wrong(_log_of_softmax), N_("a probability underflowed to 0, and ln 0 = -inf: compute "
             "ln softmax(z) from the logits themselves rather than taking the log of softmax(z).")),
            (wrong(_naive), N_("e^z overflows for large logits (e^1000 is inf). Note that "
             "softmax(z) = softmax(z - c) for any constant c.")),
            (wrong(_one_hot_only), N_("-ln(y of the target class) holds for one-hot targets only; "
             "t may be any probabilities: the loss sums over every class.")),
            (wrong(lambda z, t: (-_softmax_cross_entropy(z, t)[0], softmax(z) - t)), N_("a loss "
             "here is never negative: ln y <= 0, so -sum t ln y >= 0.")),
            (wrong(lambda z, t: (_softmax_cross_entropy(z, t)[0], t - softmax(z))), N_("delta has "
             "the wrong sign: it is the slope of the loss, which grows when y_k exceeds t_k.")),
            (wrong(lambda z, t: (_softmax_cross_entropy(z, t)[0],
                                 softmax(z) * (1 - softmax(z)) * (softmax(z) - t))),
             N_("y(1 - y) is an elementwise sigmoid's slope; for softmax with cross-entropy the "
             "slopes cancel and delta is simpler.")),
            (wrong(lambda z, t: (_softmax_cross_entropy(z, t)[0], (softmax(z) - t) / len(z))),
             N_("delta is each example's own slope dL_n/dz_n: no division by the batch size.")),
            (wrong(lambda z, t: (np.sum(_softmax_cross_entropy(z, t)[0]),
                                 _softmax_cross_entropy(z, t)[1])),
             N_("losses holds one loss per example, shape (N,): do not add them up.")),
            (wrong(lambda z, t: (np.mean(_softmax_cross_entropy(z, t)[0]),
                                 _softmax_cross_entropy(z, t)[1])),
             N_("losses holds one loss per example, shape (N,): do not average them.")),
        ],
        received=(fn, lambda z, t: (z, t)),
    )
