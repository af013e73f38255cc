"""`proclab fork --real`: the kernel's tree equals the simulation's after every action, in both modes."""
from __future__ import annotations

import pytest

from proclab.homework import forktree as ft
from proclab.run.homework_real import fork_trees

pytestmark = [pytest.mark.lab, pytest.mark.docker]

HAND_MADE = "a+b,b+c,c+d,b-,a+e,e+f,c-,f+g,e-"


@pytest.mark.parametrize("mode", ft.KERNEL_MODES)
@pytest.mark.parametrize("source", ["hand-made", "seed-2", "seed-11", "seed-23-leaf-only"])
def test_the_kernel_agrees_with_the_simulation(mode, source, lab_image):
    if source == "hand-made":
        actions = ft.parse_actions(HAND_MADE)
    else:
        seed = int(source.split("-")[1])
        actions = ft.generate(seed, 10, 0.55)
    steps = ft.play(actions, mode, leaf_only=source.endswith("leaf-only"))
    predicted = [s.tree.as_dict() for s in steps]
    observed = fork_trees(actions, mode, refused=[s.refused for s in steps])
    assert len(observed) == len(actions)
    for i, (a, want, got) in enumerate(zip(actions, predicted, observed), 1):
        assert got == want, f"after action {i} ({a}) in mode {mode}: kernel {got}, simulation {want}"


def test_leaf_only_refused_exits_are_not_carried_out_on_the_kernel(lab_image):
    """fork.py's -L: 'b EXITS (failed: has children)'; the kernel's tree after it is the one before."""
    import json

    from tests.support.cli import run_cli

    res = run_cli("fork", "-A", "a+b,b+c,b-,c+D,c-,D-,c-,b-", "-L", "--solve", "--real", "--json")
    assert res.returncode == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["refused"] == [3, 5] and doc["agree"] is True
    assert doc["observed"][2] == doc["observed"][1] == {"a": ["b"], "b": ["c"], "c": []}
    assert doc["observed"][4] == doc["observed"][3] == {"D": [], "a": ["b"], "b": ["c"], "c": ["D"]}
    assert doc["final"] == {"a": []}
