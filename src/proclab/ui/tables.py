"""Tables at the end of a run: each check's verdict, how containers ended, the summary of many labs."""
from __future__ import annotations

import textwrap
from typing import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..lab.result import CheckResult, KillRecord, LabResult, StopRecord
from .translations import word
from .safe import safe, visible


def print_checks(c: Console, checks: Iterable[CheckResult], lang: str = "en") -> None:
    checks = list(checks)
    if not checks:
        c.print(Text("(this lab has no checks: its snapshots are shown above)" if lang != "zh" else word("no checks", lang),
                     style="dim"))
    for ck in checks:
        if ck.inconclusive:     # not measured (a busy host): neither a tick nor a cross
            c.print(Text.assemble((f"? {word('inconclusive', lang)}: ", "bold yellow"), (ck.title(lang), "bold")))
            print_folded(c, ck.detail, "yellow")
            continue
        mark = Text("✔ ", style="bold green") if ck.passed else Text("✘ ", style="bold red")
        c.print(Text.assemble(mark, (visible(ck.title(lang)), "bold" if not ck.passed else "")))
        print_folded(c, ck.detail, "dim" if ck.passed else "red")
        if ck.warning:
            print_folded(c, f"⚠ {ck.warning}", "yellow")


def print_folded(c: Console, line: str, style: str = "dim", indent: str = "    ") -> None:
    """A long evidence line wraps at word boundaries, its continuation lines indented."""
    width = max(20, c.width - len(indent) - 2)
    for i, part in enumerate(textwrap.wrap(line, width, break_on_hyphens=False) or [""]):
        c.print(safe(indent + ("  " if i else "") + part, style=style), no_wrap=True, overflow="fold")


VERDICT_TEXT = {"passed": Text("passed", style="green"), "failed": Text("FAILED", style="bold red"),
                "inconclusive": Text("inconclusive", style="bold yellow")}


def check_count(r: LabResult) -> str:
    """'7/9' passed, with '(2 inconclusive)' when some could not measure."""
    n = r.counts()
    return f"{n['passed']}/{len(r.checks)}" + (f" ({n['inconclusive']} inconclusive)" if n["inconclusive"] else "")


def summary_table(results: list[LabResult]) -> Table:
    t = Table(title="proclab: summary", title_style="bold")
    t.add_column("lab")
    t.add_column("checks", justify="right")
    t.add_column("time", justify="right")
    t.add_column("result")
    several = len({r.engine for r in results}) > 1      # run --engine A --engine B: say which ran each
    if several:
        t.add_column("engine")
    for r in results:
        row = [safe(r.lab), check_count(r), f"{r.duration_s:.1f}s", VERDICT_TEXT[r.verdict]]
        t.add_row(*row, *([safe(r.engine)] if several else []))
    return t


def actions_table(result: LabResult) -> Table | None:
    """The lab's stop and kill actions side by side: how long each took, what exit code it left."""
    rows = [(r.variant, a) for r in result.runs for a in r.actions if isinstance(a, (StopRecord, KillRecord))]
    if not rows:
        return None
    t = Table(title="how each container ended", title_style="bold", title_justify="left")
    t.add_column("variant")
    t.add_column("harness did")
    t.add_column("took", justify="right")
    t.add_column("exit code", justify="right")
    for variant, a in rows:
        if isinstance(a, StopRecord):
            did, took, code = f"docker stop -t {a.grace_s:g}", a.took_s, a.exit_code
        else:
            assert isinstance(a, KillRecord)
            did, took, code = f"docker kill --signal {a.signal}", a.took_s, a.exit_code
        t.add_row(safe(variant), safe(did), "-" if took is None else f"{took:.2f}s",
                  safe(a.error if a.error else "-" if code is None else str(code)))
    return t
