"""Run fork/exit actions as real processes (runs inside a lab container; stdlib + labkit).

The root is this process, node 'a'. Every node waits on its own FIFO for a command
('fork NAME' or 'exit'); the root, which also coordinates, sends the next action to
its actor, waits for the acknowledgement (a new node says 'ready', an exiting one
'exiting'), waits until an exited node has left the table (its parent reaps it on
SIGCHLD, so no zombie stands in for a living node), then checkpoints the table.
Mode 'init': only the root is a child subreaper (it stands for pid 1); mode
'subreaper': every node is one.
"""

import ctypes
import json
import os
import signal
import sys
from types import FrameType

from labkit import checkpoint, wait_gone

PR_SET_CHILD_SUBREAPER = 36
DIR = "/tmp/forktree"
ACK = os.path.join(DIR, "ack")
spec = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "actions.json")))
MODE, ACTIONS = spec["mode"], spec["actions"]


def subreaper() -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {ctypes.get_errno()}")


def reap(signum: int, frame: FrameType | None) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def ack(line: str) -> None:
    fd = os.open(ACK, os.O_WRONLY)
    os.write(fd, (line + "\n").encode())  # under PIPE_BUF: one atomic write
    os.close(fd)


def become(name: str) -> None:
    """This (new) process is node NAME: announce it, then obey its FIFO until told to exit."""
    if MODE == "subreaper":
        subreaper()
    fifo = os.path.join(DIR, "node-" + name)  # prefixed: a node may be called 'ack'
    os.mkfifo(fifo)
    ack(f"ready {name} {os.getpid()}")
    while True:
        with open(fifo) as f:
            command = f.readline().split()
        if not command:  # reopened before the last writer had closed: nothing was sent
            continue
        if command[0] == "fork":
            if os.fork() == 0:
                become(command[1])
        else:
            ack(f"exiting {name} {os.getpid()}")
            os._exit(0)


def send(name: str, command: str) -> None:
    with open(os.path.join(DIR, "node-" + name), "w") as f:
        f.write(command + "\n")


def main() -> None:
    os.makedirs(DIR, exist_ok=True)
    os.mkfifo(ACK)
    acks = open(os.open(ACK, os.O_RDWR))  # read and write: never EOF while nodes come and go
    signal.signal(signal.SIGCHLD, reap)
    subreaper()  # the root stands for pid 1 in both modes
    pids = {"a": os.getpid()}
    checkpoint("start", names=pids, mode=MODE)
    for i, action in enumerate(ACTIONS, 1):
        actor, child = action["actor"], action.get("child")
        if action.get("refused"):  # -L: an exit of a process with children is not done
            checkpoint(f"after-{i}", action=f"{actor}- refused", names=pids)
            continue
        if actor == "a":
            if child:
                if os.fork() == 0:
                    become(child)
        else:
            send(actor, f"fork {child}" if child else "exit")
        kind, name, pid = acks.readline().split()
        if kind == "exiting":
            wait_gone(int(pid))
            del pids[name]
        else:
            pids[name] = int(pid)
        checkpoint(f"after-{i}", action=f"{actor}+{child}" if child else f"{actor}-", names=pids)
    for name in [n for n in pids if n != "a"]:
        send(name, "exit")


if __name__ == "__main__":
    main()
