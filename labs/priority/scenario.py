"""priority: what `nice` really buys.

    scenario.py shares NICES WINDOW_S   e.g. shares 0,5,10 4
    scenario.py renice

`shares`: one CPU-bound worker per nice level. The workers set their own nice,
say they are ready, and wait; the parent checkpoints ("ready": their CPU times
so far), opens the window, and every worker spins until the same deadline on
the monotonic clock, then stops and waits again. The parent checkpoints at the
end of the window ("window-end") while they are all still alive, so the
difference between the two snapshots is exactly each worker's CPU time in the
window. The container's settings (cpuset, quota) decide who competes with whom.
When the host's other processes left too little CPU free in the window, the
window is measured again (at most labkit.cpustat.TRIES times, each said in the
output, each a new "ready"/"window-end" pair with its `attempt`): the checks
read the last pair.

`renice`: a running process gets a higher nice (lower priority), then the parent
tries to give it a nice below 0, which needs CAP_SYS_NICE.
"""

import multiprocessing
import os
import sys
import time

from labkit import checkpoint, say
from labkit.cpustat import TRIES, Windows, cgroup_cpu

CAP_SYS_NICE = 23  # bit number in /proc/<pid>/status CapEff (linux/capability.h)


def spin_worker(nice, ready, gos, deadline, done, finish):
    os.setpriority(os.PRIO_PROCESS, 0, nice)  # a process may always raise its own nice
    ready.put((nice, os.getpid()))
    for go in gos:  # one window per attempt; deadline 0: no more
        go.wait()
        end, loops = deadline.value, 0
        if end == 0:
            break
        while time.monotonic() < end:  # pure CPU: no system calls but the clock (vDSO)
            loops += 1
        done.put((nice, loops))  # then asleep until the next window or the end
    finish.wait()  # stay alive, asleep, for the snapshot


def shares(nices: list[int], window_s: float) -> None:
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Queue(), ctx.Queue()
    gos, finish = [ctx.Event() for _ in range(TRIES)], ctx.Event()
    deadline = ctx.Value("d", 0.0)
    workers = [
        ctx.Process(
            target=spin_worker, args=(n, ready, gos, deadline, done, finish), name=f"nice{n}"
        )
        for n in nices
    ]
    for w in workers:
        w.start()
    pids = dict(ready.get() for _ in workers)
    cpus = sorted(os.sched_getaffinity(0))
    say(
        f"{len(workers)} workers ready at nice {nices}, allowed CPUs {cpus}; the window is {window_s}s"
    )
    named = {f"nice_{n}": pids[n] for n in nices}
    windows = Windows("the window", cpus)
    for attempt in windows:  # a busy host: the same window again, each attempt checkpointed
        checkpoint("ready", attempt=attempt, window_s=window_s, cpus=cpus, **named)
        before, t0 = (
            cgroup_cpu(),
            time.monotonic(),
        )  # after the probe: the figures span the window alone
        deadline.value = t0 + window_s
        gos[attempt - 1].set()
        loops = dict(done.get() for _ in workers)  # blocks: the parent takes no CPU in the window
        wall = time.monotonic() - t0
        after = cgroup_cpu()
        say(
            "window over: loops per nice level "
            + ", ".join(f"nice {n}: {loops[n]:,}" for n in nices)
        )
        free = windows.ended(before, after, wall)
        checkpoint(
            "window-end",
            attempt=attempt,
            window_s=window_s,
            wall_s=round(wall, 4),
            cpus=cpus,
            cgroup_start=before,
            cgroup=after,
            free_cpus_per_window=windows.free,
            free_cpus=free,
            loops={str(n): loops[n] for n in nices},
            **named,
        )
    deadline.value = 0.0
    for go in gos:
        go.set()
    finish.set()
    for w in workers:
        w.join()


def cap_eff_has(bit: int) -> bool:
    with open("/proc/self/status") as f:
        caps = next(ln.split()[1] for ln in f if ln.startswith("CapEff:"))
    return bool(int(caps, 16) >> bit & 1)


def renice() -> None:
    import resource

    ctx = multiprocessing.get_context("fork")
    ready, finish = ctx.Queue(), ctx.Event()

    def sleeper():
        ready.put(os.getpid())
        finish.wait()

    w = ctx.Process(target=sleeper, name="renice-me")
    w.start()
    pid = ready.get()
    me = {
        "euid": os.geteuid(),
        "cap_sys_nice": cap_eff_has(CAP_SYS_NICE),
        "rlimit_nice": list(resource.getrlimit(resource.RLIMIT_NICE)),
    }
    checkpoint("before", worker=pid, **me)

    os.setpriority(os.PRIO_PROCESS, pid, 5)  # what `renice -n 5 -p PID` does
    say(f"setpriority(pid {pid}, 5): nice is now {os.getpriority(os.PRIO_PROCESS, pid)}")
    checkpoint("reniced", worker=pid, asked=5, **me)

    try:
        os.setpriority(os.PRIO_PROCESS, pid, -5)
        error = None
        say(
            f"setpriority(pid {pid}, -5) worked: nice is now {os.getpriority(os.PRIO_PROCESS, pid)}"
        )
    except PermissionError as err:
        error = f"{type(err).__name__}: {err}"
        say(f"setpriority(pid {pid}, -5) failed: {error}")
    checkpoint("below-zero", worker=pid, asked=-5, error=error, **me)
    finish.set()
    w.join()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "shares"
    if mode == "renice":
        renice()
    else:
        nices = [int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "0,5,10").split(",")]
        shares(nices, float(sys.argv[3]) if len(sys.argv) > 3 else 3.0)
