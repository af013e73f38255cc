"""kill-parent: the zombie's parent was killed, and with it the zombie went away."""
import os
import sys

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import alive, ps_line, record, result, run_standalone, state  # noqa: E402

NAME = "kill-parent"


def check() -> dict:
    doc = record("kill-parent")
    if doc is None:
        return result(NAME, False, "no record: start python3 ~/exercises/kill-parent/zombie_parent.py &")
    parent, zombie = alive(doc["parent"]), alive(doc["zombie"])
    ppid, zpid = doc["parent"]["pid"], doc["zombie"]["pid"]
    if parent is not None and state(parent) != "zombie":
        return result(NAME, False, f"the parent still runs: {ps_line(ppid)}; its zombie: {ps_line(zpid)}")
    if zombie is not None:
        return result(NAME, False, f"the parent is gone, but the zombie is still here: {ps_line(zpid)} "
                      f"(its parent now: {ps_line(zombie.ppid())})")
    init = psutil.Process(1)
    return result(NAME, True, f"parent {ppid} and zombie {zpid} are both gone from the table "
                  f"({ps_line(ppid)}; {ps_line(zpid)}); pid 1 here is {init.name()}, which reaps what it adopts",
                  parent=ppid, zombie=zpid, pid1=init.name())


if __name__ == "__main__":
    run_standalone(check)
