"""stop-continue: the ticker's worker was stopped, then continued, and runs again."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import alive, ps_line, record, result, run_standalone, state  # noqa: E402

NAME = "stop-continue"


def check() -> dict:
    doc = record("stop-continue")
    if doc is None:
        return result(NAME, False, "no record from the ticker: start it (python3 ~/exercises/stop-continue/ticker.py &)")
    worker = alive(doc["worker"])
    wpid = doc["worker"]["pid"]
    events = [e["event"] + (f"({e['signal']})" if e.get("signal") else "") for e in doc["events"]]
    seen = f"the watcher saw: {', '.join(events) or 'nothing yet'}"
    if worker is None or state(worker) == "zombie":
        return result(NAME, False, f"the worker {wpid} no longer runs ({seen}): start the ticker again")
    if state(worker) == "stopped":
        return result(NAME, False, f"{ps_line(wpid)}: stopped (T) now; continue it. {seen}")
    kinds = [e["event"] for e in doc["events"]]
    if "stopped" not in kinds:
        return result(NAME, False, f"{ps_line(wpid)}; the worker was never stopped. {seen}")
    if "continued" not in kinds[kinds.index("stopped"):]:
        return result(NAME, False, f"{ps_line(wpid)}; stopped but no continue reported yet. {seen}")
    return result(NAME, True, f"{ps_line(wpid)} runs again; {seen}", worker=wpid,
                  stops=kinds.count("stopped"), continues=kinds.count("continued"))


if __name__ == "__main__":
    run_standalone(check)
