"""The narration's table of stop/kill actions (no Docker)."""

from __future__ import annotations

from rich.console import Console

from proclab.lab.result import ExecRecord, KillRecord, LabResult, RunRecord, StopRecord
from proclab.ui.tables import actions_table


def _result(*runs: RunRecord) -> LabResult:
    return LabResult(lab="x", title="x", path="/x", runs=list(runs))


def test_stops_and_kills_side_by_side():
    slow = RunRecord(
        "slow", exit_code=137, actions=[StopRecord("ready", grace_s=2, took_s=2.07, exit_code=137)]
    )
    fast = RunRecord(
        "int",
        exit_code=130,
        actions=[KillRecord("ready", signal="SIGINT", took_s=0.1, exit_code=130)],
    )
    console = Console(width=120, record=True)
    console.print(actions_table(_result(slow, fast)))
    text = console.export_text()
    assert "docker stop -t 2" in text and "2.07s" in text and "137" in text
    assert "docker kill --signal SIGINT" in text and "0.10s" in text and "130" in text


def test_no_table_without_stop_or_kill():
    run = RunRecord("main", actions=[ExecRecord("x", command=("true",), exit_code=0)])
    assert actions_table(_result(run)) is None


def test_a_refused_kill_shows_its_error():
    run = RunRecord(
        "gone", actions=[KillRecord("ready", signal="SIGINT", error="docker kill failed: 409")]
    )
    console = Console(width=120, record=True)
    console.print(actions_table(_result(run)))
    text = console.export_text()
    assert "docker kill --signal SIGINT" in text and "docker kill failed: 409" in text


def test_action_records_keep_their_json_keys():
    """The typed records serialise to the keys the dict records had (the --json document is unchanged)."""
    assert StopRecord("ready", grace_s=2, took_s=2.07, exit_code=137).to_dict() == {
        "at": "ready",
        "do": "stop",
        "grace_s": 2,
        "took_s": 2.07,
        "exit_code": 137,
    }
    assert KillRecord("ready", signal="SIGINT", exit_code=130, took_s=0.1).to_dict() == {
        "at": "ready",
        "do": "kill",
        "signal": "SIGINT",
        "exit_code": 130,
        "took_s": 0.1,
    }
    assert ExecRecord(
        "x", command=("ps",), exit_code=0, stdout="o", stderr="", took_s=0.2
    ).to_dict() == {
        "at": "x",
        "do": "exec",
        "command": ["ps"],
        "exit_code": 0,
        "stdout": "o",
        "stderr": "",
        "took_s": 0.2,
    }
    assert KillRecord("ready", signal="SIGINT", error="409").to_dict() == {
        "at": "ready",
        "do": "kill",
        "signal": "SIGINT",
        "error": "409",
    }
    # a lab's checks written against the old dict records still read them
    assert StopRecord("ready", grace_s=2, took_s=2.5, exit_code=137).data["took_s"] == 2.5
