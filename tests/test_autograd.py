"""minibp.autograd: every operation's local gradient against finite differences, the sweep's
order and sums, and the graph's gradients against Network.backward on random small networks."""

import math

import numpy as np
import pytest

from minibp import autograd, data
from minibp.autograd import Value, topological_order
from minibp.losses import CrossEntropy, SquaredError
from minibp.network import Dense, Network


def numeric_gradient(f, values, eps=1e-6):
    """Centred differences of the scalar f(*values) with respect to each value."""
    grads = []
    for i in range(len(values)):
        up, down = list(values), list(values)
        up[i] += eps
        down[i] -= eps
        grads.append((f(*up) - f(*down)) / (2 * eps))
    return grads


def graph_gradient(build, values):
    leaves = [Value(v) for v in values]
    root = build(*leaves)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


OPERATIONS = {  # name: (graph, the same in floats, where to evaluate)
    "add": (lambda x, y: x + y, lambda x, y: x + y, (0.7, -1.3)),
    "mul": (lambda x, y: x * y, lambda x, y: x * y, (0.7, -1.3)),
    "pow": (lambda x: x ** 3, lambda x: x ** 3, (-0.8,)),
    "pow_fraction": (lambda x: x ** 0.5, lambda x: x ** 0.5, (2.3,)),
    "exp": (lambda x: x.exp(), math.exp, (0.4,)),
    "log": (lambda x: x.log(), math.log, (2.5,)),
    "tanh": (lambda x: x.tanh(), math.tanh, (-0.6,)),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), (0.9,)),
    "relu_on": (lambda x: x.relu(), lambda x: max(x, 0.0), (0.5,)),
    "relu_off": (lambda x: x.relu(), lambda x: max(x, 0.0), (-0.5,)),
    "max": (lambda x, y: x.max(y), max, (0.3, 1.1)),
    "neg_sub": (lambda x, y: -x - y, lambda x, y: -x - y, (0.3, 1.1)),
    "div": (lambda x, y: x / y, lambda x, y: x / y, (0.3, 1.7)),
    "reflected": (lambda x: 2 - 3 / (1 + x * 2), lambda x: 2 - 3 / (1 + x * 2), (0.6,)),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_value_and_gradient_match_floats_and_finite_differences(name):
    graph, floats, at = OPERATIONS[name]
    value, grads = graph_gradient(graph, at)
    assert value == pytest.approx(floats(*at), rel=1e-12)
    assert grads == pytest.approx(numeric_gradient(floats, at), rel=1e-6, abs=1e-9)


def test_gate_patterns_add_distributes_multiply_swaps_max_routes():
    x, y, z = Value(3.0), Value(-4.0), Value(2.0)
    f = (x + y) * y.max(z)  # (x + y) = -1, max(y, z) = z = 2
    f.backward()
    # df/d(x+y) = max(y, z) = 2 goes unchanged to x and to y (add); df/dmax = x + y = -1 goes
    # to z only (max routes); y gets only what add sent it.
    assert (x.grad, y.grad, z.grad) == (2.0, 2.0, -1.0)


def test_a_node_used_twice_receives_the_sum_of_both_gradients():
    x = Value(3.0)
    square = x * x
    square.backward()
    assert x.grad == 6.0  # 2x: each of the two edges sends x
    y = Value(-2.0)
    f = y * y + y  # three uses of y, through two nodes
    f.backward()
    assert y.grad == 2 * -2.0 + 1


def test_backward_twice_gives_the_same_gradients_not_their_sum():
    x, w = Value(0.5), Value(-1.5)
    loss = (x * w).tanh() ** 2
    loss.backward()
    first = (x.grad, w.grad)
    loss.backward()
    assert (x.grad, w.grad) == first


def test_topological_order_puts_inputs_first_and_every_node_once():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    a = x * y
    b = a + x
    root = b * a
    order = topological_order(root)
    assert len(order) == len({id(n) for n in order}) == 5
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.inputs:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is root


def test_a_long_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 5000, rel=1e-9)


def _graph_loss(network, x, t, loss="squared_error"):
    """The network's loss for one example, built from scalar Values; returns (L, W, b) leaves."""
    W = [[[Value(w) for w in row] for row in layer.W] for layer in network.layers]
    b = [[Value(v) for v in layer.b] for layer in network.layers]
    a = [Value(v) for v in x]
    for l, layer in enumerate(network.layers):
        z = [sum((a[p] * W[l][p][q] for p in range(len(a))), b[l][q]) for q in range(len(b[l]))]
        name = layer.activation.name
        if name == "softmax":
            a = z
        else:
            a = [getattr(z_q, {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu"}[name])()
                 for z_q in z]
    if loss == "squared_error":
        L = sum(((a_k - t_k) ** 2 for a_k, t_k in zip(a, t)), Value(0.0)) * 0.5
    else:  # softmax cross-entropy, stably: log-sum-exp shifted by the largest logit
        m = max(z_k.data for z_k in a)
        log_sum = sum(((z_k - m).exp() for z_k in a), Value(0.0)).log() + m
        L = sum((t_k * (log_sum - z_k) for z_k, t_k in zip(a, t)), Value(0.0))
    return L, W, b


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_graph_gives_network_backward_gradients_on_random_small_networks(seed, activation):
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in rng.integers(1, 5, size=rng.integers(2, 5))]
    network = Network(sizes, activation=activation, output_activation="sigmoid", rng=seed)
    for layer in network.layers:  # nonzero biases, so their gradients are tested too
        layer.b[:] = rng.normal(size=layer.b.shape)
    x, t = rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])
    loss, grads = network.loss_and_gradients(x[None], t[None], SquaredError())
    L, W, b = _graph_loss(network, x, t)
    L.backward()
    assert L.data == pytest.approx(loss, rel=1e-12)
    for l in range(1, network.depth + 1):
        dW = np.array([[w.grad for w in row] for row in W[l - 1]])
        db = np.array([v.grad for v in b[l - 1]])
        np.testing.assert_allclose(dW, grads.dW[l], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(db, grads.db[l], rtol=1e-10, atol=1e-14)


def test_the_graph_of_softmax_cross_entropy_gives_y_minus_t():
    rng = np.random.default_rng(3)
    network = Network([4, 3, 5], activation="tanh", output_activation="softmax", rng=3)
    x, t = rng.normal(size=4), np.eye(5)[2]
    loss, grads = network.loss_and_gradients(x[None], t[None], CrossEntropy())
    L, W, b = _graph_loss(network, x, t, loss="cross_entropy")
    L.backward()
    assert L.data == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose([v.grad for v in b[1]], grads.db[2], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose([v.grad for v in b[1]], network.predict(x[None])[0] - t,
                               rtol=1e-10, atol=1e-14)


def test_lesson_01_worked_example_on_the_graph():
    ex = data.worked_example()
    network = Network.from_layers([Dense(ex.W1, ex.b1), Dense(ex.W2, ex.b2)])
    L, W, b = _graph_loss(network, ex.x, ex.t)
    L.backward()
    assert round(b[1][0].grad, 4) == -0.1312  # delta_6: a bias's gradient is its unit's delta
    assert [round(v.grad, 4) for v in b[0]] == [0.0087, 0.0065]  # delta_4, delta_5


@pytest.mark.parametrize("bad, message", [
    (lambda: Value("1.0"), "data must be one real number, got str"),
    (lambda: Value(np.array([1.0, 2.0])), "data must be one real number, got ndarray"),
    (lambda: Value(2.0) ** Value(3.0), "exponent must be a constant"),
    (lambda: Value(-1.0).log(), "log needs a positive value, got -1"),
    (lambda: topological_order(3.0), "root must be a Value, got float"),
])
def test_bad_input_gets_a_clear_error(bad, message):
    with pytest.raises((TypeError, ValueError), match=message):
        bad()


def test_numbers_mix_with_values_on_either_side():
    x = Value(2.0)
    y = 1 + 3 * x - 1 / x
    y.backward()
    assert y.data == 6.5 and x.grad == 3 + 1 / 4
    assert isinstance(autograd.as_value(1.5), Value)
