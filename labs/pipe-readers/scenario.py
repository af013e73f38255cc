"""pipe-readers: two processes reading one pipe tear messages larger than its buffer.

A pipe holds 64 KiB; a 128 KiB message cannot pass in one read(), so a reader
needs at least two, and between them the other reader may take the next piece.
Each message is 128 KiB of one repeated byte, so a reader can tell a whole
message from a torn one (bytes of two messages).

  1. race   - two readers, no lock; both are blocked in read() (the kernel's
              /proc/PID/syscall says so) before the writer writes 200 messages.
              They count torn messages.
  2. locked - the same with a multiprocessing.Lock held for a whole message:
              one reader blocks in read(), the other in the lock (futex).

The readers are multiprocessing Processes, start method fork (named below).
The pipe is os.pipe(), which is what Pipe(duplex=False) uses on Linux: its
length-prefixed messages do not help two readers either (a reader that takes
another's header reads garbage lengths).
"""

import multiprocessing
import os
import platform
import sys

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")
MSG = 128 * 1024  # twice the pipe's 64 KiB buffer
COUNT = 200
SYSCALLS = {"x86_64": {"read": 0, "futex": 202}, "aarch64": {"read": 63, "futex": 98}}[
    platform.machine()
]


def read_message(fd: int) -> bytes:
    buf = bytearray()
    while len(buf) < MSG:
        piece = os.read(fd, MSG - len(buf))  # at most 64 KiB: what the pipe holds
        if not piece:
            break
        buf += piece
    return bytes(buf)


def reader(fd: int, w: int, lock, results) -> None:
    os.close(w)
    whole = torn = nbytes = 0
    while True:
        if lock is None:
            msg = read_message(fd)
        else:
            with lock:  # one whole message per holder
                msg = read_message(fd)
        if not msg:
            break
        nbytes += len(msg)
        if len(msg) == MSG and msg.count(msg[:1]) == MSG:
            whole += 1
        else:
            torn += 1
    results.put({"pid": os.getpid(), "whole": whole, "torn": torn, "bytes": nbytes})


def syscall(pid: int) -> int | None:
    """The system call `pid` is blocked in (its number), from /proc/PID/syscall."""
    with open(f"/proc/{pid}/syscall") as f:
        first = f.read().split()[0]
    return int(first) if first.lstrip("-").isdigit() and first != "-1" else None


def wait_blocked(pids: list[int], want: list[str]) -> dict[int, str]:
    """Until each reader sits in one of the wanted system calls (no sleep: the kernel says)."""
    names = {SYSCALLS[w]: w for w in want}
    while True:
        now = {pid: names.get(syscall(pid)) for pid in pids}
        if sorted(v for v in now.values() if v) == sorted(want):
            return now
        os.sched_yield()


def part(name: str, locked: bool) -> None:
    r, w = os.pipe()
    lock = ctx.Lock() if locked else None
    results = ctx.Queue()
    readers = [
        ctx.Process(target=reader, args=(r, w, lock, results), name=f"reader-{i}") for i in (1, 2)
    ]
    for p in readers:
        p.start()
    os.close(r)
    pids = [p.pid for p in readers]
    blocked = wait_blocked(pids, ["read", "futex"] if locked else ["read", "read"])
    checkpoint(
        f"{name}-blocked",
        parent=os.getpid(),
        readers=pids,
        blocked={str(k): v for k, v in blocked.items()},
    )
    for i in range(COUNT):
        os.write(w, bytes([i % 251]) * MSG)  # neighbours differ: a torn message shows
    os.close(w)
    got = sorted((results.get() for _ in readers), key=lambda d: d["pid"])
    for p in readers:
        p.join()
    torn = sum(d["torn"] for d in got)
    say(
        f"{name}: {COUNT} messages of {MSG} bytes, readers got {[(d['whole'], d['torn']) for d in got]} "
        f"(whole, torn): {torn} torn"
    )
    checkpoint(
        f"{name}-done",
        readers=pids,
        results=got,
        torn=torn,
        sent=COUNT,
        msg_bytes=MSG,
        exitcodes=[p.exitcode for p in readers],
    )


if __name__ == "__main__":
    say(
        "pipe-readers lab: start method",
        ctx.get_start_method(),
        "; CPUs:",
        sorted(os.sched_getaffinity(0)),
    )
    parts = sys.argv[1:] or ["race", "locked"]
    for name in parts:
        part(name, locked=name == "locked")
