"""pipes: multiprocessing.Pipe end to end, EOFError, and one-way pipes.

Variant "main":
  1. hello    - the seed's first example: the child sends, the parent
                receives; then a reply the other way (a Pipe is duplex).
  2. eof      - the seed's f(parent_conn, child_conn): the child gets both
                ends, closes the sending end it does not use, and reads 10
                items until recv() raises EOFError.
  3. one-way  - Pipe(duplex=False): one end only receives, the other only
                sends; and a closed end raises OSError.
Variant "one-end-open": part 2 with the child's close() left out, as in the
seed's commented line. The child itself still holds a sending end, so its
recv() never sees EOF: the program hangs and the harness's timeout ends it.
"""

import multiprocessing
import os
import sys

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")  # the lesson is fork; say so explicitly
ITEMS = 10


def kind(conn) -> str:
    """What the kernel says a Connection is: 'socket:[inode]' or 'pipe:[inode]'."""
    return os.readlink(f"/proc/self/fd/{conn.fileno()}")


def my_sockets() -> list[str]:
    """Every socket this process holds open, as /proc/self/fd shows them."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            out.append(target)
    return sorted(out)


# -- 1. hello, both ways ------------------------------------------------
def greeter(conn) -> None:
    conn.send("Hello")  # the child sends...
    reply = conn.recv()  # ...and, the pipe being duplex, receives too
    conn.send(f"got {reply!r}")
    conn.close()


def part_hello() -> None:
    parent_conn, child_conn = ctx.Pipe()  # duplex by default
    p = ctx.Process(target=greeter, args=(child_conn,), name="greeter")
    p.start()
    first = parent_conn.recv()
    parent_conn.send("hi back")
    second = parent_conn.recv()
    p.join()
    say(f"parent got {first!r} then {second!r}")
    checkpoint(
        "hello",
        main=os.getpid(),
        child=p.pid,
        got=[first, second],
        exitcode=p.exitcode,
        ends=[kind(parent_conn), kind(child_conn)],
    )


# -- 2. EOFError only when every sending end is closed -----------------
def reader(parent_conn, child_conn, close_unused: bool, result) -> None:
    """The seed's f(): it was handed both ends of the pipe."""
    if close_unused:
        parent_conn.close()  # the seed's line; left out in the one-end-open variant
    got = 0
    while True:
        try:
            child_conn.recv()
        except EOFError:
            result[1] = 1
            say(f"EOFError after {got} items: every sending end is closed")
            child_conn.close()
            return
        got += 1
        result[0] = got
        if got == ITEMS:
            # Everything the parent will ever send has arrived; what holds the pipe open?
            checkpoint(
                "got-all",
                main=os.getppid(),
                child=os.getpid(),
                received=got,
                closed_send_end=close_unused,
                child_sockets=my_sockets(),
            )


def part_eof(close_unused: bool) -> None:
    parent_conn, child_conn = ctx.Pipe()
    send_end, recv_end = kind(parent_conn), kind(child_conn)
    result = ctx.Array("i", 2)  # items received, saw EOFError
    p = ctx.Process(
        target=reader, args=(parent_conn, child_conn, close_unused, result), name="reader"
    )
    p.start()
    child_conn.close()  # the parent only sends
    for i in range(ITEMS):
        parent_conn.send(f"bun{i}")
    parent_conn.close()  # the parent's copy of the sending end is gone
    say(f"parent sent {ITEMS} items and closed both its ends; now it joins the reader")
    checkpoint(
        "main-closed",
        main=os.getpid(),
        child=p.pid,
        send_end=send_end,
        recv_end=recv_end,
        main_sockets=my_sockets(),
    )
    p.join()  # hangs if the reader never sees EOF
    checkpoint(
        "eof",
        main=os.getpid(),
        child=p.pid,
        exitcode=p.exitcode,
        received=result[0],
        saw_eof=bool(result[1]),
    )


# -- 3. one-way pipes and closed ends ----------------------------------
def attempt(fn) -> str:
    try:
        fn()
        return "ok"
    except Exception as e:
        return f"{type(e).__name__}: {e}"


def writer(w) -> None:
    w.send("one way")
    w.close()


def part_one_way() -> None:
    r, w = ctx.Pipe(duplex=False)  # r only receives, w only sends
    p = ctx.Process(target=writer, args=(w,), name="writer")
    p.start()
    w.close()
    got = r.recv()
    p.join()
    outcome = {
        "got": got,
        "ends": [kind(r), kind(ctx.Pipe()[0])],  # one-way end, and a duplex end for comparison
        "send_on_read_end": attempt(lambda: r.send("x")),
        "recv_after_eof": attempt(r.recv),
    }
    r2, w2 = ctx.Pipe(duplex=False)
    outcome["recv_on_send_end"] = attempt(w2.recv)
    r.close()
    outcome["recv_on_closed_end"] = attempt(r.recv)  # the seed's second error case
    say(f"one-way pipe: {outcome}")
    checkpoint("one-way", main=os.getpid(), writer=p.pid, exitcode=p.exitcode, **outcome)


if __name__ == "__main__":
    variant = sys.argv[1] if len(sys.argv) > 1 else "main"
    say(f"pipes lab, variant {variant}")
    if variant == "one-end-open":
        part_eof(close_unused=False)
    else:
        part_hello()
        part_eof(close_unused=True)
        part_one_way()
