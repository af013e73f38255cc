"""deadlines: waiting with a timeout returns, whether or not the thing waited for happened.

  1. join(timeout) - the child blocks on an Event; join(0.5) returns after 0.5 s
                     with the child still alive: is_alive() True, exitcode None,
                     the child still in the table (S). Then the Event is set and
                     join() returns with exitcode 0.
  2. poll(timeout) - Pipe.poll(0.3) on an empty pipe returns False after 0.3 s;
                     the child then send_bytes() a 100 000-byte message, poll()
                     returns True, recv_bytes() gets the same bytes; recv_bytes
                     with a maxlength below the size raises OSError.
The start method is fork, named explicitly.
"""

import hashlib
import multiprocessing
import os
import time

from labkit import checkpoint, say

ctx = multiprocessing.get_context("fork")
JOIN_TIMEOUT = 0.5
POLL_TIMEOUT = 0.3
SIZE = 100_000


def waiter(go) -> None:
    go.wait()  # blocks until the parent sets the Event


def part_join() -> None:
    go = ctx.Event()
    p = ctx.Process(target=waiter, args=(go,), name="waiter")
    p.start()
    t0 = time.monotonic()
    p.join(JOIN_TIMEOUT)  # returns after the timeout: no exception, no result
    waited = time.monotonic() - t0
    say(
        f"join({JOIN_TIMEOUT}) returned after {waited:.2f} s: is_alive()={p.is_alive()}, exitcode={p.exitcode}"
    )
    checkpoint(
        "join-timed-out",
        parent=os.getpid(),
        child=p.pid,
        waited_s=waited,
        timeout_s=JOIN_TIMEOUT,
        alive=p.is_alive(),
        exitcode=p.exitcode,
    )
    go.set()
    p.join()
    say(f"after the Event, join() returned: exitcode={p.exitcode}")
    checkpoint("joined", child=p.pid, alive=p.is_alive(), exitcode=p.exitcode)


def sender(conn, other, go) -> None:
    other.close()  # fork copied the receiving end too: drop it
    go.wait()
    conn.send_bytes(bytes(range(256)) * (SIZE // 256) + b"x" * (SIZE % 256))
    try:
        conn.send_bytes(b"y" * SIZE)  # the reader gives up on this one and closes
    except BrokenPipeError:
        pass
    conn.close()


def part_poll() -> None:
    recv_end, send_end = ctx.Pipe(duplex=False)
    go = ctx.Event()
    p = ctx.Process(target=sender, args=(send_end, recv_end, go), name="sender")
    p.start()
    send_end.close()
    t0 = time.monotonic()
    ready = recv_end.poll(POLL_TIMEOUT)  # nothing sent yet: False after the timeout
    waited = time.monotonic() - t0
    say(f"poll({POLL_TIMEOUT}) on an empty pipe: {ready} after {waited:.2f} s")
    go.set()
    ready_after = recv_end.poll(10)  # returns as soon as the first bytes arrive
    data = recv_end.recv_bytes()
    try:
        recv_end.recv_bytes(maxlength=1000)  # the next message is 100 000 bytes
        too_long = "no error"
    except OSError as err:
        too_long = f"OSError: {err}"
    say(f"recv_bytes: {len(data)} bytes; recv_bytes(maxlength=1000) on the next: {too_long}")
    p.join()
    expected = bytes(range(256)) * (SIZE // 256) + b"x" * (SIZE % 256)
    checkpoint(
        "polled",
        child=p.pid,
        poll_empty=ready,
        poll_waited_s=waited,
        timeout_s=POLL_TIMEOUT,
        poll_after_send=ready_after,
        received=len(data),
        same=hashlib.sha256(data).hexdigest() == hashlib.sha256(expected).hexdigest(),
        too_long=too_long,
        closed_after=recv_end.closed,
        exitcode=p.exitcode,
    )


if __name__ == "__main__":
    say("deadlines lab: start method", ctx.get_start_method())
    part_join()
    part_poll()
