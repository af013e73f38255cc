"""Run process-run programs as real processes (runs inside a lab container; stdlib + labkit).

The coordinator (this process) forks one worker per program, every worker pinned to the same
CPU, and releases them together. A worker's ``c`` spins until its own CPU time has advanced by
one tick; its ``i`` spins a tick (issuing), sends a request to the device and sleeps in
``futex_wait`` until the reply, then spins a tick (completing). Before each step a worker
publishes ``seq * 4 + phase`` in one shared word (one store, so a reader never sees half of it).

The coordinator is also the device and the sampler. In the middle of each tick it announces
``sample-N`` (its clock is a select() timeout: the sampler's clock, not a synchronisation); it
completes an I/O once ``io_length`` ticks have passed since the request, announcing
``io-K-done-next`` just before. It only does so once the worker is known to sleep: a
``FUTEX_CMP_REQUEUE`` that wakes nobody counts the waiters on the worker's word and moves them
to a parking word. The kernel marks a task S before it queues it there, and nothing wakes it
but the reply, so the table must show it S - a fact, not a timing. The coordinator reaps each
finished worker (pidfd, waitpid) before it reports it done, so it is gone, never a zombie.
Phases are read before and after every checkpoint; the next checkpoint carries the after-read
(``after_previous``), so the harness can tell a worker that stayed in one step throughout a snapshot.
"""

import ctypes
import json
import mmap
import os
import platform
import select
import sys
import time
from typing import Any

from labkit import checkpoint

spec = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "actions.json")))
PROGRAMS, IO_LENGTH, TICK_MS = spec["programs"], spec["io_length"], float(spec["tick_ms"])
PHASES = ("start", "cpu", "io", "done")
START, CPU, IO, DONE = range(4)
WAIT, WAKE, CMP_REQUEUE = 0, 1, 4  # futex ops (shared, not FUTEX_PRIVATE: across processes)
SYS_FUTEX = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
if SYS_FUTEX is None:
    sys.exit(
        f"futex(2): no syscall number known for a {platform.machine()} machine (x86_64 and aarch64 only)"
    )
N = len(PROGRAMS)
# per worker: phase word, reply word (0 pending, 1 replied), parking word
_mem = mmap.mmap(-1, 4 * 3 * N)
WORDS = (ctypes.c_int32 * (3 * N)).from_buffer(_mem)
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _addr(i: int) -> ctypes.c_void_p:
    return ctypes.c_void_p(ctypes.addressof(WORDS) + 4 * i)


def futex(
    word: int, op: int, val: int, val2: int = 0, word2: int | None = None, val3: int = 0
) -> int:
    got = _libc.syscall(
        SYS_FUTEX,
        _addr(word),
        ctypes.c_int(op),
        ctypes.c_int(val),
        ctypes.c_void_p(val2),
        _addr(word2) if word2 is not None else ctypes.c_void_p(0),
        ctypes.c_int(val3),
    )
    return -ctypes.get_errno() if got < 0 else got


def phase(i: int) -> list[int | str]:
    word = WORDS[3 * i]
    return [PHASES[word % 4], word // 4]


def spin_tick() -> None:
    """One tick of this process's own CPU time (CLOCK_THREAD_CPUTIME_ID): a load-proof length."""
    end = time.thread_time() + TICK_MS / 1000
    while time.thread_time() < end:
        pass


def worker(i: int, program: str, cpu: int, start_r: int, ready_w: int, req_w: int) -> None:
    os.sched_setaffinity(0, {cpu})
    seq = 0

    def publish(p: int) -> None:
        nonlocal seq
        seq += 1
        WORDS[3 * i] = seq * 4 + p

    os.write(ready_w, b"r")
    os.close(ready_w)  # so the coordinator reads EOF, not a hang, if a worker dies first
    os.read(start_r, 1)  # EOF once the coordinator closes the start pipe: all go
    for op in program:
        publish(CPU)
        spin_tick()  # a 'c', or the tick that issues an I/O
        if op == "i":
            WORDS[3 * i + 1] = 0
            publish(IO)
            os.write(req_w, bytes([i]))
            while WORDS[3 * i + 1] == 0:
                futex(3 * i + 1, WAIT, 0)  # returns at once if the reply came already
            publish(CPU)
            spin_tick()  # the tick that completes it
    publish(DONE)


def start_workers(cpu: int) -> tuple[list[int], int, int]:
    start_r, start_w = os.pipe()
    ready_r, ready_w = os.pipe()
    req_r, req_w = os.pipe()
    pids = []
    for i, program in enumerate(PROGRAMS):
        pid = os.fork()
        if pid == 0:
            for fd in (start_w, ready_r, req_r):
                os.close(fd)
            code = 0
            try:
                worker(i, program, cpu, start_r, ready_w, req_w)
            except BaseException as err:  # say it, and let the coordinator see the exit code
                print(f"worker {i}: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        pids.append(pid)
    for fd in (start_r, ready_w, req_w):
        os.close(fd)
    ready = b""
    while len(ready) < N:
        got = os.read(ready_r, N)
        if not got:
            sys.exit(f"only {len(ready)} of {N} workers got ready; the others' errors are above")
        ready += got
    os.close(ready_r)
    return pids, start_w, req_r


class Device:
    """Requests, I/Os in flight, reaping and the checkpoints, all on the coordinator's clock."""

    def __init__(self, pids: list[int], req_r: int, cpu: int) -> None:
        self.pids, self.req_r, self.cpu = pids, req_r, cpu
        self.names = {f"p{i}": pid for i, pid in enumerate(pids)}
        self.pidfds = {os.pidfd_open(pid): i for i, pid in enumerate(pids)}
        self.watch = [req_r, *self.pidfds]  # requests, and each worker's exit
        self.holds: dict[
            int, dict[str, Any]
        ] = {}  # worker -> {"io": K, "since_ms": t, "asleep": bool}
        self.reaped: dict[int, int] = {}  # worker -> exit status
        self.after: dict[
            str, Any
        ] = {}  # the previous checkpoint's name and the phases read after it
        self.ios, self.paused_ms = 0, 0.0
        self.t0 = 0.0

    def ms(self) -> float:
        return (time.monotonic() - self.t0) * 1000

    def announce(self, name: str, **extra: Any) -> None:
        before = [phase(i) for i in range(N)]
        t = time.monotonic()
        checkpoint(
            name,
            elapsed_ms=round(self.ms(), 1),
            names=self.names,
            phases=before,
            reaped=sorted(self.reaped),
            holds={str(i): h for i, h in self.holds.items()},
            after_previous=self.after,
            **extra,
        )
        self.paused_ms += (time.monotonic() - t) * 1000
        self.after = {"name": name, "phases": [phase(i) for i in range(N)]}

    def receive(self, ready: list[int]) -> None:
        for fd in ready:
            if fd == self.req_r:
                got = os.read(self.req_r, 64)
                if not got:  # every worker has exited: the pipe is at EOF, stop watching it
                    self.watch.remove(fd)
                for i in got:
                    self.ios += 1
                    now = round(self.ms(), 1)
                    self.holds[i] = {
                        "io": self.ios,
                        "since_ms": now,
                        "due_ms": now + IO_LENGTH * TICK_MS,
                        "asleep": False,
                    }
            else:
                i = self.pidfds.pop(fd)
                self.watch.remove(fd)
                os.close(fd)
                _, status = os.waitpid(self.pids[i], 0)
                self.reaped[i] = os.waitstatus_to_exitcode(status)

    def asleep(self, i: int) -> bool:
        """Whether worker i sleeps on its reply: once requeued to its parking word it stays there."""
        if (
            not self.holds[i]["asleep"]
            and futex(3 * i + 1, CMP_REQUEUE, 0, 2**31 - 1, 3 * i + 2, 0) > 0
        ):
            self.holds[i]["asleep"] = True
        return bool(self.holds[i]["asleep"])

    def complete_due(self) -> None:
        for i, hold in sorted(self.holds.items()):
            if self.ms() < hold["due_ms"]:
                continue
            if not self.asleep(i):
                # not yet asleep on its reply (starved of CPU): the device is late by half a tick, never wrong
                hold["due_ms"] += TICK_MS / 2
                continue
            self.announce(f"io-{hold['io']}-done-next", holder=i)
            del self.holds[i]
            WORDS[3 * i + 1] = 1
            futex(3 * i + 2, WAKE, 1)
            futex(3 * i + 1, WAKE, 1)

    def run(self, start_w: int) -> None:
        checkpoint("start", names=self.names, cpu=self.cpu, tick_ms=TICK_MS, programs=PROGRAMS)
        self.t0 = time.monotonic()
        os.close(start_w)
        tick = 1
        while len(self.reaped) < N:
            sample_ms = (tick - 0.5) * TICK_MS  # mid-tick: a little lateness stays in the tick
            wake_ms = min([sample_ms, *(h["due_ms"] for h in self.holds.values())])
            ready, _, _ = select.select(self.watch, [], [], max(0.0, wake_ms - self.ms()) / 1000)
            self.receive(ready)
            self.complete_due()
            if self.ms() >= sample_ms:
                self.announce(f"sample-{tick}")
                tick = (
                    int(self.ms() / TICK_MS + 0.5) + 1
                )  # ticks a checkpoint overran are not sampled
        checkpoint(
            "end",
            elapsed_ms=round(self.ms(), 1),
            names=self.names,
            reaped=sorted(self.reaped),
            after_previous=self.after,
            exit_codes={f"p{i}": c for i, c in self.reaped.items()},
            paused_ms=round(self.paused_ms, 1),
        )


def main() -> int:
    cpu = min(os.sched_getaffinity(0))
    pids, start_w, req_r = start_workers(cpu)
    device = Device(pids, req_r, cpu)
    device.run(start_w)
    return 1 if any(device.reaped.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
