"""Every explorer draws at its defaults and at the extremes of every control."""

import pytest

from minibp import explorers

ALL = explorers.all_explorers()
CASES = [(name, control, value)
         for name, factory in ALL.items()
         for control, spec in factory().controls.items()
         for value in spec.extremes()]


@pytest.fixture(scope="module")
def built():
    return {name: factory() for name, factory in ALL.items()}


def test_every_lesson_module_has_explorers():
    assert "worked_example.network_update" in ALL


@pytest.mark.parametrize("name", sorted(ALL))
def test_explorer_draws_its_defaults(built, name):
    fig = built[name].figure()
    assert fig.axes, "the figure has no axes"


@pytest.mark.parametrize("name, control, value", CASES, ids=[f"{c[0]}-{c[1]}={c[2]}" for c in CASES])
def test_explorer_draws_at_each_extreme_and_the_picture_changes(built, name, control, value):
    explorer = built[name]
    png = explorer.png(**{control: value})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    if value != explorer.controls[control].default:
        assert png != explorer.png(), f"moving {control} to {value} changed nothing"


@pytest.mark.parametrize("name", sorted(ALL))
def test_widget_has_one_control_per_parameter(built, name):
    box = built[name].show()
    header, controls, output = box.children
    assert len(controls.children) == len(built[name].controls)
    assert {c.description for c in controls.children}


def test_bad_parameters_get_clear_errors(built):
    explorer = built["worked_example.network_update"]
    with pytest.raises(ValueError, match="unknown parameter"):
        explorer.figure(momentum=0.5)
    with pytest.raises(ValueError, match="learning_rate must be in"):
        explorer.figure(learning_rate=-1.0)
