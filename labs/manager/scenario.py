"""manager: a Manager().dict() shared by 100 processes, without and with a lock.

1. The manager is a server process: a child of main that holds the dict.
   Every other process reaches the dict through a connection to it.
2. lost   - 100 workers each do count = count - 1 with no lock. Each reads,
            then all meet at a Barrier before anyone writes: the interleaving
            that real races produce by chance, made certain here. Final: 99.
3. locked - the same 100 workers, the read and the write inside `with lock:`.
            Final: 0.
4. chance - the seed's exact code, d['count'] -= 1 with no lock and no
            barrier: whatever this run's timing gives (reported, not checked).
5. After `with Manager()` ends, the server is gone and the dict with it.
"""

import multiprocessing
import os
import time

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")  # the lesson is fork; say so explicitly
WORKERS = 100


def server_pid() -> int:
    """The manager's server process: the one child of main that is running now."""
    (server,) = ctx.active_children()
    return server.pid


def run_workers(target, *args) -> float:
    procs = [ctx.Process(target=target, args=(i, *args)) for i in range(WORKERS)]
    t = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    assert not bad, f"workers failed: {bad}"
    return time.monotonic() - t


# -- 2. no lock: read, rendezvous, write ----------------------------------
def racing_worker(i, d, reads, pids, barrier) -> None:
    pids[i] = os.getpid()
    count = d["count"]  # one round trip to the server: read
    reads[i] = count
    barrier.wait()  # nobody writes before everybody has read
    d["count"] = count - 1  # another round trip: write


# -- 3. with a lock -------------------------------------------------------
def locked_worker(i, d, lock, start) -> None:
    start.wait()  # all 100 go for the lock at the same moment
    with lock:
        d["count"] -= 1  # read and write, nobody in between


# -- 4. the seed's code, as it is -----------------------------------------
def seed_worker(i, d) -> None:
    d["count"] -= 1  # __getitem__ then __setitem__: two separate requests


if __name__ == "__main__":
    main = os.getpid()
    say(f"manager lab: {WORKERS} workers, one shared dict")
    with ctx.Manager() as m:
        server = server_pid()
        d = m.dict({"count": WORKERS})
        checkpoint("manager-up", main=main, server=server, dict=dict(d))

        reads, pids = ctx.Array("i", [-1] * WORKERS), ctx.Array("i", WORKERS)

        def everyone_has_read() -> None:
            # Runs in one worker once all 100 wait at the barrier: all have read, none has written.
            checkpoint(
                "all-read",
                main=main,
                server=server,
                workers=list(pids),
                reads=sorted(set(reads)),
                count=d["count"],
            )

        barrier = ctx.Barrier(WORKERS, action=everyone_has_read)
        lost_s = run_workers(racing_worker, d, reads, pids, barrier)
        lost_final = d["count"]
        say(f"no lock: {WORKERS} decrements of {WORKERS} left count = {lost_final}")
        checkpoint("lost-done", main=main, workers=WORKERS, final=lost_final, seconds=lost_s)

        d["count"] = WORKERS
        locked_s = run_workers(locked_worker, d, ctx.Lock(), ctx.Barrier(WORKERS))
        locked_final = d["count"]
        say(f"with a lock: count = {locked_final}")
        checkpoint("locked-done", main=main, workers=WORKERS, final=locked_final, seconds=locked_s)

        d["count"] = WORKERS
        chance_s = run_workers(seed_worker, d)
        chance_final = d["count"]
        say(f"the seed's code, no lock, no barrier: count = {chance_final} (this run's luck)")
        checkpoint("chance-done", main=main, workers=WORKERS, final=chance_final, seconds=chance_s)

    # The with block has shut the manager down: its server process has exited.
    try:
        after = repr(d["count"])
    except Exception as e:  # the seed's loop, written outside the with block, lands here
        after = f"{type(e).__name__}: {e}"
    say(f"after the with block: d['count'] -> {after}")
    checkpoint("manager-closed", main=main, server=server, after=after)
