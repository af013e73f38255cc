"""Ctrl-C and SIGTERM are the main thread's: every thread proclab starts blocks them, as the
kernel reports it (SigBlk in /proc/PID/task/TID/status), and a child started in for_a_child()
gets them unblocked again. Real threads, real processes, the real kernel's view."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading

from proclab import threads
from proclab.deadline import call_within

BITS = {signal.SIGINT: 1 << (signal.SIGINT - 1), signal.SIGTERM: 1 << (signal.SIGTERM - 1)}


def blocked(status_text: str) -> set[int]:
    """The handled signals a SigBlk line (hex mask) says are blocked."""
    line = next(ln for ln in status_text.splitlines() if ln.startswith("SigBlk:"))
    mask = int(line.split()[1], 16)
    return {sig for sig, bit in BITS.items() if mask & bit}


def own_thread_blocked() -> set[int]:
    with open(f"/proc/self/task/{threading.get_native_id()}/status") as f:
        return blocked(f.read())


def child_blocked() -> set[int]:
    out = subprocess.run(
        ["cat", "/proc/self/status"], capture_output=True, text=True, check=True
    ).stdout
    return blocked(out)


def in_a_thread(fn):
    got: queue.Queue = queue.Queue()
    threads.daemon(lambda: got.put(fn()), name="test").join(10)
    return got.get_nowait()


def test_the_main_thread_keeps_the_signals_and_a_started_thread_blocks_them():
    assert own_thread_blocked() == set()
    assert in_a_thread(own_thread_blocked) == {signal.SIGINT, signal.SIGTERM}
    assert own_thread_blocked() == set()  # the starter's mask is given back


def test_a_thread_made_elsewhere_and_started_by_threads_start_blocks_them():
    got: queue.Queue = queue.Queue()
    t = threading.Thread(target=lambda: got.put(own_thread_blocked()), daemon=True)
    threads.start(t).join(10)
    assert got.get_nowait() == {signal.SIGINT, signal.SIGTERM}


def test_a_bounded_calls_worker_blocks_them():
    assert call_within(10, "test", "", own_thread_blocked) == {signal.SIGINT, signal.SIGTERM}


def test_a_child_inherits_its_threads_mask_unless_started_in_for_a_child():
    def both():
        plain = child_blocked()
        with threads.for_a_child():
            given = child_blocked()
        return plain, given, own_thread_blocked()

    plain, given, after = in_a_thread(both)
    assert plain == {signal.SIGINT, signal.SIGTERM}  # why for_a_child exists
    assert given == set()
    assert after == {signal.SIGINT, signal.SIGTERM}  # and the thread blocks them again


def test_a_sigint_reaches_a_main_thread_asleep_while_a_thread_of_ours_is_busy_in_the_kernel():
    """The failure's shape: the main thread asleep in a long queue wait, another thread busy in
    system calls. Every SIGINT must end the wait (KeyboardInterrupt, exit 130), not the wait's
    timeout. With a plain thread beside it, 4 SIGINTs in 100 went to the busy thread here, and
    the main thread slept on to its timeout; with threads.daemon alone, 3 in ~400 under load
    landed as the main thread went to sleep (what interrupts.py's relay is for)."""
    program = """
import os, queue, sys, threading
from proclab import threads
from proclab.cli import interrupts
stop = threading.Event()
def busy():
    while not stop.is_set():
        os.stat("/")
threads.daemon(busy, name="busy")
with interrupts.interruptible():  # as main() runs every command
    try:
        print("waiting", flush=True)
        queue.Queue().get(timeout=600)
    except KeyboardInterrupt:
        sys.exit(130)
"""
    for _ in range(40):
        proc = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "waiting\n"
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 130
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
