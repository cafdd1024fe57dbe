"""Plausible wrong answers to lesson 12's (the capstone's) exercises; each must fail its check.

Among them, answers that call minibp: in the capstone the learner's code may not.
"""

import numpy as np

from minibp import Network
from minibp.network import Dense


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _network(params, hidden="tanh"):
    W, b = params[0::2], params[1::2]
    layers = [Dense(w, c, hidden) for w, c in zip(W[:-1], b[:-1])]
    return Network.from_layers(layers + [Dense(W[-1], b[-1], "softmax")])


def _backprop(params, X, T, slope=lambda a: 1 - a**2, output=lambda y, T: y - T, per_example=False):
    """A hand-written forward and backward pass with one piece swappable."""
    W, b = params[0::2], params[1::2]
    a = [X]
    for w, c in zip(W[:-1], b[:-1]):
        a.append(np.tanh(a[-1] @ w + c))
    y = _softmax(a[-1] @ W[-1] + b[-1])
    loss = float(-(T * np.log(y)).sum(axis=1).mean())
    delta, grads, N = output(y, T), [], 1 if per_example else len(X)
    for layer in range(len(W) - 1, -1, -1):
        grads[:0] = [a[layer].T @ delta / N, delta.sum(axis=0) / N]
        if layer:
            delta = (delta @ W[layer].T) * slope(a[layer])
    return loss, grads


def _numerical(loss, params, eps, one_sided=False, restore=True, scale=2.0):
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            kept = p[i]
            p[i] = kept + eps
            up = loss()
            p[i] = kept if one_sided else kept - eps
            down = loss()
            if restore:
                p[i] = kept
            g[i] = (up - down) / ((1.0 if one_sided else scale) * eps)
        grads.append(g)
    return grads


def _glorot(sizes, rng, limit=lambda n_in, n_out: np.sqrt(6.0 / (n_in + n_out)), bias=0.0,
            global_rng=False):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        r = limit(n_in, n_out)
        draw = np.random.uniform if global_rng else rng.uniform
        params += [draw(-r, r, size=(n_in, n_out)), np.full(n_out, bias)]
    return params


def _momentum(params, velocities, grads, eta, mu, sign=-1.0, in_place=True):
    for p, v, g in zip(params, velocities, grads):
        new = mu * v + sign * eta * g
        if in_place:
            v[...] = new
        p += new


def _train(params, X, T, epochs, batch_size, eta0, mu, drop, every, rng, shuffle=True,
           reset_velocity=False, decay=True, last_loss=False):
    velocities, history = [np.zeros_like(p) for p in params], []
    for epoch in range(1, epochs + 1):
        eta = eta0 * drop ** ((epoch - 1) // every) if decay else eta0
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        total = 0.0
        if reset_velocity:
            velocities = [np.zeros_like(p) for p in params]
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = _backprop(params, X[batch], T[batch])
            _momentum(params, velocities, grads, eta, mu)
            total = loss if last_loss else total + loss * len(batch)
        history.append(total if last_loss else total / len(X))
    return history


def _power(params, X, T, q, centred, signed=True, axis=1):
    def output(y, t):
        e = y - t
        delta = (np.sign(e) if signed else 1.0) * np.abs(e) ** q
        return delta - delta.mean(axis=axis, keepdims=True) if centred else delta
    return _backprop(params, X, T, output=output)[1]


def _dropout(params, X, T, p, rng, scale=True, mask_back=True, output_mask=False):
    W, b = params[0::2], params[1::2]
    a, h, masks = [X], [None], [None]
    for layer, (w, c) in enumerate(zip(W, b), start=1):
        if layer == len(W):
            break
        h.append(np.tanh(a[-1] @ w + c))
        masks.append((rng.random(h[-1].shape) >= p) / ((1.0 - p) if scale else 1.0))
        a.append(h[-1] * masks[-1])
    z = a[-1] @ W[-1] + b[-1]
    if output_mask:
        z = z * (rng.random(z.shape) >= p) / (1.0 - p)
    y = _softmax(z)
    loss, delta, grads = float(-(T * np.log(y)).sum(axis=1).mean()), y - T, []
    for layer in range(len(W), 0, -1):
        grads[:0] = [a[layer - 1].T @ delta / len(X), delta.mean(axis=0)]
        if layer > 1:
            delta = (delta @ W[layer - 1].T) * (masks[layer - 1] if mask_back else 1.0) \
                * (1 - h[layer - 1] ** 2)
    return loss, grads


WRONG_ANSWERS = {
    "dense_forward": [
        lambda a, W, b: a @ W,  # no bias
        lambda a, W, b: np.tanh(a @ W + b),  # the activation too
        lambda a, W, b: (W.T @ a.T).T,  # no bias, written the other way round
        lambda a, W, b: Dense(W, b, "identity").forward(a)[0],  # minibp's layer
    ],
    "dense_backward": [
        lambda a, W, d: (a.T @ d, d.sum(axis=0), d @ W.T),  # sums, not means
        lambda a, W, d: (a.T @ d / len(a), d.mean(axis=0), d @ W),  # W, not W^T
        lambda a, W, d: (a.T @ d / len(a), d.mean(axis=0), d @ W.T / len(a)),  # 1/N twice
        lambda a, W, d: (*Dense(W, np.zeros(W.shape[1])).gradients(a, d), d @ W.T),  # minibp
    ],
    "softmax_cross_entropy": [
        lambda z, t: (float(-(t * np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)))
                            .sum(axis=1).mean()), _softmax(z) - t),  # overflows
        lambda z, t: (float(-(t * np.log(_softmax(z))).sum()), _softmax(z) - t),  # summed loss
        lambda z, t: (float(-(t * np.log(_softmax(z))).sum(axis=1).mean()),
                      (_softmax(z) - t) / len(z)),  # delta divided by N
        lambda z, t: (float(-(t * np.log(_softmax(z))).sum(axis=1).mean()), t - _softmax(z)),
    ],
    "forward_backward": [
        lambda params, X, T: _backprop(params, X, T, slope=lambda a: 1.0),  # no f'
        lambda params, X, T: _backprop(params, X, T, slope=lambda a: a * (1 - a)),  # sigmoid's
        lambda params, X, T: _backprop(params, X, T, per_example=True),  # sums over the batch
        lambda params, X, T: (lambda loss, g: (loss, g.as_list()))(  # minibp's own
            *_network(params).loss_and_gradients(X, T, "cross_entropy")),
    ],
    "numerical_gradients": [
        lambda loss, params, eps: _numerical(loss, params, eps, one_sided=True),
        lambda loss, params, eps: _numerical(loss, params, eps, restore=False),
        lambda loss, params, eps: _numerical(loss, params, eps, scale=1.0),  # / eps
        lambda loss, params, eps: _numerical(loss, params[:1], eps),  # the first array only
    ],
    "glorot_uniform": [
        lambda sizes, rng: _glorot(sizes, rng, limit=lambda n_in, n_out: np.sqrt(6.0 / n_in)),
        lambda sizes, rng: _glorot(sizes, rng, limit=lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out))),
        lambda sizes, rng: _glorot(sizes, rng, bias=0.01),  # biases not zero
        lambda sizes, rng: _glorot(sizes, rng, global_rng=True),  # np.random, not rng
        lambda sizes, rng: [p.T if p.ndim == 2 else p for p in _glorot(sizes, rng)],  # transposed
        lambda sizes, rng: [rng.normal(0, np.sqrt(2.0 / (m + n)), size=(m, n)) if k == 0 else
                            np.zeros(n) for m, n in zip(sizes[:-1], sizes[1:])
                            for k in (0, 1)],  # normal, not uniform (std right, range not)
    ],
    "momentum_step": [
        lambda params, vs, grads, eta, mu: _momentum(params, vs, grads, eta, mu, sign=1.0),
        lambda params, vs, grads, eta, mu: _momentum(params, vs, grads, eta, mu, in_place=False),
        lambda params, vs, grads, eta, mu: [p.__isub__(eta * g) for p, g in zip(params, grads)],
    ],
    "step_decay": [
        lambda k, eta0, drop, every: eta0 * drop ** (k // every),  # epochs from 0
        lambda k, eta0, drop, every: eta0 * drop ** ((k - 1) / every),  # smooth
        lambda k, eta0, drop, every: eta0 * drop * ((k - 1) // every),  # times, not power
    ],
    "train": [
        lambda *args: _train(*args, shuffle=False),
        lambda *args: _train(*args, reset_velocity=True),
        lambda *args: _train(*args, decay=False),
        lambda *args: _train(*args, last_loss=True),  # the last batch's loss only
    ],
    "predict": [
        lambda params, X: _network(params).predict(X).argmax(axis=0),  # per column (and minibp)
        lambda params, X: (X @ params[0] + params[1]).argmax(axis=1),  # first layer only
        lambda params, X: _softmax(X @ params[0] + params[1]).max(axis=1),  # a probability
    ],
    "power_error_gradients": [
        lambda params, X, T, q, centred=False: _power(params, X, T, q, centred, signed=False),
        lambda params, X, T, q, centred=False: _power(params, X, T, 1.0, centred),  # no q
        lambda params, X, T, q, centred=False: _power(params, X, T, q, False),  # never centred
        lambda params, X, T, q, centred=False: _power(params, X, T, q, centred, axis=0),
    ],
    "dropout_forward_backward": [
        lambda params, X, T, p, rng: _dropout(params, X, T, p, rng, scale=False),
        lambda params, X, T, p, rng: _dropout(params, X, T, p, rng, mask_back=False),
        lambda params, X, T, p, rng: _dropout(params, X, T, 0.0, rng),  # no dropout
        lambda params, X, T, p, rng: _dropout(params, X, T, p, rng, output_mask=True),
    ],
}
