"""Progressive hints: ``python3 ~/exercises/hint.py NAME [--level 1|2|3] [--lang zh] [--json]``.

Level 1 is a nudge, level 2 the command, level 3 the answer. Without --level you get the next
level after the last one you asked for. Every hint you ask for is recorded in
~/.proclab/hints.json, and the checkers report it, so the class report shows who needed which.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import hints_asked, record_hint, t

HERE = os.path.dirname(os.path.abspath(__file__))

LEVELS = (1, 2, 3)
KIND = {1: ("a nudge", "提示"), 2: ("the command", "命令"), 3: ("the answer", "答案")}


def hints(name: str) -> list[dict]:
    with open(os.path.join(HERE, name, "hints.toml"), "rb") as f:
        return tomllib.load(f)["hint"]


def exercises() -> list[str]:
    return sorted(
        d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "hints.toml"))
    )


def usage(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    words, level, i = [], None, 0
    while i < len(argv):
        if argv[i] == "--level" and i + 1 < len(argv):
            if argv[i + 1] not in {str(n) for n in LEVELS}:
                return usage(
                    t(
                        f"--level is 1, 2 or 3, not {argv[i + 1]!r}",
                        f"--level 只能是 1、2 或 3，不是 {argv[i + 1]!r}",
                    )
                )
            level, i = int(argv[i + 1]), i + 2
        elif argv[i] == "--lang":
            i += 2  # read by checklib
        elif argv[i].startswith("-"):
            if argv[i] != "--json":
                return usage(
                    t(
                        f"unknown option {argv[i]}; use --level N, --lang zh, --json",
                        f"未知的选项 {argv[i]}；可以用 --level N、--lang zh、--json",
                    )
                )
            i += 1
        else:
            words.append(argv[i])
            i += 1
    if len(words) != 1 or words[0] not in exercises():
        return usage(
            t(
                f"name one exercise: {', '.join(exercises())}",
                f"请给出一个练习的名字：{', '.join(exercises())}",
            )
        )
    name = words[0]
    asked = hints_asked().get(name, {}).get("level", 0)
    level = level or min(asked + 1, LEVELS[-1])
    text = hints(name)[level - 1][t("en", "zh")]
    record_hint(name, level, time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    if "--json" in argv:
        print(json.dumps({"exercise": name, "level": level, "hint": text}, ensure_ascii=False))
        return 0
    kind = t(*KIND[level])
    print(
        t(f"{name}, hint {level} of 3 ({kind}):", f"{name}，第 {level} 个提示（共 3 个，{kind}）：")
    )
    print(f"  {text}")
    if level < LEVELS[-1]:
        print(
            t(
                f"More: python3 ~/exercises/hint.py {name}",
                f"还要更多：python3 ~/exercises/hint.py {name}",
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
