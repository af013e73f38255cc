"""zombies: a child that has exited but has not been waited for.

Part 1 uses os.fork directly; part 2 is the seed's multiprocessing example,
a Process started and not joined while the parent carries on.
"""

import multiprocessing
import os

from labkit import checkpoint, say


def exited_not_reaped(pid: int) -> None:
    """Block until child `pid` has exited, *without* reaping it (WNOWAIT)."""
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


def part_fork() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)  # the child ends at once
    exited_not_reaped(pid)
    say(f"child {pid} has exited; the parent has not called wait()")
    checkpoint("zombie-created", parent=os.getpid(), child=pid, top=True)

    _, status = os.waitpid(pid, 0)  # reap it: the kernel can forget the child now
    say(f"waitpid({pid}) returned status {status}: the zombie is gone")
    checkpoint("reaped", parent=os.getpid(), child=pid, status=status, top=True)


def work() -> None:
    print(f"[pid {os.getpid()}] child says hello and returns")


def part_multiprocessing() -> None:
    ctx = multiprocessing.get_context("fork")  # the lesson is fork; say so explicitly
    p = ctx.Process(target=work)
    p.start()
    exited_not_reaped(p.pid)
    say(f"Process {p.pid} finished; the parent has not called join()")
    checkpoint("mp-zombie", parent=os.getpid(), child=p.pid, top=True)

    p.join()
    say(f"join() reaped {p.pid}; exitcode={p.exitcode}")
    checkpoint("mp-joined", parent=os.getpid(), child=p.pid, exitcode=p.exitcode, top=True)


if __name__ == "__main__":
    say("zombies lab: parent starts")
    part_fork()
    part_multiprocessing()
