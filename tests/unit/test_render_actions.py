"""The narration's table of stop/kill actions (no Docker)."""
from __future__ import annotations

from rich.console import Console

from proclab.ui.tables import actions_table
from proclab.lab.result import ActionRecord, LabResult, RunRecord


def _result(*runs: RunRecord) -> LabResult:
    return LabResult(lab="x", title="x", path="/x", runs=list(runs))


def test_stops_and_kills_side_by_side():
    slow = RunRecord("slow", {}, exit_code=137,
                     actions=[ActionRecord("ready", "stop", {"grace_s": 2, "took_s": 2.07, "exit_code": 137})])
    fast = RunRecord("int", {}, exit_code=130,
                     actions=[ActionRecord("ready", "kill", {"signal": "SIGINT", "took_s": 0.1, "exit_code": 130})])
    console = Console(width=120, record=True)
    console.print(actions_table(_result(slow, fast)))
    text = console.export_text()
    assert "docker stop -t 2" in text and "2.07s" in text and "137" in text
    assert "docker kill --signal SIGINT" in text and "0.10s" in text and "130" in text


def test_no_table_without_stop_or_kill():
    run = RunRecord("main", {}, actions=[ActionRecord("x", "exec", {"command": ["true"], "exit_code": 0})])
    assert actions_table(_result(run)) is None
