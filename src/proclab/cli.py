"""The proclab command line. Only this layer prints and chooses exit codes:
0 every check passed, 1 a check failed, 2 a usage or environment error.
"""
from __future__ import annotations

import json
import signal
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import ImageBuildError, ProclabError

err_console = Console(stderr=True, highlight=False)


def _fail(message: str, code: int = 2, hint: str | None = None) -> None:
    err_console.print(f"[bold red]Error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    if hint:
        err_console.print(hint, highlight=False)
    raise SystemExit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proclab")
def cli() -> None:
    """proclab: see how Linux processes live and die, in real containers."""


@cli.command("list")
def list_labs() -> None:
    """List the built-in labs."""
    from . import labspec

    t = Table(show_header=True, header_style="bold", box=None)
    t.add_column("lab")
    t.add_column("what it shows")
    for spec in labspec.builtin():
        t.add_row(spec.name, spec.title)
    Console().print(t)


@cli.command("show")
@click.argument("lab")
def show(lab: str) -> None:
    """Print LAB's lesson (its README), its settings and its variants."""
    from rich.markdown import Markdown

    from . import labspec

    spec = labspec.resolve(lab)
    out = Console()
    if spec.readme.is_file():
        out.print(Markdown(spec.readme.read_text()))
    else:
        out.print(f"[bold]{spec.title}[/]\n{spec.summary}")
    out.print(f"\n[dim]folder: {spec.path}[/]")
    for v in spec.variants:
        changed = {k: val for k, val in spec.settings_for(v).items() if val != labspec.SETTINGS[k][1]}
        out.print(f"[dim]variant {v.name}: {v.summary or ''} {changed or ''}[/]")


@cli.command("run")
@click.argument("labs", nargs=-1)
@click.option("--all", "run_all", is_flag=True, help="Run every built-in lab.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the narration.")
@click.option("--variant", "variants", multiple=True, help="Run only this variant (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Also show the probe's own processes.")
@click.option("--predict", is_flag=True, help="Answer the lab's questions first, then see them beside what happened.")
@click.option("--answers", "answers_file", metavar="FILE",
              help="Predictions from FILE ('-' for stdin): 'id = answer' lines, or answers in order.")
def run(labs: tuple[str, ...], run_all: bool, as_json: bool, variants: tuple[str, ...], verbose: bool,
        predict: bool = False, answers_file: str | None = None) -> None:
    """Run LAB (a built-in name or a folder with a scenario.py) and check it."""
    from . import labspec
    from .render import Narrator, summary_table
    from .runner import Observer, run_lab

    if run_all:
        names: list[str] = labspec.builtin_names()
    elif labs:
        names = list(labs)
    else:
        raise click.UsageError("name a lab (see 'proclab list'), give a lab folder, or use --all")
    specs = [labspec.resolve(n) for n in names]   # bad names fail before anything runs
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
            results.append(result)
            if not as_json:
                observer.verdict(result)
            if predicted and not as_json:
                _show_predictions(result, predicted)
    except KeyboardInterrupt:
        if results and not as_json:   # keep what finished: the summary of the labs already run
            Console().print(summary_table(results))
        raise
    if as_json:
        doc: Any = results[0].to_dict() if len(results) == 1 and not run_all else {
            "passed": all(r.passed for r in results), "labs": [r.to_dict() for r in results]}
        if predicted:
            from .predict import reveal
            doc["predictions"] = [p.to_dict() for p in reveal(*predicted, results[0])]
        click.echo(json.dumps(doc, indent=2))
    elif len(results) > 1:
        Console().print(summary_table(results))
    raise SystemExit(0 if all(r.passed for r in results) else 1)


def _gather_predictions(specs: list[Any], run_all: bool, answers_file: str | None) -> tuple[list[Any], dict[str, Any]]:
    """--predict: the one lab's questions and the learner's answers (prompted, or from a file or stdin)."""
    from . import predict as pr

    if run_all or len(specs) != 1:
        raise click.UsageError("--predict and --answers take exactly one lab, e.g. proclab run zombies --predict")

    def prompt(q: Any) -> str:
        return click.prompt(f"? {q.prompt()}", default="", show_default=False, prompt_suffix="\n  > ", err=True)

    def complain(message: str) -> None:
        err_console.print(f"[yellow]{message}[/]", highlight=False)

    return pr.gather(specs[0], answers_file, stdin=sys.stdin, interactive=sys.stdin.isatty(),
                     prompt=prompt, complain=complain)


def _show_predictions(result: Any, predicted: tuple[list[Any], dict[str, Any]]) -> None:
    from .predict import reveal, score, verdict_table

    predictions = reveal(*predicted, result)
    out = Console()
    out.print(verdict_table(predictions))
    right, judged = score(predictions)
    out.print(f"[bold]{right} of {judged}[/] predictions right" + ("" if judged == len(predictions) else
              f" ({len(predictions) - judged} not judged: no answer, or not observed)"), highlight=False)


@cli.group()
def images() -> None:
    """Build proclab's images."""


@images.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
def images_build(force: bool) -> None:
    """Build every proclab image (creating a local Debian base if none can be pulled)."""
    from . import images as imgs
    from .runner import sweep_stale_once

    for gone in sweep_stale_once():     # what dead runs left behind, as 'run' does
        err_console.print(f"[dim]removed stale {gone}[/]", highlight=False)
    for tag in imgs.build_all(lambda line: err_console.print(f"[dim]{line}[/]", highlight=False), force=force):
        click.echo(f"ready: {tag}")


@cli.command()
@click.option("--images", "with_images", is_flag=True, help="Also remove proclab's built images.")
def clean(with_images: bool) -> None:
    """Remove every container, network and volume proclab created."""
    from . import engine
    from . import images as imgs

    removed = engine.sweep(all_runs=True)
    if with_images:
        removed += imgs.remove_all()
    for r in removed:
        click.echo(f"removed {r}")
    click.echo(f"{len(removed)} removed" if removed else "nothing to remove")


from .sched.cli import sched as _sched  # noqa: E402  (the scheduling simulator's command)

cli.add_command(_sched)

from .explore_cli import explore_group as _explore  # noqa: E402  (ssh-in exploration hosts)

cli.add_command(_explore)


def _on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli.main(args=argv, prog_name="proclab", standalone_mode=False)
    except click.exceptions.Exit as e:
        raise SystemExit(e.exit_code)
    except click.ClickException as e:
        e.show()
        raise SystemExit(e.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):   # click turns Ctrl-C into Abort
        from . import engine

        try:
            engine.remove_own()     # what an interrupted create made, if anything
        except (Exception, KeyboardInterrupt):   # a dead engine, a second Ctrl-C: the next command sweeps
            pass
        err_console.print("Interrupted: the lab's containers were removed.")
        raise SystemExit(130)
    except ImageBuildError as e:
        tail = "\n".join("  " + ln for ln in e.log_tail[-8:])
        _fail(str(e), 2, f"last lines of the build:\n{tail}" if tail else None)
    except ProclabError as e:
        _fail(str(e), e.exit_code)


if __name__ == "__main__":
    main()
