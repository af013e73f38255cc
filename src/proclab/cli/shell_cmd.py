"""Stepping through a lab: ``proclab shell LAB [--at CHECKPOINT]``, and what ``proclab run
--step/--break`` needs checked before it runs (a terminal, checkpoint names the lab has)."""
from __future__ import annotations

import re
import sys
from typing import Any

import click

from ..errors import UsageError
from ..lab.events import StoppedByLearner
from .output import err_console

CALL = re.compile(r"""\bcheckpoint\(\s*(f?)(["'])(.*?)\2""")
CALLS = re.compile(r"\bcheckpoint\(")


def need_terminal(option: str) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(f"{option} needs a terminal: it stops at checkpoints and reads your answer "
                         "(run it in an interactive shell, not through a pipe or CI)")


def breaks_from(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.strip() for v in values for n in v.split(",") if n.strip())


def announced(source: str) -> tuple[set[str], list[re.Pattern[str]]] | None:
    """The checkpoint names a scenario's source announces: literal names, and f-string names as
    patterns (``f"orphan-{i}"`` matches orphan-1); None when some call names its checkpoint otherwise."""
    literal: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    calls = CALL.findall(source)
    if len(calls) != len(CALLS.findall(source)) - source.count("def checkpoint("):
        return None
    for fstring, _, name in calls:
        if fstring:
            patterns.append(re.compile("".join(".+" if part.startswith("{") else re.escape(part)
                                               for part in re.split(r"(\{[^}]*\})", name)) + "$"))
        else:
            literal.add(name)
    return literal, patterns


def check_names(specs: list[Any], names: frozenset[str], option: str) -> None:
    """A checkpoint name no scenario announces is a typo: say so before anything runs.

    A scenario whose names are not in its source as strings is not judged here."""
    known: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for spec in specs:
        found = announced(spec.scenario.read_text() if spec.scenario.is_file() else "")
        if not found:
            return
        known |= found[0]
        patterns += found[1]
    unknown = sorted(n for n in names - known if not any(p.match(n) for p in patterns))
    if unknown:
        raise UsageError(f"{option}: no checkpoint named {', '.join(unknown)} in "
                         f"{', '.join(s.name for s in specs)}; its checkpoints: {', '.join(sorted(known))}")


def narrator(specs: list[Any], step: bool, breaks: tuple[str, ...], as_json: bool, jobs: int = 1) -> Any:
    """--step / --break: the narrator class that stops (after checking a terminal and the names), or None."""
    if not step and not breaks:
        return None
    if as_json:
        raise UsageError("--step and --break stop for your answers: they do not mix with --json")
    if jobs > 1:
        raise UsageError("--step and --break stop one lab at a time: they do not mix with --jobs")
    need_terminal("--step" if step else "--break")
    names = breaks_from(breaks) if breaks else None
    if names is not None:
        check_names(specs, names, "--break")
    from functools import partial

    from ..ui.step import StepNarrator
    return partial(StepNarrator, names)


def stopped(stop: StoppedByLearner) -> None:
    """The learner ended the run at a pause: the runner has removed its container."""
    err_console.print(f"Stopped: {stop.why}; the lab's container was removed.", highlight=False)
    raise SystemExit(130)


@click.command("shell")
@click.argument("lab")
@click.option("--at", "at", metavar="CHECKPOINT", help="Stop here (default: the first checkpoint).")
@click.option("--variant", help="The variant to run (default: the first).")
def shell(lab: str, at: str | None, variant: str | None) -> None:
    """Run LAB to a checkpoint, open a shell in its container there, and go on when you leave it."""
    from ..lab import spec as labspec
    from ..run.runner import run_lab
    from ..ui.step import ShellNarrator

    need_terminal("proclab shell")
    spec = labspec.resolve(lab)
    if at:
        check_names([spec], frozenset({at}), "--at")
    chosen = [variant] if variant else [spec.variants[0].name]
    observer = ShellNarrator(at)
    try:
        result = run_lab(spec, variants=chosen, observer=observer)
    except StoppedByLearner as stop:
        stopped(stop)
    observer.verdict(result)
    raise SystemExit(0 if result.passed else 1)
