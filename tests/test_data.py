"""Tests for minibp.data: the toy data sets, the bundled digits and the two helpers."""

import dataclasses
import hashlib

import numpy as np
import pytest

from minibp import data


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- xor -------------------------------------------------------------------------------------

def test_xor_is_the_truth_table():
    X, T = data.xor()
    assert X.dtype == np.float64 and T.dtype == np.float64
    assert X.shape == (4, 2) and T.shape == (4, 1)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    expected = np.logical_xor(X[:, 0], X[:, 1]).astype(np.float64)[:, None]
    np.testing.assert_array_equal(T, expected)


def test_xor_returns_fresh_arrays():
    X, T = data.xor()
    X[:] = 7
    T[:] = 7
    X, T = data.xor()
    assert X.max() == 1 and T.max() == 1


# --- worked example --------------------------------------------------------------------------

def test_worked_example_values_are_exact():
    ex = data.worked_example()
    assert isinstance(ex, data.WorkedExample)
    np.testing.assert_array_equal(ex.x, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(ex.t, [1.0])
    np.testing.assert_array_equal(ex.W1, [[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]])
    np.testing.assert_array_equal(ex.b1, [-0.4, 0.2])
    np.testing.assert_array_equal(ex.W2, [[-0.3], [-0.2]])
    np.testing.assert_array_equal(ex.b2, [0.1])
    assert ex.learning_rate == 0.9
    assert ex.input_units == (1, 2, 3)
    assert ex.hidden_units == (4, 5)
    assert ex.output_units == (6,)
    shapes = [a.shape for a in (ex.x, ex.t, ex.W1, ex.b1, ex.W2, ex.b2)]
    assert shapes == [(3,), (1,), (3, 2), (2,), (2, 1), (1,)]
    assert all(a.dtype == np.float64 for a in (ex.x, ex.t, ex.W1, ex.b1, ex.W2, ex.b2))


def test_worked_example_forward_pass_matches_the_textbook():
    ex = data.worked_example()
    hidden = sigmoid(ex.x @ ex.W1 + ex.b1)
    output = sigmoid(hidden @ ex.W2 + ex.b2)
    np.testing.assert_array_equal(np.round(hidden, 3), [0.332, 0.525])
    np.testing.assert_array_equal(np.round(output, 3), [0.474])


def test_worked_example_is_frozen_and_fresh_each_call():
    first = data.worked_example()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.learning_rate = 0.1
    with pytest.raises(ValueError):
        first.W1[0, 0] = 5.0  # read-only array
    second = data.worked_example()
    assert second is not first
    assert not np.shares_memory(first.W1, second.W1)
    assert "0.332" in data.worked_example.__doc__ and "Han" in data.worked_example.__doc__


# --- moons, circles, spirals -----------------------------------------------------------------

TOY_SETS = [
    (data.moons, {}),
    (data.circles, {}),
    (data.spirals, {"n_classes": 3}),
]


@pytest.mark.parametrize("make, extra", TOY_SETS)
def test_toy_sets_shapes_and_types(make, extra):
    X, labels = make(n_samples=101, rng=0, **extra)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert labels.shape == (101,) and labels.dtype == np.int64
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make, extra", TOY_SETS)
def test_toy_sets_are_reproducible_and_depend_on_the_seed(make, extra):
    X1, labels1 = make(rng=3, **extra)
    X2, labels2 = make(rng=3, **extra)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(labels1, labels2)
    X3, _ = make(rng=4, **extra)
    assert not np.allclose(X1, X3)
    X4, labels4 = make(rng=np.random.default_rng(3), **extra)
    np.testing.assert_array_equal(X1, X4)
    np.testing.assert_array_equal(labels1, labels4)


def test_toy_sets_leave_numpy_global_state_alone():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    data.moons()
    data.circles()
    data.spirals()
    assert np.random.random() == before


@pytest.mark.parametrize("make", [data.moons, data.circles])
@pytest.mark.parametrize("n_samples", [2, 7, 200])
def test_two_class_sets_are_balanced(make, n_samples):
    _, labels = make(n_samples=n_samples)
    assert set(np.unique(labels)) == {0, 1}
    assert np.count_nonzero(labels == 0) == n_samples // 2
    assert np.count_nonzero(labels == 1) == n_samples - n_samples // 2


def test_moons_without_noise_lie_on_their_half_circles():
    X, labels = data.moons(n_samples=50, noise=0.0)
    upper, lower = X[labels == 0], X[labels == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_moons_noise_has_the_requested_spread():
    X, labels = data.moons(n_samples=4000, noise=0.05, rng=1)
    upper = X[labels == 0]
    # Small isotropic noise moves a point off the unit circle by about N(0, noise).
    off_circle = np.hypot(upper[:, 0], upper[:, 1]) - 1.0
    assert abs(off_circle.mean()) < 0.01
    assert 0.04 < off_circle.std() < 0.06


def test_circles_radii_are_one_and_factor_without_noise():
    X, labels = data.circles(n_samples=60, noise=0.0, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[labels == 0], 1.0)
    np.testing.assert_allclose(radius[labels == 1], 0.3)


def test_circles_noise_spreads_the_radii():
    X, labels = data.circles(n_samples=2000, noise=0.05, factor=0.5)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert abs(radius[labels == 0].mean() - 1.0) < 0.02
    assert abs(radius[labels == 1].mean() - 0.5) < 0.02
    assert 0.03 < radius[labels == 0].std() < 0.07


@pytest.mark.parametrize("n_samples, n_classes", [(300, 3), (100, 2), (10, 4), (4, 4)])
def test_spirals_classes_are_balanced_and_radius_runs_to_one(n_samples, n_classes):
    X, labels = data.spirals(n_samples=n_samples, n_classes=n_classes)
    counts = np.bincount(labels, minlength=n_classes)
    assert counts.sum() == n_samples and len(counts) == n_classes
    assert counts.max() - counts.min() <= 1
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.min() >= 0 and radius.max() <= 1 + 1e-12


def test_spirals_without_noise_follow_the_arms():
    X, labels = data.spirals(n_samples=30, n_classes=3, noise=0.0)
    for k in range(3):
        arm = X[labels == k]
        radius = np.hypot(arm[:, 0], arm[:, 1])
        np.testing.assert_allclose(np.sort(radius), np.linspace(0, 1, 10), atol=1e-12)
        # Angle measured from the y axis (x = r sin a, y = r cos a) grows with the radius.
        outer = arm[np.argmax(radius)]
        expected = 2 * np.pi * k / 3 + 4.0
        np.testing.assert_allclose(outer, [np.sin(expected), np.cos(expected)], atol=1e-12)


# --- digits ----------------------------------------------------------------------------------

def test_digits_shape_range_and_labels():
    X, labels = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.unique(X * 16), np.arange(17))
    counts = np.bincount(labels, minlength=10)
    assert len(counts) == 10
    assert np.all((counts >= 170) & (counts <= 190))


def test_digits_file_matches_the_pinned_checksums():
    with np.load(data.DIGITS_FILE) as archive:
        images, labels = archive["images"], archive["labels"]
    assert images.dtype == np.uint8 and images.shape == (1797, 64)
    assert labels.dtype == np.uint8 and labels.shape == (1797,)
    assert int(images.sum(dtype=np.int64)) == 561718
    assert int(labels.sum(dtype=np.int64)) == 8070
    assert labels[0] == 0 and labels[-1] == 8
    assert hashlib.sha256(images.tobytes()).hexdigest() == (
        "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3"
    )
    X, digit_labels = data.digits()
    np.testing.assert_array_equal(X * 16, images)
    np.testing.assert_array_equal(digit_labels, labels)


def test_digits_returns_copies():
    X, labels = data.digits()
    X[:] = -1.0
    labels[:] = -1
    X, labels = data.digits()
    assert X.min() == 0.0 and labels.min() == 0


def test_digits_first_image_looks_like_a_zero():
    X, labels = data.digits()
    image = X[0].reshape(8, 8)
    assert labels[0] == 0
    assert image[3:5, 3:5].max() == 0.0  # the hole in the middle of the 0
    assert image[:, 2:6].sum() > image[:, [0, 7]].sum()


# --- one_hot ---------------------------------------------------------------------------------

def test_one_hot_values_and_round_trip():
    labels = np.array([2, 0, 1, 2])
    targets = data.one_hot(labels)
    np.testing.assert_array_equal(targets, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert targets.dtype == np.float64
    np.testing.assert_array_equal(targets.argmax(axis=1), labels)
    np.testing.assert_array_equal(targets.sum(axis=1), 1.0)


def test_one_hot_with_more_classes_and_whole_floats():
    targets = data.one_hot([1.0, 0.0], n_classes=4)
    np.testing.assert_array_equal(targets, [[0, 1, 0, 0], [1, 0, 0, 0]])
    assert data.one_hot([], n_classes=3).shape == (0, 3)


def test_one_hot_round_trips_the_digits():
    _, labels = data.digits()
    np.testing.assert_array_equal(data.one_hot(labels, 10).argmax(axis=1), labels)


@pytest.mark.parametrize("labels, n_classes, match", [
    ([0, 3], 3, "labels"),
    ([0, -1], None, "labels"),
    ([0.5, 1], None, "labels"),
    ([[0, 1]], None, "labels"),
    ([0, np.nan], None, "labels"),
    (["a"], None, "labels"),
    ([], None, "labels"),
    ([0, 1], 0, "n_classes"),
    ([0, 1], 2.0, "n_classes"),
])
def test_one_hot_rejects_bad_input(labels, n_classes, match):
    with pytest.raises(ValueError, match=match):
        data.one_hot(labels, n_classes)


# --- train_val_split -------------------------------------------------------------------------

def test_split_sizes_disjoint_and_rows_stay_paired():
    X = np.arange(100, dtype=np.float64).reshape(50, 2)  # row i is [2i, 2i + 1]
    labels = np.arange(50)
    X_train, T_train, X_val, T_val = data.train_val_split(X, labels, val_fraction=0.2, rng=1)
    assert X_train.shape == (40, 2) and T_train.shape == (40,)
    assert X_val.shape == (10, 2) and T_val.shape == (10,)
    assert T_train.dtype == labels.dtype
    assert set(T_train).isdisjoint(T_val)
    assert sorted(np.concatenate([T_train, T_val])) == list(range(50))
    np.testing.assert_array_equal(X_train[:, 0], 2 * T_train)
    np.testing.assert_array_equal(X_val[:, 0], 2 * T_val)
    assert not np.array_equal(T_train, np.arange(40))  # it shuffled


def test_split_with_2d_targets_and_reproducibility():
    X = np.arange(30, dtype=np.float64).reshape(10, 3)
    T = data.one_hot(np.arange(10) % 2)
    first = data.train_val_split(X, T, val_fraction=0.3, rng=5)
    again = data.train_val_split(X, T, val_fraction=0.3, rng=5)
    other = data.train_val_split(X, T, val_fraction=0.3, rng=6)
    X_train, T_train, X_val, T_val = first
    assert X_train.shape == (7, 3) and T_train.shape == (7, 2)
    assert X_val.shape == (3, 3) and T_val.shape == (3, 2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[2], other[2])
    row = (X_val[:, 0] / 3).astype(int)
    np.testing.assert_array_equal(T_val.argmax(axis=1), row % 2)


def test_split_keeps_at_least_one_row_on_each_side():
    X = np.zeros((3, 1))
    X_train, _, X_val, _ = data.train_val_split(X, np.zeros(3), val_fraction=0.01)
    assert len(X_train) == 2 and len(X_val) == 1
    X_train, _, X_val, _ = data.train_val_split(X, np.zeros(3), val_fraction=0.99)
    assert len(X_train) == 1 and len(X_val) == 2


def test_split_returns_copies():
    X = np.zeros((10, 2))
    X_train, _, _, _ = data.train_val_split(X, np.zeros(10))
    X_train[:] = 1.0
    assert X.max() == 0.0


@pytest.mark.parametrize("X, T, kwargs, match", [
    (np.zeros((5, 2)), np.zeros(4), {}, "X and T"),
    (np.zeros(5), np.zeros(5), {}, "X"),
    (np.zeros((5, 2)), np.zeros((5, 2, 1)), {}, "T"),
    (np.full((5, 2), np.nan), np.zeros(5), {}, "X"),
    (np.zeros((5, 2)), np.full(5, np.inf), {}, "T"),
    (np.zeros((5, 2)), np.zeros(5), {"val_fraction": 0.0}, "val_fraction"),
    (np.zeros((5, 2)), np.zeros(5), {"val_fraction": 1.0}, "val_fraction"),
    (np.zeros((5, 2)), np.zeros(5), {"val_fraction": "half"}, "val_fraction"),
    (np.zeros((5, 2)), np.zeros(5), {"rng": 0.5}, "rng"),
    (np.zeros((1, 2)), np.zeros(1), {}, "X"),
])
def test_split_rejects_bad_input(X, T, kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.train_val_split(X, T, **kwargs)


# --- bad arguments of the generators ---------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: data.moons(n_samples=1), "n_samples"),
    (lambda: data.moons(n_samples=2.5), "n_samples"),
    (lambda: data.moons(noise=-0.1), "noise"),
    (lambda: data.moons(noise=float("nan")), "noise"),
    (lambda: data.moons(rng="seed"), "rng"),
    (lambda: data.circles(n_samples=1), "n_samples"),
    (lambda: data.circles(noise=-1), "noise"),
    (lambda: data.circles(factor=0), "factor"),
    (lambda: data.circles(factor=1), "factor"),
    (lambda: data.circles(factor=1.5), "factor"),
    (lambda: data.circles(rng=1.0), "rng"),
    (lambda: data.spirals(n_classes=1), "n_classes"),
    (lambda: data.spirals(n_samples=3, n_classes=4), "n_samples"),
    (lambda: data.spirals(noise=-0.2), "noise"),
    (lambda: data.spirals(rng=None), "rng"),
])
def test_generators_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
