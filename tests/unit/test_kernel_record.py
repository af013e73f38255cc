"""The kernel record's model: queries, the inconclusive path, and the --json round trip."""
from __future__ import annotations

import json

from proclab.checks import check, expect
from proclab.lab.checking import Check
from proclab.lab.kernel_record import EventKind, HandlerKind, KernelEvent, KernelRecord, SignalResult
from proclab.lab.result import LabResult, RunRecord

EVENTS = (
    KernelEvent(0.01, EventKind.FORK, 7, 4007, comm="python3", parent=1, parent_host_pid=4001, parent_comm="python3"),
    KernelEvent(0.02, EventKind.EXEC, 7, 4007, comm="sleep", filename="/bin/sleep"),
    KernelEvent(0.39, EventKind.SIGNAL, 1, 4001, comm="python3", signal="SIGTERM", sender_host_pid=900,
                sender_comm="dockerd", sender_outside=True, result=SignalResult.IGNORED, group=True),
    KernelEvent(0.40, EventKind.SIGNAL, 7, 4007, comm="sleep", signal="SIGKILL", sender=1, sender_host_pid=4001,
                sender_comm="python3", result=SignalResult.DELIVERED, handler=HandlerKind.DEFAULT, taken_t=0.4001),
    KernelEvent(0.41, EventKind.EXIT, 7, 4007, comm="sleep", exit_signal="SIGKILL"),
    KernelEvent(0.50, EventKind.REAP, 7, 4007, comm="sleep", reaper=1, reaper_host_pid=4001, reaper_comm="python3"),
    KernelEvent(0.51, EventKind.EXIT, None, 5555, mapped=False, comm="ghost", exit_code=3),
)


def _run(kernel: KernelRecord) -> RunRecord:
    return RunRecord("main", kernel=kernel)


def test_queries_read_as_the_facts() -> None:
    run = _run(KernelRecord(EVENTS, already_there=(1,)))
    assert [e.signal for e in run.events(kind="signal", target=1)] == ["SIGTERM"]
    assert run.events(kind=EventKind.SIGNAL, result=SignalResult.IGNORED)[0].sender_outside
    assert run.exited(7).exit_signal == "SIGKILL"
    assert run.reaped_by(7) == 1 and run.reaped(7).t == 0.50
    assert run.forked(7).parent == 1 and run.forked(1) is None
    assert run.exited(8) is None and run.reaped_by(8) is None
    assert run.events(kind="exit", pid=None)[0].who == "host:5555 ghost"
    assert EVENTS[2].describe() == "0.390s SIGTERM: dockerd (outside) → 1 python3: ignored"


def test_json_round_trip_through_the_run_document() -> None:
    kernel = KernelRecord(EVENTS, already_there=(1,), lost=2)
    doc = json.loads(json.dumps(_run(kernel).to_dict()))
    assert doc["kernel_record"] == {"recorded": True, "note": "", "lost": 2, "already_there": [1], "events": 7}
    assert doc["events"][2]["result"] == "ignored" and "handler" not in doc["events"][2]
    assert KernelRecord.from_run_dict(doc) == kernel


def test_a_run_without_a_record_makes_its_check_inconclusive() -> None:
    @check("SIGTERM ignored")
    def ignored(lab: LabResult):
        term = lab.run().events(kind="signal", signal="SIGTERM")
        return expect(term and term[0].result == SignalResult.IGNORED, "seen")

    lab = LabResult("x", "x", "x", runs=[_run(KernelRecord.none("tracefs is not mounted"))])
    res = Check("SIGTERM ignored", ignored).run(lab)
    assert res.inconclusive and res.detail == "no kernel record: tracefs is not mounted"
    lab.runs[0] = _run(KernelRecord(EVENTS))
    assert Check("SIGTERM ignored", ignored).run(lab).passed


def test_an_old_report_has_no_record() -> None:
    assert not KernelRecord.from_run_dict({"variant": "main"}).recorded


def test_a_check_on_the_record_can_be_failed_by_one_changed_event() -> None:
    from proclab.lab.mutate import find_failing

    @check("SIGTERM to pid 1 ignored")
    def ignored(lab: LabResult):
        term = lab.run().events(kind="signal", target=1, signal="SIGTERM")
        return expect(len(term) == 1 and term[0].result == SignalResult.IGNORED, f"{term}")

    @check("7 reaped by 1")
    def reaped(lab: LabResult):
        return expect(lab.run().reaped_by(7) == 1, "reaped by 1")

    lab = LabResult("x", "x", "x", runs=[_run(KernelRecord(EVENTS, already_there=(1,)))])
    verdicts = find_failing([Check("SIGTERM to pid 1 ignored", ignored), Check("7 reaped by 1", reaped)], lab)
    signal, reap = (v.failed_by or "" for v in verdicts)
    assert signal.startswith("main: kernel record: event") and "(signal of 1 python3) left out" in signal
    assert reap.startswith("main: kernel record: event") and "(reap of 7 sleep) left out" in reap