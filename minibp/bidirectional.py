"""Bidirectional backpropagation: one set of weights trained to run both ways (lesson 11).

A classifier with one hidden layer runs forward from an input x to class probabilities y.
Adigun & Kosko (2019) run the *same* weight matrices backward too, from a class y to an input
x', through the transposed matrices and the same hidden units:

    forward    x (N, D) -> h  = f(x W1 + b1)      (N, H) -> y  = softmax(h W2 + b2)    (N, K)
    backward   y (N, K) -> h' = f(y W2^T + c2)    (N, H) -> x' = g(h' W1^T + c1)       (N, D)

W1 is (D, H) and W2 is (H, K), shared by both directions. The biases are not shared: the
paper leaves bias handling open, and here each direction has its own (b1, b2 forward; c2, c1
backward), so a bias that helps one direction cannot hurt the other. f is the hidden
activation (the same in both directions, as the hidden units are the same units); g is the
backward output's activation, identity by default, because pixels are regressed with
squared error.

Training minimizes the joint error, per example and averaged over the batch:

    E = CE(y, t) + backward_weight * 1/2 |x' - x|^2,    with the backward pass fed y = t,

so the forward pass learns to classify and the backward pass learns to map each one-hot
class t back to an input. With squared error the best x' for a class is the mean of that
class's inputs, E[x | class]: the paper's claim that the backward pass of a bidirectionally
trained classifier estimates the class centroid.

The gradient is plain backprop, once through each direction, and the two contributions to
each shared matrix are added. The backward direction is itself a two-layer ``Network`` whose
weight matrices are W2^T and W1^T, so backprop through it gives gradients for W2^T and W1^T;
transposing them gives the gradients for W2 and W1.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, as_rng, integer, number
from .activations import get_activation
from .losses import CrossEntropy, SquaredError
from .network import Dense, Network
from .training import (
    DIVERGENCE_FACTOR,
    DivergenceError,
    History,
    _blow_up,
    _check_callbacks,
    _check_optimizer,
    _check_validation,
    accuracy,
)

_CROSS_ENTROPY, _SQUARED_ERROR = CrossEntropy(), SquaredError()


class BidirectionalNetwork:
    """A D-H-K classifier whose weights also run backward, K -> H -> D.

    ``sizes``: (D, H, K). ``activation``: the hidden units' f, used in both directions.
    ``backward_output_activation``: g of the reconstructed input x' (default "identity").
    ``init``: initializer name for W1 and W2; all four biases start at zero. ``rng``: seed or
    Generator. ``network`` is the forward ``Network`` (softmax output); its layers hold W1, b1,
    W2, b2. ``c2`` (H,) and ``c1`` (D,) are the backward biases.
    """

    def __init__(self, sizes=(64, 32, 10), activation="sigmoid",
                 backward_output_activation="identity", init="xavier_normal", rng=0):
        sizes = [integer(n, "sizes", low=1) for n in sizes]
        if len(sizes) != 3:
            raise ValueError(f"sizes must be (inputs, hidden, classes), three numbers, got {sizes}")
        D, H, K = sizes
        if K < 2:
            raise ValueError(f"sizes must have at least 2 classes for a softmax output, got {K}")
        self.network = Network(sizes, activation=activation, output_activation="softmax",
                               init=init, rng=as_rng(rng))
        self.hidden_activation = get_activation(activation)
        self.backward_output_activation = get_activation(backward_output_activation)
        if not self.backward_output_activation.elementwise:
            raise ValueError("backward_output_activation must be elementwise (not softmax)")
        self.c2 = np.zeros(H)
        self.c1 = np.zeros(D)

    @property
    def W1(self):
        return self.network.layers[0].W

    @property
    def W2(self):
        return self.network.layers[1].W

    @property
    def sizes(self):
        return self.network.sizes

    def parameters(self):
        """[W1, b1, W2, b2, c2, c1]: the arrays themselves (optimizers update them in place)."""
        return self.network.parameters() + [self.c2, self.c1]

    def copy(self):
        twin = BidirectionalNetwork.__new__(BidirectionalNetwork)
        twin.network = self.network.copy()
        twin.hidden_activation = self.hidden_activation
        twin.backward_output_activation = self.backward_output_activation
        twin.c2, twin.c1 = self.c2.copy(), self.c1.copy()
        return twin

    # --- the two directions -------------------------------------------------------------------
    def predict(self, X):
        """Forward: X (N, D) -> class probabilities y (N, K)."""
        return self.network.predict(X)

    def backward_network(self):
        """The backward direction as a ``Network``: K -> H (W2^T, c2, f) -> D (W1^T, c1, g).

        Its layers hold *copies* of the transposed matrices; use it to run or differentiate
        the backward pass, not to train it.
        """
        return Network.from_layers([Dense(self.W2.T, self.c2, self.hidden_activation),
                                    Dense(self.W1.T, self.c1, self.backward_output_activation)])

    def reconstruct(self, Y):
        """Backward: Y (N, K) -> x' (N, D). A one-hot row gives that class's input estimate."""
        return self.backward_network().predict(as_batch(Y, "Y", width=self.sizes[2]))

    # --- the joint error and its gradient ------------------------------------------------------
    def errors(self, X, T, with_accuracy=False):
        """(forward cross-entropy, backward squared error), each averaged over the batch.

        ``with_accuracy``: also return the forward pass's accuracy on T (a third value).
        """
        X, T = self._batch(X, T)
        fwd = self.network.forward(X)
        forward_error = _CROSS_ENTROPY.value(fwd.z[-1], fwd.output, T, "softmax")
        bwd = self.backward_network().forward(T)
        backward_error = _SQUARED_ERROR.value(bwd.z[-1], bwd.output, X,
                                              self.backward_output_activation)
        if with_accuracy:
            return forward_error, backward_error, accuracy(fwd.output, T)
        return forward_error, backward_error

    def joint_error(self, X, T, backward_weight=1.0):
        """E = CE(y, t) + backward_weight * 1/2 |x' - x|^2, averaged over the batch."""
        forward_error, backward_error = self.errors(X, T)
        return forward_error + number(backward_weight, "backward_weight", low=0.0) * backward_error

    def gradients(self, X, T, backward_weight=1.0, forward_noise=None, backward_noise=None):
        """dE/d[W1, b1, W2, b2, c2, c1] for a batch X (N, D) with one-hot targets T (N, K).

        A list in the order of ``parameters()`` (so ``optimizer.step(model.parameters(),
        grads)`` works), not a ``Gradients``: the shared matrices get two contributions each.

        The forward pass is fed X and trained toward T; the backward pass is fed T and trained
        toward X. ``forward_noise`` / ``backward_noise`` (e.g. ``NEMNoise``), if given, are
        called after their pass, like ``fit``'s ``target_noise``: ``noise(T, y)`` and
        ``noise(X, x')`` return the targets backpropagated toward.
        """
        X, T = self._batch(X, T)
        backward_weight = number(backward_weight, "backward_weight", low=0.0)
        # Forward direction: delta_out = y - t, then the usual recursion.
        fwd = self.network.forward(X)
        class_targets = T if forward_noise is None else forward_noise(T, fwd.output)
        delta_y = _CROSS_ENTROPY.output_delta(fwd.z[-1], fwd.output, class_targets, "softmax")
        grads_f = self.network.backward(fwd, delta_y)
        # Backward direction: a network with weights W2^T, W1^T; delta_out = (x' - x) g'.
        backward = self.backward_network()
        bwd = backward.forward(T)
        input_targets = X if backward_noise is None else backward_noise(X, bwd.output)
        delta_x = _SQUARED_ERROR.output_delta(bwd.z[-1], bwd.output, input_targets,
                                              self.backward_output_activation)
        grads_b = backward.backward(bwd, backward_weight * delta_x)
        # Its layer 1 holds W2^T and its layer 2 holds W1^T: transpose their gradients back.
        dW1 = grads_f.dW[1] + grads_b.dW[2].T
        dW2 = grads_f.dW[2] + grads_b.dW[1].T
        return [dW1, grads_f.db[1], dW2, grads_f.db[2], grads_b.db[1], grads_b.db[2]]

    def _batch(self, X, T):
        X = as_batch(X, "X", width=self.sizes[0])
        T = as_batch(T, "T", width=self.sizes[2])
        if X.shape[0] != T.shape[0]:
            raise ValueError(f"X and T must have the same number of rows, got {X.shape[0]} "
                             f"and {T.shape[0]}")
        return X, T

    def __repr__(self):
        D, H, K = self.sizes
        return (f"BidirectionalNetwork({D} -> {H} -> {K} forward, {K} -> {H} -> {D} backward, "
                f"{self.hidden_activation.name})")


class BidirectionalHistory(History):
    """Per-epoch record (entry 0 before training): epoch, forward_error (cross-entropy),
    backward_error (1/2 |x' - x|^2), accuracy, val_accuracy (None without validation data).
    ``forward_noise`` / ``backward_noise`` hold the noise objects used, if any."""

    KEYS = ("epoch", "forward_error", "backward_error", "accuracy", "val_accuracy")

    def __init__(self):
        super().__init__()
        self.forward_noise = self.backward_noise = None


def train(model, X, T, epochs=20, batch_size=16, optimizer=None, backward_weight=1.0,
          forward_noise=None, backward_noise=None, validation=None, rng=0, callbacks=()):
    """Train a ``BidirectionalNetwork`` on the joint error; return a ``BidirectionalHistory``.

    X (N, D) inputs, T (N, K) one-hot targets. Each epoch shuffles the examples with ``rng``
    and takes one ``optimizer`` step per batch (default ``SGD(0.1)``) on all six parameter
    arrays. ``backward_weight`` = 0 trains the forward direction alone, exactly as ``fit``
    would (same presentation order for the same ``rng``). ``forward_noise`` /
    ``backward_noise``: ``NEMNoise``-like objects (``start_epoch(k)``, ``noise(targets,
    outputs)``) for the class targets (classification noise) and for the inputs the backward
    pass regresses toward (regression noise). ``validation``: (X_val,
    T_val) or None. ``callbacks``: ``callback(epoch, model, history)`` after epoch 0 and
    after each epoch. A run that blows up stops with a ``DivergenceError``, by the rule of
    ``fit`` (``minibp.training``) applied to the joint error, or as soon as a weight stops
    being a finite number.
    """
    optimizer = _check_optimizer(optimizer)
    callbacks = _check_callbacks(callbacks)
    X, T = model._batch(X, T)
    N = X.shape[0]
    epochs = integer(epochs, "epochs", low=0)
    batch_size = min(integer(batch_size, "batch_size", low=1), N)
    backward_weight = number(backward_weight, "backward_weight", low=0.0)
    if _check_validation(validation) is not None:
        X_val, T_val = model._batch(*validation)
    rng = as_rng(rng)
    params = model.parameters()
    history = BidirectionalHistory()
    history.forward_noise, history.backward_noise = forward_noise, backward_noise

    def record(epoch):
        forward_error, backward_error, train_acc = model.errors(X, T, with_accuracy=True)
        val_acc = None if validation is None else accuracy(model.predict(X_val), T_val)
        history.record(epoch=epoch, forward_error=forward_error, backward_error=backward_error,
                       accuracy=train_acc, val_accuracy=val_acc)
        for callback in callbacks:
            callback(epoch, model, history)
        return forward_error + backward_weight * backward_error

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        start = record(0)
        for epoch in range(1, epochs + 1):
            optimizer.start_epoch(epoch)
            for noise in (forward_noise, backward_noise):
                if noise is not None:
                    noise.start_epoch(epoch)
            order = rng.permutation(N)
            for i in range(0, N, batch_size):
                rows = order[i:i + batch_size]
                grads = model.gradients(X[rows], T[rows], backward_weight, forward_noise,
                                        backward_noise)
                optimizer.update(params, grads)  # the shapes match by construction
                if not all(np.all(np.isfinite(p)) for p in params):  # the next batch cannot run
                    _diverged(epoch, "a weight became NaN or inf")
            joint = record(epoch)
            blown_up = _blow_up(joint, start, params, DIVERGENCE_FACTOR, quantity="joint error")
            if blown_up:
                _diverged(epoch, blown_up)
    return history


def _diverged(epoch, what):
    raise DivergenceError(f"bidirectional training diverged at epoch {epoch}: {what}. Try a "
                          f"smaller learning rate or a smaller backward_weight.")
