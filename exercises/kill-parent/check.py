"""kill-parent: the zombie's parent was killed, and with it the zombie went away."""

import os
import sys

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import alive, ps_line, record, result, run_standalone, state, t

NAME = "kill-parent"


def check() -> dict:
    doc = record("kill-parent")
    if doc is None:
        return result(
            NAME,
            False,
            t(
                "no record: start python3 ~/exercises/kill-parent/zombie_parent.py &",
                "还没有记录：先运行 python3 ~/exercises/kill-parent/zombie_parent.py &",
            ),
        )
    parent, zombie = alive(doc["parent"]), alive(doc["zombie"])
    ppid, zpid = doc["parent"]["pid"], doc["zombie"]["pid"]
    if parent is not None and state(parent) != "zombie":
        return result(
            NAME,
            False,
            t(
                f"the parent still runs: {ps_line(ppid)}; its zombie: {ps_line(zpid)}",
                f"父进程还在运行：{ps_line(ppid)}；它的僵尸子进程：{ps_line(zpid)}",
            ),
        )
    if zombie is not None:
        return result(
            NAME,
            False,
            t(
                f"the parent is gone, but the zombie is still here: {ps_line(zpid)} "
                f"(its parent now: {ps_line(zombie.ppid())})",
                f"父进程没了，但僵尸进程还在：{ps_line(zpid)}"
                f"（它现在的父进程：{ps_line(zombie.ppid())}）",
            ),
        )
    init = psutil.Process(1)
    return result(
        NAME,
        True,
        t(
            f"parent {ppid} and zombie {zpid} are both gone from the table "
            f"({ps_line(ppid)}; {ps_line(zpid)}); pid 1 here is {init.name()}, which reaps what it adopts",
            f"父进程 {ppid} 和僵尸进程 {zpid} 都已从进程表中消失（{ps_line(ppid)}；{ps_line(zpid)}）；"
            f"这里的 1 号进程是 {init.name()}，它会回收它收养的进程",
        ),
        parent=ppid,
        zombie=zpid,
        pid1=init.name(),
    )


if __name__ == "__main__":
    run_standalone(check)
