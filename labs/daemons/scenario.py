"""daemons: what `daemon=True` means for a multiprocessing.Process.

1. A daemonic process may not start children of its own.
2. daemon=True is kept by the *parent's Python*, at its exit: a parent
   killed with SIGKILL runs no exit code, and its daemon lives on.
3. The seed's example: the main process's code ends; the daemon is
   terminated at once, while a non-daemonic worker keeps the program alive.
"""

import logging
import multiprocessing
import multiprocessing.util
import os
import select
import signal
import time

from labkit import checkpoint, say, wait_gone

ctx = multiprocessing.get_context("fork")


# -- 1 -------------------------------------------------------------------------------
def try_to_have_a_child() -> None:
    try:
        ctx.Process(target=time.sleep, args=(1,)).start()
    except AssertionError as err:
        checkpoint("daemon-refused", daemon=os.getpid(), error=str(err))
        raise  # uncaught: the traceback goes to stderr, exitcode 1


def part_no_children() -> None:
    d = ctx.Process(target=try_to_have_a_child, daemon=True, name="daemon-parent")
    d.start()
    d.join()
    say(f"the daemon that tried to start a child ended with exitcode {d.exitcode}")
    checkpoint("daemon-refused-exit", daemon=d.pid, exitcode=d.exitcode)


# -- 2 -------------------------------------------------------------------------------
def launcher(report) -> None:
    d = ctx.Process(target=time.sleep, args=(3600,), daemon=True, name="daemon-of-launcher")
    d.start()
    report.send(d.pid)
    time.sleep(3600)


def part_killed_parent() -> None:
    here, there = ctx.Pipe(duplex=False)
    lau = ctx.Process(target=launcher, args=(there,), name="launcher")
    lau.start()
    d = here.recv()
    checkpoint("launcher-running", main=os.getpid(), launcher=lau.pid, daemon=d)
    lau.kill()  # SIGKILL: the launcher's Python runs no exit handler
    lau.join()
    say(f"launcher {lau.pid} was killed (exitcode {lau.exitcode}); its daemon {d} is still here")
    checkpoint(
        "launcher-killed", main=os.getpid(), launcher=lau.pid, daemon=d, exitcode=lau.exitcode
    )
    os.kill(d, signal.SIGTERM)  # tidy up: tini, its new parent, reaps it
    wait_gone(d)


# -- 3 -------------------------------------------------------------------------------
def worker(daemon_pid: int, done_r: int) -> None:
    watch = os.pidfd_open(daemon_pid)  # readable once that process has exited
    os.read(done_r, 1)  # main has run its last line
    ready, _, _ = select.select([watch], [], [], 10)
    say(f"worker: the daemon {daemon_pid} has {'exited' if ready else 'NOT exited within 10 s'}")
    checkpoint(
        "main-finished",
        main=os.getppid(),
        daemon=daemon_pid,
        worker=os.getpid(),
        daemon_exited=bool(ready),
        top=True,
    )
    say("worker: I end now, and only then can main exit")


if __name__ == "__main__":
    part_no_children()
    part_killed_parent()

    d = ctx.Process(target=time.sleep, args=(3600,), daemon=True, name="daemon")
    d.start()
    done_r, done_w = os.pipe()
    w = ctx.Process(target=worker, args=(d.pid, done_r), name="worker")
    w.start()
    checkpoint("started", main=os.getpid(), daemon=d.pid, worker=w.pid)
    multiprocessing.util.log_to_stderr(logging.INFO)  # let multiprocessing say what it does at exit
    say("main: this is the last line of my code")
    os.write(done_w, b"x")
