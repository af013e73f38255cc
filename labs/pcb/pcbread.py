"""Read one process's control block as Linux shows it in /proc/PID (used by scenario.py)."""

import os

# /proc/PID/stat after the ")" of comm: field 3 is index 0 (see proc(5))
STAT = {
    "state": 3,
    "ppid": 4,
    "pgrp": 5,
    "session": 6,
    "utime": 14,
    "stime": 15,
    "cutime": 16,
    "cstime": 17,
    "priority": 18,
    "nice": 19,
    "num_threads": 20,
    "starttime": 22,
    "startcode": 26,
    "endcode": 27,
    "startstack": 28,
    "processor": 39,
    "policy": 41,
}
STATUS = (
    "Name",
    "State",
    "Pid",
    "PPid",
    "Uid",
    "Gid",
    "Threads",
    "VmRSS",
    "SigIgn",
    "SigCgt",
    "Cpus_allowed_list",
    "voluntary_ctxt_switches",
    "nonvoluntary_ctxt_switches",
)
SCHED = (
    "nr_switches",
    "nr_voluntary_switches",
    "nr_involuntary_switches",
    "se.sum_exec_runtime",
    "prio",
    "policy",
)


def _read(pid: int, name: str) -> str:
    with open(f"/proc/{pid}/{name}") as f:
        return f.read()


def stat(pid: int) -> dict:
    rest = _read(pid, "stat").rsplit(")", 1)[1].split()
    out = {k: rest[i - 3] for k, i in STAT.items()}
    return {k: (v if k == "state" else int(v)) for k, v in out.items()}


def status(pid: int) -> dict:
    rows = dict(line.split(":", 1) for line in _read(pid, "status").splitlines() if ":" in line)
    return {k: rows[k].strip() for k in STATUS if k in rows}


def sched(pid: int) -> dict:
    out = {}
    for line in _read(pid, "sched").splitlines():
        if ":" in line:
            k, v = (s.strip() for s in line.split(":", 1))
            if k in SCHED:
                out[k] = float(v) if "." in v else int(v)
    return out


def switches(pid: int) -> dict:
    s = status(pid)
    return {
        "voluntary": int(s["voluntary_ctxt_switches"]),
        "involuntary": int(s["nonvoluntary_ctxt_switches"]),
    }


def maps(pid: int) -> list[dict]:
    out = []
    for line in _read(pid, "maps").splitlines():
        parts = line.split(None, 5)
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        out.append(
            {"lo": lo, "hi": hi, "perms": parts[1], "path": parts[5] if len(parts) > 5 else ""}
        )
    return out


def mapping_of(pid: int, address: int) -> dict | None:
    return next((m for m in maps(pid) if m["lo"] <= address < m["hi"]), None)


def registers(pid: int) -> dict:
    """/proc/PID/syscall of a process blocked in a system call: its number, six arguments,
    and the saved stack pointer and program counter (the registers the kernel will restore)."""
    fields = _read(pid, "syscall").split()
    nr, args, sp, pc = (
        int(fields[0]),
        [int(x, 16) for x in fields[1:7]],
        int(fields[7], 16),
        int(fields[8], 16),
    )
    return {
        "syscall": nr,
        "args": args,
        "sp": sp,
        "pc": pc,
        "sp_in": mapping_of(pid, sp),
        "pc_in": mapping_of(pid, pc),
    }


def files(pid: int) -> dict:
    fds = {}
    for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        try:
            fds[fd] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
    return {
        "cwd": os.readlink(f"/proc/{pid}/cwd"),
        "root": os.readlink(f"/proc/{pid}/root"),
        "fds": fds,
    }


def pcb(pid: int) -> dict:
    st = stat(pid)
    return {
        "stat": st,
        "status": status(pid),
        "sched": sched(pid),
        "registers": registers(pid),
        "files": files(pid),
        "text_in": mapping_of(pid, st["startcode"]),
        "stack_in": mapping_of(pid, st["startstack"]),
    }
