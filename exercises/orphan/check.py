"""orphan: a process of yours outlived its parent and was adopted by a process that is not yours."""

import os
import sys

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import answer, is_mine, ps_line, result, run_standalone, state, t

NAME = "orphan"


def check() -> dict:
    text = answer("orphan")
    if text is None:
        return result(
            NAME,
            False,
            t(
                "~/answers/orphan is missing: write the orphan's pid and its new parent's pid",
                "还没有 ~/answers/orphan：写下孤儿进程的 pid 和它新父进程的 pid",
            ),
        )
    try:
        orphan, adopter = (int(x) for x in text.split()[:2])
    except ValueError:
        return result(
            NAME,
            False,
            t(
                f"~/answers/orphan should hold two pids (orphan, adopter); it holds {text[:40]!r}",
                f"~/answers/orphan 里应该是两个 pid（孤儿进程、收养者）；现在是 {text[:40]!r}",
            ),
        )
    try:
        p = psutil.Process(orphan)
    except psutil.Error:
        return result(
            NAME,
            False,
            t(
                f"pid {orphan} is not running: {ps_line(orphan)}",
                f"pid {orphan} 没有在运行：{ps_line(orphan)}",
            ),
        )
    if not is_mine(orphan) or state(p) == "zombie":
        return result(
            NAME,
            False,
            t(
                f"pid {orphan} is not a live process of yours: {ps_line(orphan)}",
                f"pid {orphan} 不是你的活着的进程：{ps_line(orphan)}",
            ),
        )
    ppid = p.ppid()
    if ppid != adopter:
        return result(
            NAME,
            False,
            t(
                f"you wrote adopter {adopter}, but ps says {orphan}'s parent is {ppid}: "
                f"{ps_line(orphan)}",
                f"你写的收养者是 {adopter}，但 ps 显示 {orphan} 的父进程是 {ppid}：{ps_line(orphan)}",
            ),
        )
    if is_mine(ppid) and ppid != 1:
        return result(
            NAME,
            False,
            t(
                f"{orphan}'s parent {ppid} is a process of yours, so {orphan} is no orphan: "
                f"{ps_line(ppid)}",
                f"{orphan} 的父进程 {ppid} 是你自己的进程，所以 {orphan} 不是孤儿进程：{ps_line(ppid)}",
            ),
        )
    return result(
        NAME,
        True,
        t(
            f"orphan: {ps_line(orphan)}; adopted by: {ps_line(ppid)}",
            f"孤儿进程：{ps_line(orphan)}；收养它的是：{ps_line(ppid)}",
        ),
        orphan=orphan,
        adopter=ppid,
        adopter_name=psutil.Process(ppid).name(),
    )


if __name__ == "__main__":
    run_standalone(check)
