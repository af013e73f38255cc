"""CPU figures a scenario can read from inside its container: the host's busy time per
CPU, and what the container's cgroup says about its quota, throttling and usage."""
from __future__ import annotations

import os


def host_busy_ns() -> list:
    """Busy time of each of the machine's CPUs (/proc/stat is not namespaced: it counts every
    process on the host, ours and everyone else's), in ns. Busy = all but idle and iowait."""
    tick_ns = 1e9 / os.sysconf("SC_CLK_TCK")
    busy = []
    with open("/proc/stat") as f:
        for line in f:
            name, *vals = line.split()
            if name.startswith("cpu") and name != "cpu":
                v = [int(x) for x in vals]
                busy.append(int((sum(v[:8]) - v[3] - v[4]) * tick_ns))   # user..steal minus idle, iowait
    return busy


def cgroup_cpu() -> dict:
    """The container's CPU quota, throttling counters and per-CPU usage (cgroup v1 or v2), and the host's load."""
    out = {}
    for path in ("/sys/fs/cgroup/cpu/cpu.stat", "/sys/fs/cgroup/cpu.stat"):
        try:
            with open(path) as f:
                stat = dict(ln.split() for ln in f if ln.strip())
            out.update({k: int(stat[k]) for k in ("nr_periods", "nr_throttled") if k in stat})
            break
        except OSError:
            continue
    try:
        with open("/sys/fs/cgroup/cpuacct/cpuacct.usage_percpu") as f:   # v1 only: ns per CPU
            out["usage_percpu_ns"] = [int(v) for v in f.read().split()]
    except OSError:
        pass
    out["host_busy_ns"] = host_busy_ns()
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f, open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as g:
            out["quota_us"], out["period_us"] = int(f.read()), int(g.read())
    except OSError:
        try:
            with open("/sys/fs/cgroup/cpu.max") as f:
                q, p = f.read().split()
                out["quota_us"], out["period_us"] = (-1 if q == "max" else int(q)), int(p)
        except OSError:
            pass
    return out
