"""Lesson 12, the capstone: the solution reaches the goal, the referee keeps minibp out of the
learner's code (and puts it back), and the explorer's recipe run stops rather than plot NaN."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from course.checks import CheckFailure
from course.checks import capstone as check
from course.explorers import capstone as explorer
from minibp import Network, data, gradcheck, initializers, optimizers, training
from minibp.network import Dense

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "12_capstone.ipynb"


def _outputs(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))


def test_the_solution_reaches_95_percent_on_the_test_digits_from_every_seed():
    # strict nbval re-runs the notebook and compares these lines with a fresh run
    text = _outputs(SOLUTION)
    first = re.search(r"test accuracy: ([\d.]+) %  \(goal: 95 %\);  trained in under a minute: True", text)
    assert first and float(first.group(1)) >= 95.0
    seeds = re.search(r"seeds 1-5, test accuracy: (.*)\n", text).group(1)
    accuracies = [float(a) for a in re.findall(r"([\d.]+) %", seeds)]
    assert len(accuracies) == 5 and min(accuracies) >= 95.0
    assert "largest relative error below 1e-6: True" in text


def test_every_function_of_the_capstone_but_the_diagnosis_is_checked_against_minibp():
    cells = json.loads(SOLUTION.read_text())["cells"]
    checked = [m for c in cells for m in re.findall(r"^check\.(\w+)\(", "".join(c["source"]), re.M)]
    assert len(checked) == 12 and len(set(checked)) == 12
    assert all(f"Correct: {name}" in _outputs(SOLUTION) for name in checked)


def _uses_minibp(params, X, T):
    network = Network.from_layers([Dense(params[0], params[1], "softmax")])
    loss, grads = network.loss_and_gradients(X, T, "cross_entropy")
    return loss, grads.as_list()


def test_a_learner_function_that_calls_minibp_is_refused_with_a_short_message():
    with pytest.raises(CheckFailure) as failure:
        check.forward_backward(_uses_minibp)
    message = str(failure.value)
    assert "raised RuntimeError: write it yourself" in message and len(message.splitlines()) <= 5


@pytest.mark.parametrize("call", [
    lambda: Network([2, 2], "tanh", "softmax", rng=0).loss_and_gradients(
        np.ones((1, 2)), np.array([[1.0, 0.0]]), "cross_entropy"),
    lambda: optimizers.Momentum(0.1, 0.9).update([np.ones(2)], [np.ones(2)]),
    lambda: training.fit(Network([2, 2], "tanh", "softmax", rng=0), np.ones((2, 2)),
                         np.eye(2), epochs=1),
    lambda: gradcheck.numerical_gradient(lambda: 0.0, np.ones(2)),
    lambda: initializers.glorot_normalized(2, 3, 0),
])
def test_minibp_refuses_inside_the_guard_and_works_again_after_it(call):
    def learner():
        return call()

    with check._without_minibp(learner):
        with pytest.raises(RuntimeError, match="write it yourself"):
            learner()
    call()  # restored


def test_a_name_the_learner_imported_is_refused_too_and_restored():
    namespace = {"glorot_normalized": initializers.glorot_normalized}
    exec("def learner():\n    return glorot_normalized(2, 3, 0)", namespace)
    with check._without_minibp(namespace["learner"]):
        with pytest.raises(RuntimeError, match="write it yourself"):
            namespace["learner"]()
    assert namespace["glorot_normalized"] is initializers.glorot_normalized


def test_glorot_check_accepts_another_correct_way_to_draw_the_law():
    def glorot_uniform(sizes, rng):  # rng.random scaled, not rng.uniform: the same law
        params = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            r = np.sqrt(6.0 / (n_in + n_out))
            params += [r * (2.0 * rng.random((n_in, n_out)) - 1.0), np.zeros(n_out)]
        return params

    check.glorot_uniform(glorot_uniform)


def test_the_explorers_recipe_run_stops_with_a_message_when_it_diverges():
    train, test, accuracy, stopped = explorer.recipe_run(1.0, 0.99)
    assert stopped and stopped.startswith("diverged in epoch")
    assert np.all(np.isfinite(train)) and np.all(np.isfinite(test))
    assert len(train) == len(test) == len(accuracy) < explorer.EPOCHS + 1


def test_the_explorers_default_recipe_reaches_the_goal_in_15_epochs():
    train, test, accuracy, stopped = explorer.recipe_run()
    assert stopped is None and len(accuracy) == explorer.EPOCHS + 1
    assert accuracy[-1] >= explorer.GOAL and train[-1] < train[0] / 20


def test_the_explorer_uses_the_capstones_split():
    X_train, T_train, X_test, T_test = explorer.digits_split()
    X, labels = data.digits()
    assert (len(X_train), len(X_test)) == (1438, 359)
    assert len(X_train) + len(X_test) == len(X) and T_test.shape == (359, 10)
