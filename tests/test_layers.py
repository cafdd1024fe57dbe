"""Tests for minibp.layers (convolutions, Flatten, Dropout) and the layer contract of Network.

Every gradient is refereed by centred finite differences; Dense-only networks must give
bit-identical results to the formula Network.backward used before layers became pluggable.
"""

import numpy as np
import pytest

from minibp import SGD, data, fit
from minibp.diagnostics import layer_statistics
from minibp.gradcheck import check_network_gradients, numerical_gradient, relative_error
from minibp.layers import Conv1D, Conv2D, Dropout, Flatten
from minibp.losses import get_loss
from minibp.network import Dense, Network

CONV1D_CASES = [  # (N, C_in, length, C_out, k, f)
    (3, 2, 7, 3, 3, "tanh"), (2, 1, 5, 1, 5, "sigmoid"), (4, 3, 6, 2, 1, "identity"),
]
CONV2D_CASES = [  # (N, C_in, (H, W), C_out, (kh, kw), f)
    (2, 2, (5, 4), 3, (3, 2), "tanh"), (3, 3, (4, 4), 2, (1, 3), "sigmoid"),
    (1, 1, (3, 3), 1, (3, 3), "identity"), (2, 4, (6, 5), 3, (2, 3), "softsign"),
]


def conv1d(case, rng):
    N, C_in, length, C_out, k, f = case
    layer = Conv1D(rng.normal(size=(C_out, C_in, k)), rng.normal(size=C_out), length, f)
    return layer, rng.normal(size=(N, C_in, length))


def conv2d(case, rng):
    N, C_in, size, C_out, kernel, f = case
    layer = Conv2D(rng.normal(size=(C_out, C_in, *kernel)), rng.normal(size=C_out), size, f)
    return layer, rng.normal(size=(N, C_in, *size))


LAYERS = ([("conv1d", case) for case in CONV1D_CASES] + [("conv2d", case) for case in CONV2D_CASES])


def make_layer(kind, case, rng):
    return (conv1d if kind == "conv1d" else conv2d)(case, rng)


def layer_backprop(layer, a_prev, rng):
    """A per-example loss L_n = sum(R_n * a_n) with fixed random R: returns the loss function
    of (a_prev,) and the layer's own dL/da_prev and (dK, db) for delta_n = R_n * f'(z_n)."""
    z, a = layer.forward(a_prev)
    R = rng.normal(size=a.shape)

    def total_loss(x=None):  # sum over examples; the mean is this / N
        return float(np.sum(R * layer.forward(a_prev if x is None else x)[1]))

    delta = layer.activation.vjp(z, a, R)
    return total_loss, layer.backward(a_prev, z, a, delta), layer.gradients(a_prev, delta)


# --- convolutions: the forward pass is the formula, the gradients are finite differences ------

@pytest.mark.parametrize("kind, case", LAYERS)
def test_convolution_forward_is_the_sliding_sum(kind, case, rng):
    layer, a_prev = make_layer(kind, case, rng)
    z, a = layer.forward(a_prev)
    K, b = layer.K, layer.b
    expected = np.zeros(z.shape)
    for n, o, *position in np.ndindex(z.shape):  # z[n, o, i, j] = sum a[n, c, i+p, j+q] K[o, c, p, q] + b[o]
        patch = a_prev[(n, slice(None)) + tuple(slice(i, i + k) for i, k in zip(position, K.shape[2:]))]
        expected[(n, o, *position)] = np.sum(patch * K[o]) + b[o]
    np.testing.assert_allclose(z, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(a, layer.activation(z))
    assert z.shape[1:] == layer.output_shape(layer.input_shape)


@pytest.mark.parametrize("kind, case", LAYERS)
def test_convolution_input_gradient_matches_finite_differences(kind, case, rng, central_difference):
    layer, a_prev = make_layer(kind, case, rng)
    total_loss, grad_a_prev, _ = layer_backprop(layer, a_prev, rng)
    assert grad_a_prev.shape == a_prev.shape
    assert relative_error(grad_a_prev, central_difference(total_loss, a_prev)) < 1e-8


@pytest.mark.parametrize("kind, case", LAYERS)
def test_convolution_kernel_and_bias_gradients_match_finite_differences(kind, case, rng):
    layer, a_prev = make_layer(kind, case, rng)
    total_loss, _, (dK, db) = layer_backprop(layer, a_prev, rng)
    N = len(a_prev)
    assert dK.shape == layer.K.shape and db.shape == layer.b.shape
    assert relative_error(dK, numerical_gradient(lambda: total_loss() / N, layer.K)) < 1e-8
    assert relative_error(db, numerical_gradient(lambda: total_loss() / N, layer.b)) < 1e-8


def test_a_convolution_takes_a_flat_input_and_gives_a_flat_gradient_back(rng):
    layer, a_prev = conv2d(CONV2D_CASES[0], rng)
    flat = a_prev.reshape(len(a_prev), -1)
    assert layer.n_in == flat.shape[1] == 40
    z, a = layer.forward(flat)
    np.testing.assert_array_equal(z, layer.forward(a_prev)[0])
    delta = rng.normal(size=z.shape)
    grad = layer.backward(flat, z, a, delta)
    assert grad.shape == flat.shape
    np.testing.assert_array_equal(grad, layer.backward(a_prev, z, a, delta).reshape(flat.shape))
    for g, g_shaped in zip(layer.gradients(flat, delta), layer.gradients(a_prev, delta)):
        np.testing.assert_array_equal(g, g_shaped)


class UnflippedConv2D(Conv2D):
    """A plausible bug: the input gradient correlates delta with K itself, not K flipped."""

    def backward(self, a_prev, z, a, delta):
        K = self.K
        self.K = np.flip(K, axis=(2, 3))  # backward flips this back to K
        try:
            return super().backward(a_prev, z, a, delta)
        finally:
            self.K = K


def test_the_finite_difference_check_catches_an_unflipped_kernel(rng, central_difference):
    layer, a_prev = conv2d(CONV2D_CASES[0], rng)
    broken = UnflippedConv2D(layer.K, layer.b, (5, 4), "tanh")
    total_loss, grad_a_prev, _ = layer_backprop(broken, a_prev, rng)
    assert relative_error(grad_a_prev, central_difference(total_loss, a_prev)) > 1e-2


# --- Flatten ----------------------------------------------------------------------------------

def test_flatten_reshapes_and_its_gradient_reshapes_back(rng):
    a_prev = rng.normal(size=(3, 2, 4, 5))
    layer = Flatten()
    z, a = layer.forward(a_prev)
    assert z.shape == (3, 40) and a is z
    np.testing.assert_array_equal(z[1], a_prev[1].ravel())  # channel by channel, row by row
    delta = rng.normal(size=z.shape)
    np.testing.assert_array_equal(layer.backward(a_prev, z, a, delta), delta.reshape(a_prev.shape))
    assert layer.output_shape((2, 4, 5)) == (40,) and layer.parameters() == []
    assert layer.gradients(a_prev, delta) == (None, None) and repr(layer) == "Flatten()"


# --- Dropout ----------------------------------------------------------------------------------

def test_dropout_in_evaluation_mode_is_the_identity(rng):
    a_prev = rng.normal(size=(4, 6))
    layer = Dropout(0.5, rng=0)
    z, a = layer.forward(a_prev)
    assert z is a_prev and a is a_prev
    delta = rng.normal(size=a_prev.shape)
    assert layer.backward(a_prev, z, a, delta) is delta


def test_dropout_with_p_zero_is_the_identity_in_training_too(rng):
    a_prev = rng.normal(size=(4, 6))
    z, a = Dropout(0.0, rng=0).forward(a_prev, train=True)
    np.testing.assert_array_equal(a, a_prev)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_drops_a_fraction_p_and_keeps_the_mean(p):
    """Inverted dropout: kept units are scaled by 1/(1-p), so E[z] = a_prev. Over 200,000 units
    the sample mean of z / a_prev has sd sqrt(p/(1-p)/200000) <= 0.0045: tolerance 0.02."""
    a_prev = np.full((2000, 100), 3.0)
    z, _ = Dropout(p, rng=1).forward(a_prev, train=True)
    assert set(np.unique(z)) == {0.0, 3.0 / (1.0 - p)}
    assert abs(np.mean(z == 0.0) - p) < 0.01
    assert abs(np.mean(z) / 3.0 - 1.0) < 0.02


def test_dropout_backward_uses_the_same_mask_and_scaling(rng):
    a_prev = rng.uniform(0.5, 1.5, size=(5, 8))  # never 0, so z == 0 exactly where dropped
    layer = Dropout(0.4, rng=3)
    z, a = layer.forward(a_prev, train=True)
    dropped = z == 0.0
    assert dropped.any() and not dropped.all()
    delta = rng.normal(size=z.shape)
    grad = layer.backward(a_prev, z, a, delta)
    np.testing.assert_array_equal(grad[dropped], 0.0)
    np.testing.assert_allclose(grad[~dropped], delta[~dropped] / 0.6, rtol=1e-15)


def test_dropout_masks_are_reproducible_from_the_seed(rng):
    a_prev = rng.normal(size=(4, 10))
    first, second = Dropout(0.5, rng=7), Dropout(0.5, rng=7)
    for _ in range(3):
        np.testing.assert_array_equal(first.forward(a_prev, train=True)[0],
                                      second.forward(a_prev, train=True)[0])
    assert not np.array_equal(first.forward(a_prev, True)[0], first.forward(a_prev, True)[0])


def test_dropout_refuses_to_backpropagate_a_pass_whose_mask_it_no_longer_has(rng):
    a_prev = rng.normal(size=(4, 10))
    layer = Dropout(0.5, rng=0)
    old_z, old_a = layer.forward(a_prev, train=True)
    layer.forward(a_prev, train=True)  # a new mask
    with pytest.raises(ValueError, match="Dropout can only backpropagate its latest training pass"):
        layer.backward(a_prev, old_z, old_a, np.ones_like(old_z))


@pytest.mark.parametrize("p, pattern", [
    (1.0, r"p \(the probability of dropping a unit\) must be < 1.0, got 1.0"),
    (1.5, r"p \(the probability of dropping a unit\) must be < 1.0, got 1.5"),
    (-0.1, r"p \(the probability of dropping a unit\) must be >= 0.0, got -0.1"),
    (np.nan, r"p \(the probability of dropping a unit\) must be finite"),
    ("0.5", r"p \(the probability of dropping a unit\) must be a real number"),
])
def test_bad_dropout_probability_raises_naming_p(p, pattern):
    with pytest.raises(ValueError, match=pattern):
        Dropout(p)


def test_bad_dropout_rng_raises_naming_it():
    with pytest.raises(ValueError, match="rng must be"):
        Dropout(0.5, rng="seed")


# --- whole networks ---------------------------------------------------------------------------

def conv_net(rng, dropout=None):
    """Conv2D (2 -> 3 channels, 5x4 -> 3x3) -> Conv2D (3 -> 2, 3x3 -> 2x2) -> Flatten -> Dense."""
    layers = [Conv2D(rng.normal(0, 0.5, (3, 2, 3, 2)), rng.normal(0, 0.1, 3), (5, 4), "tanh"),
              Conv2D(rng.normal(0, 0.5, (2, 3, 2, 2)), rng.normal(0, 0.1, 2), (3, 3), "sigmoid"),
              Flatten()]
    layers += [] if dropout is None else [dropout]
    return Network.from_layers(layers + [Dense(rng.normal(0, 0.5, (8, 3)), rng.normal(0, 0.1, 3),
                                               "softmax")])


def network_gradient_errors(net, X, T, loss, before_each_forward=lambda: None, train=False):
    """Relative error of every parameter's backprop gradient against finite differences."""
    loss = get_loss(loss)
    before_each_forward()
    fwd = net.forward(X, train=train)
    grads = net.backward(fwd, loss.output_delta(fwd.z[-1], fwd.output, T, net.output_activation))

    def mean_loss():
        before_each_forward()
        out = net.forward(X, train=train)
        return loss.value(out.z[-1], out.output, T, net.output_activation)

    return [relative_error(g, numerical_gradient(mean_loss, p))
            for p, g in zip(net.parameters(), grads.as_list(), strict=True)]


def test_a_conv_net_end_to_end_matches_finite_differences(rng):
    net = conv_net(rng)
    X, T = rng.normal(size=(4, 40)), np.eye(3)[[0, 1, 2, 0]]
    errors = network_gradient_errors(net, X, T, "cross_entropy")
    assert len(errors) == 6 and max(errors) < 1e-7, errors


def test_gradcheck_and_diagnostics_take_a_conv_net_with_flatten_and_dropout(rng):
    net = conv_net(rng, dropout=Dropout(0.5, rng=0))
    X, T = rng.normal(size=(4, 40)), np.eye(3)[[0, 1, 2, 0]]
    report = check_network_gradients(net, X, T, "cross_entropy")
    assert [entry["layer"] for entry in report] == [1, 2, 5]  # Flatten and Dropout have no weights
    assert max(max(entry["dW"], entry["db"]) for entry in report) < 1e-7
    stats = layer_statistics(net, X, T, "cross_entropy")
    assert [np.isnan(entry["weight_norm"]) for entry in stats] == [False, False, True, True, False]
    assert stats[0]["weight_norm"] == pytest.approx(np.linalg.norm(net.layers[0].K))


def test_a_conv_net_with_dropout_in_training_matches_finite_differences(rng):
    """The mask is redrawn from the same seed before each forward pass, so every pass drops the
    same units: backprop through that mask must match the differences of that one function."""
    dropout = Dropout(0.5)
    net = conv_net(rng, dropout)
    X, T = rng.normal(size=(4, 40)), np.eye(3)[[0, 1, 2, 0]]

    def same_mask():
        dropout.rng = np.random.default_rng(11)

    errors = network_gradient_errors(net, X, T, "cross_entropy", same_mask, train=True)
    assert max(errors) < 1e-7, errors
    fwd = net.forward(X, train=True)
    assert np.any(fwd.a[4] == 0.0) and not np.array_equal(fwd.a[4], fwd.a[3])  # units were dropped


def test_a_conv1d_net_behind_a_dense_layer_matches_finite_differences(rng):
    """Dense -> Conv1D: the convolution's input gradient reaches the Dense layer below it."""
    net = Network.from_layers([Dense(rng.normal(size=(6, 20)), rng.normal(size=20), "tanh"),
                               Conv1D(rng.normal(0, 0.5, (3, 4, 3)), rng.normal(0, 0.1, 3), 5, "relu"),
                               Flatten(), Dense(rng.normal(0, 0.5, (9, 2)), np.zeros(2), "sigmoid")])
    X, T = rng.normal(size=(5, 6)), rng.uniform(size=(5, 2))
    errors = network_gradient_errors(net, X, T, "squared_error")
    assert max(errors) < 1e-7, errors


def test_a_conv_net_keeps_the_l_indexed_notation(rng):
    net = conv_net(rng, Dropout(0.5))
    assert net.depth == 5 and net.shapes == [(2, 5, 4), (3, 3, 3), (2, 2, 2), (8,), (8,), (3,)]
    assert net.sizes == [40, 27, 8, 8, 8, 3]
    assert repr(net) == ("Network([Conv2D(2x5x4 -> 3x3x3, tanh), Conv2D(3x3x3 -> 2x2x2, sigmoid), "
                         "Flatten(), Dropout(p=0.5), Dense(8 -> 3, softmax)])")
    X = rng.normal(size=(4, 40))
    _, grads = net.loss_and_gradients(X, np.eye(3)[[0, 1, 2, 0]], "cross_entropy")
    fwd = net.forward(X)
    assert fwd.a[1].shape == fwd.z[1].shape == grads.delta[1].shape == (4, 3, 3, 3)
    assert grads.dW[1].shape == net.layers[0].K.shape and grads.db[2].shape == (2,)
    assert grads.dW[3] is None and grads.db[4] is None  # Flatten and Dropout learn nothing
    assert [g.shape for g in grads.as_list()] == [p.shape for p in net.parameters()]
    assert net.parameters()[0] is net.layers[0].K
    np.testing.assert_array_equal(fwd.a[4], fwd.a[3])  # forward defaults to evaluation
    np.testing.assert_array_equal(net.predict(X), fwd.output)


def test_a_copy_of_a_conv_net_is_independent(rng):
    net = conv_net(rng, Dropout(0.5))
    twin = net.copy()
    assert repr(twin) == repr(net)
    for p, q in zip(net.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p, q)
        assert p is not q
    twin.layers[0].K[0, 0, 0, 0] += 1.0
    assert twin.layers[0].K[0, 0, 0, 0] != net.layers[0].K[0, 0, 0, 0]


def test_a_small_conv_net_learns_the_digits():
    X, labels = data.digits()
    X_train, T_train, X_val, T_val = data.train_val_split(X, data.one_hot(labels), 0.2, rng=0)
    rng = np.random.default_rng(0)
    net = Network.from_layers([
        Conv2D(rng.normal(0, np.sqrt(2 / 9), (4, 1, 3, 3)), np.zeros(4), (8, 8), "relu"),
        Flatten(), Dropout(0.2, rng=0),
        Dense(rng.normal(0, np.sqrt(1 / 144), (144, 10)), np.zeros(10), "softmax")])
    history = fit(net, X_train, T_train, "cross_entropy", SGD(0.1), epochs=3, batch_size=32,
                  validation=(X_val, T_val), rng=0)
    assert history.val_accuracy[-1] > 0.85 and history.loss[-1] < history.loss[0] / 3


# --- Dense-only networks are unchanged ---------------------------------------------------------

def old_backward(network, fwd, output_delta):
    """Network.backward as it was before layers became pluggable (a copy, kept as referee)."""
    L = network.depth
    W = [None] + [layer.W for layer in network.layers]
    f = [None] + [layer.activation for layer in network.layers]
    z, a = fwd.z, fwd.a
    N = a[0].shape[0]
    delta, dW, db = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
    delta[L] = output_delta
    for l in range(L, 0, -1):
        dW[l] = a[l - 1].T @ delta[l] / N
        db[l] = delta[l].sum(axis=0) / N
        if l > 1:
            delta[l - 1] = (delta[l] @ W[l].T) * f[l - 1].derivative(z[l - 1], a[l - 1])
    return delta, dW, db


@pytest.mark.parametrize("activations", [("sigmoid", "sigmoid"), ("tanh", "relu", "softmax"),
                                         ("leaky_relu", "softsign", "tanh", "identity")])
def test_dense_networks_from_layers_give_bit_identical_gradients(activations, rng):
    sizes = [5] + [7] * (len(activations) - 1) + [3]
    layers = [Dense(rng.normal(size=(n_in, n_out)), rng.normal(size=n_out), f)
              for n_in, n_out, f in zip(sizes[:-1], sizes[1:], activations)]
    net = Network.from_layers(layers)
    X, delta_L = rng.normal(size=(9, 5)), rng.normal(size=(9, 3))
    fwd = net.forward(X)
    grads = net.backward(fwd, delta_L)
    for new, old in zip((grads.delta, grads.dW, grads.db), old_backward(net, fwd, delta_L)):
        assert new[0] is None and old[0] is None
        for l in range(1, len(layers) + 1):
            np.testing.assert_array_equal(new[l], old[l])  # bit for bit, not just close
    train = net.forward(X, train=True)  # a Dense layer has nothing to do differently in training
    for l in range(1, len(layers) + 1):
        np.testing.assert_array_equal(train.a[l], fwd.a[l])


# --- bad layers and bad stacks raise, naming what is wrong -------------------------------------

@pytest.mark.parametrize("make, pattern", [
    (lambda: Conv2D(np.ones((2, 1, 3)), np.zeros(2), (8, 8)),
     r"K must be 4-D, got an array of shape \(2, 1, 3\)"),
    (lambda: Conv1D(np.ones((2, 1, 3, 3)), np.zeros(2), 8), "K must be 3-D"),
    (lambda: Conv2D(np.ones((2, 1, 3, 3)), np.zeros(3), (8, 8)),
     r"b must have one entry per output channel \(2, the first axis of K\), got shape \(3,\)"),
    (lambda: Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2), 8), "input_size must give the 2 spatial size"),
    (lambda: Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2), (2, 8)), r"each at least the kernel's \(3, 3\)"),
    (lambda: Conv1D(np.ones((2, 1, 3)), np.zeros(2), 0), "input_size must be >= 1"),
    (lambda: Conv1D(np.ones((2, 1, 3)), np.zeros(2), None), "input_size must be an integer"),
    (lambda: Conv1D(np.ones((2, 1, 3)), np.zeros(2), 8, "gelu"), "unknown activation 'gelu'"),
    (lambda: Conv2D(np.full((1, 1, 2, 2), np.nan), np.zeros(1), (4, 4)), "K contains 4 NaN"),
])
def test_bad_convolution_arguments_raise_naming_them(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def conv(C_out, C_in, size):
    return Conv2D(np.ones((C_out, C_in, 3, 3)), np.zeros(C_out), size)


@pytest.mark.parametrize("layers, pattern", [
    (lambda: [conv(4, 1, (8, 8)), Dense(np.ones((144, 10)), np.zeros(10))],
     r"layer 2 \(Dense\(144 -> 10, sigmoid\)\) expects inputs of shape \(144,\) but layer 1 gives "
     r"\(4, 6, 6\): put a Flatten\(\) between them"),
    (lambda: [conv(4, 1, (8, 8)), Flatten(), Dense(np.ones((100, 10)), np.zeros(10))],
     r"layer 3 expects 100 inputs but layer 2 has 144 units "
     r"\(Dense\(100 -> 10, sigmoid\) after Flatten\(\)\)"),
    (lambda: [conv(4, 1, (8, 8)), conv(2, 3, (6, 6)), Flatten(), Dense(np.ones((32, 1)), np.zeros(1))],
     r"layer 2 expects 108 inputs but layer 1 has 144 units"),
    (lambda: [conv(4, 1, (8, 8)), conv(2, 4, (12, 3)), Flatten(), Dense(np.ones((20, 1)), np.zeros(1))],
     r"layer 2 \(Conv2D\(4x12x3 -> 2x10x1, sigmoid\)\) expects inputs of shape \(4, 12, 3\) but layer 1 "
     r"gives \(4, 6, 6\)$"),
    (lambda: [Dropout(0.5), Dense(np.ones((3, 1)), np.zeros(1))],
     r"layer 1 must fix the input's size \(Dense or a convolution\), got Dropout\(p=0.5\)"),
    (lambda: [conv(4, 1, (8, 8)), Flatten()], r"the output layer must be Dense .* got Flatten\(\)"),
    (lambda: [Dense(np.ones((3, 4)), np.zeros(4), "softmax"), Dropout(0.1), Dense(np.ones((4, 1)), [0.0])],
     r"softmax can only be the output activation \(hidden layer 1\)"),
])
def test_layers_that_do_not_chain_raise_naming_the_layer(layers, pattern):
    with pytest.raises(ValueError, match=pattern):
        Network.from_layers(layers())


def test_a_flat_input_may_feed_a_convolution_anywhere(rng):
    net = Network.from_layers([Dense(np.ones((3, 16)), np.zeros(16)), conv(2, 1, (4, 4)), Flatten(),
                               Dense(np.ones((8, 1)), np.zeros(1))])
    assert net.shapes == [(3,), (16,), (2, 2, 2), (8,), (1,)]


def test_a_conv_net_checks_its_input_and_train_flag(rng):
    net = conv_net(rng)
    with pytest.raises(ValueError, match=r"X must be 1-D or 2-D, got an array of shape \(3, 2, 5, 4\)"):
        net.forward(np.zeros((3, 2, 5, 4)))  # a network's input is one row per example
    with pytest.raises(ValueError, match=r"X must have 40 column\(s\)"):
        net.forward(np.zeros((3, 39)))
    with pytest.raises(ValueError, match="train must be True or False, got 'yes'"):
        net.forward(np.zeros((3, 40)), train="yes")


def test_fit_trains_with_dropout_on_and_predict_runs_with_it_off():
    X, labels = data.digits()
    X, T = X[:200], np.eye(10)[labels[:200]]
    rng = np.random.default_rng(0)
    net = Network.from_layers([Dense(rng.normal(0, 0.1, (64, 32)), np.zeros(32), "tanh"),
                               Dropout(0.5, rng=0),
                               Dense(rng.normal(0, 0.1, (32, 10)), np.zeros(10), "softmax")])
    dropout = net.layers[1]
    masks = []
    original = dropout.forward

    def recording(a_prev, train=False):
        z, a = original(a_prev, train)
        masks.append(train)
        return z, a

    dropout.forward = recording
    fit(net, X, T, loss="cross_entropy", optimizer=SGD(0.1), epochs=1, batch_size=50, rng=0)
    assert masks.count(True) == 4  # one training pass per batch, each with a fresh mask
    before = len(masks)
    np.testing.assert_array_equal(net.predict(X[:5]), net.predict(X[:5]))  # no mask: deterministic
    assert masks[before:] == [False, False]
