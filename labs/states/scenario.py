"""states: R, S, D, T and Z, each made certain before the snapshot.

R  two busy loops pinned to one CPU: both R, though only one can be on it.
T  SIGSTOP one (confirmed by waitid WSTOPPED); it uses no CPU; SIGCONT: R again.
S  a child blocked reading a pipe, one in sleep().
D  a child blocked inside vfork (posix_spawn, whose child waits to open a FIFO);
   a SIGSTOP sent to it stays pending until it wakes.
Z  a child that exited and was not waited for.
"""

import os
import select
import signal
import time

import psutil

from labkit import checkpoint, say

LETTER = {
    psutil.STATUS_RUNNING: "R",
    psutil.STATUS_SLEEPING: "S",
    psutil.STATUS_DISK_SLEEP: "D",
    psutil.STATUS_STOPPED: "T",
    psutil.STATUS_ZOMBIE: "Z",
}


def until(what: str, test, timeout: float = 10.0) -> None:
    """Look until `test()` holds. Used only where the state, once reached, cannot change
    until the scenario acts (a process blocked on a pipe, a FIFO, a timer an hour away)."""
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(0.002)


def state(pid: int) -> str:
    return LETTER.get(psutil.Process(pid).status(), "?")


def schedstat(pid: int) -> dict:
    """/proc/<pid>/schedstat: ns on a CPU, ns waiting on a run queue (ready, not running), time slices."""
    with open(f"/proc/{pid}/schedstat") as f:
        on_cpu, waiting, slices = (int(x) for x in f.read().split())
    return {"on_cpu_ns": on_cpu, "runqueue_wait_ns": waiting, "slices": slices}


def wchan(pid: int) -> str:
    """The kernel function a sleeping process waits in (what ps -o wchan shows)."""
    with open(f"/proc/{pid}/wchan") as f:
        return f.read().strip()


def pending(pid: int) -> str:
    with open(f"/proc/{pid}/status") as f:
        return next(ln.strip() for ln in f if ln.startswith("ShdPnd:"))


def spinner(cpu: int, started_w: int) -> None:
    os.sched_setaffinity(0, {cpu})
    os.write(started_w, b"!")
    while True:  # never blocks: always runnable
        pass


def part_running_and_stopped() -> None:
    cpu = min(os.sched_getaffinity(0))
    r, w = os.pipe()
    spinners = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            spinner(cpu, w)
        spinners.append(pid)
    os.read(r, 1), os.read(r, 1)  # both have pinned themselves and started
    a, b = spinners
    # Both wait on the run queue part of the time: ready, not running.
    until(
        "both spinners waiting on the run queue",
        lambda: all(schedstat(p)["runqueue_wait_ns"] > 20_000_000 for p in spinners),
    )
    checkpoint(
        "running",
        top=True,
        a=a,
        b=b,
        cpu=cpu,
        affinity={str(p): sorted(os.sched_getaffinity(p)) for p in spinners},
        schedstat={str(p): schedstat(p) for p in spinners},
    )

    os.kill(a, signal.SIGSTOP)
    os.waitid(os.P_PID, a, os.WSTOPPED | os.WNOWAIT)  # returns once a is stopped
    cpu_a = psutil.Process(a).cpu_times()
    cpu_b = psutil.Process(b).cpu_times()
    say(f"spinner {a} is stopped; {b} spins on")
    checkpoint("stopped", a=a, b=b)
    # Let b run on: wait until it has used another 50 ms of CPU; a cannot, it is stopped.
    until(
        "b using more CPU", lambda: sum(psutil.Process(b).cpu_times()[:2]) >= sum(cpu_b[:2]) + 0.05
    )
    checkpoint(
        "still-stopped", a=a, b=b, a_cpu_at_stop=sum(cpu_a[:2]), b_cpu_at_stop=sum(cpu_b[:2])
    )

    os.kill(a, signal.SIGCONT)
    os.waitid(os.P_PID, a, os.WCONTINUED | os.WNOWAIT)  # returns once a has been continued
    checkpoint("continued", a=a, b=b)
    for p in spinners:
        os.kill(p, signal.SIGKILL)
        os.waitpid(p, 0)


def part_sleeping() -> None:
    r, w = os.pipe()
    reader = os.fork()
    if reader == 0:
        os.close(w)
        os.read(r, 1)  # blocks: nothing is written until the end
        os._exit(0)
    sleeper = os.fork()
    if sleeper == 0:
        time.sleep(3600)
        os._exit(0)
    os.close(r)
    # S and a wait channel: asleep inside the kernel, not just on the way there.
    until(
        "reader and sleeper asleep",
        lambda: all(state(p) == "S" and wchan(p) != "0" for p in (reader, sleeper)),
    )
    checkpoint(
        "sleeping",
        top=True,
        reader=reader,
        sleeper=sleeper,
        parent=os.getpid(),
        wchan={str(reader): wchan(reader), str(sleeper): wchan(sleeper)},
    )
    os.write(w, b"x")
    os.kill(sleeper, signal.SIGTERM)
    os.waitpid(reader, 0), os.waitpid(sleeper, 0)


def part_uninterruptible() -> None:
    fifo = "/tmp/states-fifo"
    os.mkfifo(fifo)
    v = os.fork()
    if v == 0:
        # posix_spawn clones with CLONE_VFORK: this process sleeps in the kernel until its
        # new child has exec'd. The child first opens the FIFO, which blocks until a writer comes.
        child = os.posix_spawn(
            "/bin/true", ["true"], {}, file_actions=[(os.POSIX_SPAWN_OPEN, 3, fifo, os.O_RDONLY, 0)]
        )
        os.waitpid(child, 0)
        os._exit(0)
    until("the vfork parent in D", lambda: state(v) == "D" and wchan(v) != "0")
    spawned = psutil.Process(v).children()[0].pid
    until(
        "its child asleep opening the FIFO", lambda: state(spawned) == "S" and wchan(spawned) != "0"
    )
    spawned_exit = os.pidfd_open(spawned)  # readable once the spawned child has exited
    checkpoint("uninterruptible", top=True, vforker=v, spawned=spawned, wchan=wchan(v))

    os.kill(v, signal.SIGSTOP)  # sent: but a D sleep is not interrupted for it
    checkpoint("stop-pending", vforker=v, state_now=state(v), pending=pending(v))

    fd = os.open(fifo, os.O_WRONLY)  # the spawned child's open() returns; it execs;
    os.close(fd)  # v wakes, returns to user mode, and takes the SIGSTOP
    os.waitid(os.P_PID, v, os.WSTOPPED | os.WNOWAIT)
    select.select([spawned_exit], [], [])  # and `true` has run and exited (a zombie: v is stopped)
    checkpoint("stopped-on-waking", vforker=v, spawned=spawned)
    os.kill(v, signal.SIGCONT)
    _, status = os.waitpid(v, 0)
    os.unlink(fifo)
    say(f"vfork parent {v} finished: status {status}")


def part_zombie() -> None:
    z = os.fork()
    if z == 0:
        os._exit(0)
    os.waitid(os.P_PID, z, os.WEXITED | os.WNOWAIT)
    checkpoint("zombie", top=True, zombie=z, parent=os.getpid())
    os.waitpid(z, 0)


if __name__ == "__main__":
    say("states lab: R, T, S, D, Z")
    part_running_and_stopped()
    part_sleeping()
    part_uninterruptible()
    part_zombie()
