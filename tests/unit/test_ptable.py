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
    altered = replace(
        snap, processes=[replace(p, state="S") if p.pid == z.pid else p for p in snap.processes]
    )
    problems = altered.disagreements()
    assert problems and f"pid {z.pid}" in problems[0]


def test_round_trip(snap):
    again = Snapshot.from_dict(json.loads(json.dumps(snap.to_dict())))  # not --json: a checkpoint
    assert again.to_dict() == snap.to_dict()


def test_disagreements_leave_out_the_probe_and_the_container_init_by_one_rule(snap):
    init = snap.get(1)
    assert init is not None and init.name == "docker-init"
    held = {p.pid for p in snap.held}
    assert 1 not in held and not any(p.probe for p in snap.held) and held
    # tini changing state between views is no disagreement; the scenario's own processes are compared
    flipped = replace(
        snap, processes=[replace(p, state="R") if p.pid == 1 else p for p in snap.processes]
    )
    assert flipped.disagreements() == []
    # without an init, pid 1 is the scenario itself: it is held, and compared
    own = replace(
        snap,
        processes=[
            replace(p, name="python3", state="R") if p.pid == 1 else p for p in snap.processes
        ],
    )
    assert 1 in {p.pid for p in own.held} and any("pid 1" in d for d in own.disagreements())
