"""The one serializer: every ``--json`` document proclab prints is made here from the typed
records (docs/result-model.md), and ``docs/schema/proclab-result-1.json`` says its shape.

One lab's result (``proclab run LAB``, ``proclab doctor IMAGE``) is a lab document; several
(``run --all``, ``run A B``) are ``{"passed", "verdict", "labs": [lab documents]}``. Every
document printed carries ``schema_version`` first (``stamped``); ``read`` turns a lab document
back into a ``LabResult``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch
from typing import Any

from .chart_data import Bar, Chart
from .result import CheckResult, LabResult, OutputLine, RunRecord
from .status import Status

SCHEMA_VERSION = 1
SCHEMA_FILE = f"proclab-result-{SCHEMA_VERSION}.json"


def stamped(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with ``schema_version`` first (what it says of itself is kept)."""
    rest = {k: v for k, v in doc.items() if k != "schema_version"}
    return {"schema_version": SCHEMA_VERSION, **rest}


def verdict_of(results: Sequence[LabResult]) -> Status:
    """Of several labs: failed if one failed, else inconclusive if one was, else passed."""
    verdicts = {r.verdict for r in results}
    for worst in (Status.FAILED, Status.INCONCLUSIVE):
        if worst in verdicts:
            return worst
    return Status.PASSED


def document(results: Sequence[LabResult], many: bool = False) -> dict[str, Any]:
    """The ``--json`` document: one lab's result, or (``many``, or not exactly one) every lab's."""
    if len(results) == 1 and not many:
        return stamped(encode(results[0]))
    return stamped(
        {
            "passed": all(r.passed for r in results),
            "verdict": verdict_of(results),
            "labs": [encode(r) for r in results],
        }
    )


@singledispatch
def encode(record: Any) -> Any:
    """A record as plain JSON values; records of the lower layers say it themselves."""
    to_dict = getattr(record, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"no JSON form for {type(record).__name__}")
    return to_dict()


@encode.register
def _lab(r: LabResult) -> dict[str, Any]:
    return {
        "lab": r.lab,
        "title": r.title,
        "path": r.path,
        "lesson": r.lesson,
        "passed": r.passed,
        "verdict": r.verdict,
        "check_counts": r.counts(),
        "duration_s": round(r.duration_s, 3),
        "lock_wait_s": round(r.lock_wait_s, 3),
        "exit_code": r.exit_code,
        "error": r.error,
        "engine": r.engine,
        "checks": [encode(c) for c in r.checks],
        "checkpoints": [cp.to_dict() for cp in r.checkpoints],
        "runs": [encode(run) for run in r.runs],
        "artifacts": r.artifacts,
        "charts": [encode(c) for c in r.charts],
    }


@encode.register
def _run(r: RunRecord) -> dict[str, Any]:
    return {
        "variant": r.variant,
        "summary": r.summary,
        "exit_code": r.exit_code,
        "duration_s": round(r.duration_s, 3),
        "started_at": round(r.started_at, 3),
        "timed_out": r.timed_out,
        "expect_timeout": r.expect_timeout,
        "expect_exit": r.expect_exit,
        "oom_killed": r.oom_killed,
        "error": r.error,
        "settings": r.settings.to_dict(),
        "containment": r.containment.to_dict() if r.containment else None,
        "actions": [a.to_dict() for a in r.actions],
        "touched": list(r.touched),
        "output": [encode(o) for o in r.output],
        "output_not_kept": r.output_not_kept(),
        "host": r.host,
        "host_alive_after_exit": {str(k): v for k, v in r.host_alive_after_exit.items()},
        "kernel_record": r.kernel.summary_dict(),
        "events": [e.to_dict() for e in r.kernel.events],
    }


@encode.register
def _output(o: OutputLine) -> dict[str, Any]:
    return {"stream": o.stream, "text": o.text, "at_s": round(o.at_s, 4)}


@encode.register
def _check(c: CheckResult) -> dict[str, Any]:
    d: dict[str, Any] = {"name": c.name, "status": c.status, "passed": c.passed, "detail": c.detail}
    if c.zh:
        d["name_zh"] = c.zh
    if c.figures:
        d["figures"] = c.figures
    if c.checkpoints:
        d["checkpoints"] = [{"run": run, "name": name} for run, name in c.checkpoints]
    if c.warning:
        d["warning"] = c.warning
    return d


@encode.register
def _chart(c: Chart) -> dict[str, Any]:
    return {
        "title": c.title,
        "unit": c.unit,
        "measured_label": c.measured_label,
        "expected_label": c.expected_label,
        "bars": [encode(b) for b in c.bars],
    }


@encode.register
def _bar(b: Bar) -> dict[str, Any]:
    d: dict[str, Any] = {"label": b.label, "value": round(b.value, 4)}
    if b.expected is not None:
        d["expected"] = round(b.expected, 4)
    return d
