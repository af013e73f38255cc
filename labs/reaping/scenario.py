"""reaping: the ways a parent (or the kernel) collects a dead child.

1. join() reaps a multiprocessing child.
2. os.waitpid() returns the raw status; decode it with WIFEXITED/WEXITSTATUS.
3. multiprocessing.active_children() reaps every finished child as a side effect.
4. With SIGCHLD set to SIG_IGN the kernel reaps children itself: no zombie, no status.
"""

import multiprocessing
import os
import signal

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")


def exited_not_reaped(pid: int) -> None:
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


def quit_with(code: int) -> None:
    raise SystemExit(code)


def part_join() -> None:
    p = ctx.Process(target=quit_with, args=(0,))
    p.start()
    exited_not_reaped(p.pid)
    checkpoint("before-join", child=p.pid, top=True)
    p.join()
    checkpoint("after-join", child=p.pid, exitcode=p.exitcode, top=True)


def part_waitpid() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    exited_not_reaped(pid)
    checkpoint("before-waitpid", child=pid)
    _, status = os.waitpid(pid, 0)
    decoded = {
        "raw": status,
        "WIFEXITED": os.WIFEXITED(status),
        "WEXITSTATUS": os.WEXITSTATUS(status),
        "WIFSIGNALED": os.WIFSIGNALED(status),
    }
    say(f"waitpid({pid}) -> raw status {status:#06x}: {decoded}")
    checkpoint("after-waitpid", child=pid, **decoded)


def quit_when_told(go, code: int) -> None:
    go.wait()
    raise SystemExit(code)


def part_active_children() -> None:
    # Process.start() itself reaps already-finished children (it calls the same
    # cleanup as active_children()), so the children wait until all have started.
    go = ctx.Event()
    procs = [ctx.Process(target=quit_when_told, args=(go, i)) for i in range(3)]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        exited_not_reaped(p.pid)
    checkpoint("three-finished", children=[p.pid for p in procs], top=True)
    alive = multiprocessing.active_children()  # polls each child: the finished ones get reaped
    say(f"active_children() returned {alive}")
    checkpoint(
        "after-active-children",
        children=[p.pid for p in procs],
        alive=len(alive),
        exitcodes=[p.exitcode for p in procs],
        top=True,
    )


def part_sig_ign() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(3)
    os.close(r)
    checkpoint("ignored-child-alive", child=pid)
    os.close(w)  # the child exits now...
    try:
        os.waitpid(pid, 0)  # ...and with SIGCHLD ignored, wait blocks until it is gone, then fails
        outcome = "waitpid returned a status"
    except ChildProcessError as err:
        outcome = f"ChildProcessError: {err.strerror}"
    say(f"after the child exited: {outcome}")
    checkpoint("ignored-child-exited", child=pid, waitpid=outcome, top=True)


if __name__ == "__main__":
    part_join()
    part_waitpid()
    part_active_children()
    part_sig_ign()
