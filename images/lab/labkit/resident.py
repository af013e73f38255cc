"""The resident probe: started once per container, it takes snapshots on command.

The harness starts it with one ``docker exec`` (stdin attached) at a run's first
checkpoint, while the scenario is held there, and then writes one command a line:

    snapshot [--top] [--shells] [--held PID/TID] [--release FIFO]  -> the probe's JSON document (labkit.probe.take)
    release FIFO                            -> {"released": true|false}
    quit

and reads one JSON line back for each. Python and psutil are loaded once, so
a checkpoint costs what ps, psutil and the socket cost, not a docker exec and
an interpreter start. The probe is a process in the container (ppid 0, like any
exec'd process); every snapshot names it in ``probe_pids`` and ``resident_pids``.
"""

from __future__ import annotations

import json
import os
import sys

from .probe import release, take


def _send(doc: dict) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def _answer(words: list[str]) -> dict | None:
    cmd = words[0]
    if cmd == "snapshot":
        doc = take(
            "--top" in words,
            words[words.index("--held") + 1] if "--held" in words else "",
            shells="--shells" in words,
        )
        doc["resident_pids"] = [os.getpid()]
        if "--release" not in words:
            return doc
        # Answer first, release last: once released the scenario may end, and the
        # kernel then kills everything in its pid namespace, this probe included.
        _send(doc)
        try:
            release(words[words.index("--release") + 1])
        except OSError as err:  # the answer is sent already: say it where the harness logs stderr
            print(f"labkit.resident: release failed: {err}", file=sys.stderr, flush=True)
        return None
    if cmd == "release" and len(words) == 2:
        return {"released": release(words[1])}
    return {"error": f"unknown command {' '.join(words)!r}"}


def main() -> int:
    _send({"ready": True, "pid": os.getpid()})
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:  # the harness closed our stdin: it is done with us
            return 0
        words = line.decode().split()
        if not words:
            continue
        if words[0] == "quit":
            return 0
        try:
            answer = _answer(words)
        except Exception as err:  # say what failed; the harness falls back to the exec probe
            answer = {"error": f"{type(err).__name__}: {err}"}
        if answer is not None:
            _send(answer)


if __name__ == "__main__":
    sys.exit(main())
