"""``proclab mutate LAB|PATH``: run a lab once, then show for each of its checks a one-fact
change of the result that makes it fail, or that none could (then the check proves nothing)."""
from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console

from .output import err_console


@click.command("mutate")
@click.argument("lab")
@click.option("--json", "as_json", is_flag=True, help="Print the table as one JSON document.")
@click.option("--variant", "variants", multiple=True, help="Run only this variant (repeatable).")
def mutate(lab: str, as_json: bool, variants: tuple[str, ...]) -> None:
    """Can each check of LAB fail? Exit 0 when every one can, 1 when one cannot."""
    from rich.text import Text

    from ..lab import mutate as mut
    from ..lab import spec as labspec
    from ..lab.checking import load_checks
    from ..lab.events import Observer
    from ..run.runner import run_lab
    from ..ui.mutations import mutation_table

    spec = labspec.resolve(lab)
    extra = mut.load_extra(spec.path)
    checks = load_checks(spec.checks_file, spec.name)

    class Progress(Observer):
        def progress(self, line: str) -> None:
            err_console.print(Text(line, style="dim"))

        def run_finished(self, run: Any) -> None:
            err_console.print(Text(f"ran {spec.name}/{run.variant}: exit code {run.exit_code}", style="dim"))

    result = run_lab(spec, variants=list(variants) or None, observer=Progress())
    verdicts = mut.find_failing(checks, result, extra(result) if extra else (), spec.check_timeout_s)
    ok = bool(verdicts) and all(v.can_fail for v in verdicts)
    if as_json:
        click.echo(json.dumps({"lab": spec.name, "lab_passed": result.passed, "every_check_can_fail": ok,
                               "checks": [v.to_dict() for v in verdicts]}, indent=2))
    else:
        out = Console(highlight=False)
        if not verdicts:
            out.print(Text(f"{spec.name} has no checks: there is nothing that could fail", style="red"))
        else:
            out.print(mutation_table(spec.name, verdicts))
            bad = [v.check for v in verdicts if not v.can_fail]
            out.print(Text(f"every check of {spec.name} can fail" if ok else
                           f"{len(bad)} of {len(verdicts)} checks cannot be made to fail: " + "; ".join(bad),
                           style="green" if ok else "bold red"))
    raise SystemExit(0 if ok else 1)
