"""zombie: one of your processes is a zombie, its parent is alive and yours, and you found its pid."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import answer, is_mine, mine, ps_line, result, run_standalone, state, t, top_tasks

NAME = "zombie"


def check() -> dict:
    zombies = sorted(p.pid for p in mine() if state(p) == "zombie")
    tasks = top_tasks()
    if not zombies:
        return result(
            NAME,
            False,
            t(
                f"none of your processes is a zombie; top: {tasks}",
                f"你的进程里没有僵尸进程；top：{tasks}",
            ),
            zombies=0,
        )
    lines = "; ".join(ps_line(z) for z in zombies)
    text = answer("zombie")
    if text is None:
        return result(
            NAME,
            False,
            t(
                f"your zombies: {lines}; but ~/answers/zombie is missing: "
                "write the pid you found there",
                f"你的僵尸进程：{lines}；但还没有 ~/answers/zombie：把你找到的 pid 写进去",
            ),
            zombies=len(zombies),
        )
    try:
        pid = int(text.split()[0])
    except (ValueError, IndexError):
        return result(
            NAME,
            False,
            t(
                f"~/answers/zombie should hold a pid; it holds {text[:40]!r}",
                f"~/answers/zombie 里应该是一个 pid；现在是 {text[:40]!r}",
            ),
        )
    if pid not in zombies:
        return result(
            NAME,
            False,
            t(
                f"~/answers/zombie says {pid}: {ps_line(pid)}; that is not one of "
                f"your zombies ({lines})",
                f"~/answers/zombie 写的是 {pid}：{ps_line(pid)}；它不是你的僵尸进程（{lines}）",
            ),
            zombies=len(zombies),
        )
    import psutil

    ppid = psutil.Process(pid).ppid()
    if ppid == 1 or not is_mine(ppid):
        return result(
            NAME,
            False,
            t(
                f"zombie {pid}'s parent is {ps_line(ppid)}: not a process of yours",
                f"僵尸进程 {pid} 的父进程是 {ps_line(ppid)}：不是你的进程",
            ),
        )
    return result(
        NAME,
        True,
        t(
            f"zombie: {ps_line(pid)}; its parent: {ps_line(ppid)}; top: {tasks}",
            f"僵尸进程：{ps_line(pid)}；它的父进程：{ps_line(ppid)}；top：{tasks}",
        ),
        zombie=pid,
        parent=ppid,
        zombies=len(zombies),
    )


if __name__ == "__main__":
    run_standalone(check)
