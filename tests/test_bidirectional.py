"""Tests for minibp.bidirectional: both passes, the joint error, its gradient, and training."""

import numpy as np
import pytest

from minibp import bidirectional, noise
from minibp.activations import sigmoid, softmax
from minibp.gradcheck import numerical_gradient, relative_error
from minibp.optimizers import SGD
from minibp.training import DivergenceError, fit

NAMES = ["W1", "b1", "W2", "b2", "c2", "c1"]


def small_model(activation="sigmoid", backward_output_activation="identity", seed=0):
    """A 5-4-3 model with every parameter (biases too) random, so no gradient is trivially 0."""
    model = bidirectional.BidirectionalNetwork((5, 4, 3), activation=activation,
                                               backward_output_activation=backward_output_activation,
                                               rng=seed)
    rng = np.random.default_rng(seed + 100)
    for p in model.parameters():
        p[...] = rng.normal(scale=0.7, size=p.shape)
    X = rng.uniform(size=(7, 5))
    T = np.eye(3)[rng.integers(0, 3, 7)]
    return model, X, T


def by_hand(model, X, T, backward_weight=1.0):
    """The joint error written out in numpy, independently of minibp's layers and losses."""
    W1, b1, W2, b2, c2, c1 = model.parameters()
    f = np.tanh if model.hidden_activation.name == "tanh" else sigmoid
    g = sigmoid if model.backward_output_activation.name == "sigmoid" else (lambda u: u)
    y = softmax(f(X @ W1 + b1) @ W2 + b2)
    x_back = g(f(T @ W2.T + c2) @ W1.T + c1)
    cross_entropy = -np.mean(np.sum(T * np.log(y), axis=1))
    squared = np.mean(0.5 * np.sum((x_back - X) ** 2, axis=1))
    return cross_entropy + backward_weight * squared, y, x_back


# --- the two passes and the joint error ----------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("backward_output", ["identity", "sigmoid"])
def test_both_passes_and_the_joint_error_match_the_formulas(activation, backward_output):
    model, X, T = small_model(activation, backward_output)
    E, y, x_back = by_hand(model, X, T)
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-12)
    np.testing.assert_allclose(model.reconstruct(T), x_back, rtol=1e-12)
    assert model.joint_error(X, T) == pytest.approx(E, rel=1e-12)
    E_half, _, _ = by_hand(model, X, T, backward_weight=0.5)
    assert model.joint_error(X, T, backward_weight=0.5) == pytest.approx(E_half, rel=1e-12)


def test_the_backward_pass_runs_through_the_same_matrices_transposed():
    model, X, T = small_model()
    back = model.backward_network()
    np.testing.assert_array_equal(back.layers[0].W, model.W2.T)
    np.testing.assert_array_equal(back.layers[1].W, model.W1.T)
    np.testing.assert_array_equal(back.layers[0].b, model.c2)
    np.testing.assert_array_equal(back.layers[1].b, model.c1)
    model.W1[0, 0] += 1.0  # shared: a change of W1 shows in the backward pass at once
    np.testing.assert_array_equal(model.backward_network().layers[1].W, model.W1.T)
    assert model.W1 is model.network.layers[0].W and model.W2 is model.network.layers[1].W


def test_a_fresh_model_starts_with_zero_biases_and_has_its_own_backward_biases():
    model = bidirectional.BidirectionalNetwork((6, 3, 4), rng=1)
    W1, b1, W2, b2, c2, c1 = model.parameters()
    assert W1.shape == (6, 3) and W2.shape == (3, 4)
    assert c2.shape == (3,) and c1.shape == (6,)
    assert not any(np.any(b) for b in (b1, b2, c2, c1))
    assert c2 is not b1 and c1 is not b2
    assert "6 -> 3 -> 4" in repr(model)


# --- the gradient, checked by finite differences -------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("backward_output", ["identity", "sigmoid"])
@pytest.mark.parametrize("backward_weight", [1.0, 0.5, 0.0])
def test_joint_gradient_agrees_with_finite_differences(activation, backward_output, backward_weight):
    model, X, T = small_model(activation, backward_output)
    grads = model.gradients(X, T, backward_weight)
    for name, p, g in zip(NAMES, model.parameters(), grads):
        assert g.shape == p.shape, name
        numerical = numerical_gradient(lambda: model.joint_error(X, T, backward_weight), p)
        assert relative_error(g, numerical) < 1e-7, name


def test_the_two_directions_add_their_gradients_on_the_shared_matrices():
    model, X, T = small_model()
    both = model.gradients(X, T, 1.0)
    forward_only = model.gradients(X, T, 0.0)
    back_net = model.backward_network()
    _, back = back_net.loss_and_gradients(T, X, "squared_error")
    np.testing.assert_allclose(both[0], forward_only[0] + back.dW[2].T, atol=1e-14)
    np.testing.assert_allclose(both[2], forward_only[2] + back.dW[1].T, atol=1e-14)
    np.testing.assert_array_equal(both[1], forward_only[1])  # forward biases: forward error only
    np.testing.assert_array_equal(forward_only[4], np.zeros(4))  # backward biases: backward only
    np.testing.assert_allclose(both[5], back.db[2], atol=1e-14)


class FixedTargets:
    """A stand-in noise object that returns given targets (and records what it was shown)."""

    def __init__(self, targets):
        self.targets, self.seen = targets, []

    def __call__(self, T, Y):
        self.seen.append((T.copy(), Y.copy()))
        return self.targets


def test_noise_objects_replace_the_targets_after_each_pass():
    model, X, T = small_model()
    rng = np.random.default_rng(0)
    class_targets, pixel_targets = T + 0.1 * rng.normal(size=T.shape), X + 0.1 * rng.normal(size=X.shape)
    forward_noise, backward_noise = FixedTargets(class_targets), FixedTargets(pixel_targets)
    grads = model.gradients(X, T, 1.0, forward_noise, backward_noise)
    np.testing.assert_allclose(forward_noise.seen[0][1], model.predict(X), rtol=1e-12)
    np.testing.assert_allclose(backward_noise.seen[0][1], model.reconstruct(T), rtol=1e-12)
    # The same gradient by hand: forward delta y - (t + n), backward delta x' - (x + n).
    fwd = model.network.forward(X)
    g_f = model.network.backward(fwd, fwd.output - class_targets)
    back_net = model.backward_network()
    bwd = back_net.forward(T)
    g_b = back_net.backward(bwd, bwd.output - pixel_targets)
    np.testing.assert_allclose(grads[0], g_f.dW[1] + g_b.dW[2].T, rtol=1e-12)
    np.testing.assert_allclose(grads[2], g_f.dW[2] + g_b.dW[1].T, rtol=1e-12)


# --- training ---------------------------------------------------------------------------------------

def blobs(n_per_class=20, seed=0):
    """Three Gaussian clusters in 6-D: inputs, one-hot targets and the true class means."""
    rng = np.random.default_rng(seed)
    means = rng.uniform(0, 1, size=(3, 6))
    labels = np.repeat(np.arange(3), n_per_class)
    X = means[labels] + 0.05 * rng.normal(size=(len(labels), 6))
    return X, np.eye(3)[labels], np.array([X[labels == k].mean(axis=0) for k in range(3)])


def test_backward_weight_zero_trains_exactly_like_fit():
    X, T, _ = blobs()
    model = bidirectional.BidirectionalNetwork((6, 5, 3), rng=2)
    network = model.network.copy()
    history = bidirectional.train(model, X, T, epochs=6, batch_size=7, optimizer=SGD(0.5),
                                  backward_weight=0.0, rng=4)
    fit_history = fit(network, X, T, optimizer=SGD(0.5), epochs=6, batch_size=7, rng=4)
    for p, q in zip(model.network.parameters(), network.parameters()):
        assert np.array_equal(p, q)
    np.testing.assert_allclose(history.forward_error, fit_history.loss, rtol=1e-12)


def test_bidirectional_training_learns_both_ways_and_the_backward_pass_finds_the_class_means():
    X, T, means = blobs()
    model = bidirectional.BidirectionalNetwork((6, 8, 3), rng=0)
    history = bidirectional.train(model, X, T, epochs=300, batch_size=10, optimizer=SGD(0.5),
                                  rng=0, validation=(X, T))
    assert history.accuracy[-1] == 1.0 and history.val_accuracy[-1] == 1.0
    assert history["backward_error"][-1] < 0.05 * history["backward_error"][0]
    distance = np.linalg.norm(model.reconstruct(np.eye(3)) - means, axis=1)
    between = np.linalg.norm(means[0] - means[1])
    assert np.all(distance < 0.1 * between)
    assert list(history.epoch) == list(range(301)) and len(history) == 301


def test_training_with_noise_counts_each_epoch():
    X, T, _ = blobs()
    model = bidirectional.BidirectionalNetwork((6, 5, 3), rng=1)
    forward_noise = noise.NEMNoise("classification", v0=0.01, rng=1)
    backward_noise = noise.NEMNoise("regression", v0=0.01, rng=2)
    history = bidirectional.train(model, X, T, epochs=4, batch_size=12, forward_noise=forward_noise,
                                  backward_noise=backward_noise, rng=0)
    assert history.forward_noise is forward_noise
    assert forward_noise.accepted_fraction.shape == (4,)
    assert backward_noise.accepted_fraction.shape == (4,)
    assert backward_noise.variance == pytest.approx(0.01 / 4)


def test_callbacks_see_every_epoch_and_zero_variance_noise_changes_nothing():
    X, T, _ = blobs()
    model = bidirectional.BidirectionalNetwork((6, 5, 3), rng=1)
    twin = model.copy()
    seen = []
    bidirectional.train(model, X, T, epochs=3, batch_size=9, rng=0,
                        callbacks=[lambda epoch, m, h: seen.append(epoch)])
    bidirectional.train(twin, X, T, epochs=3, batch_size=9, rng=0,
                        forward_noise=noise.NEMNoise("classification", v0=0.0, rng=1),
                        backward_noise=noise.NEMNoise("regression", v0=0.0, rng=2))
    assert seen == [0, 1, 2, 3]
    for p, q in zip(model.parameters(), twin.parameters()):
        assert np.array_equal(p, q)


def test_divergence_is_reported_with_its_epoch():
    X, T, _ = blobs()
    model = bidirectional.BidirectionalNetwork((6, 5, 3), rng=1)
    with pytest.raises(DivergenceError, match="diverged at epoch"):
        bidirectional.train(model, X, T, epochs=200, batch_size=60, optimizer=SGD(20.0), rng=0)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="sizes"):
        bidirectional.BidirectionalNetwork((5, 4))
    with pytest.raises(ValueError, match="2 classes"):
        bidirectional.BidirectionalNetwork((5, 4, 1))
    with pytest.raises(ValueError, match="backward_output_activation"):
        bidirectional.BidirectionalNetwork((5, 4, 3), backward_output_activation="softmax")
    model, X, T = small_model()
    with pytest.raises(ValueError, match="X must have 5 column"):
        model.gradients(X[:, :4], T)
    with pytest.raises(ValueError, match="T must have 3 column"):
        model.joint_error(X, T[:, :2])
    with pytest.raises(ValueError, match="same number of rows"):
        model.errors(X, T[:3])
    with pytest.raises(ValueError, match="backward_weight"):
        model.joint_error(X, T, backward_weight=-1.0)
    with pytest.raises(ValueError, match="Y must have 3 column"):
        model.reconstruct(np.eye(4))
    with pytest.raises(ValueError, match="epochs"):
        bidirectional.train(model, X, T, epochs=-1)
    with pytest.raises(ValueError, match="unknown history key"):
        bidirectional.train(model, X, T, epochs=1)["loss"]
