"""sync-async: the seed's key point (重点), 同步/异步 x 阻塞/非阻塞, with real processes.

Five callers each hand one task to their own Pool(1) (or Process) and wait for it in
their own way. Every task is held (it waits on an Event) until the parent releases it, so
the callers are seen *while* they wait:

  sync-blocking    pool.apply(task)                       -> sleeps (S), CPU time flat
  join             Process(target=task).start(); join()   -> sleeps (S), CPU time flat
  async-blocking   r = pool.apply_async(task); r.get()    -> sleeps (S), CPU time flat
  sync-polling     r = apply_async(task); while not r.ready(): do a bit of other work
                                                          -> runs (R), CPU time climbing
  async-callback   apply_async(task, callback=cb); do its own work, never asks
                                                          -> runs; the callback tells it

Checkpoint `waiting-1`, then the parent lets the polling caller burn 0.3 s of CPU (it
says when), checkpoint `waiting-2`: between the two, who used CPU and who did not.
"""

import multiprocessing
import os
import signal
import threading
import time

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")
release = ctx.Event()  # the held tasks wait on it
started = ctx.Queue()  # each task says it has begun
reports = ctx.Queue()  # each caller says how it waited
window_open, window_full = ctx.Event(), ctx.Event()
WINDOW_CPU_S = 0.3


def task(mode):
    started.put((mode, os.getpid()))
    release.wait()
    return f"{mode} done"


def sync_blocking():
    with ctx.Pool(1) as pool:
        value = pool.apply(task, ("sync-blocking",))
    reports.put({"mode": "sync-blocking", "value": value})


def join_blocking():
    p = ctx.Process(target=task, args=("join",))
    p.start()
    p.join()
    reports.put({"mode": "join", "value": f"exitcode {p.exitcode}"})


def async_blocking():
    with ctx.Pool(1) as pool:
        r = pool.apply_async(task, ("async-blocking",))
        value = r.get()  # asked at once: blocked waiting for the notice
    reports.put({"mode": "async-blocking", "value": value})


def sync_polling():
    polls, other_work, start = 0, 0, None
    with ctx.Pool(1) as pool:
        r = pool.apply_async(task, ("sync-polling",))
        while not r.ready():  # look at the queue ...
            polls += 1
            other_work += sum(range(200))  # ... then a bit of the phone call, and look again
            if start is None and window_open.is_set():
                start = time.process_time()
            if (
                start is not None
                and not window_full.is_set()
                and time.process_time() - start >= WINDOW_CPU_S
            ):
                window_full.set()
        value = r.get()
    reports.put({"mode": "sync-polling", "value": value, "polls": polls})


class Notified(Exception):
    """Raised in the caller's main thread when the callback taps it on the shoulder."""


def async_callback():
    me, heard = os.getpid(), {}

    def on_result(value):  # runs in the pool's result thread of *this* process
        heard.update(value=value, pid=os.getpid(), thread=threading.current_thread().name)
        os.kill(me, signal.SIGUSR1)  # interrupt the main thread's work: "your number is up"

    def tapped(signum, frame):
        raise Notified

    signal.signal(signal.SIGUSR1, tapped)
    units = 0
    with ctx.Pool(1) as pool:
        pool.apply_async(task, ("async-callback",), callback=on_result)
        try:
            while True:  # its own work; it never asks about the task
                units += sum(range(200)) > 0
        except Notified:
            pass
    reports.put(
        {
            "mode": "async-callback",
            "value": heard.get("value"),
            "units": units,
            "callback_pid": heard.get("pid"),
            "callback_thread": heard.get("thread"),
            "caller": me,
        }
    )


CALLERS = {
    "sync-blocking": sync_blocking,
    "join": join_blocking,
    "async-blocking": async_blocking,
    "sync-polling": sync_polling,
    "async-callback": async_callback,
}


if __name__ == "__main__":
    say("sync-async lab: five callers, each waiting its own way")
    callers = {}
    for mode, fn in CALLERS.items():
        p = ctx.Process(target=fn, name=mode)
        p.start()
        callers[mode] = p
    workers = dict(started.get(timeout=20) for _ in CALLERS)  # every task is running, and held
    pids = {m: p.pid for m, p in callers.items()}
    say(
        "all five tasks are running and held: " + ", ".join(f"{m}={pid}" for m, pid in pids.items())
    )
    checkpoint("waiting-1", callers=pids, workers=workers)
    window_open.set()
    if not window_full.wait(timeout=30):
        raise SystemExit("the polling caller never used 0.3 s of CPU")
    checkpoint("waiting-2", top=True, callers=pids, workers=workers, window_cpu_s=WINDOW_CPU_S)
    release.set()
    done = {r["mode"]: r for r in (reports.get(timeout=20) for _ in CALLERS)}
    for p in callers.values():
        p.join()
    for mode, r in done.items():
        say(
            f"{mode:<15} got {r['value']!r}"
            + "".join(f", {k} {r[k]}" for k in ("polls", "units") if k in r)
        )
    checkpoint("done", reports=done, exitcodes={m: p.exitcode for m, p in callers.items()})
