"""The ``--json`` document read back as typed records for the report: the JSON is the source,
so a page can be drawn from a result saved anywhere (a class's runs, collected)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...errors import UsageError
from ...lab.chart_data import Bar, Chart
from ...lab.kernel_record import KernelRecord
from ...snapshot import Snapshot
from . import timeline as tl


class ReportFormatError(UsageError):
    """The document is not a proclab result."""


@dataclass
class CheckView:
    name: str
    passed: bool
    detail: str
    links: list[tuple[str, str]] = field(default_factory=list)    # (variant, checkpoint)
    inconclusive: bool = False       # not measured (a busy host): neither passed nor failed
    zh: str = ""                     # its title in Chinese, when the lab gives one


@dataclass
class RunView:
    variant: str
    summary: str
    exit_code: int | None
    duration_s: float
    timed_out: bool
    expect_timeout: bool
    error: str | None
    settings: dict[str, Any]
    actions: list[dict[str, Any]]
    output: list[dict[str, Any]]
    checkpoints: list[Snapshot]
    timeline: tl.Timeline
    kernel: KernelRecord = field(default_factory=lambda: KernelRecord.none("not recorded"))


@dataclass
class Report:
    lab: str
    title: str
    lesson: str
    passed: bool
    duration_s: float
    error: str | None
    runs: list[RunView]
    checks: list[CheckView]
    charts: list[Chart]
    verdict: str = ""                # passed | failed | inconclusive ("" in documents before it)


def lab_docs(doc: Any) -> list[dict[str, Any]]:
    """The lab results in a document: one (``proclab run LAB --json``) or several (``--all``)."""
    if isinstance(doc, dict) and isinstance(doc.get("labs"), list):
        labs = doc["labs"]
    else:
        labs = [doc]
    for i, d in enumerate(labs):
        if not isinstance(d, dict) or not {"lab", "checks", "checkpoints", "runs"} <= d.keys():
            where = "the document" if len(labs) == 1 else f"lab #{i + 1} of the document"
            raise ReportFormatError(f"{where} is not a proclab result: it lacks 'lab', 'checks', 'checkpoints' "
                                    "or 'runs'; give a file written by 'proclab run LAB --json > FILE'")
    return labs


QUOTED = re.compile(r"'([^']+)'")


def _links(c: dict[str, Any], names: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The checkpoints a check read (recorded by the runner), else those its words quote."""
    if c.get("checkpoints"):
        return [(x["run"], x["name"]) for x in c["checkpoints"] if x.get("name") in names]
    out = []
    for word in QUOTED.findall(f"{c.get('name', '')} {c.get('detail', '')}"):
        if word in names and (names[word][0], word) not in out:
            out.append((names[word][0], word))
    return out


def _chart(d: dict[str, Any]) -> Chart:
    bars = tuple(Bar(b["label"], float(b["value"]), b.get("expected")) for b in d.get("bars", []))
    return Chart(d.get("title", ""), d.get("unit", ""), bars, d.get("measured_label", "measured"),
                 d.get("expected_label", "expected"))


def _run(r: dict[str, Any], snaps: list[Snapshot]) -> RunView:
    mine = [s for s in snaps if s.run == r["variant"]]
    kernel = KernelRecord.from_run_dict(r)
    return RunView(
        variant=r["variant"], summary=r.get("summary", ""), exit_code=r.get("exit_code"),
        duration_s=float(r.get("duration_s", 0.0)), timed_out=bool(r.get("timed_out")),
        expect_timeout=bool(r.get("expect_timeout")), error=r.get("error"), settings=r.get("settings", {}),
        actions=r.get("actions", []), output=r.get("output", []), checkpoints=mine,
        timeline=tl.build(mine, r["variant"], kernel, float(r.get("duration_s", 0.0))), kernel=kernel)


def report(d: dict[str, Any]) -> Report:
    """One lab's result document as a Report (``lab_docs`` first for a document of several)."""
    try:
        snaps = [Snapshot.from_dict(cp) for cp in d["checkpoints"]]
        runs = [_run(r, snaps) for r in d["runs"]]
        names: dict[str, list[str]] = {}
        for s in snaps:
            names.setdefault(s.name, []).append(s.run)
        checks = [CheckView(c["name"], bool(c["passed"]), c.get("detail", ""), _links(c, names),
                            c.get("status") == "inconclusive", c.get("name_zh", "")) for c in d["checks"]]
        charts = [_chart(c) for c in d.get("charts", [])]
    except (KeyError, TypeError, ValueError) as err:
        raise ReportFormatError(f"lab '{d.get('lab')}' in the document is malformed ({type(err).__name__}: {err}); "
                                "give a file written by 'proclab run LAB --json'") from err
    return Report(lab=d["lab"], title=d.get("title", d["lab"]), lesson=d.get("lesson", ""),
                  passed=bool(d.get("passed")), duration_s=float(d.get("duration_s", 0.0)),
                  error=d.get("error"), runs=runs, checks=checks, charts=charts,
                  verdict=d.get("verdict") or ("passed" if d.get("passed") else "failed"))
