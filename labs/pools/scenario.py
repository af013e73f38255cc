"""pools: a Pool keeps a fixed set of worker processes and feeds them tasks.

The seed's examples, one after the other, on one Pool(3):
  1. 10 tasks with apply_async run on exactly 3 worker pids, all children of main;
  2. apply waits for its task, apply_async does not;
  3. map returns results in the order of its input, not the order tasks finish;
  4. a callback runs in the main process; an exception in a task comes back through get();
  5. join() before close() raises; close() then join() ends the workers.
Then the seed's timing: 100 small tasks on a Pool versus a Process per task.

Synchronisation objects reach the workers through the Pool's initializer (the
way that works under every start method), and moments are made certain with
a Barrier and Events, never with sleeps.
"""

import multiprocessing
import os
import statistics
import threading
import time

from labkit import checkpoint, say

WORKERS = 3
TASKS = 10
MAP_ITEMS = 6
TIMED_TASKS = 100  # the seed's 100 small tasks
TIMED_POOL = 5  # the seed's Pool(5)
ROUNDS = 3  # time each way 3 times, interleaved, and keep the median

shared = {}  # filled in each worker by init()


def init(objects: dict) -> None:
    """Pool initializer: runs once in each worker when it starts."""
    shared.update(objects)


class counted:
    """Count how many tasks run at once, in a shared counter (changed under its lock)."""

    def __enter__(self):
        running, most = shared["running"], shared["most"]
        with running.get_lock():
            running.value += 1
            most.value = max(most.value, running.value)

    def __exit__(self, *exc):
        with shared["running"].get_lock():
            shared["running"].value -= 1


def work(n: int) -> dict:
    with counted():
        if n < WORKERS:  # the first 3 tasks meet main at a barrier and wait for "go":
            shared["barrier"].wait()  # three tasks at once need three different workers
            shared["go"].wait()
        return {"n": n, "square": n * n, "pid": os.getpid(), "ppid": os.getppid()}


def gated(n: int) -> int:
    shared["gate"].wait()  # held until main opens the gate
    return n * n


def marked(n: int) -> int:
    with counted():
        shared["done"].value += 1  # proof the task ran before apply() returned
        return n * n


def finish_order(n: int) -> dict:
    """Item 0 waits until every other item has finished, so it finishes last."""
    if n == 0:
        for _ in range(MAP_ITEMS - 1):
            shared["finished"].acquire()
    seq = shared["seq"]
    with seq.get_lock():
        seq.value += 1
        order = seq.value
    if n != 0:
        shared["finished"].release()
    return {"n": n, "finished": order, "pid": os.getpid()}


def square_with_pid(n: int) -> dict:
    return {"n": n, "square": n * n, "pid": os.getpid()}


def fail(n: int) -> None:
    raise ValueError(f"task {n} refuses")


def small(n: int) -> int:
    return n * n


def workers() -> list[int]:
    """The pids of this process's live multiprocessing children (the pool's workers)."""
    return sorted(p.pid for p in multiprocessing.active_children())


def part_pool(ctx) -> None:
    main = os.getpid()
    objects = {
        "barrier": ctx.Barrier(WORKERS + 1),
        "go": ctx.Event(),
        "gate": ctx.Event(),
        "done": ctx.Value("i", 0),
        "running": ctx.Value("i", 0),
        "most": ctx.Value("i", 0),
        "finished": ctx.Semaphore(0),
        "seq": ctx.Value("i", 0),
    }
    pool = ctx.Pool(WORKERS, initializer=init, initargs=(objects,))

    # 1. ten tasks, asynchronously; the first three hold all three workers busy
    pending = [pool.apply_async(work, (n,)) for n in range(TASKS)]
    objects["barrier"].wait()  # now 3 tasks are running, one in each worker
    busy = workers()
    say(
        f"Pool({WORKERS}): 3 tasks running at once in workers {busy}; {TASKS - WORKERS} tasks queued"
    )
    checkpoint("pool-busy", main=main, workers=busy, running=objects["running"].value)
    objects["go"].set()
    results = [r.get(timeout=20) for r in pending]
    task_pids = sorted({r["pid"] for r in results})
    say(f"{TASKS} tasks ran on pids {task_pids}; results {[r['square'] for r in results]}")
    checkpoint(
        "tasks-done",
        main=main,
        workers=workers(),
        results=results,
        task_pids=task_pids,
        most_at_once=objects["most"].value,
    )

    # 2. apply waits for the task; apply_async returns at once
    objects["most"].value = 0
    applied = [pool.apply(marked, (n,)) for n in range(TASKS)]
    done_after_apply = objects["done"].value
    t = time.monotonic()
    handle = pool.apply_async(gated, (7,))
    returned_s = time.monotonic() - t
    ready_before = handle.ready()  # the gate is closed: the task cannot have finished
    objects["gate"].set()
    value = handle.get(timeout=20)
    say(
        f"apply returned {applied[:3]}... one at a time (at most {objects['most'].value} running); apply_async "
        f"returned a {type(handle).__name__} in {returned_s * 1000:.2f} ms, ready()={ready_before} until the gate opened"
    )
    checkpoint(
        "apply-vs-async",
        main=main,
        workers=workers(),
        applied=applied,
        applied_type=type(applied[0]).__name__,
        done_after_apply=done_after_apply,
        apply_most_at_once=objects["most"].value,
        async_type=type(handle).__name__,
        async_returned_ms=round(returned_s * 1000, 3),
        ready_before_gate=ready_before,
        ready_after_get=handle.ready(),
        async_value=value,
    )

    # 3. map keeps the input order whatever the finishing order
    mapped = pool.map(finish_order, range(MAP_ITEMS), chunksize=1)
    say(
        f"map returned items {[m['n'] for m in mapped]}; they finished in order "
        f"{sorted(mapped, key=lambda m: m['finished'])[0]['n']}... item 0 last"
    )
    checkpoint("map-order", main=main, workers=workers(), mapped=mapped)

    # 4. the callback runs in the main process; an exception comes back through get()
    calls = []

    def on_result(res):
        calls.append({"pid": os.getpid(), "thread": threading.current_thread().name, "value": res})

    errors = []

    def on_error(exc):
        errors.append({"pid": os.getpid(), "type": type(exc).__name__})

    cb = pool.apply_async(square_with_pid, (10,), callback=on_result)
    task_result = cb.get(timeout=20)  # the callback has run before get() returns
    bad = pool.apply_async(fail, (7,), error_callback=on_error)
    try:
        bad.get(timeout=20)
        raised = None
    except ValueError as exc:
        raised = {
            "type": type(exc).__name__,
            "message": str(exc),
            "remote_traceback": str(exc.__cause__) if exc.__cause__ else "",
        }
    say(
        f"callback ran in pid {calls[0]['pid']} (main is {main}), task in pid {task_result['pid']}; "
        f"get() raised {raised['type'] if raised else None}: {raised['message'] if raised else ''}"
    )
    checkpoint(
        "callback-and-error",
        main=main,
        workers=workers(),
        callback=calls,
        task=task_result,
        raised=raised,
        successful=bad.successful(),
        error_callback=errors,
    )

    # 5. join() before close() is refused; close() then join() ends the workers
    try:
        pool.join()
        join_error = None
    except ValueError as exc:
        join_error = str(exc)
    before = workers()
    pool.close()
    pool.join()
    say(
        f"join() before close() raised ValueError({join_error!r}); after close()+join() workers left: {workers()}"
    )
    checkpoint(
        "pool-joined", main=main, workers_before=before, workers=workers(), join_error=join_error
    )


def part_timing(ctx) -> None:
    """The seed's comparison: a Pool(5) mapping 100 tasks vs 100 Processes."""

    def with_pool() -> float:
        t = time.perf_counter()
        with ctx.Pool(TIMED_POOL) as pool:
            pool.map(small, range(TIMED_TASKS))
            pool.close()
            pool.join()
        return time.perf_counter() - t

    def process_per_task() -> float:
        t = time.perf_counter()
        procs = [ctx.Process(target=small, args=(n,)) for n in range(TIMED_TASKS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        return time.perf_counter() - t

    pool_s, per_task_s = [], []
    for _ in range(ROUNDS):  # interleaved, so both see the same machine load
        pool_s.append(with_pool())
        per_task_s.append(process_per_task())
    p, q = statistics.median(pool_s), statistics.median(per_task_s)
    say(
        f"{TIMED_TASKS} small tasks: Pool({TIMED_POOL}) {p * 1000:.0f} ms, a Process per task {q * 1000:.0f} ms "
        f"(medians of {ROUNDS}); ratio {q / p:.1f}x"
    )
    checkpoint(
        "timed",
        main=os.getpid(),
        tasks=TIMED_TASKS,
        pool_size=TIMED_POOL,
        pool_s=[round(x, 4) for x in pool_s],
        per_task_s=[round(x, 4) for x in per_task_s],
        pool_median_s=round(p, 4),
        per_task_median_s=round(q, 4),
        ratio=round(q / p, 2),
        cpus=os.cpu_count(),
    )


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    say("pools lab: main process starts")
    part_pool(ctx)
    part_timing(ctx)
