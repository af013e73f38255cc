"""Check the exercises: ``python3 ~/exercises/check.py [NAME...] [--json] [--lang zh]``.

Runs every exercise's check.py (or the ones named) and prints what each saw.
``--json`` prints one JSON list instead (that is what the check playbook reads); each result
says how many hints were asked for it (``hints``, the highest level, 0 for none).
Exit status: 0 when all checked exercises pass, 1 otherwise (always 0 with --json).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import remember, report, result, t, with_hints

HERE = os.path.dirname(os.path.abspath(__file__))

ORDER = ["zombie", "orphan", "renice", "stop-continue", "kill-parent", "signal-exit"]


def exercises() -> list[str]:
    found = [d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "check.py"))]
    return sorted(found, key=lambda d: (ORDER.index(d) if d in ORDER else len(ORDER), d))


def run_one(name: str) -> dict:
    path = os.path.join(HERE, name, "check.py")
    try:
        spec = importlib.util.spec_from_file_location(f"exercise_{name.replace('-', '_')}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return remember(mod.check())
    except Exception as err:  # a broken checker is reported, not hidden
        return with_hints(
            result(
                name,
                False,
                t(
                    f"the checker itself failed: {type(err).__name__}: {err}",
                    f"检查器本身出错了：{type(err).__name__}: {err}",
                ),
            )
        )


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    values = {i + 1 for i, a in enumerate(argv) if a == "--lang"}  # --lang's value is no name
    names = [
        a for i, a in enumerate(argv) if not a.startswith("-") and i not in values
    ] or exercises()
    unknown = [n for n in names if n not in exercises()]
    if unknown:
        print(
            t(
                f"no exercise named {', '.join(unknown)}; there are: {', '.join(exercises())}",
                f"没有叫 {', '.join(unknown)} 的练习；现有的练习：{', '.join(exercises())}",
            ),
            file=sys.stderr,
        )
        return 2
    results = [run_one(n) for n in names]
    if as_json:
        print(json.dumps(results))
        return 0
    codes = [report(r) for r in results]
    return 0 if not any(codes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
