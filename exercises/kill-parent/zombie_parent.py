"""A parent that never waits: its child exits at once and stays a zombie.

    python3 ~/exercises/kill-parent/zombie_parent.py &

It writes both pids to ~/.proclab/kill-parent.json for the checker, prints them,
and then sleeps until a signal ends it. It never calls wait().
"""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import ident, write_record


def main() -> None:
    child = os.fork()
    if child == 0:
        os._exit(7)
    os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)  # it has exited; WNOWAIT leaves it a zombie
    write_record("kill-parent", {"parent": ident(os.getpid()), "zombie": ident(child)})
    print(
        f"zombie_parent: I am {os.getpid()}; my child {child} has exited and I will never wait for it",
        flush=True,
    )
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
