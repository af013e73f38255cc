"""The doctor's findings as a LabResult: the same --json document a lab run prints
(checks with evidence, snapshots at the moments that matter, one run per container)."""

from __future__ import annotations

from dataclasses import replace

from ..lab.image_settings import Added, ImageSettings, ReadyNote
from ..lab.records import KillRecord, NotedRecord, StopRecord
from ..lab.result import LabResult, RunRecord
from .model import Findings
from .verdicts import evaluate


def to_result(f: Findings, duration_s: float) -> LabResult:
    o = f.options
    settings = ImageSettings(
        o.image,
        tuple(o.command),
        o.init,
        o.user,
        tuple(sorted(o.env)),
        o.grace_s,
        o.ready_log,
        tuple(o.cap_drop),
        tuple(o.cap_add),
        tuple(o.security_opt),
        o.read_only,
        o.k8s,
        tuple(f.argv),
        f.stop_signal,
        f.healthcheck,
        tuple(Added(a.what, a.value, a.option, a.safety_net) for a in o.additions()),
        ReadyNote(f.ready.how, f.ready.after_s, f.ready.detail),
        f.timings.steps(),
    )
    main = RunRecord(
        "stop",
        settings,
        container=f.containers.get("stop", ""),
        output=f.output.get("stop", []),
        checkpoints=[replace(s, run="stop") for s in f.snapshots],
    )
    if f.kernel is not None:
        main.kernel = f.kernel
    if f.stop is not None:
        main.exit_code, main.duration_s = f.stop.exit_code, f.stop.took_s
        d = _set(f.stop.to_dict())
        fixed = {k: d.pop(k, None) for k in ("grace_s", "took_s", "exit_code")}
        main.actions.append(
            StopRecord(
                "before-stop",
                grace_s=fixed["grace_s"],
                took_s=fixed["took_s"],
                exit_code=fixed["exit_code"],
                notes=d,
            )
        )
    elif f.ready.exit_code is not None:
        main.exit_code = f.ready.exit_code
    runs = [main]
    if f.sigint is not None:
        s = f.sigint
        notes: dict = {"ended": s.ended}
        if f.sigint_masks is not None:
            notes["pid1_masks"] = f.sigint_masks.to_dict()
        runs.append(
            RunRecord(
                "sigint",
                settings,
                exit_code=s.exit_code,
                duration_s=s.took_s,
                container=f.containers.get("sigint", ""),
                output=f.output.get("sigint", []),
                actions=[
                    KillRecord(
                        "ready",
                        signal="SIGINT",
                        exit_code=s.exit_code,
                        took_s=round(s.took_s, 3),
                        notes=notes,
                    )
                ],
            )
        )
    elif f.containers.get("sigint"):
        runs.append(
            RunRecord(
                "sigint",
                settings,
                container=f.containers["sigint"],
                output=f.output.get("sigint", []),
            )
        )
    if f.containers.get("orphan"):
        runs.append(_orphan_run(f, settings))
    return LabResult(
        lab="doctor",
        title=f"pid 1 of {o.image}",
        path=o.image,
        runs=runs,
        checks=evaluate(f),
        duration_s=duration_s,
    )


def _orphan_run(f: Findings, settings: ImageSettings) -> RunRecord:
    """The third container: the orphan made for its pid 1 to adopt, and the tables it left."""
    run = RunRecord(
        "orphan",
        settings,
        container=f.containers["orphan"],
        output=f.output.get("orphan", []),
        checkpoints=[replace(s, run="orphan") for s in f.orphan_snapshots],
    )
    if f.orphan is not None:
        run.actions.append(
            NotedRecord(
                "orphan-adopted",
                "exec",
                notes=_set(
                    {
                        "made_orphan": f.orphan.pid,
                        "adopted_by": f.orphan.adopted_by,
                        "error": f.orphan.error,
                    }
                ),
            )
        )
    return run


def _set(data: dict) -> dict:
    """Without the keys that say nothing (an error that did not happen)."""
    return {k: v for k, v in data.items() if v is not None}
