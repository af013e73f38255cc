"""A ``--json`` document read back into the typed records it was written from (lab.document):
``proclab report`` and the HTML page draw a result saved anywhere (a class's runs, collected)
from the same ``LabResult`` a run makes. A document of the release before ``schema_version``
reads the same way (docs/result-model.md)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..errors import UsageError
from ..snapshot import Snapshot
from .chart_data import Bar, Chart
from .containment import Containment
from .image_settings import ImageSettings
from .kernel_record import KernelRecord
from .records import ActionRecord, ExecRecord, KillRecord, NotedRecord, ReleaseRecord, StopRecord
from .result import CheckResult, LabResult, OutputLine, RunRecord
from .settings import NAMES as SETTING_NAMES
from .settings import Settings
from .status import Status


class DocumentError(UsageError):
    """The document is not a proclab result."""


LAB_KEYS = ("lab", "checks", "checkpoints", "runs")
HOW = "give a file written by 'proclab run LAB --json > FILE'"


def lab_docs(doc: Any) -> list[dict[str, Any]]:
    """The lab results in a document: one (``proclab run LAB --json``) or several (``--all``)."""
    labs = doc["labs"] if isinstance(doc, dict) and isinstance(doc.get("labs"), list) else [doc]
    for i, d in enumerate(labs):
        if not isinstance(d, dict) or not set(LAB_KEYS) <= d.keys():
            where = "the document" if len(labs) == 1 else f"lab #{i + 1} of the document"
            raise DocumentError(
                f"{where} is not a proclab result: it lacks 'lab', 'checks', "
                f"'checkpoints' or 'runs'; {HOW}"
            )
    return labs


def read(d: dict[str, Any]) -> LabResult:
    """One lab's document as the LabResult it was written from (``lab_docs`` first for several)."""
    try:
        snaps = [Snapshot.from_dict(cp) for cp in d["checkpoints"]]
        return LabResult(
            lab=d["lab"],
            title=d.get("title", d["lab"]),
            path=d.get("path", ""),
            lesson=d.get("lesson", ""),
            runs=[_run(r, snaps) for r in d["runs"]],
            checks=[_check(c) for c in d["checks"]],
            duration_s=float(d.get("duration_s", 0.0)),
            artifacts=list(d.get("artifacts", [])),
            error=d.get("error"),
            charts=[_chart(c) for c in d.get("charts", [])],
            lock_wait_s=float(d.get("lock_wait_s", 0.0)),
            engine=d.get("engine", ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise DocumentError(
            f"lab '{d.get('lab')}' in the document is malformed "
            f"({type(err).__name__}: {err}); {HOW}"
        ) from err


def _check(c: dict[str, Any]) -> CheckResult:
    status = c.get("status") or Status.of(bool(c["passed"]))  # a document from before the status
    return CheckResult(
        c["name"],
        Status(status),
        c.get("detail", ""),
        dict(c.get("figures", {})),
        [(x["run"], x["name"]) for x in c.get("checkpoints", [])],
        c.get("warning"),
        c.get("name_zh", ""),
    )


def _run(r: dict[str, Any], snaps: list[Snapshot]) -> RunRecord:
    kept = r.get("output_not_kept") or {}
    containment = r.get("containment")
    return RunRecord(
        variant=r["variant"],
        settings=_settings(r.get("settings", {})),
        exit_code=r.get("exit_code"),
        duration_s=float(r.get("duration_s", 0.0)),
        started_at=float(r.get("started_at", 0.0)),
        timed_out=bool(r.get("timed_out")),
        expect_timeout=bool(r.get("expect_timeout")),
        expect_exit=r.get("expect_exit"),
        oom_killed=bool(r.get("oom_killed")),
        error=r.get("error"),
        container=r.get("container", ""),
        summary=r.get("summary", ""),
        checkpoints=[s for s in snaps if s.run == r["variant"]],
        actions=[_action(a) for a in r.get("actions", [])],
        output=[OutputLine(o["stream"], o["text"], float(o["at_s"])) for o in r.get("output", [])],
        output_dropped_lines=int(kept.get("lines", 0)),
        output_dropped_chars=int(kept.get("chars", 0)),
        output_gap_at=kept.get("after_line") if kept else None,
        host=dict(r.get("host", {})),
        host_alive_after_exit={int(k): v for k, v in r.get("host_alive_after_exit", {}).items()},
        containment=_containment(containment) if containment else None,
        touched=list(r.get("touched", [])),
        kernel=KernelRecord.from_run_dict(r),
    )


def _settings(d: dict[str, Any]) -> Settings | ImageSettings:
    if "image" in d:  # the doctor's: an image and its options
        return ImageSettings.from_dict(d)
    known = {k: v for k, v in d.items() if k in SETTING_NAMES}
    if "cap_add" in known:
        known["cap_add"] = tuple(known["cap_add"])
    return Settings(**known)


def _containment(d: dict[str, Any]) -> Containment:
    names = {f.name for f in fields(Containment)}
    kept: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in names
    }
    return Containment(**kept)


KINDS: dict[str, type[ActionRecord]] = {
    "stop": StopRecord,
    "kill": KillRecord,
    "exec": ExecRecord,
    "release": ReleaseRecord,
}


def _action(d: dict[str, Any]) -> ActionRecord:
    """The record of its kind when it writes the same keys back, else its figures as noted."""
    rest = {k: v for k, v in d.items() if k not in ("at", "do", "error")}
    kind = KINDS.get(d["do"])
    if kind is not None:
        own = {f.name for f in fields(kind)} - {"at", "do", "error", "notes"}
        kw: dict[str, Any] = {
            k: tuple(v) if k == "command" else v for k, v in rest.items() if k in own
        }
        extra = {k: v for k, v in rest.items() if k not in own}
        record = kind(d["at"], error=d.get("error"), **kw)
        if extra and hasattr(record, "notes"):
            record.notes = extra
        if record.to_dict() == d:
            return record
    return NotedRecord(d["at"], d["do"], d.get("error"), notes=rest)


def _chart(d: dict[str, Any]) -> Chart:
    bars = tuple(Bar(b["label"], float(b["value"]), b.get("expected")) for b in d.get("bars", []))
    return Chart(
        d.get("title", ""),
        d.get("unit", ""),
        bars,
        d.get("measured_label", "measured"),
        d.get("expected_label", "expected"),
    )
