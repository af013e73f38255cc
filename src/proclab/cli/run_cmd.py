"""``proclab run``: run labs, narrated or as one JSON document, and predict first if asked."""
from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from .output import err_console


@click.command("run")
@click.argument("labs", nargs=-1)
@click.option("--all", "run_all", is_flag=True, help="Run every built-in lab.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the narration.")
@click.option("--variant", "variants", multiple=True, help="Run only this variant (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Also show the probe's own processes.")
@click.option("--predict", is_flag=True, help="Answer the lab's questions first, then see them beside what happened.")
@click.option("--answers", "answers_file", metavar="FILE",
              help="Predictions from FILE ('-' for stdin): 'id = answer' lines, or answers in order.")
@click.option("--html", "html_target", is_flag=False, flag_value="", default=None, metavar="[FILE]",
              help="Also write an HTML report (a folder with an index.html for several labs); default: under reports/.")
def run(labs: tuple[str, ...], run_all: bool, as_json: bool, variants: tuple[str, ...], verbose: bool,
        predict: bool = False, answers_file: str | None = None, html_target: str | None = None) -> None:
    """Run LAB (a built-in name or a folder with a scenario.py) and check it."""
    from ..lab import spec as labspec
    from ..lab.events import Observer
    from ..run.runner import run_lab
    from ..ui.charts import write_picture
    from ..ui.narration import Narrator
    from ..ui.tables import summary_table

    if run_all:
        names: list[str] = labspec.builtin_names()
    elif labs:
        names = list(labs)
    else:
        raise click.UsageError("name a lab (see 'proclab list'), give a lab folder, or use --all")
    specs = [labspec.resolve(n) for n in names]   # bad names fail before anything runs
    for n in names:
        if (folder := labspec.shadowed_by_folder(n)) is not None:
            err_console.print(Text(f"note: running the built-in lab '{n}', not the folder {folder}; "
                                   f"write ./{n} to run the folder", style="yellow"), highlight=False)
    if html_target:
        from .html_report import check_target
        check_target(html_target, many=run_all or len(specs) > 1)
    predicted = _gather_predictions(specs, run_all, answers_file) if predict or answers_file else None

    results = []
    if as_json:
        class Quiet(Observer):
            def progress(self, line: str) -> None:
                err_console.print(f"[dim]{line}[/]", highlight=False)
        observer: Any = Quiet()
    else:
        observer = Narrator(verbose=verbose)
    try:
        for spec in specs:
            result = run_lab(spec, variants=list(variants) or None, observer=observer)
            for problem in write_picture(result):
                observer.progress(problem)
            results.append(result)
            if not as_json:
                observer.verdict(result)
            if predicted and not as_json:
                _show_predictions(result, predicted)
    except KeyboardInterrupt:
        if results and not as_json:   # keep what finished: the summary of the labs already run
            Console().print(summary_table(results))
        raise
    if html_target is not None:
        from .html_report import report_run
        report_run(results, html_target or None, many=run_all or len(results) > 1, say=observer.progress)
    if as_json:
        doc: Any = results[0].to_dict() if len(results) == 1 and not run_all else {
            "passed": all(r.passed for r in results), "labs": [r.to_dict() for r in results]}
        if predicted:
            from ..lab.questions import reveal
            doc["predictions"] = [p.to_dict() for p in reveal(*predicted, results[0])]
        click.echo(json.dumps(doc, indent=2))
    elif len(results) > 1:
        Console().print(summary_table(results))
    raise SystemExit(0 if all(r.passed for r in results) else 1)


def _gather_predictions(specs: list[Any], run_all: bool, answers_file: str | None) -> tuple[list[Any], dict[str, Any]]:
    """--predict: the one lab's questions and the learner's answers (prompted, or from a file or stdin)."""
    from ..lab import questions as pr

    if run_all or len(specs) != 1:
        raise click.UsageError("--predict and --answers take exactly one lab, e.g. proclab run zombies --predict")

    def prompt(q: Any) -> str:
        return click.prompt(f"? {q.prompt()}", default="", show_default=False, prompt_suffix="\n  > ", err=True)

    def complain(message: str) -> None:
        err_console.print(f"[yellow]{message}[/]", highlight=False)

    return pr.gather(specs[0], answers_file, stdin=sys.stdin, interactive=sys.stdin.isatty(),
                     prompt=prompt, complain=complain)


def _show_predictions(result: Any, predicted: tuple[list[Any], dict[str, Any]]) -> None:
    from ..lab.questions import reveal, score
    from ..ui.predictions import verdict_table

    predictions = reveal(*predicted, result)
    out = Console()
    out.print(verdict_table(predictions))
    right, judged = score(predictions)
    out.print(f"[bold]{right} of {judged}[/] predictions right" + ("" if judged == len(predictions) else
              f" ({len(predictions) - judged} not judged: no answer, or not observed)"), highlight=False)
