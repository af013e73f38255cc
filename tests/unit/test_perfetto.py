"""``run --perfetto``'s writer on real recorded runs (saved ``--json`` documents read back), without
Docker: a Chrome Trace Event Format document (the keys the format requires, microsecond ``ts``
in order on each track, slices that nest, flows that pair), checked by a JSON schema and by
structure; and the option's errors."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import jsonschema

from proclab.lab.kernel_record import KernelRecord
from proclab.lab.result import LabResult, RunRecord
from proclab.snapshot import Snapshot
from proclab.ui.perfetto import CHECKPOINT_PID, trace_document
from tests.support.cli import run_cli
from tests.support.trace_format import SCHEMA

FIXTURES = Path(__file__).parent / "fixtures"

def lab_result(name: str) -> LabResult:
    """A saved --json document back as the records the writer reads."""
    d = json.loads((FIXTURES / f"result_{name}.json").read_text())
    runs = []
    for r in d["runs"]:
        cps = [Snapshot.from_dict(c) for c in d["checkpoints"] if c["run"] == r["variant"]]
        runs.append(RunRecord(r["variant"], r["settings"], exit_code=r["exit_code"], duration_s=r["duration_s"],
                              started_at=r["started_at"], checkpoints=cps, kernel=KernelRecord.from_run_dict(r)))
    return LabResult(d["lab"], d["title"], d["path"], runs=runs)


def test_the_trace_is_valid_trace_event_format():
    doc = json.loads(json.dumps(trace_document([lab_result("pid1_recorded")])))   # as written to the file
    jsonschema.validate(doc, SCHEMA)
    events = doc["traceEvents"]
    timed = [e for e in events if e["ph"] != "M"]
    tracks = defaultdict(list)
    for e in timed:
        tracks[(e["pid"], e["tid"])].append(e)
    for track, evs in tracks.items():                      # ts in order on each track, as the file has them
        assert [e["ts"] for e in evs] == sorted(e["ts"] for e in evs), track
        slices = [e for e in evs if e["ph"] == "X"]
        for a in slices:                                   # complete events nest, never overlap
            for b in slices:
                if a is not b and a["ts"] <= b["ts"] < a["ts"] + a["dur"]:
                    assert b["ts"] + b["dur"] <= a["ts"] + a["dur"], (a, b)
    named = {e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    assert {e["pid"] for e in timed} <= named, "every track is named"
    flows = defaultdict(list)
    for e in timed:
        if e["ph"] in "sf":
            flows[e["id"]].append(e)
    for fid, pair in flows.items():                        # each arrow: one start, one end bound to its slice
        assert sorted(e["ph"] for e in pair) == ["f", "s"] and all(e.get("bp") == "e" for e in pair if e["ph"] == "f")
    # one timeline, each arrow's start before its end in the file: a viewer reads equal ts in file
    # order (trace_processor dropped every arrow when the sender's track came later)
    assert [e["ts"] for e in timed] == sorted(e["ts"] for e in timed)
    assert flows and all([e["ph"] for e in pair] == ["s", "f"] for pair in flows.values())


def test_one_track_per_process_with_its_life_and_the_signals_on_the_target():
    result = lab_result("pid1_recorded")
    doc = trace_document([result])
    events = doc["traceEvents"]
    run = next(r for r in result.runs if r.variant == "stop-no-handler")
    host1 = next(e.host_pid for e in run.kernel.events if e.pid == 1)
    names = {e["pid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    assert names[host1] == "stop-no-handler · pid 1 python3"
    signals = [e for e in events if e["ph"] == "i" and e["pid"] == host1 and e["cat"].startswith("signal")]
    assert [(e["args"]["signal"], e["args"]["result"], e["args"]["sender_outside"]) for e in signals] == [
        ("SIGTERM", "ignored", True), ("SIGKILL", "delivered", False)]
    term, kill = signals
    assert kill["ts"] - term["ts"] >= 1_900_000            # microseconds: docker stop -t 2's grace period
    (life,) = [e for e in events if e["ph"] == "X" and e["pid"] == host1 and e["cat"] == "life"]
    assert life["args"]["ended"] == "killed by SIGKILL" and life["args"]["already_there"] is True
    # no-init: an orphan's parent lived between two checkpoints: its own track, a life and a zombie slice
    no_init = next(r for r in result.runs if r.variant == "no-init")
    fork = next(e for e in no_init.kernel.events if e.kind == "fork" and e.parent == 13)
    slices = [e for e in events if e["ph"] == "X" and e["pid"] == fork.host_pid]
    assert [s["name"] for s in slices] == [f"python3 (pid {fork.pid})", "zombie"]
    assert slices[0]["args"]["reaped_by"] == 13 and slices[0]["args"]["forked_by"] == 13
    cps = [e for e in events if e["ph"] == "i" and e["pid"] >= CHECKPOINT_PID]
    assert len(cps) == sum(len(r.checkpoints) for r in result.runs)


def test_perfetto_target_errors_before_anything_runs(tmp_path):
    proc = run_cli("run", "zombies", "--perfetto", str(tmp_path))
    assert proc.returncode == 2 and "Error: --perfetto" in proc.stderr and "folder" in proc.stderr
    proc = run_cli("run", "zombies", "--perfetto", str(tmp_path / "no" / "such" / "x.json"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr
