"""Check the exercises: ``python3 ~/exercises/check.py [NAME...] [--json]``.

Runs every exercise's check.py (or the ones named) and prints what each saw.
``--json`` prints one JSON list instead (that is what the check playbook reads).
Exit status: 0 when all checked exercises pass, 1 otherwise (always 0 with --json).
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from checklib import remember, report, result  # noqa: E402

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
        return result(name, False, f"the checker itself failed: {type(err).__name__}: {err}")


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    names = [a for a in argv if not a.startswith("-")] or exercises()
    unknown = [n for n in names if n not in exercises()]
    if unknown:
        print(f"no exercise named {', '.join(unknown)}; there are: {', '.join(exercises())}", file=sys.stderr)
        return 2
    results = [run_one(n) for n in names]
    if as_json:
        print(json.dumps(results))
        return 0
    codes = [report(r) for r in results]
    return 0 if not any(codes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
