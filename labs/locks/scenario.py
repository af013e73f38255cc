"""locks: the seed's last-ticket sale, without a lock and then with multiprocessing.Lock.

The file /tmp/db holds {"count": 1}: one ticket left. Five buyers each read
it, and whoever sees a ticket writes count-1 back and says "bought".

1. race   - no lock. Every buyer reads, then all meet at a Barrier before
            anyone writes: the interleaving a real race produces by chance
            (the seed hoped for it with sleep(0.1)), made certain here.
2. locked - the same buyers, the read-check-write inside `with lock:`.
3. price  - the seed's first Lock example: five workers with 0.2 s of work
            each, once without the lock and once inside it. Locked, the
            work runs one at a time.

A buyer's exit code is its answer: 0 bought a ticket, 10 sold out.
"""

import json
import multiprocessing
import os
import sys
import time

from labkit import checkpoint, say

BUYERS = 5
DB = "/tmp/db"  # the seed's file 'db'
WRITE_DELAY_S = 0.2  # the seed's "network delay" before the write lands
WORK_S = 0.2  # the work each worker does in the price part
BOUGHT, SOLD_OUT = 0, 10  # a buyer's exit code

ctx = multiprocessing.get_context("fork")  # the lesson is fork; say so explicitly


def read_db() -> dict:
    with open(DB) as f:
        return json.load(f)


def write_db(dic: dict) -> None:
    with open(DB, "w") as f:
        json.dump(dic, f)


def db_text() -> str:
    with open(DB) as f:
        return f.read()


class Shared:
    """What the buyers record for the checks, in shared memory."""

    def __init__(self) -> None:
        self.pids = ctx.Array("i", BUYERS)
        self.reads = ctx.Array("i", [-1] * BUYERS)  # the count each buyer saw
        self.spans = ctx.Array("d", 2 * BUYERS)  # monotonic enter/leave per buyer

    def span(self, i: int) -> list[float]:
        return [self.spans[2 * i], self.spans[2 * i + 1]]

    def all_spans(self) -> list[list[float]]:
        return [self.span(i) for i in range(BUYERS)]


def sell(i: int, shared: Shared, rendezvous=None) -> int:
    """The seed's get(): read the count, and if a ticket is left, write count-1."""
    dic = read_db()
    shared.reads[i] = dic["count"]
    if rendezvous is not None:
        rendezvous.wait()  # no buyer writes before every buyer has read
    if dic["count"] > 0:
        dic["count"] -= 1
        time.sleep(WRITE_DELAY_S)  # simulated work, not synchronisation
        write_db(dic)
        say(f"buyer {i}: bought a ticket")
        return BOUGHT
    say(f"buyer {i}: sorry, sold out")
    return SOLD_OUT


def racing_buyer(i: int, shared: Shared, barrier) -> None:
    shared.pids[i] = os.getpid()
    say(f"buyer {i}: tickets left {read_db()['count']}")  # the seed's search()
    shared.spans[2 * i] = time.monotonic()
    code = sell(i, shared, rendezvous=barrier)
    shared.spans[2 * i + 1] = time.monotonic()
    sys.exit(code)


def locked_buyer(i: int, shared: Shared, lock, start) -> None:
    shared.pids[i] = os.getpid()
    say(f"buyer {i}: tickets left {read_db()['count']}")
    start.wait()  # all buyers go for the lock at the same moment
    with lock:  # read, check and write are one step now
        shared.spans[2 * i] = time.monotonic()
        code = sell(i, shared)
        shared.spans[2 * i + 1] = time.monotonic()
    sys.exit(code)


def run_buyers(target, *args) -> list[int]:
    procs = [ctx.Process(target=target, args=(i, *args), name=f"buyer-{i}") for i in range(BUYERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return [p.exitcode for p in procs]


def part_race() -> None:
    write_db({"count": 1})
    shared = Shared()

    def everyone_has_read() -> None:
        # Barrier(action=...) runs this in one buyer once all have arrived,
        # before any is let through: every buyer has read and none has written.
        checkpoint(
            "race-all-read",
            main=os.getppid(),
            buyers=list(shared.pids),
            reads=list(shared.reads),
            db=db_text(),
        )

    barrier = ctx.Barrier(BUYERS, action=everyone_has_read)
    codes = run_buyers(racing_buyer, shared, barrier)
    sold = codes.count(BOUGHT)
    say(f"without a lock: {sold} buyers were told they bought the last ticket; db now {db_text()}")
    checkpoint(
        "race-done",
        main=os.getpid(),
        buyers=list(shared.pids),
        exitcodes=codes,
        reads=list(shared.reads),
        spans=shared.all_spans(),
        db=db_text(),
    )


def part_locked() -> None:
    write_db({"count": 1})
    shared = Shared()
    lock = ctx.Lock()
    start = ctx.Barrier(BUYERS)
    codes = run_buyers(locked_buyer, shared, lock, start)
    say(f"with a lock: {codes.count(BOUGHT)} buyer bought the ticket; db now {db_text()}")
    checkpoint(
        "locked-done",
        main=os.getpid(),
        buyers=list(shared.pids),
        exitcodes=codes,
        reads=list(shared.reads),
        spans=shared.all_spans(),
        db=db_text(),
    )


def worker(i: int, spans, lock) -> None:
    """The seed's first Lock example: print, work, print (with or without the lock)."""

    def work() -> None:
        spans[2 * i] = time.monotonic()
        say(f"worker {i} is running")
        time.sleep(WORK_S)  # stands for real work
        say(f"worker {i} is done")
        spans[2 * i + 1] = time.monotonic()

    if lock is None:
        work()
    else:
        with lock:
            work()


def timed_workers(lock) -> tuple[float, list[list[float]]]:
    spans = ctx.Array("d", 2 * BUYERS)
    procs = [ctx.Process(target=worker, args=(i, spans, lock)) for i in range(BUYERS)]
    t = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.monotonic() - t
    return elapsed, [[spans[2 * i], spans[2 * i + 1]] for i in range(BUYERS)]


def part_price() -> None:
    free_s, free_spans = timed_workers(None)
    locked_s, locked_spans = timed_workers(ctx.Lock())
    say(
        f"{BUYERS} workers x {WORK_S} s of work: {free_s:.2f} s without the lock, {locked_s:.2f} s with it"
    )
    checkpoint(
        "price-done",
        work_s=WORK_S,
        workers=BUYERS,
        free_s=free_s,
        locked_s=locked_s,
        free_spans=free_spans,
        locked_spans=locked_spans,
    )


if __name__ == "__main__":
    say(f"locks lab: {BUYERS} buyers, 1 ticket")
    part_race()
    part_locked()
    part_price()
