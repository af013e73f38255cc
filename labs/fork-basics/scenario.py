"""fork-basics: what fork() gives a child, and what it does not share.

Part 1, os.fork(): one call, two returns — 0 in the child, the child's pid in
the parent. Part 2, the seed's multiprocessing example: start() returns at
once (the child runs asynchronously), the child's ppid is the parent's pid,
and the seed's `n = 100` global changed in the child stays 100 in the parent.
"""

import multiprocessing
import os

from labkit import checkpoint, say

n = 100  # the seed's global


def part_fork() -> None:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        checkpoint("fork-child", fork_returned=pid, me=os.getpid(), parent=os.getppid())
        os.read(r, 1)  # wait until the parent has looked too
        os._exit(0)
    os.close(r)
    checkpoint("fork-parent", fork_returned=pid, me=os.getpid(), child=pid)
    os.close(w)  # EOF: the child may finish
    os.waitpid(pid, 0)


def child_work(go, done) -> None:
    global n
    go.wait()  # the child's work waits for the parent's word
    n = 0
    say(f"child: my parent is {os.getppid()}; I set n = {n}")
    checkpoint("child-changed-n", n=n, child=os.getpid(), parent=os.getppid())
    done.set()


def part_multiprocessing() -> None:
    ctx = multiprocessing.get_context("fork")
    go, done = ctx.Event(), ctx.Event()
    p = ctx.Process(target=child_work, args=(go, done))
    p.start()
    # start() has returned: the child exists, but has not run its work yet.
    say(f"parent: start() returned; child {p.pid} exists; n = {n}")
    checkpoint("parent-after-start", parent=os.getpid(), child=p.pid, child_done=done.is_set())
    go.set()
    p.join()
    say(f"parent: after join, n = {n} (the child's change stayed in the child)")
    checkpoint("parent-after-join", parent=os.getpid(), child=p.pid, n=n, exitcode=p.exitcode)


if __name__ == "__main__":
    say("fork-basics: parent starts")
    part_fork()
    part_multiprocessing()
