"""pcb: the process control block (进程控制块) and context switches (上下文切换).

1. A subject process sets things about itself (nice 5, a cwd, SIGINT ignored, a SIGUSR1
   handler, an open file) and blocks in read(). The parent reads its PCB from /proc:
   status, stat, sched, and syscall (the saved stack pointer and program counter).
2. On one CPU (cpuset "0"): two CPU-bound spinners and one I/O-bound process that blocks
   150 times. Their voluntary and involuntary context switches, counted by the kernel,
   before and after.
3. The parent reaps the spinners: their CPU time moves into its own PCB (cutime).
"""

import os
import signal
import time

import pcbread  # next to this file: reads /proc/PID/*

from labkit import checkpoint, say

IO_WAITS = 150


def until(what, test, timeout=10.0):
    """Look until `test()` holds; only for a state that, once reached, cannot change until
    the scenario acts (a process blocked in read() on a pipe nobody writes yet)."""
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(0.002)


def blocked_in_read(pid):
    with open(f"/proc/{pid}/syscall") as f:
        return f.read().split()[0] == "0"


def subject(r, ready_w):
    os.nice(5)
    os.makedirs("/tmp/pcb-home", exist_ok=True)
    os.chdir("/tmp/pcb-home")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, lambda *_: None)
    f = open("/lab/pcbread.py")
    os.write(ready_w, f"{f.fileno()}".encode())
    os.read(r, 1)  # blocks: the parent writes only after reading the PCB
    os._exit(0)


def part_pcb():
    r, w = os.pipe()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        subject(r, ready_w)
    os.close(ready_w)  # so a subject that dies ends our read() with EOF
    file_fd = int(os.read(ready_r, 16))
    until("the subject blocked in read()", lambda: blocked_in_read(pid))
    block = pcbread.pcb(pid)
    say(
        f"subject {pid}: {block['status']['State']}, blocked in syscall {block['registers']['syscall']}, "
        f"pc {block['registers']['pc']:#x} in {block['registers']['pc_in']['path']}"
    )
    checkpoint("pcb", subject=pid, parent=os.getpid(), pipe_fd=r, file_fd=file_fd, pcb=block)
    os.write(w, b"x")
    os.waitpid(pid, 0)


def spinner(ready_w):
    os.write(ready_w, b"s")
    while True:  # never blocks, never makes a system call
        pass


def io_bound(go_r, done_w):
    os.read(go_r, 1)
    for _ in range(IO_WAITS):
        time.sleep(0.002)  # the workload: wait for a timer, like waiting for a disk
    os.write(done_w, b"d")
    os.read(go_r, 1)  # stays alive (asleep) until the parent has counted
    os._exit(0)


def part_switches():
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    spinners = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            spinner(ready_w)
        spinners.append(pid)
    io = os.fork()
    if io == 0:
        io_bound(go_r, done_w)
    os.read(ready_r, 1), os.read(ready_r, 1)
    roles = {"cpu-1": spinners[0], "cpu-2": spinners[1], "io": io}
    before = {n: pcbread.switches(p) for n, p in roles.items()}
    checkpoint("before", pids=roles, switches=before)
    os.write(go_w, b"g")
    os.read(done_r, 1)  # the I/O-bound one has waited IO_WAITS times
    after = {n: pcbread.switches(p) for n, p in roles.items()}
    delta = {n: {k: after[n][k] - before[n][k] for k in after[n]} for n in roles}
    for n, d in delta.items():
        say(f"{n:<6} voluntary +{d['voluntary']:<5} involuntary +{d['involuntary']}")
    checkpoint(
        "after",
        top=True,
        pids=roles,
        switches=after,
        delta=delta,
        io_waits=IO_WAITS,
        sched={n: pcbread.sched(p) for n, p in roles.items()},
        status={n: pcbread.status(p) for n, p in roles.items()},
        processor={n: pcbread.stat(p)["processor"] for n, p in roles.items()},
    )
    os.write(go_w, b"g")
    os.waitpid(io, 0)
    cpu = {}
    for p in spinners:
        st = pcbread.stat(p)
        cpu[p] = st["utime"] + st["stime"]
        os.kill(p, signal.SIGKILL)
        os.waitpid(p, 0)
    me = pcbread.stat(os.getpid())
    checkpoint(
        "reaped",
        parent=os.getpid(),
        spinner_ticks=sum(cpu.values()),
        cutime=me["cutime"],
        cstime=me["cstime"],
        hz=os.sysconf("SC_CLK_TCK"),
    )


if __name__ == "__main__":
    say("pcb lab: what the kernel keeps per process")
    part_pcb()
    part_switches()
