"""renice: a CPU hog of yours runs at nice 10."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import mine, ps_line, result, run_standalone, state, t

NAME = "renice"
NICE = 10
HOG_CPU_S = 0.5  # CPU time it has used already, or ...
HOG_PERCENT = 20.0  # ... its share of one CPU over the next WINDOW_S
WINDOW_S = 0.5


def cpu_s(p) -> float:
    t = p.cpu_times()
    return t.user + t.system


def check() -> dict:
    procs = [p for p in mine() if state(p) not in ("zombie", "gone")]
    at_nice = [p for p in procs if p.nice() == NICE]
    if not at_nice:
        niced = [f"{p.pid}:{p.nice()}" for p in procs if p.nice() != 0]
        return result(
            NAME,
            False,
            t(
                f"none of your processes runs at nice {NICE} "
                f"(pid:nice of your niced ones: {', '.join(niced) or 'none'})",
                f"你的进程没有一个的 nice 值是 {NICE}"
                f"（改过 nice 的进程，pid:nice：{', '.join(niced) or '没有'}）",
            ),
        )
    for p in at_nice:
        p.cpu_percent(None)  # start the measuring window
    import time

    time.sleep(WINDOW_S)  # a measurement window, not a synchronisation
    hogs = []
    for p in at_nice:
        try:
            pct, used = p.cpu_percent(None), cpu_s(p)
        except Exception:
            continue
        if used >= HOG_CPU_S or pct >= HOG_PERCENT:
            hogs.append((p.pid, pct, used))
    if not hogs:
        lines = "; ".join(ps_line(p.pid) for p in at_nice)
        return result(
            NAME,
            False,
            t(
                f"at nice {NICE} but not hogging the CPU: {lines}",
                f"nice 值是 {NICE}，但没有占着 CPU：{lines}",
            ),
        )
    pid, pct, used = max(hogs, key=lambda h: h[2])
    return result(
        NAME,
        True,
        t(
            f"{ps_line(pid)} (nice {NICE}, {pct:.0f}% of a CPU over {WINDOW_S} s, "
            f"{used:.1f} s CPU so far)",
            f"{ps_line(pid)}（nice {NICE}，{WINDOW_S} 秒内用了一个 CPU 的 {pct:.0f}%，"
            f"到现在共用了 {used:.1f} 秒 CPU）",
        ),
        pid=pid,
        nice=NICE,
        cpu_percent=round(pct, 1),
        cpu_s=round(used, 2),
    )


if __name__ == "__main__":
    run_standalone(check)
