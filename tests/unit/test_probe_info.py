"""How a snapshot was taken travels in the JSON (checkpoints[].probe), not in the narration."""

from __future__ import annotations

import pytest

from proclab.errors import UsageError
from proclab.run import probe
from proclab.snapshot import ProbeInfo, Snapshot

ROW = {
    "pid": 1,
    "ppid": 0,
    "state": "S",
    "nice": 0,
    "name": "tini",
    "cmdline": ["tini"],
    "cpu_user_s": 0.0,
    "cpu_system_s": 0.0,
    "create_time": 1.0,
    "threads": 1,
}


def snap(**probe_doc):
    rows = [
        ROW,
        {**ROW, "pid": 9, "name": "python3", "cmdline": ["python3", "-m", "labkit.resident"]},
    ]
    doc = {"processes": rows, "ps": "", "top": None, "probe_pids": [9], **probe_doc}
    return Snapshot.from_probe("cp", {}, 0.1, 1, doc)


def test_the_probe_info_round_trips_through_the_json():
    s = snap(resident_pids=[9])
    s.probe = probe.Probed(doc={"spread_ms": 0.75, "resident_pids": [9]}, path="resident").info(
        3.25
    )
    d = s.to_dict()
    assert d["probe"] == {
        "path": "resident",
        "overhead_ms": 3.25,
        "spread_ms": 0.75,
        "resident_pids": [9],
    }
    back = Snapshot.from_dict(d)
    assert back.probe == s.probe and back.resident_pids == (9,)
    assert [p.pid for p in back.scenario] == [1]  # the resident probe is the probe's, out of view


def test_a_fallback_says_why_and_an_old_document_has_no_probe():
    info = probe.Probed(doc={}, path="exec", note="the resident probe failed (gone)").info(90.0)
    assert (
        info.to_dict()["note"].startswith("the resident probe failed") and info.resident_pids == ()
    )
    old = snap().to_dict()
    old.pop("probe")
    assert Snapshot.from_dict(old).probe is None and Snapshot.from_dict(old).resident_pids == ()
    assert ProbeInfo.from_dict({"path": "exec"}).overhead_ms == 0.0


@pytest.mark.parametrize(
    "value, path",
    [("", "resident"), ("resident", "resident"), ("exec", "exec"), (" exec ", "exec")],
)
def test_the_probe_path_comes_from_the_environment(monkeypatch, value, path):
    monkeypatch.setenv(probe.MODE_ENV, value)
    assert probe.mode() == path


def test_an_unknown_probe_path_is_one_clear_usage_error(monkeypatch):
    monkeypatch.setenv(probe.MODE_ENV, "turbo")
    with pytest.raises(
        UsageError, match=r"PROCLAB_PROBE='turbo' names no probe path: set it to 'resident'"
    ):
        probe.mode()


def test_the_narration_does_not_show_the_probe_path():
    import io

    from rich.console import Console

    from proclab.lab.result import RunRecord
    from proclab.ui.narration import Narrator

    s = snap(resident_pids=[9])
    s.probe = probe.Probed(doc={"spread_ms": 0.75, "resident_pids": [9]}, path="resident").info(
        3.25
    )
    buf = io.StringIO()
    Narrator(console=Console(file=buf, width=120)).checkpoint(RunRecord(variant="main"), s)
    text = buf.getvalue()
    assert "checkpoint cp" in text and "tini" in text
    assert not any(w in text for w in ("resident", "spread", "overhead", "labkit.resident"))
