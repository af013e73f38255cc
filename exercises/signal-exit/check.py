"""signal-exit: the exit statuses you read for processes killed by signals are 128 + the signal's number."""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import answer, result, run_standalone, t

NAME = "signal-exit"
WANTED = 2  # different signals


def signum(word: str) -> int:
    word = word.upper()
    if word.isdigit():
        return int(word)
    return int(signal.Signals[word if word.startswith("SIG") else "SIG" + word])


def check() -> dict:
    text = answer("signal-exit")
    if text is None:
        return result(
            NAME,
            False,
            t(
                "~/answers/signal-exit is missing: one line per signal, e.g. 'TERM 143'",
                "还没有 ~/answers/signal-exit：每个信号写一行，例如 'TERM 143'",
            ),
        )
    seen, wrong = {}, []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        try:
            sig, status = signum(parts[0]), int(parts[1])
        except (ValueError, KeyError, IndexError):
            wrong.append(t(f"{line!r} is not 'SIGNAL STATUS'", f"{line!r} 不是「信号 状态」的格式"))
            continue
        name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
        if status != 128 + sig:
            wrong.append(
                t(
                    f"{name} {status}: a shell reports death by {name} ({sig}) as {128 + sig}",
                    f"{name} {status}：进程被 {name}（{sig}）杀死时，shell 报告的是 {128 + sig}",
                )
            )
        else:
            seen[name] = status
    if wrong:
        return result(NAME, False, "; ".join(wrong))
    if len(seen) < WANTED:
        return result(
            NAME,
            False,
            t(
                f"read so far: {seen or 'nothing'}; try at least {WANTED} different signals",
                f"目前读到：{seen or '没有'}；至少试 {WANTED} 个不同的信号",
            ),
        )
    return result(
        NAME,
        True,
        "; ".join(
            t(f"{k}: status {v} = 128 + {v - 128}", f"{k}：状态 {v} = 128 + {v - 128}")
            for k, v in seen.items()
        ),
        statuses=seen,
    )


if __name__ == "__main__":
    run_standalone(check)
