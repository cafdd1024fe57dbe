"""Lesson 11: the committed noise sweep, the script that makes it, and the lesson's explorers."""


import numpy as np
import pytest

from course.explorers import noise_and_bidirectional as explore

# Pins numbers that lessons print or committed sweeps hold: rerun under other BLAS kernels
# by tools/check_blas_kernels.py (make test).
pytestmark = pytest.mark.lesson_numbers


@pytest.fixture
def sweep_script(benchmark_script):
    return benchmark_script("noise_sweep")


@pytest.fixture(scope="module")
def sweep():
    return explore.load_sweep()


def test_the_committed_sweep_records_its_command_config_and_seeds(sweep, sweep_script):
    assert sweep["command"] == "python benchmarks/noise_sweep.py"
    assert sweep["config"] == sweep_script.CONFIG  # made by the script as it is now
    cfg = sweep["config"]
    seeds, epochs = cfg["grid"]["seeds"], cfg["epochs"]
    assert len(seeds) >= 10 and len(cfg["bidirectional"]["seeds"]) >= 10
    assert len(sweep["grid"]) == 1 + 2 * len(cfg["grid"]["v0"]) * len(cfg["grid"]["tau"])
    for entry in sweep["grid"]:
        assert np.shape(entry["loss"]) == (len(seeds), epochs + 1)
        assert len(entry["test_accuracy"]) == len(seeds)
        if entry["noise"] != "none":
            assert len(entry["accepted_mean"]) == epochs
    assert sweep["chosen"]["v0"] in cfg["grid"]["v0"] and sweep["chosen"]["tau"] in cfg["grid"]["tau"]
    assert {(e["backward_weight"], e["noise"]) for e in sweep["bidirectional"]} >= {
        (0.0, "none"), (1.0, "none"), (1.0, "nem"), (1.0, "blind")}


def test_the_committed_numbers_are_what_the_code_gives_today(sweep, sweep_script):
    cfg = sweep["config"]
    seed = cfg["grid"]["seeds"][0]
    for condition, v0, tau in (("none", None, None), ("nem", sweep["chosen"]["v0"],
                                                      sweep["chosen"]["tau"])):
        run = sweep_script.noise_run(seed, condition, v0 or 0.0, tau or 1, cfg)
        committed = explore.grid_entry(sweep, condition, v0, tau)["loss"][0]
        np.testing.assert_allclose(run["loss"], committed, rtol=1e-5)


def test_the_quick_sweep_runs_and_is_deterministic(sweep_script, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert sweep_script.main(["--quick", "--out", str(first)]) == 0
    assert sweep_script.main(["--quick", "--out", str(second)]) == 0
    assert first.read_text() == second.read_text()
    quick = explore.load_sweep(str(first))
    assert quick["command"].endswith("--quick") and quick["config"]["epochs"] == 3


def test_the_class_picker_trains_what_the_sweep_trained(sweep):
    runs = explore.bidirectional_runs()
    committed = {(e["backward_weight"], e["noise"]): e for e in sweep["bidirectional"]}
    for name, key in (("forward only", (0.0, "none")), ("bidirectional", (1.0, "none")),
                      ("bidirectional + NEM noise", (1.0, "nem"))):
        np.testing.assert_allclose(runs["distance"][name].mean(axis=1),
                                   committed[key]["centroid_distance"][0], rtol=1e-5)
    assert runs["images"]["bidirectional"].shape == (sweep["config"]["epochs"] + 1, 10, 64)


def test_half_of_the_classification_noise_passes_and_less_of_the_regression_noise():
    classification = explore.accepted_fraction_by_epoch("classification", 0.1, 1.0, 0.7)
    assert np.all(np.abs(classification - 0.5) < 0.01)
    small = explore.accepted_fraction_by_epoch("regression", 1e-4, 0.0, 0.7)
    large = explore.accepted_fraction_by_epoch("regression", 1.0, 0.0, 0.7)
    assert np.all(np.abs(small - 0.5) < 0.02)  # tiny noise: the ball looks like a half-plane
    assert np.all(large < 0.3)
    annealed = explore.accepted_fraction_by_epoch("regression", 1.0, 2.0, 0.7)
    assert annealed[-1] > annealed[0]  # quieter noise, larger share inside the ball


@pytest.mark.parametrize("output", [0.05, 0.3, 0.7, 0.95])
def test_the_drawn_accept_regions_are_where_the_nem_test_accepts(output):
    # The shaded half-plane and disk are drawn from their formulas; the test itself decides
    # for each point. They must agree on points spread over both windows.
    fig = explore.accept_region().figure(output=output, v0=1.0)
    t, a = np.array([1.0, 0.0]), np.array([output, 1.0 - output])
    points = np.random.default_rng(1).uniform(-2.0, 3.0, size=(4000, 2))
    for ax, kind in zip(fig.axes[:2], ("classification", "regression")):
        (region,) = ax.patches
        inside = region.get_path().contains_points(points, region.get_patch_transform())
        accepted = explore.noise.nem_condition(kind, points - t, np.broadcast_to(t, points.shape),
                                               np.broadcast_to(a, points.shape))
        # Only points at the edge may differ (matplotlib draws a circle from Bezier curves).
        assert np.mean(inside == accepted) > 0.99, kind
        assert accepted.any() and not accepted.all()


def test_missing_results_and_unknown_grid_points_get_clear_errors(sweep, tmp_path):
    with pytest.raises(FileNotFoundError, match="noise_sweep.py"):
        explore.load_sweep(str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="no grid entry"):
        explore.grid_entry(sweep, "nem", 0.5, 1)
