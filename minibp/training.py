"""The training loop (lesson 04): epochs, batches, presentation order, history, divergence.

One epoch presents N training examples in batches of ``batch_size``: 1 is online learning
(one update per example), N is full-batch gradient descent, anything between is mini-batch.
Each batch is one forward pass, one backward pass and one optimizer step:

    for each batch (X_b, T_b):
        forward: z_l, a_l for every layer        output delta_L from the loss
        backward: delta_l, dW_l, db_l            optimizer.update(parameters, gradients)

After each epoch the loss and accuracy on the whole training set (and the validation set, if
given) go into the ``History``. A run that blows up stops with a ``DivergenceError`` that
says at which epoch and what to try. Blown up means, after an epoch (``_blow_up``):

    the training loss is NaN or inf, or
    the training loss is more than ``divergence_factor`` (100) times its value before
    training (and above 1), or
    a weight or bias is NaN, inf or larger than 1e6 in size.

A loss can stay finite while the run is lost (softmax cross-entropy is computed from z, so it
never overflows): the second and third rules catch those runs. ``divergence_factor=None``
turns the second rule off, to watch such a run to its end (lesson 05 does).
"""

from __future__ import annotations

import time

import numpy as np

from ._validate import as_batch, as_rng, choice, integer, number
from .losses import get_loss
from .optimizers import SGD


class DivergenceError(RuntimeError):
    """Training blew up: a NaN or infinite loss, a loss far above its start, or huge weights."""


PARAMETER_LIMIT = 1e6  # |w| beyond this is no longer a trained network, whatever the loss says
DIVERGENCE_FACTOR = 100.0  # a loss this many times its start (and above 1) has blown up


class History:
    """Per-epoch record of a training run: lists indexed by epoch, entry 0 before training.

    Keys: epoch, loss, accuracy, val_loss, val_accuracy, learning_rate, updates (optimizer
    steps so far), time (seconds spent in training steps so far). Accuracy entries are None
    when the targets are not class labels. ``stopped`` holds the divergence message, if any.
    """

    KEYS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
            "updates", "time")

    def __init__(self):
        for key in self.KEYS:
            setattr(self, key, [])
        self.stopped = None

    def record(self, **values):
        for key in self.KEYS:
            getattr(self, key).append(values.get(key))

    def __getitem__(self, key):
        values = getattr(self, choice(key, "history key", self.KEYS))
        if values and all(v is None for v in values):
            why = ("fit was given no validation data" if key.startswith("val_")
                   else "the targets are not class labels (0/1, one-hot)")
            raise KeyError(f"this history has no {key}: {why}")
        return np.array(values, dtype=float)

    def __len__(self):
        return len(self.epoch)

    def epochs_to(self, accuracy, key="accuracy"):
        """The first epoch whose ``key`` reaches ``accuracy``, or None if it never does."""
        for epoch, acc in zip(self.epoch, getattr(self, key)):
            if acc is not None and acc >= accuracy:
                return epoch
        return None

    def __repr__(self):
        last = {k: getattr(self, k)[-1] for k in self.KEYS[:3]} if self else {}
        return f"{type(self).__name__}({last})"


def accuracy(Y, T):
    """Fraction of rows classified right, or None if T holds no class labels.

    One output unit: class 1 when y >= 0.5 (targets 0/1). Several: the largest output
    against a one-hot target's 1. Y, T: (N, k).
    """
    if T.shape[1] == 1:
        if not np.all((T == 0) | (T == 1)):
            return None
        return float(np.mean((Y >= 0.5) == (T == 1)))
    if not (np.all((T == 0) | (T == 1)) and np.all(T.sum(axis=1) == 1)):
        return None
    return float(np.mean(Y.argmax(axis=1) == T.argmax(axis=1)))


def evaluate(network, X, T, loss):
    """(mean loss, accuracy, per-example losses (N,)) of ``network`` on X (N, n_0), T (N, n_L)."""
    loss = get_loss(loss)
    fwd = network.forward(X)
    per_example = loss.per_example(fwd.z[-1], fwd.output, T, network.output_activation)
    return float(np.mean(per_example)), accuracy(fwd.output, T), per_example


def sampling_probabilities(per_example_losses, mix=0.5):
    """Error-weighted presentation: p_n = (1 - mix) e_n / sum(e) + mix / N.

    Examples with a large error e_n are shown more often; the uniform share ``mix`` keeps
    every example in play (mix = 1 is uniform sampling).
    """
    e = np.asarray(per_example_losses, dtype=np.float64)
    mix = number(mix, "mix", low=0.0, high=1.0)
    if e.ndim != 1 or e.size == 0 or np.any(e < 0) or not np.all(np.isfinite(e)):
        raise ValueError("per_example_losses must be a non-empty 1-D array of finite losses >= 0")
    total = e.sum()
    errors = e / total if total > 0 else np.full(e.size, 1.0 / e.size)
    return (1.0 - mix) * errors + mix / e.size


def train_step(network, X, T, loss, optimizer, target_noise=None):
    """One update on one batch: forward, delta_L from the loss, backward, optimizer step.

    X: (N, n_0), T: (N, n_L), both already checked float64 batches (``fit`` checks its data
    once; the step itself checks nothing, so it costs what the math costs). ``target_noise``, if given, turns
    the targets into the ones backpropagated toward, seeing the outputs:
    ``target_noise(T, Y) -> T_noisy`` (lesson 11). Returns the ``Gradients`` used.
    """
    fwd = network.forward_unchecked(X, train=True)  # dropout draws its masks in training only
    if target_noise is not None:
        T = target_noise(T, fwd.output)
    delta_L = loss.delta(fwd.z[-1], fwd.output, T, network.output_activation)
    grads = network.backward_unchecked(fwd, delta_L)
    optimizer.update(network.parameters(), grads.as_list())  # the shapes match by construction
    return grads


def batches(n_examples, batch_size, order):
    """Split the presentation ``order`` (indices) into consecutive batches of ``batch_size``."""
    return [order[i:i + batch_size] for i in range(0, n_examples, batch_size)]


def fit(network, X, T, loss="cross_entropy", optimizer=None, epochs=10, batch_size=32,
        shuffle=True, sampling="uniform", sampling_mix=0.5, validation=None, rng=0,
        callbacks=(), progress=False, on_divergence="raise", target_noise=None,
        divergence_factor=DIVERGENCE_FACTOR) -> History:
    """Train ``network`` on X (N, n_0) and T (N, n_L); return the ``History``.

    ``optimizer``: any object with ``start_epoch(k)`` and ``update(params, grads)`` (default
    ``SGD(0.1)``). ``batch_size``: 1 online, N full batch. ``shuffle``: a new random order each
    epoch (else the data's order). ``sampling``: "uniform" presents every example once per
    epoch; "error_weighted" draws N examples with probabilities from ``sampling_probabilities``.
    ``validation``: (X_val, T_val) or None. ``callbacks``: functions called as
    ``callback(epoch, network, history)`` after epoch 0 (the start) and after every epoch.
    ``on_divergence``: either way the network gets back the parameters of the last good epoch;
    "raise" then raises a DivergenceError, "stop" keeps the history so far and puts the
    message in ``history.stopped``.
    ``divergence_factor``: a loss this many times its start counts as blown up (None: never;
    see the module docstring for the whole rule).
    ``target_noise``: an object with ``start_epoch(k)`` and ``__call__(T, Y)`` returning the
    targets to train toward (noise injection, lesson 11). It draws from its own generator, so
    the presentation order does not depend on it; the history's losses use the clean targets.
    """
    loss = get_loss(loss)
    optimizer = _check_optimizer(optimizer)
    callbacks = _check_callbacks(callbacks)
    if divergence_factor is not None:
        divergence_factor = number(divergence_factor, "divergence_factor", low=1.0, low_open=True)
    X = as_batch(X, "X", width=network.layers[0].n_in)
    T = as_batch(T, "T", width=network.layers[-1].n_out)
    if X.shape[0] != T.shape[0]:
        raise ValueError(f"X and T must have the same number of rows, got {X.shape[0]} and {T.shape[0]}")
    N = X.shape[0]
    epochs = integer(epochs, "epochs", low=0)
    batch_size = min(integer(batch_size, "batch_size", low=1), N)
    choice(sampling, "sampling", ("uniform", "error_weighted"))
    choice(on_divergence, "on_divergence", ("raise", "stop"))
    if _check_validation(validation) is not None:
        X_val = as_batch(validation[0], "validation X", width=network.layers[0].n_in)
        T_val = as_batch(validation[1], "validation T", width=network.layers[-1].n_out)
    rng = as_rng(rng)
    params = network.parameters()
    history = History()
    steps, seconds = 0, 0.0

    def record(epoch):
        nonlocal per_example
        train_loss, train_acc, per_example = evaluate(network, X, T, loss)
        val_loss = val_acc = None
        if validation is not None:
            val_loss, val_acc, _ = evaluate(network, X_val, T_val, loss)
        history.record(epoch=epoch, loss=train_loss, accuracy=train_acc, val_loss=val_loss,
                       val_accuracy=val_acc, learning_rate=optimizer.learning_rate,
                       updates=steps, time=seconds)
        return train_loss

    per_example = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        record(0)
        last_good = [p.copy() for p in params]
        for callback in callbacks:
            callback(0, network, history)
        for epoch in range(1, epochs + 1):
            optimizer.start_epoch(epoch)
            if target_noise is not None:
                target_noise.start_epoch(epoch)
            if sampling == "error_weighted":
                order = rng.choice(N, size=N, p=sampling_probabilities(per_example, sampling_mix))
            else:
                order = rng.permutation(N) if shuffle else np.arange(N)
            started = time.perf_counter()
            for batch in batches(N, batch_size, order):
                train_step(network, X[batch], T[batch], loss, optimizer, target_noise)
                steps += 1
            seconds += time.perf_counter() - started
            train_loss = record(epoch)
            blown_up = _blow_up(train_loss, history.loss[0], params, divergence_factor)
            if blown_up:
                message = _divergence_message(epoch, blown_up, history, optimizer)
                for p, good in zip(params, last_good):  # never leave NaN weights behind
                    p[...] = good
                if on_divergence == "raise":
                    raise DivergenceError(message)
                for key in History.KEYS:
                    getattr(history, key).pop()
                history.stopped = message
                break
            for p, good in zip(params, last_good):
                good[...] = p
            for callback in callbacks:
                callback(epoch, network, history)
            if progress and (epoch == epochs or epoch % max(1, epochs // 10) == 0):
                acc = history.accuracy[-1]
                acc_text = "" if acc is None else f"  accuracy {acc:.3f}"
                print(f"epoch {epoch:>4}/{epochs}  loss {train_loss:.4f}{acc_text}")
    return history


def _check_optimizer(optimizer):
    """None (SGD(0.1)) or an object with start_epoch(k) and update(params, grads)."""
    optimizer = SGD(0.1) if optimizer is None else optimizer
    if not all(callable(getattr(optimizer, method, None)) for method in ("start_epoch", "update")):
        raise ValueError(f"optimizer must be an optimizer such as SGD(0.1) or Momentum(0.1, 0.9), "
                         f"got {optimizer!r}")
    return optimizer


def _check_callbacks(callbacks):
    """None or a list/tuple of callables -> a tuple of callables."""
    callbacks = () if callbacks is None else callbacks
    if not isinstance(callbacks, (list, tuple)) or not all(callable(c) for c in callbacks):
        raise ValueError(f"callbacks must be a list of functions callback(epoch, network, history), "
                         f"got {callbacks!r}"[:200])
    return tuple(callbacks)


def _check_validation(validation):
    """None or a pair (X_val, T_val); the arrays themselves are checked by the caller."""
    if validation is not None and (not isinstance(validation, (tuple, list)) or len(validation) != 2):
        what = (f"{type(validation).__name__} of length {len(validation)}"
                if isinstance(validation, (tuple, list)) else type(validation).__name__)
        raise ValueError(f"validation must be a pair (X_val, T_val) or None, got a {what}")
    return validation


def _blow_up(train_loss, start_loss, params, divergence_factor, quantity="training loss"):
    """What blew up, in words, or None: the rule of the module docstring (``quantity`` names
    the loss in the message)."""
    if not np.isfinite(train_loss):
        return f"the {quantity} became {train_loss}"
    if (divergence_factor is not None and train_loss > 1.0
            and train_loss > divergence_factor * start_loss):
        return (f"the {quantity} rose to {train_loss:.4g}, more than {divergence_factor:g} times "
                f"its {start_loss:.4g} before training")
    largest = max(float(np.max(np.abs(p))) for p in params)
    if not largest <= PARAMETER_LIMIT:  # also NaN
        return f"a weight grew to {largest:.4g} (more than {PARAMETER_LIMIT:g} in size)"
    return None


def _divergence_message(epoch, blown_up, history, optimizer):
    before = history.loss[-2]
    return (
        f"training diverged at epoch {epoch}: {blown_up} "
        f"(the training loss was {before:.4g} after epoch {epoch - 1}). The learning rate "
        f"{optimizer.learning_rate:g} is probably too large for this network and loss: "
        f"try a smaller learning_rate (or a smaller momentum, or inputs of smaller scale)."
    )
