"""``proclab doctor -f compose.yaml [SERVICE…]``: each service as Compose would run it (the file read
by the real Compose parser), one verdict per service, one exit status for the file: 0 when every
service checked is healthy, 1 otherwise (a service named on the command line that cannot be
checked alone counts as inconclusive; one not named is listed and skipped)."""
from __future__ import annotations

import os
import time
from dataclasses import replace

import click
from rich.console import Console
from rich.table import Table

from ..ui.safe import safe
from . import jsonout
from .doctor_cmd import narrate, progress


def doctor_compose(path: str, names: tuple[str, ...], base, as_json: bool,  # type: ignore[no-untyped-def]
                   junit_file: str | None) -> None:
    from ..doctor import examine, to_result
    from ..doctor.compose_service import service_options
    from ..engine import compose_file, image_config
    from ..errors import ImageMissing, UsageError

    cfg = compose_file.compose_config(path)
    services = cfg.get("services") or {}
    unknown = [n for n in names if n not in services]
    if unknown:
        raise UsageError(f"-f {path} has no service {', '.join(unknown)}; its services: {', '.join(sorted(services))}")
    project = str(cfg.get("name") or "compose")
    rows: list[tuple[str, object, str]] = []         # (service, LabResult or None, why not checked)
    for name in names or tuple(sorted(services)):
        svc = service_options(name, services[name], base)
        if svc.options is None:
            rows.append((name, None, svc.why_not))
            continue
        opts = svc.options
        if svc.build:
            progress(f"building service {name}'s image")
            opts = replace(opts, image=compose_file.build_service(project, name, svc.build,
                                                             os.environ.get("PROCLAB_IMAGE_TAG") or "latest"))
        try:
            image_config(opts.image)
        except ImageMissing:
            rows.append((name, None, f"there is no image {opts.image} here (docker compose pull or build it first)"))
            continue
        if not as_json:
            Console().rule(safe(f"proclab doctor: service {name} ({opts.image})", style="bold"))
        t0 = time.monotonic()
        result = to_result(examine(opts, progress), time.monotonic() - t0)
        if not as_json:
            narrate(result)
        rows.append((name, result, ""))
    named = set(names)
    passed = all(r is not None and r.passed for n, r, _ in rows if r is not None or n in named)  # type: ignore[union-attr]
    skipped = {n: why for n, r, why in rows if r is None}
    if junit_file:
        from ..doctor.junit import write_junit

        write_junit(junit_file, [(f"service {n}", r) for n, r, _ in rows if r is not None], skipped)  # type: ignore[misc]
    if as_json:
        click.echo(jsonout.dumps({"file": os.path.abspath(path), "project": project, "passed": passed, "services": [
            {"service": n, "verdict": _verdict(r), "why": why or None, "result": r.to_dict() if r else None}  # type: ignore[attr-defined]
            for n, r, why in rows]}))
    else:
        _summary(path, rows, passed)
    raise SystemExit(0 if passed else 1)


def _verdict(r) -> str:  # type: ignore[no-untyped-def]
    if r is None:
        return "not checkable alone"
    return {"passed": "healthy", "failed": "problems found"}.get(r.verdict, r.verdict)


def _summary(path: str, rows, passed: bool) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=safe(f"{path}: one verdict per service"))
    for col in ("service", "verdict", "why"):
        table.add_column(col)
    for name, r, why in rows:
        first = "" if r is None else next((c.name for c in r.checks if not c.passed), "")
        table.add_row(safe(name), safe(_verdict(r)), safe(why or first))
    out = Console(highlight=False)
    out.print(table)
    out.print(safe("HEALTHY" if passed else "PROBLEMS FOUND", style="bold green" if passed else "bold red"))
