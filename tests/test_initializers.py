"""Tests for minibp.initializers: shapes, seeds, and the laws the weights are drawn from."""

import numpy as np
import pytest

from minibp import initializers
from minibp.initializers import INITIALIZERS, get_initializer

N_IN, N_OUT = 300, 500  # 150 000 weights: sample moments within a fraction of a percent
Z = 5.0  # tolerances are Z standard errors of the sample statistic (seeded, so deterministic)


def test_the_registry_holds_the_documented_initializers():
    assert set(INITIALIZERS) == {
        "uniform", "glorot_standard", "xavier_normal", "glorot_normalized", "he_normal",
        "negative_mean",
    }


@pytest.mark.parametrize("name", list(INITIALIZERS))
@pytest.mark.parametrize("n_in, n_out", [(1, 1), (3, 2), (2, 7)])
def test_shape_and_dtype(name, n_in, n_out):
    W = get_initializer(name)(n_in, n_out, rng=0)
    assert W.shape == (n_in, n_out)
    assert W.dtype == np.float64
    assert np.all(np.isfinite(W))


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_same_seed_same_weights_different_seed_different_weights(name):
    init = get_initializer(name)
    np.testing.assert_array_equal(init(20, 30, rng=5), init(20, 30, rng=5))
    np.testing.assert_array_equal(init(20, 30, rng=5), init(20, 30, rng=np.random.default_rng(5)))
    assert not np.any(init(20, 30, rng=5) == init(20, 30, rng=6))


def test_initializers_leave_numpy_global_state_alone():
    np.random.seed(1)
    before = np.random.random()
    np.random.seed(1)
    for init in INITIALIZERS.values():
        init(4, 3)
    assert np.random.random() == before


R_STANDARD = 1 / np.sqrt(N_IN)  # glorot_standard's limit
R_NORMALIZED = np.sqrt(6.0 / (N_IN + N_OUT))  # glorot_normalized's limit

# name, options, the support [low, high] (None for normal laws), the law's mean and variance
LAWS = [
    ("uniform", {}, (-1.0, 1.0), 0.0, 1 / 3),
    ("uniform", {"limit": 0.3}, (-0.3, 0.3), 0.0, 0.09 / 3),
    ("glorot_standard", {}, (-R_STANDARD, R_STANDARD), 0.0, 1 / (3 * N_IN)),
    ("glorot_normalized", {}, (-R_NORMALIZED, R_NORMALIZED), 0.0, 2 / (N_IN + N_OUT)),
    ("xavier_normal", {}, None, 0.0, 2 / (N_IN + N_OUT)),
    ("he_normal", {}, None, 0.0, 2 / N_IN),
    ("negative_mean", {}, (-1 / N_IN - R_STANDARD, -1 / N_IN + R_STANDARD), -1 / N_IN,
     1 / (3 * N_IN)),
    ("negative_mean", {"c": 40.0}, (-40 / N_IN - R_STANDARD, -40 / N_IN + R_STANDARD), -40 / N_IN,
     1 / (3 * N_IN)),
]


@pytest.mark.parametrize("name, options, support, mean, var", LAWS,
                         ids=[f"{law[0]}-{law[1]}" for law in LAWS])
def test_empirical_moments_match_the_formula(name, options, support, mean, var):
    W = get_initializer(name)(N_IN, N_OUT, rng=1, **options)
    n = W.size
    if support is not None:
        low, high = support
        assert W.min() >= low and W.max() <= high
        # The sample reaches both ends: the gaps there are about (high - low) / n.
        assert W.min() - low < 20 * (high - low) / n and high - W.max() < 20 * (high - low) / n
        sd_of_squares = var * np.sqrt(4 / 5)  # sd of (w - mean)^2 under a uniform law
    else:
        sd_of_squares = var * np.sqrt(2.0)  # ... and under a normal law
        assert abs(np.mean(np.abs(W - mean) < np.sqrt(var)) - 0.6827) < 0.01  # normal, not uniform
    assert abs(W.mean() - mean) < Z * np.sqrt(var / n)
    assert abs(W.var() - var) < Z * sd_of_squares / np.sqrt(n)


def test_negative_mean_shifts_the_standard_law_by_minus_c_over_n_in():
    c, n_in = 2.5, 40
    W = initializers.negative_mean(n_in, 50, rng=3, c=c)
    U = initializers.glorot_standard(n_in, 50, rng=3)  # the same draws, unshifted
    np.testing.assert_allclose(W, U - c / n_in, rtol=0, atol=1e-15)


def test_uniform_with_limit_zero_is_all_zero():
    np.testing.assert_array_equal(initializers.uniform(3, 4, limit=0.0), np.zeros((3, 4)))


@pytest.mark.parametrize("name", list(INITIALIZERS))
@pytest.mark.parametrize("n_in, n_out, argument", [
    (0, 3, "n_in"), (-2, 3, "n_in"), (2.5, 3, "n_in"), (True, 3, "n_in"),
    (3, 0, "n_out"), (3, 1.0, "n_out"), (3, "4", "n_out"),
])
def test_bad_sizes_raise_naming_the_argument(name, n_in, n_out, argument):
    with pytest.raises(ValueError, match=argument):
        get_initializer(name)(n_in, n_out)


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_bad_rng_raises(name):
    with pytest.raises(ValueError, match="rng"):
        get_initializer(name)(3, 4, rng="seed")


@pytest.mark.parametrize("call, argument", [
    (lambda: initializers.uniform(3, 4, limit=-1.0), "limit"),
    (lambda: initializers.negative_mean(3, 4, c=float("nan")), "c must be finite"),
])
def test_bad_options_raise_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_unknown_initializer_raises_listing_the_names():
    with pytest.raises(ValueError, match="unknown init 'lecun'") as info:
        get_initializer("lecun")
    for name in INITIALIZERS:
        assert name in str(info.value)


def test_get_initializer_passes_a_callable_through():
    def custom(n_in, n_out, rng=0):
        return np.zeros((n_in, n_out))

    assert get_initializer(custom) is custom
    assert get_initializer("he_normal") is initializers.he_normal
