"""What the sync-async lab proves: a blocked caller sleeps and uses no CPU while it waits; a
polling caller runs and burns CPU; a callback is called in the caller without being asked for."""

from proclab.checks import check, expect

BLOCKING = ("sync-blocking", "join", "async-blocking")
FLAT_S = 0.03  # 3 clock ticks: a sleeping caller uses none; the window is 0.3 s of CPU


def _window(lab, mode):
    a, b = lab.checkpoint("waiting-1"), lab.checkpoint("waiting-2")
    pid = a.data["callers"][mode]
    p1, p2 = a.process(pid), b.process(pid)
    return p1, p2, p2.cpu_s - p1.cpu_s, b


@check(
    "a blocked caller sleeps: apply(), join() and apply_async().get() are S, CPU time flat",
    zh="阻塞的调用方在睡眠：apply()、join() 和 apply_async().get() 都是 S，CPU 时间不变",
)
def blocked_callers_sleep(lab):
    rows, bad = [], []
    for mode in BLOCKING:
        _, p2, used, cp = _window(lab, mode)
        rows.append(
            f"{mode} pid {p2.pid}: {p2.state}, +{used:.2f} s CPU; ps: {cp.ps_row(p2.pid).stat}"
        )
        if p2.state != "S" or used > FLAT_S:
            bad.append(mode)
    return expect(not bad, "; ".join(rows), blocked_flat=len(BLOCKING) - len(bad))


@check(
    "a polling caller runs: it is R (or its CPU time climbs) and it polled thousands of times",
    zh="轮询的调用方在运行：它是 R（或 CPU 时间在涨），轮询了成千上万次",
)
def polling_caller_runs(lab):
    _, p2, used, cp = _window(lab, "sync-polling")
    polls = lab.checkpoint("done").data["reports"]["sync-polling"]["polls"]
    window = cp.data["window_cpu_s"]
    return expect(
        used >= window * 0.8 and polls > 1000,
        f"sync-polling pid {p2.pid}: {p2.state}, +{used:.2f} s CPU between the checkpoints; "
        f"{polls} polls; ps: {cp.ps_line(p2.pid)}",
        cpu_s=round(used, 2),
        polls=polls,
    )


@check(
    "the waiting caller used no CPU while the polling one used the whole window",
    zh="等待的调用方不用 CPU，而轮询的用满了整个窗口",
)
def ratio(lab):
    _, _, polling, _ = _window(lab, "sync-polling")
    _, _, blocked, _ = _window(lab, "async-blocking")
    return expect(
        polling > 10 * max(blocked, 0.01),
        f"polling +{polling:.2f} s vs apply_async().get() +{blocked:.2f} s",
    )


@check(
    "async, non-blocking: the callback ran in the caller's own process (a pool thread), never polled",
    zh="异步非阻塞：回调函数在调用方自己的进程里（进程池的线程）运行，从不轮询",
)
def callback_in_caller(lab):
    r = lab.checkpoint("done").data["reports"]["async-callback"]
    _, p2, used, _ = _window(lab, "async-callback")
    return expect(
        r["callback_pid"] == r["caller"]
        and r["callback_thread"] != "MainThread"
        and r["value"] == "async-callback done"
        and r["units"] > 0
        and used > FLAT_S,
        f"callback in pid {r['callback_pid']} thread {r['callback_thread']!r} (caller {r['caller']}); "
        f"value {r['value']!r}; caller did {r['units']} units of its own work, +{used:.2f} s CPU, "
        f"state {p2.state}",
    )


@check(
    "the tasks were really held: every worker was asleep (S) in the second snapshot",
    zh="任务确实被扣住了：第二次快照里每个工作进程都在睡眠（S）",
)
def tasks_held(lab):
    cp = lab.checkpoint("waiting-2")
    states = {m: cp.process(pid).state for m, pid in cp.data["workers"].items()}
    return expect(set(states.values()) == {"S"}, f"worker states {states}")


@check(
    "every caller got its task's result and exited 0",
    zh="每个调用方都拿到了任务的结果，并以 0 退出",
)
def all_done(lab):
    cp = lab.checkpoint("done")
    vals = {m: r["value"] for m, r in cp.data["reports"].items()}
    ok = all(v and "done" in v or v == "exitcode 0" for v in vals.values())
    return expect(
        ok and set(cp.data["exitcodes"].values()) == {0} and lab.exit_code == 0,
        f"values {vals}; exit codes {cp.data['exitcodes']}; container {lab.exit_code}",
    )
