"""futures: concurrent.futures.ProcessPoolExecutor beside multiprocessing.Pool.

  1. pool     - Pool(2).map(square, range(8)), the workers caught mid-work at a
                checkpoint: two children of the scenario.
  2. executor - ProcessPoolExecutor(2).map(square, range(8)): the same results,
                its two workers in the table the same way.
  3. broken   - a task that reports its worker's pid and blocks; the scenario
                kills that worker with SIGKILL: the future raises
                BrokenProcessPool, and so does every later submit().
Both pools use the fork start method, named explicitly. Workers block on an
Event so the checkpoint sees them busy (no sleeps).
"""

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")
WORKERS = 2
ITEMS = list(range(8))
gate = None  # an Event each worker gets through its initializer
started = None  # a Queue each worker reports its pid to


def init(g, s) -> None:
    global gate, started
    gate, started = g, s


def square(x: int) -> tuple[int, int]:
    started.put(os.getpid())
    gate.wait()  # held until the scenario has looked
    return x * x, os.getpid()


def busy_workers(s, n: int) -> list[int]:
    """The pids of the first n tasks' workers: both workers are busy once two differ."""
    seen = set()
    while len(seen) < n:
        seen.add(s.get())
    return sorted(seen)


def part_pool() -> list[int]:
    g, s = ctx.Event(), ctx.Queue()
    with ctx.Pool(WORKERS, initializer=init, initargs=(g, s)) as pool:
        res = pool.map_async(square, ITEMS, chunksize=1)
        busy = busy_workers(s, WORKERS)
        checkpoint("pool-busy", parent=os.getpid(), workers=busy)
        g.set()
        out = res.get()
    say(f"Pool.map: {[v for v, _ in out]} from workers {sorted({w for _, w in out})}")
    return [v for v, _ in out]


def part_executor(pool_results: list[int]) -> None:
    g, s = ctx.Event(), ctx.Queue()
    with ProcessPoolExecutor(WORKERS, mp_context=ctx, initializer=init, initargs=(g, s)) as ex:
        it = ex.map(square, ITEMS)
        busy = busy_workers(s, WORKERS)
        checkpoint("executor-busy", parent=os.getpid(), workers=busy)
        g.set()
        out = list(it)
    results = [v for v, _ in out]
    say(f"ProcessPoolExecutor.map: {results} from workers {sorted({w for _, w in out})}")
    checkpoint("same-results", pool=pool_results, executor=results)


def part_broken() -> None:
    g, s = ctx.Event(), ctx.Queue()
    ex = ProcessPoolExecutor(WORKERS, mp_context=ctx, initializer=init, initargs=(g, s))
    fut = ex.submit(square, 7)
    victim = s.get()  # the worker running our task
    checkpoint("mid-task", parent=os.getpid(), victim=victim)
    os.kill(victim, signal.SIGKILL)
    try:
        fut.result()
        outcome = "a result"
    except BrokenProcessPool as err:
        outcome = f"BrokenProcessPool: {err}"
    try:
        ex.submit(square, 1)
        later = "accepted"
    except BrokenProcessPool as err:
        later = f"BrokenProcessPool: {err}"
    ex.shutdown()
    say(f"worker {victim} killed mid-task: future -> {outcome}; a later submit -> {later}")
    checkpoint(
        "broken",
        victim=victim,
        outcome=outcome,
        later=later,
        exception=type(fut.exception()).__name__,
    )


if __name__ == "__main__":
    say("futures lab: start method", ctx.get_start_method())
    part_executor(part_pool())
    part_broken()
