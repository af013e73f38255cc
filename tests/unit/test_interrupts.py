"""A SIGINT whose handler is due while the main thread sleeps ends that sleep (cli/interrupts.py).

The scenario is made certain, not waited for: the main thread blocks SIGINT, so the kernel hands
it to another thread, where CPython's C handler notes it for the main thread, which sleeps on in
a queue wait. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

FUTEX = {"x86_64": 202, "aarch64": 98}[
    os.uname().machine
]  # the syscall a lock or queue wait sleeps in

PROGRAM = """
import queue, signal, sys, threading
from proclab.cli import interrupts
WAIT_S = float(sys.argv[1])
def run():
    taker = threading.Event()
    threading.Thread(target=taker.wait, daemon=True).start()  # a plain thread: it may take SIGINT
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # the main thread may not
    try:
        print("waiting", flush=True)
        queue.Queue().get(timeout=WAIT_S)
    except queue.Empty:
        pass
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(3)
if sys.argv[2] == "interruptible":
    with interrupts.interruptible():
        run()
else:
    run()
"""


def _sigint_after_waiting(wait_s: float, how: str) -> tuple[int, float]:
    proc = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, str(wait_s), how], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "waiting\n"
        asleep_in_a_futex(proc.pid)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=wait_s + 60)
        return code, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def asleep_in_a_futex(pid: int) -> None:
    """Until the kernel says the main thread sleeps in futex(): in its queue wait, past any look
    for signals (a SIGINT before that would be handled at once, relay or not)."""
    deadline = time.monotonic() + 60
    while True:
        with open(f"/proc/{pid}/task/{pid}/syscall") as f:
            call = f.read().split()[0]
        if call == str(FUTEX):
            return
        assert time.monotonic() < deadline, f"the main thread never slept in futex(): {call}"


def test_without_the_relay_the_main_thread_sleeps_until_its_wait_ends():
    """Why the relay exists: the handler is due, and nothing wakes the main thread."""
    code, took = _sigint_after_waiting(3.0, "plain")
    assert took >= 3.0, f"the wait ended {took:.2f} s after SIGINT, before its timeout"
    assert code in (3, 130)  # the handler runs once the wait is over, or not before the exit


def test_the_relay_wakes_the_main_thread_for_its_handler():
    for _ in range(10):
        code, took = _sigint_after_waiting(120.0, "interruptible")
        assert code == 130 and took < 60, (code, took)


def test_interruptible_gives_back_what_was_there():
    from proclab.cli import interrupts

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGURG)}
    wakeup = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup)
    with interrupts.interruptible():
        assert signal.getsignal(signal.SIGTERM) is interrupts._on_signal
        assert signal.getsignal(signal.SIGINT) is interrupts._on_signal
    assert {s: signal.getsignal(s) for s in before} == before
    assert signal.set_wakeup_fd(wakeup) == wakeup
