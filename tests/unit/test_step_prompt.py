"""Stepping through a lab without Docker: the lesson's checkpoint marks, the 'touched by hand'
note, the prompt's answers and its idle limit, and the CLI's refusals."""
from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from proclab.lab.events import StoppedByLearner
from proclab.lab.lesson import marked_paragraphs
from proclab.run.held import touched_note
from proclab.snapshot.table import Snapshot
from proclab.ui.step import ShellNarrator, StepNarrator
from tests.support.cli import run_cli

FIX = Path(__file__).parent / "fixtures"
LABS = Path(__file__).parents[2] / "labs"


@pytest.fixture
def snap():
    return Snapshot.from_dict(json.loads((FIX / "snapshot_zombie.json").read_text()))


def test_marks_name_the_paragraph_after_them():
    text = ("# T\n\nintro\n\n<!-- checkpoint: a -->\nfirst line\nsecond line\n\nnot it\n\n"
            "<!--checkpoint: b, c-->\n\nfor b and c\n")
    found = marked_paragraphs(text)
    assert found == {"a": "first line\nsecond line", "b": "for b and c", "c": "for b and c"}


@pytest.mark.parametrize("lab", ["zombies", "orphans", "states", "signals", "reaping", "pid1"])
def test_the_lessons_mark_checkpoints_their_scenarios_announce(lab):
    from proclab.cli.shell_cmd import announced
    marked = marked_paragraphs((LABS / lab / "README.md").read_text())
    found = announced((LABS / lab / "scenario.py").read_text())
    assert marked, f"{lab}'s README marks no checkpoint"
    assert found is not None
    literal, patterns = found
    assert not [n for n in marked if n not in literal and not any(p.match(n) for p in patterns)]
    assert all("Stop here and look" in p for p in marked.values())
    zh = marked_paragraphs((LABS / lab / "README.zh.md").read_text())
    assert set(zh) == set(marked) and all("停下来看看" in p for p in zh.values())


def test_an_unchanged_table_is_said_so(snap):
    note = touched_note(snap, snap)
    assert "a shell was opened at checkpoint 'zombie-created'" in note and "touched" not in note


def test_a_killed_process_makes_the_run_touched(snap):
    child = snap.data["child"]
    after = replace(snap, processes=[p for p in snap.processes if p.pid != child])
    note = touched_note(snap, after)
    assert f"pid {child} (python3) gone" in note and note.endswith("the run was touched by hand")


def test_a_stopped_process_is_a_change_and_running_is_not(snap):
    parent = snap.data["parent"]
    def with_state(letter):
        return replace(snap, processes=[replace(p, state=letter) if p.pid == parent else p for p in snap.processes])
    assert "touched" not in touched_note(snap, with_state("R"))
    assert f"pid {parent} S→T" in touched_note(snap, with_state("T"))
    assert "container had stopped" in touched_note(snap, None)


class Held:
    """What the runner hands the prompt; here a record of what the learner asked for."""
    lab, checkpoint = "zombies", "zombie-created"

    def __init__(self):
        self.asked: list[str] = []

    def shell(self) -> int:
        self.asked.append("shell")
        return 0

    def top(self) -> str:
        self.asked.append("top")
        return "Tasks: 5 total, 1 zombie"


def narrator(lines: str, cls=StepNarrator, **kw):
    r, w = os.pipe()           # a real file descriptor: the prompt waits on it with select()
    os.write(w, lines.encode())
    os.close(w)
    out = io.StringIO()
    return cls(stdin=os.fdopen(r), console=Console(file=out, width=120), **kw), out


def test_the_prompt_runs_each_answer_then_continues(snap):
    obs, out = narrator("x\ns\nT\nl\n\n")
    held = Held()
    obs.paused(None, snap, held)
    assert held.asked == ["shell", "top"]
    assert "type c (or Enter)" in out.getvalue() and "1 zombie" in out.getvalue()
    assert "marks no paragraph for 'zombie-created'" in out.getvalue()   # no lab started: no lesson


def test_q_and_the_end_of_input_and_silence_end_the_run(snap):
    for lines, why in [("q\n", "quit at checkpoint 'zombie-created'"), ("", "input ended")]:
        obs, _ = narrator(lines)
        with pytest.raises(StoppedByLearner, match=why):
            obs.paused(None, snap, Held())
    r, _w = os.pipe()          # open, never written: nobody answers
    obs = StepNarrator(stdin=os.fdopen(r), console=Console(file=io.StringIO()), idle_s=0.05)
    with pytest.raises(StoppedByLearner, match="no answer at the prompt"):
        obs.paused(None, snap, Held())


def test_breaks_choose_the_stops_and_the_shell_stops_once():
    assert StepNarrator().holds("anything")
    assert not StepNarrator(frozenset({"a"})).holds("b")
    shell, _ = narrator("", ShellNarrator, at=None)
    held = Held()
    assert shell.holds("first")
    shell.paused(None, None, held)
    assert held.asked == ["shell"] and not shell.holds("second")


@pytest.mark.parametrize("args, message", [
    (["run", "zombies", "--step"], "Error: --step needs a terminal"),
    (["run", "zombies", "--break", "zombie-created"], "Error: --break needs a terminal"),
    (["shell", "zombies"], "Error: proclab shell needs a terminal"),
])
def test_without_a_terminal_one_error_line_exit_2(args, message):
    res = run_cli(*args)
    assert res.returncode == 2, res.output
    assert res.output.strip().splitlines() == [res.output.strip()] and res.output.startswith(message)


def test_step_and_json_do_not_mix():
    res = run_cli("run", "zombies", "--step", "--json")
    assert res.returncode == 2 and "do not mix with --json" in res.output


def test_break_names_are_checked_against_the_scenario():
    from proclab.cli.shell_cmd import announced
    literal, patterns = announced('checkpoint("a", x=1)\ncheckpoint(f"orphan-{i}", top=True)\n')
    assert literal == {"a"} and patterns[0].match("orphan-2") and not patterns[0].match("other")
    assert announced("checkpoint(name)") is None      # built at run time: not judged before it


def test_an_unknown_break_name_is_one_error_naming_the_known_ones():
    from proclab.cli.shell_cmd import check_names
    from proclab.errors import UsageError
    from proclab.lab import spec as labspec
    zombies, pid1 = labspec.resolve("zombies"), labspec.resolve("pid1")
    check_names([zombies], frozenset({"zombie-created", "mp-joined"}), "--break")
    check_names([pid1], frozenset({"orphan-2", "exec"}), "--break")
    with pytest.raises(UsageError) as err:      # cli/main.py prints it: one Error: line, exit 2
        check_names([zombies], frozenset({"zombi"}), "--break")
    assert str(err.value).startswith("--break: no checkpoint named zombi in zombies; its checkpoints: mp-joined, ")


def test_the_checkpoint_paragraph_comes_in_the_lessons_language(tmp_path):
    from proclab.lab.lesson import paragraph_for
    zombies = LABS / "zombies"
    assert paragraph_for(zombies, "reaped", "zh").startswith("**停下来看看**")
    assert paragraph_for(zombies, "reaped", "en").startswith("**Stop here and look**")
    (tmp_path / "README.md").write_text("<!-- checkpoint: a -->\nonly in English\n")
    (tmp_path / "README.zh.md").write_text("# 无标记\n")
    assert paragraph_for(tmp_path, "a", "zh") == "only in English"     # unmarked in Chinese: the English one
    assert paragraph_for(tmp_path, "b", "zh") is None
