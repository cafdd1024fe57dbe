"""Plausible wrong answers to lesson 06's exercises; each must fail its check."""

import numpy as np


def _normal(sigma, transpose=False):
    def draw(n_in, n_out, rng):
        shape = (n_out, n_in) if transpose else (n_in, n_out)
        return rng.normal(0.0, sigma(n_in, n_out), size=shape)
    return draw


def _uniform(limit, transpose=False):
    def draw(n_in, n_out, rng):
        r = limit(n_in, n_out)
        if transpose:  # the right law, drawn as (n_out, n_in) and transposed
            return rng.uniform(-r, r, size=(n_out, n_in)).T
        return rng.uniform(-r, r, size=(n_in, n_out))
    return draw


def _transposed(sigma):
    """The right law and shape, drawn as (n_out, n_in) and transposed: other numbers."""
    def draw(n_in, n_out, rng):
        return rng.normal(0.0, sigma(n_in, n_out), size=(n_out, n_in)).T
    return draw


WRONG_ANSWERS = {
    "xavier_normal": [
        _normal(lambda n_in, n_out: 2.0 / (n_in + n_out)),  # the variance used as sigma
        _normal(lambda n_in, n_out: np.sqrt(1.0 / n_in)),  # fan-in only
        _normal(lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out)), transpose=True),  # (n_out, n_in)
        _transposed(lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out))),  # drawn transposed
    ],
    "glorot_uniform": [
        _uniform(lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out))),  # sigma used as the limit
        _uniform(lambda n_in, n_out: 1.0 / np.sqrt(n_in)),  # the standard init
        _normal(lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out))),  # a normal law
        _uniform(lambda n_in, n_out: np.sqrt(6.0 / (n_in + n_out)), transpose=True),  # drawn transposed
    ],
    "net_input_variance": [
        lambda a, var_W: a.shape[1] * var_W * a.var(),  # Var(a) instead of E[a^2]
        lambda a, var_W: var_W * np.mean(a**2),  # n_in forgotten
        lambda a, var_W: a.shape[0] * var_W * np.mean(a**2),  # N instead of n_in
    ],
    "gradient_spread_ratio": [
        lambda deltas: np.std(deltas[-1]) / np.std(deltas[0]),  # upside down
        lambda deltas: np.var(deltas[0]) / np.var(deltas[-1]),  # variances
        lambda deltas: np.std(deltas[0]) / np.std(deltas[1]),  # second layer, not the last
    ],
    "he_normal": [
        _normal(lambda n_in, n_out: np.sqrt(1.0 / n_in)),  # the factor 2 missing
        _normal(lambda n_in, n_out: 2.0 / n_in),  # the variance used as sigma
        _normal(lambda n_in, n_out: np.sqrt(2.0 / n_out)),  # fan-out
        _transposed(lambda n_in, n_out: np.sqrt(2.0 / n_in)),  # drawn transposed
    ],
}


def _variances(forward_size, backward_size, backward_var, square=False):
    """predicted_variances with per-layer factors n[forward_size(l)] var_W[l - 1] forward and
    n[backward_size(l)] var_W[backward_var(l)] backward (sizes n_0..n_L, var_W[l - 1] of W_l)."""
    def variances(sizes, var_W, mean_square_input, var_output_delta):
        L = len(sizes) - 1
        power = 2 if square else 1
        var_z, mean_square = [], mean_square_input
        for l in range(1, L + 1):
            mean_square = sizes[forward_size(l)] * var_W[l - 1] ** power * mean_square
            var_z.append(mean_square)
        var_delta = [var_output_delta]
        for l in range(L - 1, 0, -1):
            var_delta.insert(0, sizes[backward_size(l)] * var_W[backward_var(l)] ** power
                             * var_delta[0])
        return np.array(var_z), np.array(var_delta)
    return variances


WRONG_ANSWERS["predicted_variances"] = [
    _variances(lambda l: l - 1, lambda l: l, lambda l: l),  # backward counts n_l, not n_{l+1}
    _variances(lambda l: l - 1, lambda l: l + 1, lambda l: l - 1),  # backward uses W_l's variance
    _variances(lambda l: l, lambda l: l + 1, lambda l: l),  # forward counts n_l, not n_{l-1}
    _variances(lambda l: l - 1, lambda l: l + 1, lambda l: l, square=True),  # var_W squared
    # forward fine, backward ends one layer short: var_delta[L-1] times the top factor again
    lambda sizes, var_W, ms, vd: (
        ms * np.cumprod(np.array(sizes[:-1]) * np.array(var_W)),
        vd * np.cumprod((np.array(sizes[1:]) * np.array(var_W))[::-1])[::-1]),
]
