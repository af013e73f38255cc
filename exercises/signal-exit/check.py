"""signal-exit: the exit statuses you read for processes killed by signals are 128 + the signal's number."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from checklib import answer, result, run_standalone  # noqa: E402

NAME = "signal-exit"
WANTED = 2   # different signals


def signum(word: str) -> int:
    word = word.upper()
    if word.isdigit():
        return int(word)
    return int(signal.Signals[word if word.startswith("SIG") else "SIG" + word])


def check() -> dict:
    text = answer("signal-exit")
    if text is None:
        return result(NAME, False, "~/answers/signal-exit is missing: one line per signal, e.g. 'TERM 143'")
    seen, wrong = {}, []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        try:
            sig, status = signum(parts[0]), int(parts[1])
        except (ValueError, KeyError, IndexError):
            wrong.append(f"{line!r} is not 'SIGNAL STATUS'")
            continue
        name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
        if status != 128 + sig:
            wrong.append(f"{name} {status}: a shell reports death by {name} ({sig}) as {128 + sig}")
        else:
            seen[name] = status
    if wrong:
        return result(NAME, False, "; ".join(wrong))
    if len(seen) < WANTED:
        return result(NAME, False, f"read so far: {seen or 'nothing'}; try at least {WANTED} different signals")
    return result(NAME, True, "; ".join(f"{k}: status {v} = 128 + {v - 128}" for k, v in seen.items()),
                  statuses=seen)


if __name__ == "__main__":
    run_standalone(check)
