"""`proclab fork --real`: the kernel's tree equals the simulation's after every action, in both modes."""
from __future__ import annotations

import pytest

from proclab.homework import forktree as ft
from proclab.run.kernel import fork_trees

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
