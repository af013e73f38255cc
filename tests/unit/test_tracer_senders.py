"""The tracer's reader, given a host-wide line by hand (no tracefs): whom it takes for the sender.
The sender is read from /proc by the task's own pid, never by the line's (TGID) column, which is a
cache the kernel fills in later and can hold an old thread's tgid for a reused pid."""

from __future__ import annotations

import os
import threading

from proclab.engine import pidns
from proclab.engine.kerneltrace import Tracer


def _line(tid: int, tgid_column: int, target: int) -> str:
    return (
        f"           <...>-{tid:<7} ({tgid_column:>7}) [001] d..1.   100.000100: signal_generate: "
        f"sig=15 errno=0 code=0 comm=sh pid={target} grp=1 res=0"
    )


def _reader_of_this_namespace(target: int) -> Tracer:
    t = Tracer()
    t._ns, t._depth = pidns.ns_of(os.getpid()), 1  # "the container" is this process's pid namespace
    t._known.add(target)
    return t


def test_a_senders_tgid_is_what_proc_says_not_the_lines_column() -> None:
    me = os.getpid()
    stale = os.getppid()  # a live process of the same namespace: the column's wrong answer
    ready, done = threading.Event(), threading.Event()
    tid: list[int] = []

    def thread() -> None:
        tid.append(threading.get_native_id())
        ready.set()
        done.wait(10)

    th = threading.Thread(target=thread)
    th.start()
    try:
        ready.wait(10)
        t = _reader_of_this_namespace(target=12345)
        t._host_line(_line(tid[0], stale, 12345))
        raw = t.so_far()
    finally:
        done.set()
        th.join()
    assert raw.tgids[tid[0]] == me
    assert raw.pidmap.get(me) == me and stale not in raw.pidmap and stale not in raw.outside
    assert raw.lines and raw.lines[0].startswith("           <...>-")


def test_a_sender_gone_before_it_was_read_is_itself_and_outside() -> None:
    gone = 4_194_304  # above any pid_max: no such task
    t = _reader_of_this_namespace(target=12345)
    t._host_line(_line(gone, os.getpid(), 12345))
    raw = t.so_far()
    assert raw.tgids[gone] == gone and gone in raw.outside
    assert os.getpid() not in raw.pidmap and os.getpid() not in raw.outside
