"""scheduling: the same three jobs run three ways on one CPU, then the kernel's
SCHED_BATCH and SCHED_IDLE policies side by side.

Jobs A, B, C need 4, 1 and 1 units of CPU work (OSTEP's 100, 10, 10 scaled down).
A unit is a fixed number of loop iterations, sized once at the start to take
about UNIT_S seconds of CPU on this machine; after that every job is a fixed
amount of computation, however long the wall clock says it took.

1. together:  all three released at once; the kernel (EEVDF) schedules them.
2. fcfs:      released one at a time in arrival order A, B, C (this script is the
              scheduler: it releases the next job when the last one reports done).
3. sjf:       released one at a time, shortest first: B, C, A.
4. policies:  three equal jobs, SCHED_OTHER (normal), SCHED_BATCH and SCHED_IDLE.

Each job records when it first ran and when it finished on two clocks, and
with time.process_time() how much CPU it used, and sends them back through a pipe:
- the wall clock (time.monotonic), which also runs while *other* programs on
  the machine use CPU 0;
- the container's CPU clock (the cgroup's CPU usage: it advances only while
  something in this container runs). The simulator's CPU runs nothing but our
  jobs; this clock is that CPU, whatever else the machine is doing.
The checks (on the host) compare them with the simulator's predictions.
Each mode is measured again while the host's other processes left CPU 0 too
little free, or when its jobs took more than DRIFT more or less CPU per unit than
the calibration promised (then calibrated again first); at most
labkit.cpustat.TRIES times, each said in the output. Its checkpoint carries the
host's figures around the run it reports, and the unit it measured.
"""

import json
import os
import signal
import time

from labkit import checkpoint, say
from labkit.cgroupfs import Cgroup
from labkit.cpustat import Windows, cgroup_cpu

UNIT_S = 0.15  # about how much CPU one unit of work takes
WARM_S = 0.3  # CPU spun before calibrating
CALIBRATE_S = 0.3  # the calibration's sample, at least
DRIFT = 0.2  # a run whose unit took 20% more or less CPU: calibrated again
HALF_S = 0.3  # idle-waits: each job's CPU before it says "halfway"
JOBS = [("A", 4), ("B", 1), ("C", 1)]  # in arrival order
POLICY_JOBS = [("normal", 2, "SCHED_OTHER"), ("batch", 2, "SCHED_BATCH"), ("idle", 2, "SCHED_IDLE")]


def spin(iterations: int) -> int:
    x = 0
    for i in range(iterations):
        x += i
    return x


def calibrate() -> int:
    """Loop iterations that take about UNIT_S of CPU (measured in CPU time, so a busy machine does
    not skew it). A CPU that was idle runs slower at first (its clock speeds up under load), so the
    CPU is kept busy for WARM_S first, and the sample is long enough to average out a tick."""
    spin_for(WARM_S)
    n = 200_000
    while True:
        c = time.process_time()
        spin(n)
        used = time.process_time() - c
        if used >= CALIBRATE_S:
            return int(n * UNIT_S / used)
        n *= 2


def spin_for(cpu_s: float) -> None:
    """Compute until this process has used cpu_s more seconds of CPU (however long that takes)."""
    end = time.process_time() + cpu_s
    while time.process_time() < end:
        spin(20_000)


def unit_s(jobs: list) -> float:
    """The CPU one unit of work took in a run: the jobs' CPU over their units."""
    return sum(j["cpu"] for j in jobs) / sum(j["units"] for j in jobs)


CGROUP = Cgroup()  # the container's own, cgroup v1 or v2 (labkit/cgroupfs.py)


def cpu_clock():
    """Seconds of CPU this container has used so far (None if no cgroup file is readable)."""
    used = CGROUP.cpu_stat().usage_ns  # v1 cpuacct.usage, v2 cpu.stat usage_usec
    return None if used is None else used / 1e9


READY_R, READY_W = os.pipe()  # each job writes a byte here just before it waits for its release


def start_job(
    name: str, units: int, unit: int, go: int, results: int, policy: str = "SCHED_OTHER", close=()
) -> int:
    """Fork a job that waits until `go` is readable (a byte or EOF), then computes and reports.
    `close`: the parent's write ends, which the job must not hold (else it never sees EOF)."""
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        for fd in close:
            os.close(fd)
        if policy != "SCHED_OTHER":  # lowering one's own policy needs no privilege
            os.sched_setscheduler(0, getattr(os, policy), os.sched_param(0))
        os.write(READY_W, b".")
        os.read(go, 1)  # blocks until the scheduler script releases us
        first_run, first_run_c = time.monotonic(), cpu_clock()
        cpu0 = time.process_time()
        spin(units * unit)
        finish, finish_c = time.monotonic(), cpu_clock()
        cpu = time.process_time() - cpu0
        line = json.dumps(
            {
                "job": name,
                "units": units,
                "first_run": first_run,
                "finish": finish,
                "first_run_c": first_run_c,
                "finish_c": finish_c,
                "cpu": cpu,
                "policy": policy,
            }
        )
        os.write(results, (line + "\n").encode())  # one write under PIPE_BUF: never interleaved
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


class Results:
    """Lines the jobs write to one pipe, read one at a time."""

    def __init__(self) -> None:
        self.r, self.w = os.pipe()
        self.buf = b""

    def next(self) -> dict:
        while b"\n" not in self.buf:
            chunk = os.read(self.r, 4096)
            if not chunk:
                raise RuntimeError("a job ended without reporting")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


def all_ready(n: int) -> None:
    """Wait until n jobs have started and set their policy: a job's response time
    must not include its own fork."""
    got = 0
    while got < n:
        got += len(os.read(READY_R, n - got))


def since(t0: float, t0_c, jobs: list, policy: bool = False) -> list:
    """Each job's times counted from the release (t0 on the wall clock, t0_c on the CPU clock)."""
    out = []
    for j in jobs:
        c = t0_c is not None and j["first_run_c"] is not None
        out.append(
            {
                "job": j["job"],
                "units": j["units"],
                "cpu": round(j["cpu"], 5),
                "first_run": round(j["first_run"] - t0, 5),
                "finish": round(j["finish"] - t0, 5),
                "first_run_c": round(j["first_run_c"] - t0_c, 5) if c else None,
                "finish_c": round(j["finish_c"] - t0_c, 5) if c else None,
                **({"policy": j["policy"]} if policy else {}),
            }
        )
    return out


def reap(pids) -> None:
    for pid in pids:
        os.waitpid(pid, 0)


def together(unit: int, results: Results) -> dict:
    """All jobs released at the same instant: closing the one pipe they wait on wakes them all."""
    go_r, go_w = os.pipe()
    pids = [start_job(n, u, unit, go_r, results.w, close=[go_w]) for n, u in JOBS]
    os.close(go_r)
    all_ready(len(pids))
    t0, t0_c = time.monotonic(), cpu_clock()
    os.close(go_w)  # EOF for every job at once
    done = [results.next() for _ in pids]
    reap(pids)
    return {"jobs": since(t0, t0_c, done)}


def one_at_a_time(order, unit: int, results: Results) -> dict:
    """This script is the scheduler: it releases the next job when the running one reports done."""
    gates = {}
    pids = []
    for name, units in JOBS:  # every job exists (has arrived) from the start
        go_r, go_w = os.pipe()
        pids.append(start_job(name, units, unit, go_r, results.w, close=[go_w, *gates.values()]))
        os.close(go_r)
        gates[name] = go_w
    all_ready(len(pids))
    t0, t0_c = time.monotonic(), cpu_clock()
    done = []
    for name in order:
        os.write(gates[name], b"x")
        done.append(results.next())
    for w in gates.values():
        os.close(w)
    reap(pids)
    return {"order": list(order), "jobs": since(t0, t0_c, done)}


def policies(unit: int, results: Results) -> dict:
    """A normal, a batch and an idle job, released together on one CPU."""
    go_r, go_w = os.pipe()
    pids = {
        n: start_job(n, u, unit, go_r, results.w, pol, close=[go_w]) for n, u, pol in POLICY_JOBS
    }
    os.close(go_r)
    all_ready(len(pids))
    seen = {n: os.sched_getscheduler(pid) for n, pid in pids.items()}
    t0, t0_c = time.monotonic(), cpu_clock()
    os.close(go_w)
    done = [results.next(), results.next()]  # the normal and batch jobs end first...
    idle_cpu_then = cpu_of(pids["idle"])  # ...what had the idle one got by then?
    done.append(results.next())
    reap(pids.values())
    return {
        "jobs": since(t0, t0_c, done, policy=True),
        "idle_cpu_when_others_done": round(idle_cpu_then, 5),
        "policy_numbers": seen,
        "policy_names": {
            str(getattr(os, p)): p for p in ("SCHED_OTHER", "SCHED_BATCH", "SCHED_IDLE")
        },
    }


def cpu_of(pid: int) -> float:
    """CPU seconds a live process has run: /proc/PID/schedstat (nanoseconds), else /proc/PID/stat (ticks)."""
    try:
        return int(open(f"/proc/{pid}/schedstat").read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_snapshot() -> None:
    """The same three policies, paused for the probe once the normal and batch jobs have each
    used HALF_S of CPU (counted in CPU time, not in units, so the table always has something to
    compare): the table shows the idle job has had almost no CPU."""
    go_r, go_w = os.pipe()
    half_r, half_w = os.pipe()
    pids = {}
    for name, _units, policy in POLICY_JOBS:
        pid = os.fork()
        if pid == 0:
            os.close(go_w)
            os.close(half_r)
            if policy != "SCHED_OTHER":
                os.sched_setscheduler(0, getattr(os, policy), os.sched_param(0))
            os.read(go_r, 1)
            spin_for(HALF_S)  # HALF_S of CPU, then tell the parent
            os.write(half_w, (name[0]).encode())
            spin_for(HALF_S)
            os._exit(0)
        pids[name] = pid
    os.close(go_r)
    os.close(go_w)
    halves = set()
    while not {"n", "b"} <= halves:  # both normal and batch are halfway
        halves |= set(os.read(half_r, 8).decode())
    checkpoint(
        "idle-waits",
        normal=pids["normal"],
        batch=pids["batch"],
        idle=pids["idle"],
        idle_reported_half="i" in halves,
    )
    for pid in pids.values():  # seen what we came for: stop them
        os.kill(pid, signal.SIGKILL)
    reap(pids.values())


class Work:
    """The unit of work in loop iterations: calibrated at the start, and again when a run's jobs
    took more than DRIFT more or less CPU per unit than it promised."""

    def __init__(self) -> None:
        self.iterations = calibrate()
        self.calibrations = 1

    def agrees(self, jobs: list) -> bool:
        return abs(unit_s(jobs) / UNIT_S - 1) <= DRIFT

    def recalibrate(self) -> None:
        self.iterations = calibrate()
        self.calibrations += 1


def measured(mode: str, fn, work: Work) -> dict:
    """Run a mode; again while the host's other processes left CPU 0 too little free, or while
    the unit of work disagrees with its calibration (each retry said). What it measured, with
    the host's figures around its last run for the checks."""
    windows = Windows(mode, sorted(os.sched_getaffinity(0)))
    for attempt in windows:  # noqa: B007 - the last attempt is returned
        before, t0 = cgroup_cpu(), time.monotonic()
        out = fn(work.iterations)
        after, window = cgroup_cpu(), time.monotonic() - t0
        free = windows.ended(before, after, window)
        if not work.agrees(out["jobs"]):
            took = unit_s(out["jobs"])
            if windows.again(
                f"a unit of work took {took:.3f}s of CPU, not about {UNIT_S}s as calibrated"
            ):
                work.recalibrate()
                say(f"calibrated again: one unit of work = {work.iterations} loop iterations")
    return {
        **out,
        "attempt": attempt,
        "window_s": round(window, 4),
        "cgroup_start": before,
        "cgroup": after,
        "free_cpus_per_window": windows.free,
        "free_cpus": free,
        "unit_s_calibrated": UNIT_S,
        "unit_s_measured": round(unit_s(out["jobs"]), 5),
        "unit_iterations": work.iterations,
        "drift_allowed": DRIFT,
    }


def main() -> None:
    work = Work()
    say(
        f"one unit of work = {work.iterations} loop iterations (about {UNIT_S}s of CPU); jobs A=4, B=1, C=1 units"
    )
    say(
        f"CPUs this container may use: {sorted(os.sched_getaffinity(0))}; CPU clock: cgroup v{CGROUP.version}"
    )
    results = Results()
    runs = {}
    for mode, fn in (
        ("together", lambda unit: together(unit, results)),
        ("fcfs", lambda unit: one_at_a_time(["A", "B", "C"], unit, results)),
        ("sjf", lambda unit: one_at_a_time(sorted("ABC", key=dict(JOBS).get), unit, results)),
    ):
        runs[mode] = measured(mode, fn, work)
        say(
            f"{mode:>8}: "
            + ", ".join(
                f"{j['job']} ran {j['first_run']:.3f}s..{j['finish']:.3f}s "
                f"(cpu {j['cpu']:.3f}s"
                + (
                    f", CPU clock {j['first_run_c']:.3f}..{j['finish_c']:.3f}s)"
                    if j["first_run_c"] is not None
                    else ")"
                )
                for j in runs[mode]["jobs"]
            )
        )
        checkpoint(mode, cpus=sorted(os.sched_getaffinity(0)), **runs[mode])
    pol = measured("policies", lambda unit: policies(unit, results), work)
    say(
        "policies: "
        + ", ".join(
            f"{j['job']} ({j['policy']}) ran {j['first_run']:.3f}s..{j['finish']:.3f}s"
            for j in pol["jobs"]
        )
        + f"; idle had {pol['idle_cpu_when_others_done']:.2f}s "
        "of CPU when the others were done"
    )
    checkpoint("policies", cpus=sorted(os.sched_getaffinity(0)), **pol)
    idle_snapshot()


if __name__ == "__main__":
    main()
