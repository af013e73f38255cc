"""OSTEP's own homework replayed: answers printed by OSTEP's ``fork.py`` and ``process-run.py``
(run outside this repository; their output is stored in tests/unit/fixtures/ostep/, fork.py's
with ``-P basic`` and the 31-space margin removed) against proclab's models, action by action
and tick by tick. The same seed must make the same exercise, as both draw from Python's
Mersenne Twister in the same order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from proclab.homework import forktree as ft
from proclab.homework import procrun as pr
from tests.support.cli import run_cli
from tests.support.documents import printed

FIXTURES = Path(__file__).parent / "fixtures" / "ostep"


@dataclass
class ForkRun:
    args: dict[str, str]
    actions: list[str]  # fork.py's words: 'a forks b', 'c EXITS', 'c EXITS (failed: has children)'
    trees: list[dict[str, list[str]]]


def basic_tree(lines: list[str]) -> dict[str, list[str]]:
    """fork.py's basic style: each level indents 3 more, and names are printed %2s."""
    kids: dict[str, list[str]] = {}
    stack: list[str] = []
    for line in lines:
        name = line.strip()
        level = (len(line) - len(line.lstrip()) - max(0, 2 - len(name))) // 3
        kids[name] = []
        del stack[level:]
        if stack:
            kids[stack[-1]].append(name)
        stack.append(name)
    return {k: sorted(v) for k, v in sorted(kids.items())}


def read_fork(name: str) -> ForkRun:
    args, actions, trees, lines = {}, [], [], []
    body = (FIXTURES / name).read_text().split("Process Tree:\n", 1)
    for line in body[0].splitlines():
        if line.startswith("ARG "):
            key, _, value = line[4:].partition(" ")
            args[key] = value
    for line in body[1].splitlines()[1:] + ["Action: end"]:
        if line.startswith("Action: "):
            if actions:
                trees.append(basic_tree(lines))
            actions.append(line[len("Action: ") :])
            lines = []
        elif line.strip():
            lines.append(line)
    return ForkRun(args, actions[:-1], trees)


def as_fork_word(step: ft.Step) -> str:
    a = step.action
    if a.is_fork:
        return f"{a.actor} forks {a.child}"
    return f"{a.actor} EXITS" + (" (failed: has children)" if step.refused else "")


def notation(word: str) -> str:
    """'a forks b' -> 'a+b'; 'c EXITS ...' -> 'c-'."""
    parts = word.split()
    return f"{parts[0]}+{parts[2]}" if parts[1] == "forks" else f"{parts[0]}-"


FORK_RUNS = [
    "fork-s10-a100-R.txt",
    "fork-s10-a100.txt",
    "fork-s3-a40-L-R.txt",
    "fork-s3-a40-L.txt",
    "fork-given-L.txt",
    "fork-s10.txt",
    "fork-given-c-exits.txt",
    "fork-given-c-exits-R.txt",
    "fork-s16-a20-f01.txt",
    "fork-s5-a12-f09-t.txt",
]


@pytest.mark.parametrize("fixture", FORK_RUNS)
def test_fork_replays_fork_py(fixture):
    run = read_fork(fixture)
    mode = "subreaper" if run.args["local_reparent"] == "True" else "ostep"
    leaf_only = run.args["leaf_only"] == "True"
    if run.args["action_list"]:
        actions = ft.parse_actions(run.args["action_list"])
    else:  # the same seed makes the same exercise
        actions = ft.generate(
            int(run.args["seed"]), int(run.args["actions"]), float(run.args["fork_percentage"])
        )
    steps = ft.play(actions, mode, leaf_only)
    assert [as_fork_word(s) for s in steps] == run.actions
    for i, (step, want) in enumerate(zip(steps, run.trees, strict=False), 1):
        assert step.tree.as_dict() == want, f"after action {i} ({step.action})"
    assert len(steps) == len(run.trees)


def test_the_100_action_exercise_names_past_z_as_fork_py_does():
    run = read_fork("fork-s10-a100-R.txt")
    children = [w.split()[2] for w in run.actions if " forks " in w]
    assert {"z", "A", "Z", "aa"} <= set(children), (
        "the fixture should reach capitals and two-letter names"
    )
    # the same list, given as an action list, is accepted and gives the same final tree
    doc = printed(
        run_cli(
            "fork", "-A", ",".join(notation(w) for w in run.actions), "-R", "-c", "--json"
        ).stdout
    )
    assert doc["final"] == run.trees[-1]
    assert doc["reparent"] == "subreaper"


def test_leaf_only_refuses_exits_in_generated_and_given_lists():
    generated = read_fork("fork-s3-a40-L.txt")
    refused = [i for i, w in enumerate(generated.actions, 1) if "failed" in w]
    assert len(refused) >= 2
    res = run_cli("fork", "-s", "3", "-a", "40", "-L", "-R", "ostep", "-c", "--json")
    assert res.returncode == 0, res.output
    assert printed(res.stdout)["refused"] == refused
    given = read_fork("fork-given-L.txt")
    res = run_cli("fork", "-A", given.args["action_list"], "-L", "-R", "ostep", "-c")
    assert res.returncode == 0, res.output
    assert (
        res.stdout.count("(refused: it has children)")
        == sum("failed" in w for w in given.actions)
        == 2
    )


def test_the_linux_default_differs_from_fork_py_only_where_grandchildren_move():
    # fork.py's default sends b's grandchild d to the root; Linux keeps d under c
    assert ft.solve(ft.parse_actions("a+b,b+c,c+d,b-"), "ostep")[-1].as_dict() == {
        "a": ["c", "d"],
        "c": [],
        "d": [],
    }
    assert ft.solve(ft.parse_actions("a+b,b+c,c+d,b-"), "init")[-1].as_dict() == {
        "a": ["c"],
        "c": ["d"],
        "d": [],
    }


def test_fork_py_option_spellings():
    assert run_cli("fork", "-f", "0.3", "-a", "20", "-c", "-F", "-P", "basic").returncode == 0
    bad = run_cli("fork", "-f", "70")
    assert bad.returncode == 2 and "--fork-percentage 70" in bad.stderr
    same = run_cli("fork", "--fork-percentage", "30", "-a", "20", "--solve", "--json").stdout
    assert same == run_cli("fork", "-f", "0.3", "-a", "20", "--solve", "--json").stdout
    real = run_cli("fork", "-R", "ostep", "--real")
    assert real.returncode == 2 and "never moves grandchildren" in real.stderr


# process-run.py
@dataclass
class ProcRun:
    args: list[str]
    cells: list[
        list[str]
    ]  # per tick: each process's cell, then CPU ('1' or ''), IOs ('' or a count)
    stars: list[bool]
    totals: tuple[int, int, int]


def read_process_runs() -> list[ProcRun]:
    runs = []
    for block in (FIXTURES / "process-run.txt").read_text().split("### ")[1:]:
        lines = block.splitlines()
        args = lines[0].split()
        header = lines[1]
        n = header.count("PID:")
        cells, stars = [], []
        for line in lines[2:]:
            if not re.match(r"^\s*\d+[* ]", line):
                break
            stars.append(line[3] == "*")
            cols = [line[4 + 14 * k : 4 + 14 * (k + 1)].strip() for k in range(n + 2)]
            cells.append(cols)
        total, cpu, io = (
            int(re.search(rf"{word}\s+(\d+)", block).group(1))
            for word in ("Total Time", "CPU Busy", "IO Busy")
        )
        runs.append(ProcRun(args, cells, stars, (total, cpu, io)))
    return runs


PROCESS_RUNS = read_process_runs()


@pytest.mark.parametrize("run", PROCESS_RUNS, ids=[" ".join(r.args) for r in PROCESS_RUNS])
def test_process_run_replays_process_run_py(run):
    res = run_cli("process-run", *run.args, "-c", "-p", "--json")
    assert res.returncode == 0, res.output
    doc = printed(res.stdout)
    got = [
        [
            *[f"RUN:{t['ran']}" if s == "RUNNING" and t["ran"] else s for s in t["states"]],
            "1" if t["cpu"] else "",
            str(t["ios"]) if t["ios"] else "",
        ]
        for t in doc["ticks"]
    ]
    assert got == run.cells
    ticks, _ = pr.simulate(doc["programs"], doc["switch"], doc["io_done"], doc["io_length"])
    assert [t.io_completed for t in ticks] == run.stars
    assert (
        doc["totals"]["total_time"],
        doc["totals"]["cpu_busy"],
        doc["totals"]["io_busy"],
    ) == run.totals


def test_an_io_length_of_0_is_done_at_the_next_tick():
    ticks, totals = pr.simulate(["iii"], "on-io", "later", 0)
    assert [t.cells()[0] for t in ticks] == ["RUN:io", "RUN:io_done"] * 3
    assert (totals.total_time, totals.io_busy) == (6, 0)
    assert run_cli("process-run", "-P", "i", "-L", "-1", "-c").returncode == 2


def test_process_run_py_programs_and_words():
    assert pr.from_ostep("c3,i,c1:i,c2") == ["cccic", "icc"]
    with pytest.raises(Exception, match="cN"):
        pr.from_ostep("c,i")
    res = run_cli("process-run", "-l", "5:100", "-P", "c3", "-c")
    assert res.returncode == 2 and "not both" in res.stderr
    bad = run_cli("process-run", "-l", "5", "-c")
    assert bad.returncode == 2 and "Error:" in bad.stderr
