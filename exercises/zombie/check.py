"""zombie: one of your processes is a zombie, its parent is alive and yours, and you found its pid."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import answer, is_mine, mine, ps_line, result, run_standalone, state, top_tasks  # noqa: E402

NAME = "zombie"


def check() -> dict:
    zombies = sorted(p.pid for p in mine() if state(p) == "zombie")
    tasks = top_tasks()
    if not zombies:
        return result(NAME, False, f"none of your processes is a zombie; top: {tasks}", zombies=0)
    lines = "; ".join(ps_line(z) for z in zombies)
    text = answer("zombie")
    if text is None:
        return result(NAME, False, f"your zombies: {lines}; but ~/answers/zombie is missing: "
                      "write the pid you found there", zombies=len(zombies))
    try:
        pid = int(text.split()[0])
    except (ValueError, IndexError):
        return result(NAME, False, f"~/answers/zombie should hold a pid; it holds {text[:40]!r}")
    if pid not in zombies:
        return result(NAME, False, f"~/answers/zombie says {pid}: {ps_line(pid)}; that is not one of "
                      f"your zombies ({lines})", zombies=len(zombies))
    import psutil
    ppid = psutil.Process(pid).ppid()
    if ppid == 1 or not is_mine(ppid):
        return result(NAME, False, f"zombie {pid}'s parent is {ps_line(ppid)}: not a process of yours")
    return result(NAME, True, f"zombie: {ps_line(pid)}; its parent: {ps_line(ppid)}; top: {tasks}",
                  zombie=pid, parent=ppid, zombies=len(zombies))


if __name__ == "__main__":
    run_standalone(check)
