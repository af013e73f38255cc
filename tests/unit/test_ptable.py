"""The snapshot model: lookups by pid and identity, the probe's processes, and view agreement."""
import json
from dataclasses import replace
from pathlib import Path

import pytest

from proclab.snapshot.table import ProcessKey, ProcessMissing, Snapshot

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture
def snap():
    return Snapshot.from_dict(json.loads((FIX / "snapshot_zombie.json").read_text()))


def test_probe_processes_are_marked_and_excluded(snap):
    probe = [p for p in snap.processes if p.probe]
    assert probe and all(p.pid not in snap.pids() for p in probe)
    assert all(p.ppid != 0 or p.pid == 1 for p in snap.scenario)


def test_zombie_found_in_every_view(snap):
    z = snap.process(snap.data["child"])
    assert z.state == "Z" and z.command.endswith("<defunct>")
    assert snap.ps_row(z.pid).defunct
    assert snap.top_row(z.pid).state == "Z"
    assert snap.top_tasks.zombie == 1
    assert snap.disagreements() == []


def test_identity_survives_pid_reuse(snap):
    z = snap.process(snap.data["child"])
    reused = ProcessKey(z.pid, z.create_time + 5.0)
    assert snap.find(z.key) is z and snap.find(reused) is None
    with pytest.raises(ProcessMissing, match=f"pid={z.pid}"):
        snap.process(reused)


def test_missing_pid_names_what_is_there(snap):
    with pytest.raises(ProcessMissing, match="present: \\[1,"):
        snap.process(99999)


def test_disagreement_is_reported(snap):
    z = snap.process(snap.data["child"])
    altered = replace(snap, processes=[replace(p, state="S") if p.pid == z.pid else p for p in snap.processes])
    problems = altered.disagreements()
    assert problems and f"pid {z.pid}" in problems[0]


def test_round_trip(snap):
    again = Snapshot.from_dict(json.loads(json.dumps(snap.to_dict())))
    assert again.to_dict() == snap.to_dict()
