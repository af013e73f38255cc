"""What the sync-async lab proves: a blocked caller sleeps and uses no CPU while it waits; a
polling caller runs and burns CPU; a callback is called in the caller without being asked for."""
from proclab.checks import check, expect

BLOCKING = ("sync-blocking", "join", "async-blocking")
FLAT_S = 0.03        # 3 clock ticks: a sleeping caller uses none; the window is 0.3 s of CPU


def _window(lab, mode):
    a, b = lab.checkpoint("waiting-1"), lab.checkpoint("waiting-2")
    pid = a.data["callers"][mode]
    p1, p2 = a.process(pid), b.process(pid)
    return p1, p2, p2.cpu_s - p1.cpu_s, b


@check("a blocked caller sleeps: apply(), join() and apply_async().get() are S, CPU time flat")
def blocked_callers_sleep(lab):
    rows, bad = [], []
    for mode in BLOCKING:
        _, p2, used, cp = _window(lab, mode)
        rows.append(f"{mode} pid {p2.pid}: {p2.state}, +{used:.2f} s CPU; ps: {cp.ps_row(p2.pid).stat}")
        if p2.state != "S" or used > FLAT_S:
            bad.append(mode)
    return expect(not bad, "; ".join(rows), blocked_flat=len(BLOCKING) - len(bad))


@check("a polling caller runs: it is R (or its CPU time climbs) and it polled thousands of times")
def polling_caller_runs(lab):
    _, p2, used, cp = _window(lab, "sync-polling")
    polls = lab.checkpoint("done").data["reports"]["sync-polling"]["polls"]
    window = cp.data["window_cpu_s"]
    return expect(used >= window * 0.8 and polls > 1000,
                  f"sync-polling pid {p2.pid}: {p2.state}, +{used:.2f} s CPU between the checkpoints; "
                  f"{polls} polls; ps: {cp.ps_line(p2.pid)}", cpu_s=round(used, 2), polls=polls)


@check("the waiting caller used no CPU while the polling one used the whole window")
def ratio(lab):
    _, _, polling, _ = _window(lab, "sync-polling")
    _, _, blocked, _ = _window(lab, "async-blocking")
    return expect(polling > 10 * max(blocked, 0.01),
                  f"polling +{polling:.2f} s vs apply_async().get() +{blocked:.2f} s")


@check("async, non-blocking: the callback ran in the caller's own process (a pool thread), never polled")
def callback_in_caller(lab):
    r = lab.checkpoint("done").data["reports"]["async-callback"]
    _, p2, used, _ = _window(lab, "async-callback")
    return expect(r["callback_pid"] == r["caller"] and r["callback_thread"] != "MainThread"
                  and r["value"] == "async-callback done" and r["units"] > 0 and used > FLAT_S,
                  f"callback in pid {r['callback_pid']} thread {r['callback_thread']!r} (caller {r['caller']}); "
                  f"value {r['value']!r}; caller did {r['units']} units of its own work, +{used:.2f} s CPU, "
                  f"state {p2.state}")


@check("the tasks were really held: every worker was asleep (S) in the second snapshot")
def tasks_held(lab):
    cp = lab.checkpoint("waiting-2")
    states = {m: cp.process(pid).state for m, pid in cp.data["workers"].items()}
    return expect(set(states.values()) == {"S"}, f"worker states {states}")


@check("every caller got its task's result and exited 0")
def all_done(lab):
    cp = lab.checkpoint("done")
    vals = {m: r["value"] for m, r in cp.data["reports"].items()}
    ok = all(v and "done" in v or v == "exitcode 0" for v in vals.values())
    return expect(ok and set(cp.data["exitcodes"].values()) == {0} and lab.exit_code == 0,
                  f"values {vals}; exit codes {cp.data['exitcodes']}; container {lab.exit_code}")
