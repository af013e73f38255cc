"""process-api: the seed's tour of multiprocessing.Process.

1. Process(target, args, kwargs, name) and the subclass style (override run()).
2. start() runs run() in a new process; calling run() yourself runs it right here.
3. join() inside the start loop makes the children take turns (serial);
   join() after the loop lets them all run at once (concurrent). Timed.
4. Many processes appending to one file: O_APPEND keeps every line whole.
"""

import multiprocessing
import os
import time

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")
WORK_S = 0.3  # each child's "work": a blocking wait, like the seed's time.sleep(1)
N = 4


def report(label: str, x, y, who: str = "") -> None:
    me = multiprocessing.current_process()
    checkpoint(label, pid=os.getpid(), ppid=os.getppid(), name=me.name, x=x, y=y, who=who)


class Chat(ctx.Process):
    """The seed's subclass style: __init__ takes the arguments, run() does the work."""

    def __init__(self, person: str):
        super().__init__(name=f"chat-{person}")
        self.person = person

    def run(self) -> None:
        say(f"{self.person} is chatting in {self.name} (pid {os.getpid()})")
        report("subclass-run", self.person, None, who="subclass")


def work(i: int) -> None:
    time.sleep(WORK_S)


def serial_vs_concurrent() -> dict:
    t = time.monotonic()
    for i in range(N):
        p = ctx.Process(target=work, args=(i,))
        p.start()
        p.join()  # inside the loop: wait for each before starting the next
    serial = time.monotonic() - t

    ready, go = ctx.Barrier(N + 1), ctx.Event()

    def meet_then_work(i: int) -> None:
        ready.wait()  # tell the parent this child is up
        go.wait()  # ...and start working only when told
        time.sleep(WORK_S)

    procs = [ctx.Process(target=meet_then_work, args=(i,)) for i in range(N)]
    for p in procs:
        p.start()
    ready.wait()  # all N children are running now
    checkpoint("all-started", children=[p.pid for p in procs])
    t = time.monotonic()  # time the work only, not the checkpoint
    go.set()
    for p in procs:
        p.join()  # after the loop: they worked side by side
    concurrent = time.monotonic() - t
    return {
        "serial_s": round(serial, 3),
        "concurrent_s": round(concurrent, 3),
        "n": N,
        "work_s": WORK_S,
    }


def appender(path: str, i: int, lines: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    for j in range(lines):
        os.write(fd, f"writer {i} line {j:04d} {'x' * 60}\n".encode())  # one write() per line
    os.close(fd)


def appends(writers: int = 8, lines: int = 500) -> dict:
    path = "/tmp/shared.log"
    open(path, "w").close()
    procs = [ctx.Process(target=appender, args=(path, i, lines)) for i in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    with open(path) as f:
        content = f.read().splitlines()
    whole = sum(1 for ln in content if ln.startswith("writer ") and ln.endswith("x" * 60))
    return {
        "writers": writers,
        "expected_lines": writers * lines,
        "lines": len(content),
        "whole_lines": whole,
    }


if __name__ == "__main__":
    p = ctx.Process(
        target=report,
        args=("target-args", "姑娘", "来玩啊!"),
        kwargs={"who": "kwargs"},
        name="greeter",
    )
    p.start()
    p.join()

    c = Chat("Jedan")
    c.start()
    c.join()

    checkpoint("before-run-call", parent=os.getpid())
    Chat("太白").run()  # the seed's commented-out p2.run(): no new process
    figures = serial_vs_concurrent()
    say(
        f"serial {figures['serial_s']} s vs concurrent {figures['concurrent_s']} s for {N} x {WORK_S} s"
    )
    checkpoint("timed", parent=os.getpid(), **figures)
    result = appends()
    say(f"appends: {result}")
    checkpoint("appended", **result)
