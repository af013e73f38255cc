"""orphan: a process of yours outlived its parent and was adopted by a process that is not yours."""
import os
import sys

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import answer, is_mine, ps_line, result, run_standalone, state  # noqa: E402

NAME = "orphan"


def check() -> dict:
    text = answer("orphan")
    if text is None:
        return result(NAME, False, "~/answers/orphan is missing: write the orphan's pid and its new parent's pid")
    try:
        orphan, adopter = (int(x) for x in text.split()[:2])
    except ValueError:
        return result(NAME, False, f"~/answers/orphan should hold two pids (orphan, adopter); it holds {text[:40]!r}")
    try:
        p = psutil.Process(orphan)
    except psutil.Error:
        return result(NAME, False, f"pid {orphan} is not running: {ps_line(orphan)}")
    if not is_mine(orphan) or state(p) == "zombie":
        return result(NAME, False, f"pid {orphan} is not a live process of yours: {ps_line(orphan)}")
    ppid = p.ppid()
    if ppid != adopter:
        return result(NAME, False, f"you wrote adopter {adopter}, but ps says {orphan}'s parent is {ppid}: "
                      f"{ps_line(orphan)}")
    if is_mine(ppid) and ppid != 1:
        return result(NAME, False, f"{orphan}'s parent {ppid} is a process of yours, so {orphan} is no orphan: "
                      f"{ps_line(ppid)}")
    return result(NAME, True, f"orphan: {ps_line(orphan)}; adopted by: {ps_line(ppid)}",
                  orphan=orphan, adopter=ppid, adopter_name=psutil.Process(ppid).name())


if __name__ == "__main__":
    run_standalone(check)
