"""Ctrl-C and SIGTERM end the command, whatever its main thread is asleep in.

CPython runs a signal's handler in the main thread, the next time that thread runs bytecode. A
signal that lands as the main thread is going to sleep (after its last look for signals, before
the lock or socket wait it enters) is only noticed when that wait ends: a run's wait for its
next event lasts up to the lab's timeout. (The other way a signal was lost, to another thread, is
closed by proclab.threads.)

So the C-level handler also writes the signal's number to a pipe (``signal.set_wakeup_fd``). A
thread of ours reads it and, until the handler has run, sends the main thread SIGURG (a no-op
handler here; by default it is ignored). Its arrival interrupts the system call the main thread
sleeps in, and Python then runs the pending handler.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import threads

HANDLED = threads.HANDLED  # SIGINT, SIGTERM: the signals no thread of ours may take
NUDGE = signal.SIGURG
NUDGE_EVERY_S = 0.05
NUDGE_FOR_S = 2.0  # a signal whose handler ran before its byte was read is not nudged at all

_handled = threading.Event()
_pipe = -1  # the write end: made, with the relay thread, the first time a command runs
_pipe_lock = threading.Lock()


def _on_signal(signum: int, frame: Any) -> None:
    _handled.set()
    raise KeyboardInterrupt  # SIGTERM too: the same clean-up as Ctrl-C


def _nothing(signum: int, frame: Any) -> None:
    """SIGURG's handler: its arrival is the point (an interrupted wait), not its handling."""


@contextmanager
def interruptible() -> Iterator[None]:
    """Around a command, in the main thread: SIGINT and SIGTERM raise KeyboardInterrupt, however
    the main thread waits; what was there before (pytest's handlers, in-process) is put back."""
    before = {sig: signal.getsignal(sig) for sig in (*HANDLED, NUDGE)}
    wakeup = signal.set_wakeup_fd(_wakeup_pipe(), warn_on_full_buffer=False)
    signal.signal(NUDGE, _nothing)
    for sig in HANDLED:
        signal.signal(sig, _on_signal)
    try:
        yield
    finally:
        signal.set_wakeup_fd(wakeup)
        for sig, handler in before.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)


def _wakeup_pipe() -> int:
    global _pipe
    with _pipe_lock:
        if _pipe < 0:
            read_fd, write_fd = os.pipe()
            os.set_blocking(write_fd, False)  # set_wakeup_fd's rule: a signal handler never blocks
            threads.daemon(_relay, read_fd, threading.main_thread().ident, name="signal relay")
            _pipe = write_fd
        return _pipe


def _relay(read_fd: int, main: int) -> None:
    """Each SIGINT or SIGTERM: nudge the main thread until its handler has run (bounded)."""
    wanted = {int(s) for s in HANDLED}
    while True:
        try:
            got = os.read(read_fd, 64)
        except OSError:
            return
        if not got:
            return
        if not wanted & set(got):
            continue
        waited = 0.0
        while not _handled.is_set() and waited < NUDGE_FOR_S:
            try:
                signal.pthread_kill(main, NUDGE)
            except OSError:  # the main thread has ended
                return
            _handled.wait(NUDGE_EVERY_S)
            waited += NUDGE_EVERY_S
        _handled.clear()
