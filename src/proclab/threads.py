"""Threads of proclab's own, started so that Ctrl-C and SIGTERM reach the main thread.

The kernel hands a signal sent to a process to any one of its threads that does not block it.
Python runs the handler (KeyboardInterrupt) in the main thread, and only when that thread next
runs: a main thread asleep in a long wait (a run's ``queue.get``, up to the lab's timeout) is not
woken when another thread took the signal. A Ctrl-C was then ignored until the lab timed out
(CI once; 1 run in ~120 of a Ctrl-C loop here). In a bare program, a main thread asleep in a queue
wait beside a thread busy in system calls missed 4 SIGINTs in 100 this way.

So every thread proclab starts blocks the signals the harness handles, and they go to the main
thread. A child process inherits its thread's mask: start one from a thread of ours inside
``for_a_child()``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

HANDLED = frozenset({signal.SIGINT, signal.SIGTERM})


def start(thread: threading.Thread) -> threading.Thread:
    """Start ``thread`` with HANDLED blocked in it (a new thread inherits its starter's mask)."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
    return thread


def daemon(target: Callable[..., Any], *args: Any, name: str | None = None) -> threading.Thread:
    """A daemon thread running ``target(*args)``, started (``start``)."""
    return start(threading.Thread(target=target, args=args, name=name, daemon=True))


@contextmanager
def for_a_child() -> Iterator[None]:
    """Unblock HANDLED while a child process is started, so that it inherits them unblocked
    (debootstrap started from a lab's thread must still end on Ctrl-C)."""
    before = signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
