"""orphans: a child exits before its own child; who becomes the parent?

main -> child -> grandchild. The child exits; the grandchild is orphaned and
the kernel gives it a new parent: the container's pid 1 — or, in the
'subreaper' variant, the nearest ancestor that declared itself a child
subreaper (prctl PR_SET_CHILD_SUBREAPER), here main.
"""

import ctypes
import os

from labkit import checkpoint, say

PR_SET_CHILD_SUBREAPER = 36
variant = os.environ.get("PROCLAB_VARIANT", "init")


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    say("main: I am now a child subreaper: orphans below me come to me, not to pid 1")


def main() -> None:
    if variant == "subreaper":
        become_subreaper()
    hold_r, hold_w = os.pipe()  # the grandchild lives until main closes hold_w
    report_r, report_w = os.pipe()  # the child tells main its grandchild's pid
    child = os.fork()
    if child == 0:
        grandchild = os.fork()
        if grandchild == 0:
            os.close(hold_w)
            os.read(hold_r, 1)  # blocks until main closes the write end
            os._exit(0)
        os.write(report_w, f"{grandchild}\n".encode())
        os.read(hold_r, 1)  # the child waits here until main kills it
        os._exit(0)
    os.close(report_w)
    grandchild = int(os.read(report_r, 32).decode())
    say(f"main {os.getpid()} -> child {child} -> grandchild {grandchild}")
    checkpoint("family", main=os.getpid(), child=child, grandchild=grandchild)

    # End the child only (SIGKILL), leaving the grandchild without its parent.
    os.kill(child, 9)
    os.waitpid(child, 0)  # once the child is reaped, its orphan has been re-parented
    say(f"child {child} is gone; grandchild {grandchild} is an orphan")
    checkpoint("orphaned", main=os.getpid(), grandchild=grandchild, top=True)

    os.close(hold_w)  # the grandchild's read returns: it exits
    if variant == "subreaper":
        pid, status = os.waitpid(grandchild, 0)  # main may wait for it: it is main's child now
        say(f"main reaped its adopted grandchild {pid}, status {status}")
        checkpoint("subreaper-reaped", main=os.getpid(), grandchild=grandchild, status=status)


if __name__ == "__main__":
    main()
