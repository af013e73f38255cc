"""parallelism: how many CPUs a container has decides parallelism, not concurrency.

    scenario.py ROUND [ROUND ...]     rounds: cpu:N  io:N  pool

cpu:N  N workers each do the same fixed amount of pure CPU work (LOOPS loop
       turns). They start together (an Event), each reports when it finished;
       checkpoints "cpu-N-ready" and "cpu-N-done" bracket the run while the
       workers are alive, so their CPU times in the snapshots are exact. When
       the host's other processes left too little CPU free, the round runs
       again (at most labkit.cpustat.TRIES times, each said in the output and
       checkpointed with its `attempt`); the checks read the last one.
io:N   N workers each wait IO_WAITS times for IO_WAIT_S (the sleep stands in
       for a disk or a network answering) with a little work in between.
pool   a multiprocessing Pool() with the default size, held alive while the
       process table is snapshotted ("pool"), and what the CPU counts say.
"""

import multiprocessing
import os
import sys
import time

from labkit import checkpoint, say
from labkit.cpustat import TRIES, Windows, cgroup_cpu

LOOPS = 8_000_000  # about 1 s of CPU for python3 on a 2020s core
IO_WAITS, IO_WAIT_S = 5, 0.2


def cpu_work(loops: int) -> int:
    x = 0
    for i in range(loops):
        x += i & 7
    return x


def io_work() -> int:
    x = 0
    for _ in range(IO_WAITS):
        x += cpu_work(2_000)  # a little work on what "arrived" ...
        time.sleep(IO_WAIT_S)  # ... then block, waiting for the next answer
    return x


def worker(kind, ready, gos, stop, done, finish):
    ready.put(os.getpid())
    for go in gos:  # one run per attempt; `stop` set: no more
        go.wait()
        if stop.is_set():
            break
        t = time.monotonic()
        cpu_work(LOOPS) if kind == "cpu" else io_work()
        end = time.monotonic()
        done.put((os.getpid(), t, end))  # then asleep until the next attempt or the end
    finish.wait()  # stay alive, asleep, for the snapshot


def run_round(kind: str, n: int) -> None:
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Queue(), ctx.Queue()
    gos, stop, finish = [ctx.Event() for _ in range(TRIES)], ctx.Event(), ctx.Event()
    procs = [
        ctx.Process(
            target=worker,
            args=(kind, ready, gos, stop, done, finish),
            name=f"{kind}-worker-{i + 1}",
        )
        for i in range(n)
    ]
    for p in procs:
        p.start()
    pids = [ready.get() for _ in procs]
    cpus = sorted(os.sched_getaffinity(0))
    named = {f"worker_{i + 1}": pid for i, pid in enumerate(pids)}
    # I/O workers sleep: others then use the CPU without taking it from us, so "free CPU" says
    # nothing about an I/O round, and it is not measured again for it
    windows = Windows(f"{kind}:{n}", cpus, need=0.0 if kind == "io" else None)
    for attempt in windows:  # a busy host: the round again, each attempt checkpointed
        checkpoint(f"{kind}-{n}-ready", attempt=attempt, kind=kind, n=n, cpus=cpus, **named)
        before, t0 = (
            cgroup_cpu(),
            time.monotonic(),
        )  # after the probe: the figures span the round alone
        gos[attempt - 1].set()
        ends = [done.get() for _ in procs]  # blocks: the parent takes no CPU while they work
        wall = max(e for _, _, e in ends) - t0
        after, window = cgroup_cpu(), time.monotonic() - t0
        each = {str(pid): round(e - t, 4) for pid, t, e in ends}
        say(
            f"{n} {kind} workers on CPUs {cpus}: all done in {wall:.2f}s (each took "
            + ", ".join(f"{v:.2f}s" for v in each.values())
            + ")"
        )
        free = windows.ended(before, after, window)
        checkpoint(
            f"{kind}-{n}-done",
            attempt=attempt,
            kind=kind,
            n=n,
            cpus=cpus,
            wall_s=round(wall, 4),
            window_s=round(window, 4),
            elapsed_s=each,
            cgroup_start=before,
            cgroup=after,
            free_cpus_per_window=windows.free,
            free_cpus=free,
            **named,
        )
    stop.set()
    for go in gos:
        go.set()
    finish.set()
    for p in procs:
        p.join()


def pool_round() -> None:
    ctx = multiprocessing.get_context("fork")
    counts = {
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "process_cpu_count": getattr(os, "process_cpu_count", lambda: None)(),
    }
    with ctx.Pool() as pool:  # no size given: the default
        size = pool._processes
        say(
            f"os.cpu_count()={counts['cpu_count']}, usable CPUs={counts['affinity']}: Pool() started {size} workers"
        )
        checkpoint(
            "pool",
            parent=os.getpid(),
            pool_size=size,
            python=sys.version.split()[0],
            cgroup=cgroup_cpu(),
            **counts,
        )


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["cpu:2", "io:1", "io:4", "pool"]:
        if arg == "pool":
            pool_round()
        else:
            kind, n = arg.split(":")
            run_round(kind, int(n))
