"""stop-continue: the ticker's worker was stopped, then continued, and runs again."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import alive, ps_line, record, result, run_standalone, state, t

NAME = "stop-continue"


def check() -> dict:
    doc = record("stop-continue")
    if doc is None:
        return result(
            NAME,
            False,
            t(
                "no record from the ticker: start it (python3 ~/exercises/stop-continue/ticker.py &)",
                "还没有 ticker 的记录：先启动它（python3 ~/exercises/stop-continue/ticker.py &）",
            ),
        )
    worker = alive(doc["worker"])
    wpid = doc["worker"]["pid"]
    events = [e["event"] + (f"({e['signal']})" if e.get("signal") else "") for e in doc["events"]]
    seen = t(
        f"the watcher saw: {', '.join(events) or 'nothing yet'}",
        f"观察者看到：{', '.join(events) or '还什么都没有'}",
    )
    if worker is None or state(worker) == "zombie":
        return result(
            NAME,
            False,
            t(
                f"the worker {wpid} no longer runs ({seen}): start the ticker again",
                f"工作进程 {wpid} 已经不在运行了（{seen}）：重新启动 ticker",
            ),
        )
    if state(worker) == "stopped":
        return result(
            NAME,
            False,
            t(
                f"{ps_line(wpid)}: stopped (T) now; continue it. {seen}",
                f"{ps_line(wpid)}：现在是暂停状态（T）；让它继续。{seen}",
            ),
        )
    kinds = [e["event"] for e in doc["events"]]
    if "stopped" not in kinds:
        return result(
            NAME,
            False,
            t(
                f"{ps_line(wpid)}; the worker was never stopped. {seen}",
                f"{ps_line(wpid)}；工作进程还没被暂停过。{seen}",
            ),
        )
    if "continued" not in kinds[kinds.index("stopped") :]:
        return result(
            NAME,
            False,
            t(
                f"{ps_line(wpid)}; stopped but no continue reported yet. {seen}",
                f"{ps_line(wpid)}；暂停过，但还没有报告继续。{seen}",
            ),
        )
    return result(
        NAME,
        True,
        t(f"{ps_line(wpid)} runs again; {seen}", f"{ps_line(wpid)} 又在运行了；{seen}"),
        worker=wpid,
        stops=kinds.count("stopped"),
        continues=kinds.count("continued"),
    )


if __name__ == "__main__":
    run_standalone(check)
