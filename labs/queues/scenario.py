"""queues: producers and consumers over multiprocessing.Queue and JoinableQueue.

Variant "main":
  1. sentinel  - 3 producers, 2 consumers; when the producers are done, the
                 main process puts one None per consumer and every consumer
                 leaves its loop.
  2. maxsize   - Queue(3): put blocks when the queue is full, put_nowait and
                 get_nowait raise queue.Full / queue.Empty (and the seed's
                 get_nowait(3) raises TypeError).
  3. joinable  - the seed's JoinableQueue shop: consumers call task_done(),
                 producers wait in join() until every item is done, and the
                 daemonic consumers are ended when the shop ends.
Variant "no-sentinel": part 1 without the None. The consumers wait in get()
for ever and the program never ends; the harness's timeout catches it.
"""

import multiprocessing
import os
import queue
import sys
import time

from labkit import checkpoint, say, wait_asleep

ctx = multiprocessing.get_context("fork")  # the lesson is fork; say so explicitly

FOODS = ("bun", "bone", "slop")  # the seed's 包子, 骨头, 泔水: one producer each
PER_PRODUCER = 3
CONSUMERS = 2
ITEMS = len(FOODS) * PER_PRODUCER


# -- 1. producers and consumers, with and without a sentinel --------------
def producer(name: str, q) -> None:
    for i in range(PER_PRODUCER):
        item = f"{name}{i}"
        q.put(item)
        say(f"produced {item}")


def consumer(q, eaten) -> None:
    while True:
        item = q.get()
        if item is None:  # the sentinel: no more food is coming
            say("got None: leaving")
            break
        eaten.put((os.getpid(), item))
        say(f"ate {item}")


def start_shop(q, eaten):
    producers = [ctx.Process(target=producer, args=(f, q), name=f"producer-{f}") for f in FOODS]
    consumers = [
        ctx.Process(target=consumer, args=(q, eaten), name=f"consumer-{i}")
        for i in range(CONSUMERS)
    ]
    for p in producers + consumers:
        p.start()
    return producers, consumers


def part_sentinel() -> None:
    q, eaten = ctx.Queue(), ctx.Queue()
    producers, consumers = start_shop(q, eaten)
    for p in producers:
        p.join()  # all food is in the queue before the sentinels
    for _ in consumers:
        q.put(None)  # one None per consumer: each get()s exactly one
    meals = [eaten.get() for _ in range(ITEMS)]
    for c in consumers:
        c.join()
    say(f"all {len(meals)} items eaten; consumers exited with {[c.exitcode for c in consumers]}")
    checkpoint(
        "sentinel-done",
        main=os.getpid(),
        consumers=[c.pid for c in consumers],
        consumer_exitcodes=[c.exitcode for c in consumers],
        producer_exitcodes=[p.exitcode for p in producers],
        sentinels=len(consumers),
        eaten=meals,
        produced=ITEMS,
    )


def part_no_sentinel() -> None:
    q, eaten = ctx.Queue(), ctx.Queue()
    producers, consumers = start_shop(q, eaten)
    for p in producers:
        p.join()
    meals = [eaten.get() for _ in range(ITEMS)]  # everything the consumers will ever get
    say(f"all {len(meals)} items eaten; no None was sent; main's code ends here")
    checkpoint(
        "all-eaten",
        main=os.getpid(),
        consumers=[c.pid for c in consumers],
        producer_exitcodes=[p.exitcode for p in producers],
        eaten=meals,
        produced=ITEMS,
    )
    # Like the seed, main simply ends. multiprocessing joins every non-daemonic
    # child at exit, and these consumers are still waiting in q.get().


# -- 2. a bounded queue ---------------------------------------------------
def blocked_putter(q, ready) -> None:
    ready.set()
    q.put(4)  # the queue is full: this waits for room
    say("put(4) went through: someone made room")


def part_maxsize() -> None:
    q = ctx.Queue(3)
    for x in (3, 2, 1):
        q.put(x)
    outcome: dict[str, object] = {"full_after_3": q.full()}

    try:
        q.put_nowait(4)
        outcome["put_nowait"] = "ok"
    except queue.Full as e:
        outcome["put_nowait"] = type(e).__name__

    t = time.monotonic()
    try:
        q.put(4, timeout=0.3)
        outcome["put_timeout"] = "ok"
    except queue.Full as e:
        outcome["put_timeout"] = type(e).__name__
    outcome["put_waited_s"] = time.monotonic() - t

    ready = ctx.Event()
    child = ctx.Process(target=blocked_putter, args=(q, ready), name="putter")
    child.start()
    ready.wait()
    say(f"putter {child.pid} calls put(4) on a full queue")
    checkpoint(
        "put-blocked",
        main=os.getpid(),
        putter=child.pid,
        putter_alive=child.is_alive(),
        full=q.full(),
    )

    got = [q.get()]  # room for one: the putter's put(4) can finish
    child.join()
    got += [q.get() for _ in range(3)]
    outcome["putter_exitcode"] = child.exitcode

    try:
        q.get_nowait()
        outcome["get_nowait"] = "ok"
    except queue.Empty as e:
        outcome["get_nowait"] = type(e).__name__
    try:
        q.get_nowait(3)  # the seed's call: get_nowait takes no argument
        outcome["seed_get_nowait_3"] = "ok"
    except Exception as e:  # the seed's bare except: hid this as "queue is empty"
        outcome["seed_get_nowait_3"] = f"{type(e).__name__}: {e}"
    outcome["empty_at_end"] = q.empty()
    say(f"got {got}; {outcome}")
    checkpoint("maxsize-done", main=os.getpid(), putter=child.pid, got=got, **outcome)


# -- 3. JoinableQueue -----------------------------------------------------
def joinable_consumer(q, done, pids, i) -> None:
    pids[i] = os.getpid()
    while True:  # no sentinel: this loop never ends by itself
        q.get()
        with done.get_lock():
            done.value += 1
        q.task_done()  # tell join() this item is finished


def joinable_producer(name: str, q, done, seen, i) -> None:
    for n in range(PER_PRODUCER):
        q.put(f"{name}{n}")
    q.join()  # returns when every item put so far is task_done()
    seen[i] = done.value
    say(f"{name} producer: join() returned; {done.value} items done")


def shop(q, done, seen, pids) -> None:
    """The seed's main for JoinableQueue, run as its own process so we can look after it ends."""
    producers = [
        ctx.Process(target=joinable_producer, args=(f, q, done, seen, i))
        for i, f in enumerate(FOODS)
    ]
    consumers = [
        ctx.Process(target=joinable_consumer, args=(q, done, pids, i), daemon=True)
        for i in range(CONSUMERS)
    ]
    for p in producers + consumers:
        p.start()
    for p in producers:
        p.join()
    # join() returns at the last task_done(); a consumer is then on its way back into get()
    wait_asleep([c.pid for c in consumers])
    checkpoint(
        "producers-joined",
        shop=os.getpid(),
        consumers=[c.pid for c in consumers],
        daemon=[c.daemon for c in consumers],
        seen=list(seen),
        done=done.value,
        produced=ITEMS,
    )
    say("shop: producers are done; the shop ends and takes its daemonic consumers with it")


def part_joinable() -> None:
    q = ctx.JoinableQueue()
    done = ctx.Value("i", 0)
    seen = ctx.Array("i", [-1] * len(FOODS))
    pids = ctx.Array("i", CONSUMERS)
    s = ctx.Process(target=shop, args=(q, done, seen, pids), name="shop")
    s.start()
    s.join()
    checkpoint(
        "joinable-done",
        main=os.getpid(),
        shop=s.pid,
        shop_exitcode=s.exitcode,
        consumers=list(pids),
        done=done.value,
    )


if __name__ == "__main__":
    variant = sys.argv[1] if len(sys.argv) > 1 else "main"
    say(f"queues lab, variant {variant}")
    if variant == "no-sentinel":
        part_no_sentinel()
    else:
        part_sentinel()
        part_maxsize()
        part_joinable()
