"""The homework models on hand-made cases (no Docker): fork trees with Linux's reparenting, and
process-run's tick model against OSTEP process-run.py's published answers."""

from __future__ import annotations

import pytest

from proclab.errors import UsageError
from proclab.homework import forktree as ft
from proclab.homework import procrun as pr
from tests.support.cli import run_cli
from tests.support.documents import printed


def final(actions: str, mode: str = "init") -> dict:
    return ft.solve(ft.parse_actions(actions), mode)[-1].as_dict()


def test_only_the_direct_children_move_to_init():
    # b has a child c, which has a child d: when b exits, c goes to the root, d stays with c
    assert final("a+b,b+c,c+d,b-") == {"a": ["c"], "c": ["d"], "d": []}


def test_subreaper_mode_hands_orphans_to_the_nearest_living_ancestor():
    # a - b - c - d; c exits: d goes to b (c's parent), not to a
    assert final("a+b,b+c,c+d,c-", "subreaper") == {"a": ["b"], "b": ["d"], "d": []}
    assert final("a+b,b+c,c+d,c-", "init") == {"a": ["b", "d"], "b": [], "d": []}


def test_the_first_action_can_be_the_exit_of_a_childless_process():
    assert final("a+b,b-") == {"a": []}
    with pytest.raises(UsageError, match="no living process 'b'"):
        ft.solve(ft.parse_actions("b-"))


def test_bad_actions_are_usage_errors():
    for bad in ("a*b", "a+", "+b", "", "a+b/c"):
        with pytest.raises(UsageError):
            ft.parse_actions(bad)
    with pytest.raises(UsageError, match="does not exit"):
        ft.solve(ft.parse_actions("a-"))
    with pytest.raises(UsageError, match="exists already"):
        ft.solve(ft.parse_actions("a+b,a+b"))


@pytest.mark.parametrize("seed", range(20))
def test_generated_exercises_are_valid_and_repeatable(seed):
    actions = ft.generate(seed, 8, 0.6)
    assert actions == ft.generate(seed, 8, 0.6)
    for mode in ft.MODES:
        ft.solve(actions, mode)


@pytest.mark.parametrize("seed", range(10))
def test_leaf_only_refuses_the_exit_of_a_parent(seed):
    tree = ft.Tree()
    for step in ft.play(ft.generate(seed, 12, 0.4), "init", leaf_only=True):
        a = step.action
        if not a.is_fork:
            assert step.refused == bool(tree.kids[a.actor]), (
                f"{a}: refused {step.refused}, children {tree.kids[a.actor]}"
            )
            assert (a.actor in step.tree.parent) == step.refused
        tree = step.tree


def test_render_is_a_tree():
    t = ft.solve(ft.parse_actions("a+b,a+c,c+d"))[-1]
    assert t.render() == "a\n├── b\n└── c\n    └── d"
    assert t.render("line1") == "a\n+-- b\n|-- c\n    |-- d"


def test_names_go_on_past_z_as_fork_py_names_them():
    import itertools

    first = list(itertools.islice(ft.names(), 60))
    assert (
        first[:2] == ["b", "c"]
        and first[24:27] == ["z", "A", "B"]
        and first[50:53] == ["Z", "aa", "ab"]
    )
    assert final("a+b,b+A,A+Zz,b-", "subreaper") == {"a": ["A"], "A": ["Zz"], "Zz": []}
    assert final("a+1,1+b_2") == {"1": ["b_2"], "a": ["1"], "b_2": []}


def test_fork_cli_solve_json():
    res = run_cli("fork", "-A", "a+b,b+c,b-", "--solve", "--json")
    assert res.returncode == 0, res.output
    doc = printed(res.stdout)
    assert doc["actions"] == ["a+b", "b+c", "b-"]
    assert doc["trees"][1] == {"a": ["b"], "b": ["c"], "c": []}
    assert doc["final"] == {"a": ["c"], "c": []}


def test_fork_cli_asks_then_reveals():
    ask = run_cli("fork", "--seed", "7")
    assert (
        ask.returncode == 0
        and "final tree" in ask.output
        and "└──" not in ask.output.split("\n", 2)[2]
    )
    rev = run_cli("fork", "--seed", "7", "--reverse")
    assert rev.returncode == 0 and "action? ?" in rev.output
    bad = run_cli("fork", "-A", "a*b")
    assert bad.returncode != 0


# process-run.py's own answers (OSTEP, chapter 4 homework)
@pytest.mark.parametrize(
    "programs,switch,io_done,total,cpu,io",
    [
        (["cccc", "i"], "on-io", "later", 11, 6, 5),
        (["i", "cccc"], "on-io", "later", 7, 6, 5),
        (["i", "cccc"], "on-end", "later", 11, 6, 5),
        (["ccccc", "ccccc"], "on-io", "later", 10, 10, 0),
    ],
)
def test_process_run_matches_ostep(programs, switch, io_done, total, cpu, io):
    _, totals = pr.simulate(programs, switch, io_done, 5)
    assert (totals.total_time, totals.cpu_busy, totals.io_busy) == (total, cpu, io)


def test_io_done_immediate_runs_the_io_process_at_once():
    ticks, _ = pr.simulate(["i", "cccccccc"], "on-io", "immediate", 2)
    # the I/O issued at tick 1 ends at tick 4: process 0 runs its io_done then, ahead of process 1
    assert ticks[3].cells()[0] == "RUN:io_done" and ticks[3].io_completed
    later, _ = pr.simulate(["i", "cccccccc"], "on-io", "later", 2)
    assert later[3].cells()[0] == "READY" and later[3].cells()[1] == "RUN:cpu"


def test_process_run_json():
    res = run_cli("process-run", "-P", "cccc", "-P", "i", "--solve", "--json")
    assert res.returncode == 0, res.output
    doc = printed(res.stdout)
    assert doc["totals"] == {"total_time": 11, "cpu_busy": 6, "io_busy": 5}
    assert doc["ticks"][4] == {
        "t": 5,
        "states": ["DONE", "RUNNING"],
        "ran": "io",
        "cpu": 1,
        "ios": 0,
    }
    assert doc["ticks"][5]["states"] == ["DONE", "BLOCKED"] and doc["ticks"][5]["ios"] == 1


def test_process_run_bad_program():
    res = run_cli("process-run", "-P", "cxc", "--solve")
    assert res.returncode != 0
    with pytest.raises(UsageError, match="one letter per instruction"):
        pr.parse_program("cxc")
