"""Tests for minibp.network: the textbook worked example, backprop vs finite differences, shapes."""

import math

import numpy as np
import pytest

from minibp import data
from minibp.activations import ACTIVATIONS
from minibp.gradcheck import check_network_gradients
from minibp.losses import PowerError, SquaredError
from minibp.network import Dense, Forward, Gradients, Network

HIDDEN = [name for name, act in ACTIVATIONS.items() if act.elementwise]


# --- the worked example (Han, Kamber & Pei): a 3-2-1 sigmoid net, one sample ------------------

def worked_network():
    ex = data.worked_example()
    return ex, Network.from_layers([Dense(ex.W1, ex.b1), Dense(ex.W2, ex.b2)])


def textbook_update():
    """One backprop step computed unit by unit with scalar arithmetic, as the textbook does."""

    def sigmoid(v):
        return 1.0 / (1.0 + math.exp(-v))

    x1, x2, x3, t, eta = 1.0, 0.0, 1.0, 1.0, 0.9
    w14, w15, w24, w25, w34, w35, w46, w56 = 0.2, -0.3, 0.4, 0.1, -0.5, 0.2, -0.3, -0.2
    theta4, theta5, theta6 = -0.4, 0.2, 0.1
    o4 = sigmoid(x1 * w14 + x2 * w24 + x3 * w34 + theta4)
    o5 = sigmoid(x1 * w15 + x2 * w25 + x3 * w35 + theta5)
    o6 = sigmoid(o4 * w46 + o5 * w56 + theta6)
    err6 = o6 * (1 - o6) * (t - o6)
    err5 = o5 * (1 - o5) * err6 * w56
    err4 = o4 * (1 - o4) * err6 * w46
    return {
        "o4": o4, "o5": o5, "o6": o6, "err6": err6, "err5": err5, "err4": err4,
        "w14": w14 + eta * err4 * x1, "w15": w15 + eta * err5 * x1,
        "w24": w24 + eta * err4 * x2, "w25": w25 + eta * err5 * x2,
        "w34": w34 + eta * err4 * x3, "w35": w35 + eta * err5 * x3,
        "w46": w46 + eta * err6 * o4, "w56": w56 + eta * err6 * o5,
        "theta4": theta4 + eta * err4, "theta5": theta5 + eta * err5, "theta6": theta6 + eta * err6,
    }


def minibp_update():
    ex, net = worked_network()
    _, grads = net.loss_and_gradients(ex.x, ex.t, "squared_error")
    for W, dW in zip(net.parameters(), grads.as_list()):
        W -= ex.learning_rate * dW
    (W1, b1), (W2, b2) = [(layer.W, layer.b) for layer in net.layers]
    return net, {
        "w14": W1[0, 0], "w15": W1[0, 1], "w24": W1[1, 0], "w25": W1[1, 1],
        "w34": W1[2, 0], "w35": W1[2, 1], "w46": W2[0, 0], "w56": W2[1, 0],
        "theta4": b1[0], "theta5": b1[1], "theta6": b2[0],
    }


def test_worked_example_forward_pass():
    ex, net = worked_network()
    fwd = net.forward(ex.x)
    np.testing.assert_array_equal(np.round(fwd.a[1], 3), [[0.332, 0.525]])
    np.testing.assert_array_equal(np.round(fwd.output, 3), [[0.474]])
    ref = textbook_update()
    np.testing.assert_allclose(fwd.a[1], [[ref["o4"], ref["o5"]]], rtol=1e-15)
    np.testing.assert_allclose(fwd.output, [[ref["o6"]]], rtol=1e-15)


def test_worked_example_output_delta():
    ex, net = worked_network()
    fwd = net.forward(ex.x)
    delta6 = SquaredError().output_delta(fwd.z[2], fwd.output, ex.t, "sigmoid")
    o6 = fwd.output[0, 0]
    assert delta6.shape == (1, 1)
    assert delta6[0, 0] == pytest.approx((o6 - 1.0) * o6 * (1 - o6), rel=1e-15)
    assert round(delta6[0, 0], 5) == -0.13117
    assert delta6[0, 0] == pytest.approx(-textbook_update()["err6"], rel=1e-15)


def test_worked_example_deltas_are_minus_the_textbook_errors():
    ex, net = worked_network()
    _, grads = net.loss_and_gradients(ex.x, ex.t, "squared_error")
    ref = textbook_update()
    np.testing.assert_allclose(grads.delta[1], [[-ref["err4"], -ref["err5"]]], rtol=1e-13)
    np.testing.assert_allclose(grads.delta[2], [[-ref["err6"]]], rtol=1e-13)
    assert round(ref["err5"], 4) == -0.0065 and round(ref["err4"], 4) == -0.0087


@pytest.mark.parametrize("name", ["w14", "w15", "w24", "w25", "w34", "w35", "w46", "w56",
                                  "theta4", "theta5", "theta6"])
def test_worked_example_update_matches_the_scalar_computation(name):
    _, updated = minibp_update()
    assert abs(updated[name] - textbook_update()[name]) < 1e-12


# The textbook's published updated values (3 decimals). Each was checked against the exact
# float64 computation above: all eleven agree when rounded to 3 decimals.
PUBLISHED = {
    "w46": -0.261, "w56": -0.138, "w14": 0.192, "w15": -0.306, "w24": 0.4, "w25": 0.1,
    "w34": -0.508, "w35": 0.194, "theta6": 0.218, "theta5": 0.194, "theta4": -0.408,
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_worked_example_update_matches_the_published_values(name):
    _, updated = minibp_update()
    assert round(float(updated[name]), 3) == PUBLISHED[name]
    assert round(textbook_update()[name], 3) == PUBLISHED[name]


def test_worked_example_inputs_of_zero_leave_their_weights_alone():
    _, updated = minibp_update()
    assert updated["w24"] == 0.4 and updated["w25"] == 0.1  # x2 = 0


def test_worked_example_loss_falls_after_the_update():
    ex, before = worked_network()
    after, _ = minibp_update()
    loss_before = 0.5 * (1.0 - before.predict(ex.x)[0, 0]) ** 2
    loss_after = 0.5 * (1.0 - after.predict(ex.x)[0, 0]) ** 2
    assert loss_after < loss_before
    assert before.loss_and_gradients(ex.x, ex.t)[0] == pytest.approx(loss_before, rel=1e-15)


def test_worked_example_layers_are_copies():
    ex, net = worked_network()
    net.layers[0].W[0, 0] = 7.0  # the example's arrays are read-only; the layer's are not
    assert ex.W1[0, 0] == 0.2 and data.worked_example().W1[0, 0] == 0.2


# --- gradients of random networks against finite differences ----------------------------------

# (loss, output activation, output units, kind of targets)
LOSS_SETUPS = [
    ("squared_error", "sigmoid", 2, "binary"),
    ("squared_error", "identity", 2, "real"),
    ("squared_error", "softmax", 3, "one_hot"),
    ("cross_entropy", "sigmoid", 2, "binary"),
    ("cross_entropy", "softmax", 3, "one_hot"),
    ("hebbian_descent", "tanh", 2, "unit"),
    (PowerError(2.0), "sigmoid", 2, "binary"),
    (PowerError(0.5), "identity", 2, "real"),
]


def random_problem(depth, hidden, setup, seed):
    loss, output, k, kind = setup
    rng = np.random.default_rng(seed)
    sizes = [3] + [4] * (depth - 1) + [k]
    net = Network(sizes, activation=hidden, output_activation=output, init="xavier_normal", rng=seed)
    for layer in net.layers:  # nonzero biases, so db is tested too
        layer.b[:] = rng.normal(0.0, 0.5, size=layer.b.shape)
    X = rng.normal(size=(5, 3))
    if kind == "binary":
        T = rng.integers(0, 2, size=(5, k)).astype(float)
    elif kind == "one_hot":
        T = np.eye(k)[rng.integers(0, k, size=5)]
    elif kind == "unit":
        T = rng.uniform(-0.9, 0.9, size=(5, k))
    else:
        T = rng.normal(size=(5, k))
    return net, X, T, loss


GRADIENT_CASES = [(1, "sigmoid", setup) for setup in LOSS_SETUPS] + [
    (depth, hidden, setup) for depth in (2, 3, 4) for hidden in HIDDEN for setup in LOSS_SETUPS
]


@pytest.mark.parametrize("depth, hidden, setup", GRADIENT_CASES,
                         ids=[f"L{d}-{h}-{s[0]!s}-{s[1]}" for d, h, s in GRADIENT_CASES])
def test_backprop_matches_finite_differences(depth, hidden, setup):
    seed = 100 * depth + HIDDEN.index(hidden) * 10 + LOSS_SETUPS.index(setup)
    net, X, T, loss = random_problem(depth, hidden, setup, seed)
    before = [p.copy() for p in net.parameters()]
    report = check_network_gradients(net, X, T, loss, eps=1e-5)
    assert [r["layer"] for r in report] == list(range(1, depth + 1))
    for r in report:
        assert r["dW"] < 1e-7 and r["db"] < 1e-7, r
    for p, p0 in zip(net.parameters(), before):  # the check leaves the weights as they were
        np.testing.assert_array_equal(p, p0)


def test_mixed_hidden_activations_backprop(rng):
    net = Network([3, 4, 4, 4, 2], activation=["tanh", "relu", "softsign"],
                  output_activation="softmax", rng=4)
    assert [layer.activation.name for layer in net.layers] == ["tanh", "relu", "softsign", "softmax"]
    X = rng.normal(size=(6, 3))
    T = np.eye(2)[rng.integers(0, 2, size=6)]
    for r in check_network_gradients(net, X, T, "cross_entropy", eps=1e-5):
        assert r["dW"] < 1e-7 and r["db"] < 1e-7


def test_backward_formulas_on_a_batch(rng):
    """dW_l = a_{l-1}^T delta_l / N and db_l = mean of delta_l, delta recursion through W^T f'."""
    net = Network([3, 5, 2], activation="tanh", output_activation="identity", rng=2)
    X = rng.normal(size=(7, 3))
    fwd = net.forward(X)
    delta_L = rng.normal(size=(7, 2))
    g = net.backward(fwd, delta_L)
    W2 = net.layers[1].W
    np.testing.assert_allclose(g.delta[1], (delta_L @ W2.T) * (1 - np.tanh(fwd.z[1]) ** 2), rtol=1e-14)
    np.testing.assert_allclose(g.dW[2], fwd.a[1].T @ delta_L / 7, rtol=1e-14)
    np.testing.assert_allclose(g.db[2], delta_L.mean(axis=0), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(g.dW[1], X.T @ g.delta[1] / 7, rtol=1e-14)
    np.testing.assert_array_equal(g.delta[2], delta_L)


def test_gradients_of_a_batch_are_the_mean_of_single_example_gradients(rng):
    net = Network([3, 4, 2], rng=3)
    X, T = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
    value, grads = net.loss_and_gradients(X, T, "cross_entropy")
    singles = [net.loss_and_gradients(X[n], T[n], "cross_entropy") for n in range(4)]
    assert value == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-14)
    for i, g in enumerate(grads.as_list()):
        np.testing.assert_allclose(g, np.mean([s[1].as_list()[i] for s in singles], axis=0),
                                   rtol=1e-13, atol=1e-17)


# --- structure: Forward, Gradients, parameters ------------------------------------------------

def test_forward_keeps_z_and_a_per_layer_with_index_zero_the_input(rng):
    net = Network([3, 5, 4, 2], rng=0)
    X = rng.normal(size=(6, 3))
    fwd = net.forward(X)
    assert isinstance(fwd, Forward)
    assert len(fwd.z) == len(fwd.a) == 4
    assert fwd.z[0] is None
    np.testing.assert_array_equal(fwd.a[0], X)
    for l, n in enumerate([5, 4, 2], start=1):
        assert fwd.z[l].shape == fwd.a[l].shape == (6, n)
        np.testing.assert_allclose(fwd.z[l], fwd.a[l - 1] @ net.layers[l - 1].W + net.layers[l - 1].b)
        np.testing.assert_array_equal(fwd.a[l], net.layers[l - 1].activation(fwd.z[l]))
    assert fwd.output is fwd.a[-1]
    np.testing.assert_array_equal(net.predict(X), fwd.output)


def test_a_single_example_may_be_a_vector():
    net = Network([3, 4, 2], rng=0)
    fwd = net.forward([0.1, 0.2, 0.3])
    assert fwd.a[0].shape == (1, 3) and fwd.output.shape == (1, 2)


def test_gradients_have_index_zero_none_and_the_parameter_shapes(rng):
    net = Network([3, 5, 2], rng=0)
    _, grads = net.loss_and_gradients(rng.normal(size=(4, 3)), rng.uniform(size=(4, 2)))
    assert isinstance(grads, Gradients)
    assert grads.delta[0] is None and grads.dW[0] is None and grads.db[0] is None
    assert [d.shape for d in grads.delta[1:]] == [(4, 5), (4, 2)]
    assert [g.shape for g in grads.as_list()] == [p.shape for p in net.parameters()]
    assert grads.as_list()[0] is grads.dW[1] and grads.as_list()[3] is grads.db[2]


def test_network_construction():
    net = Network([4, 6, 3, 2], activation="tanh", output_activation="softmax", rng=1)
    assert net.sizes == [4, 6, 3, 2] and net.depth == 3
    assert [layer.activation.name for layer in net.layers] == ["tanh", "tanh", "softmax"]
    assert net.output_activation.name == "softmax"
    assert all(np.all(layer.b == 0) for layer in net.layers)
    assert [p.shape for p in net.parameters()] == [(4, 6), (6,), (6, 3), (3,), (3, 2), (2,)]
    assert net.parameters()[0] is net.layers[0].W  # the arrays themselves
    assert repr(net) == "Network([Dense(4 -> 6, tanh), Dense(6 -> 3, tanh), Dense(3 -> 2, softmax)])"


def test_same_seed_same_network_and_copy_is_independent():
    a, b, c = Network([3, 4, 2], rng=7), Network([3, 4, 2], rng=7), Network([3, 4, 2], rng=8)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.layers[0].W, c.layers[0].W)
    d = a.copy()
    d.layers[0].W[0, 0] += 1.0
    assert d.layers[0].W[0, 0] != a.layers[0].W[0, 0]


def test_init_and_init_options_reach_the_initializer():
    net = Network([10, 4], init="uniform", init_options={"limit": 0.01}, rng=0)
    assert np.abs(net.layers[0].W).max() <= 0.01
    net = Network([10, 4], init="negative_mean", init_options={"c": 5.0}, rng=0)
    assert net.layers[0].W.max() <= -0.5 + 1 / np.sqrt(10)


def test_from_layers_accepts_tuples():
    net = Network.from_layers([(np.ones((2, 3)), np.zeros(3), "relu"), (np.ones((3, 1)), [0.5])])
    np.testing.assert_allclose(net.predict([[1.0, 2.0]]), [[1 / (1 + np.exp(-9.5))]])


# --- bad inputs -------------------------------------------------------------------------------

@pytest.fixture
def net():
    return Network([3, 4, 2], rng=0)


def test_wrong_input_width_raises_naming_x(net):
    with pytest.raises(ValueError, match=r"X must have 3 column\(s\)"):
        net.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="X must be 1-D or 2-D"):
        net.forward(np.zeros((5, 3, 1)))


def test_nan_in_x_raises_naming_x(net):
    X = np.zeros((5, 3))
    X[1, 1] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        net.forward(X)
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        net.loss_and_gradients(X, np.zeros((5, 2)))


def test_wrong_targets_raise_naming_t(net):
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"T must have 2 column\(s\)"):
        net.loss_and_gradients(X, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"T must have one row per example of X \(5\), got 4"):
        net.loss_and_gradients(X, np.zeros((4, 2)))
    T = np.zeros((5, 2))
    T[0, 0] = np.inf
    with pytest.raises(ValueError, match="T contains 1 NaN or inf"):
        net.loss_and_gradients(X, T)


def test_wrong_output_delta_raises(net):
    fwd = net.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"output_delta must have one row per example \(5\)"):
        net.backward(fwd, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"output_delta must have 2 column\(s\)"):
        net.backward(fwd, np.zeros((5, 3)))


def test_softmax_as_a_hidden_activation_raises():
    with pytest.raises(ValueError, match=r"softmax can only be the output activation \(hidden layer 1\)"):
        Network([3, 4, 2], activation="softmax")
    with pytest.raises(ValueError, match=r"softmax can only be the output activation \(hidden layer 2\)"):
        Network.from_layers([Dense(np.ones((3, 4)), np.zeros(4), "tanh"),
                             Dense(np.ones((4, 2)), np.zeros(2), "softmax"),
                             Dense(np.ones((2, 1)), np.zeros(1), "sigmoid")])


def test_mismatched_layer_sizes_raise():
    with pytest.raises(ValueError, match="layer 2 expects 3 inputs but layer 1 has 4 units"):
        Network.from_layers([Dense(np.ones((2, 4)), np.zeros(4)), Dense(np.ones((3, 1)), np.zeros(1))])
    with pytest.raises(ValueError, match="layers must hold at least one Dense layer"):
        Network.from_layers([])


def test_bad_dense_layers_raise_naming_the_argument():
    with pytest.raises(ValueError, match=r"b must have one entry per unit of the layer \(3\)"):
        Dense(np.ones((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="W must be 2-D"):
        Dense(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="W contains 1 NaN"):
        Dense([[1.0, np.nan]], np.zeros(2))
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        Dense(np.ones((2, 3)), np.zeros(3), "gelu")


@pytest.mark.parametrize("kwargs, pattern", [
    ({"sizes": [3]}, "sizes must list at least an input and an output size"),
    ({"sizes": [3, 0, 2]}, "sizes must be >= 1"),
    ({"sizes": [3, 2.5, 2]}, "sizes must be an integer"),
    ({"sizes": [3, 4, 2], "activation": ["tanh", "relu"]},
     r"activation must be one name or one per hidden layer \(1\)"),
    ({"sizes": [3, 4, 2], "activation": "swish"}, "unknown activation 'swish'"),
    ({"sizes": [3, 4, 2], "output_activation": "swish"}, "unknown activation 'swish'"),
    ({"sizes": [3, 4, 2], "init": "zeros"}, "unknown init 'zeros'"),
    ({"sizes": [3, 4, 2], "rng": "0"}, "rng must be"),
])
def test_bad_network_arguments_raise_naming_them(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Network(**kwargs)


def test_an_activation_object_is_accepted_for_hidden_and_output_layers():
    tanh = ACTIVATIONS["tanh"]
    net = Network([3, 4, 4, 2], activation=tanh, output_activation=ACTIVATIONS["identity"], rng=0)
    assert [layer.activation for layer in net.layers] == [tanh, tanh, ACTIVATIONS["identity"]]
