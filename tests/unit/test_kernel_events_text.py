"""The narration's lines for the kernel's events: one line each, a limit with a count of the rest."""

from __future__ import annotations

from proclab.lab.kernel_record import (
    EventKind,
    HandlerKind,
    KernelEvent,
    KernelRecord,
    SignalResult,
)
from proclab.ui.kernel_events import between, lines, narrate

TERM = KernelEvent(
    0.39,
    EventKind.SIGNAL,
    1,
    4001,
    comm="python3",
    signal="SIGTERM",
    sender_host_pid=900,
    sender_comm="runc",
    sender_outside=True,
    result=SignalResult.IGNORED,
)


def test_a_signal_line_says_who_sent_it_to_whom_and_what_the_kernel_did() -> None:
    assert (
        narrate(TERM)
        == "⚡  0.39s  SIGTERM  runc (outside) → 1 python3: ignored — pid 1 has no handler"
    )
    taken = KernelEvent(
        1.0,
        EventKind.SIGNAL,
        7,
        4007,
        comm="sleep",
        signal="SIGTERM",
        sender=1,
        sender_comm="tini",
        result=SignalResult.DELIVERED,
        handler=HandlerKind.DEFAULT,
    )
    assert narrate(taken).endswith("1 tini → 7 sleep: delivered — the default action: it ended")


def test_other_kinds_and_unmapped_pids() -> None:
    gone = KernelEvent(0.5, EventKind.EXIT, None, 5555, mapped=False, comm="sh", exit_code=3)
    assert narrate(gone) == "⚡  0.50s  exit  host:5555 sh: exit code 3"
    reap = KernelEvent(0.6, EventKind.REAP, 7, 4007, comm="sleep", reaper=1, reaper_comm="python3")
    assert narrate(reap) == "⚡  0.60s  reap  7 sleep by 1 python3 (wait4)"


def test_a_limit_keeps_the_lost_warnings_and_counts_the_rest() -> None:
    forks = [
        KernelEvent(i / 10, EventKind.FORK, 10 + i, 100 + i, comm="sh", parent=1, parent_comm="sh")
        for i in range(5)
    ]
    lost = KernelEvent(0.45, EventKind.LOST, None, 0, mapped=False, lost=7)
    out = lines(forks + [lost], 3)
    assert (
        len(out) == 4
        and "LOST  7 events" in out[-2]
        and out[-1] == "⚡ … 3 more events (--events all shows them)"
    )
    assert len(lines(forks, None)) == 5


def test_between_two_checkpoints_only_the_containers_processes() -> None:
    rec = KernelRecord(
        (TERM, KernelEvent(0.5, EventKind.EXIT, None, 5555, mapped=False, comm="sh"))
    )
    assert between(rec, None, 0.4) == [TERM] and between(rec, 0.39, None) == []
    assert between(KernelRecord.none("no root"), None, None) == []
