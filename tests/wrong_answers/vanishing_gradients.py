"""Plausible wrong answers to lesson 07's exercises; each must fail its check."""

import numpy as np


def _delta_norms(network, forward, delta_L, with_derivative=True, weights_below=False):
    delta, norms = delta_L, [np.linalg.norm(delta_L)]
    for l in range(network.depth, 1, -1):
        below = network.layers[l - 2]
        delta = delta @ network.layers[l - 1].W.T
        if with_derivative:
            # off-by-one: f' of the layer above instead of the layer below
            z, a = (forward.z[l], forward.a[l]) if weights_below else (forward.z[l - 1], forward.a[l - 1])
            derivative = (network.layers[l - 1] if weights_below else below).activation.derivative(z, a)
            if derivative.shape != delta.shape:
                derivative = 1.0
            delta = delta * derivative
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])


def _strict(gain, fraction):
    """Counts on while gain**L merely equals the fraction: one layer too many at exact powers."""
    layers = 0
    while gain**layers >= fraction:
        layers += 1
    return layers


def _global_norm(grads):
    return np.sqrt(sum(np.sum(g**2) for g in grads))


def _clip_with(norm_of, grads, max_norm, always=False):
    norm = norm_of(grads)
    return [g * (max_norm / norm) for g in grads] if always or norm > max_norm else grads


def _standard(n_in, n_out, rng):
    limit = 1.0 / np.sqrt(n_in)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


WRONG_ANSWERS = {
    "delta_norms": [
        lambda net, fwd, d: _delta_norms(net, fwd, d, with_derivative=False),  # missing f'
        lambda net, fwd, d: _delta_norms(net, fwd, d)[::-1],  # output layer first
        lambda net, fwd, d: _delta_norms(net, fwd, d, weights_below=True),  # f' of the wrong layer
        lambda net, fwd, d: _delta_norms_untransposed(net, fwd, d),  # delta_l W_l, not W_l^T
    ],
    "layer_gradient_norms": [
        lambda A, D: np.array([np.linalg.norm(a.T @ d) for a, d in zip(A, D)]),  # no 1/N
        lambda A, D: np.array([np.linalg.norm(d) for d in D]),  # ||delta|| only
        lambda A, D: np.array([np.linalg.norm(a.T @ d) / d.size for a, d in zip(A, D)]),  # / (N n_l)
    ],
    "layers_to_vanish": [
        lambda gain, fraction: int(np.floor(np.log(fraction) / np.log(gain))),  # rounds down
        lambda gain, fraction: int(np.ceil(np.log(gain) / np.log(fraction))),  # upside down
        lambda gain, fraction: int(np.ceil(np.log(fraction) / np.log(gain))) + 1,  # one too many
        _strict,  # gain**L == fraction not counted as reached
    ],
    "update_ratios": [
        lambda B, A: np.array([np.linalg.norm(a - b) / np.linalg.norm(a) for b, a in zip(B, A)]),  # after
        lambda B, A: np.array([np.linalg.norm(a - b) for b, a in zip(B, A)]),  # not relative
        lambda B, A: np.array([np.linalg.norm(a) / np.linalg.norm(b) for b, a in zip(B, A)]),  # norm ratio
    ],
    "negative_mean": [
        lambda n_in, n_out, rng, c: _standard(n_in, n_out, rng) + c / n_in,  # positive mean
        lambda n_in, n_out, rng, c: _standard(n_in, n_out, rng) - c / n_out,  # fan-out
        lambda n_in, n_out, rng, c: _standard(n_in, n_out, rng) - c,  # no 1 / n_in
        # the right law, drawn as (n_out, n_in) and transposed
        lambda n_in, n_out, rng, c: (rng.uniform(-1 / np.sqrt(n_in), 1 / np.sqrt(n_in), size=(n_out, n_in)).T
                                     - c / n_in),
    ],
    "clip_by_global_norm": [
        # each array clipped by its own norm: the step turns
        lambda grads, m: [g * min(1.0, m / max(np.linalg.norm(g), 1e-300)) for g in grads],
        lambda grads, m: _clip_with(_global_norm, grads, m, always=True),  # scales short ones up
        lambda grads, m: [g * (_global_norm(grads) / m) for g in grads]  # factor upside down
        if _global_norm(grads) > m else grads,
        lambda grads, m: [np.clip(g, -m, m) for g in grads],  # clipping by value
        lambda grads, m: _clip_with(lambda gs: sum(np.linalg.norm(g) for g in gs), grads, m),
        lambda grads, m: _clip_with(lambda gs: sum(np.sum(g**2) for g in gs), grads, m),  # no sqrt
        lambda grads, m: _clip_with(lambda gs: max(np.linalg.norm(g) for g in gs), grads, m),
        lambda grads, m: [g / _global_norm(grads) for g in grads]  # length 1, not max_norm
        if _global_norm(grads) > m else grads,
    ],
}


def _delta_norms_untransposed(network, forward, delta_L):
    """delta_l W_l (works only where W_l is square) instead of delta_l W_l^T."""
    delta, norms = delta_L, [np.linalg.norm(delta_L)]
    for l in range(network.depth, 1, -1):
        below = network.layers[l - 2]
        delta = (delta @ network.layers[l - 1].W) * below.activation.derivative(
            forward.z[l - 1], forward.a[l - 1])
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])
