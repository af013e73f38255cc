"""A worker to stop and continue, and a watcher (its parent) that writes down what the kernel reports.

    python3 ~/exercises/stop-continue/ticker.py &

The worker only waits for signals (state S). When you stop it (kill -STOP) or
continue it (kill -CONT), the kernel tells its parent, exactly as it tells your
shell about a job you pressed Ctrl-Z on: waitid() returns CLD_STOPPED or
CLD_CONTINUED. The watcher prints each report and keeps it in ~/.proclab/stop-continue.json.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import ident, write_record

WHAT = {
    os.CLD_STOPPED: "stopped",
    os.CLD_CONTINUED: "continued",
    os.CLD_EXITED: "exited",
    os.CLD_KILLED: "killed",
    os.CLD_DUMPED: "killed",
}


def main() -> None:
    worker = os.fork()
    if worker == 0:
        while True:
            signal.pause()  # sleep until a signal comes: state S
    doc = {"watcher": ident(os.getpid()), "worker": ident(worker), "events": []}
    write_record("stop-continue", doc)
    print(
        f"ticker: worker {worker} is waiting (its parent, the watcher, is {os.getpid()})",
        flush=True,
    )
    while True:
        info = os.waitid(os.P_PID, worker, os.WSTOPPED | os.WCONTINUED | os.WEXITED)
        event = WHAT.get(info.si_code, str(info.si_code))
        sig = signal.Signals(info.si_status).name if event != "exited" else None
        doc["events"].append({"event": event, "signal": sig, "t": time.time()})
        write_record("stop-continue", doc)
        print(f"ticker: worker {worker} {event}" + (f" by {sig}" if sig else ""), flush=True)
        if event in ("exited", "killed"):
            return


if __name__ == "__main__":
    main()
