"""``proclab run``: run labs, narrated or as one JSON document, and predict first if asked."""
from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.text import Text

from ..errors import UsageError
from ..lab.events import StoppedByLearner
from ..ui.safe import safe
from . import jsonout
from . import shell_cmd as step_cli
from .output import err_console
from .state import cli_state


@click.command("run")
@click.argument("labs", nargs=-1)
@click.option("--all", "run_all", is_flag=True, help="Run every built-in lab.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the narration.")
@click.option("--variant", "variants", multiple=True, help="Run only this variant (repeatable).")
@click.option("-v", "--verbose", is_flag=True,
              help="Show every process at each checkpoint (and the probe's own), not only the ones it names.")
@click.option("--predict", is_flag=True, help="Answer the lab's questions first, then see them beside what happened.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Run up to N labs side by side (labs that measure CPU time still run alone).")
@click.option("--answers", "answers_file", metavar="FILE",
              help="Predictions from FILE ('-' for stdin): 'id = answer' lines, or answers in order; "
                   "for several labs, each lab's answers under a [lab] line.")
@click.option("--html", "html_target", is_flag=False, flag_value="", default=None, metavar="[FILE]",
              help="Also write an HTML report (a folder with an index.html for several labs); default: under reports/.")
@click.option("--lang", metavar="en|zh", help="The lesson's language (default: from LANG, e.g. zh_CN.UTF-8).")
@click.option("--strict", is_flag=True, help="Exit 1 when a check is inconclusive (a busy host), not only when one fails.")
@click.option("--python", "python", type=click.Choice(["3.11", "3.14"]), default=None,
              help="The lab image's Python: 3.11 (Debian bookworm, the default) or 3.14 (Debian forky).")
@click.option("--allow", "allow", multiple=True, metavar="SETTING[,...]",
              help="Let a lab from elsewhere use these settings that weaken its container "
                   "(user, cap_add, network, read_only, pids_limit, mem_limit).")
@click.option("--step", is_flag=True, help="Stop at every checkpoint: look around (a shell, top, the lesson), then go on.")
@click.option("--break", "breaks", multiple=True, metavar="NAME[,NAME...]", help="Stop only at these checkpoints.")
@click.option("--allow-all-settings", is_flag=True, help="Let a lab from elsewhere weaken its container in every way it asks.")
@click.option("--no-trace", is_flag=True, help="Keep no kernel record (the events of docs/tracing.md); checks that need it are inconclusive.")
@click.option("--events", "events_shown", type=click.Choice(["some", "all", "none"]), default="some", show_default=True,
              help="The kernel's events narrated between checkpoints: a few each time, all, or none.")
@click.option("--perfetto", "perfetto_file", metavar="FILE",
              help="Also write the runs' kernel record as Chrome Trace Event Format JSON (ui.perfetto.dev opens it).")
@click.option("--engine", "engine_refs", multiple=True, metavar="CONTEXT|URL",
              help="Run on this engine: a docker context name or a DOCKER_HOST URL (unix://, tcp://, ssh://). "
                   "Repeat it to share the labs among engines (--jobs labs at a time on each).")
def run(labs: tuple[str, ...], run_all: bool, as_json: bool, variants: tuple[str, ...], verbose: bool,
        predict: bool = False, answers_file: str | None = None, html_target: str | None = None,
        lang: str | None = None, strict: bool = False, jobs: int = 1, allow: tuple[str, ...] = (),
        allow_all_settings: bool = False, step: bool = False, breaks: tuple[str, ...] = (),
        python: str | None = None, no_trace: bool = False, events_shown: str = "some",
        perfetto_file: str | None = None, engine_refs: tuple[str, ...] = ()) -> None:
    """Run LAB (a built-in name or a folder with a scenario.py) and check it."""
    from .. import engine

    refs = _engines(engine_refs, several_allowed=not (predict or answers_file or python or step or breaks))
    with engine.everywhere(refs[0] if len(refs) == 1 else None):
        _run(labs, run_all, as_json, variants, verbose, predict, answers_file, html_target, lang, strict, jobs,
             allow, allow_all_settings, step, breaks, python, no_trace, events_shown, perfetto_file, refs)


def _engines(refs: tuple[str, ...], several_allowed: bool) -> list[str]:
    """The --engine values, each one answering (else one Error: line naming it)."""
    from .. import engine

    if len(refs) > 1 and not several_allowed:
        raise UsageError("--engine given more than once shares the labs among the engines: "
                         "it cannot be combined with --predict, --answers, --python, --step or --break")
    for ref in dict.fromkeys(refs):
        with engine.using(ref):
            engine.client()         # EngineUnavailable: 'the Docker engine at ... does not answer'
    return list(dict.fromkeys(refs))


def _run(labs: tuple[str, ...], run_all: bool, as_json: bool, variants: tuple[str, ...], verbose: bool,
         predict: bool, answers_file: str | None, html_target: str | None, lang: str | None, strict: bool,
         jobs: int, allow: tuple[str, ...], allow_all_settings: bool, step: bool, breaks: tuple[str, ...],
         python: str | None, no_trace: bool, events_shown: str, perfetto_file: str | None,
         refs: list[str]) -> None:
    from ..lab.lesson import language
    from ..run.runner import run_lab
    from ..ui.bar_charts import write_picture
    from ..ui.tables import summary_table
    from .outcome import exit_status

    specs = _specs(labs, run_all)   # bad names fail before anything runs
    if html_target:
        from .html_report import check_target
        check_target(html_target, many=run_all or len(specs) > 1)
    if perfetto_file:
        from .perfetto_out import check_target as check_perfetto
        check_perfetto(perfetto_file)
    allowed = consent(specs, allow, allow_all_settings)   # and so do settings the user has not allowed
    lang = language(lang)
    stepping = step_cli.narrator(specs, step, breaks, as_json, jobs)
    quiz = _quiz(specs, answers_file, lang) if predict or answers_file else None

    results = []
    observer = _observer(as_json, verbose, lang, stepping, events_shown)
    try:
        # predictions ask lab by lab; --python: in turn too
        if (jobs > 1 or len(refs) > 1) and len(specs) > 1 and not quiz and not python:
            from .jobs import side_by_side
            results, specs = side_by_side(specs, jobs, list(variants) or None, as_json, verbose, lang,
                                          trace=not no_trace, events=events_shown,
                                          engines=refs if len(refs) > 1 else None), []
        for spec in specs:
            if quiz:
                quiz.before(spec, many=len(specs) > 1)
            result = run_lab(spec, variants=list(variants) or None, observer=observer, allow=allowed, python=python,
                             trace=not no_trace)
            for problem in write_picture(result):
                observer.progress(problem)
            results.append(result)
            if not as_json:
                observer.verdict(result)
            if quiz:
                quiz.after(result, show=not as_json)
    except (KeyboardInterrupt, StoppedByLearner) as stop:
        cli_state().finished = [r.to_dict() for r in results]
        if results and not as_json:   # keep what finished: the summary of the labs already run
            Console().print(summary_table(results))
        if isinstance(stop, StoppedByLearner):
            step_cli.stopped(stop)
        raise
    if html_target is not None:
        from .html_report import report_run
        report_run(results, html_target or None, many=run_all or len(results) > 1, say=observer.progress, lang=lang)
    if perfetto_file:
        from .perfetto_out import write_trace
        write_trace(results, perfetto_file, say=observer.progress)
    if as_json:
        jsonout.emit(_json_doc(results, run_all, quiz))
    elif len(results) > 1:
        Console().print(summary_table(results))
    if quiz:
        quiz.finish(show=not as_json)
    raise SystemExit(exit_status(results, strict))


def _observer(as_json: bool, verbose: bool, lang: str | None, stepping: Any = None, events: str = "some") -> Any:
    """The narrator (--step's, if stepping), or for --json one that only says progress, on stderr."""
    from ..lab.events import Observer
    from ..ui.narration import Narrator

    if not as_json:
        return (stepping or Narrator)(verbose=verbose, lang=lang, events=events)

    class Quiet(Observer):
        def progress(self, line: str) -> None:
            err_console.print(safe(line, style="dim"), highlight=False)
    return Quiet()


def _json_doc(results: list[Any], run_all: bool, quiz: Any) -> Any:
    """The --json document: one lab's result, or every lab's; with the predictions when asked."""
    from .outcome import combined_verdict

    doc: Any = results[0].to_dict() if len(results) == 1 and not run_all else {
        "passed": all(r.passed for r in results), "verdict": combined_verdict(results),
        "labs": [r.to_dict() for r in results]}
    if quiz and "labs" in doc:
        for lab_doc in doc["labs"]:
            lab_doc["predictions"] = quiz.to_json(lab_doc["lab"])
        doc["score"] = quiz.totals()
    elif quiz:
        doc["predictions"] = quiz.to_json(results[0].lab)
    return doc


def _specs(labs: tuple[str, ...], run_all: bool) -> list[Any]:
    """The labs named (or every built-in one), resolved; a bare name a folder shadows says so."""
    from ..lab import spec as labspec

    if run_all:
        names: list[str] = labspec.builtin_names()
    elif labs:
        names = list(labs)
    else:
        raise UsageError("name a lab (see 'proclab list'), give a lab folder, or use --all")
    specs = [labspec.resolve(n) for n in names]
    for n in names:
        if (folder := labspec.shadowed_by_folder(n)) is not None:
            err_console.print(Text(f"note: running the built-in lab '{n}', not the folder {folder}; "
                                   f"write ./{n} to run the folder", style="yellow"), highlight=False)
    return specs


def consent(specs: list[Any], allow: tuple[str, ...], allow_all: bool) -> frozenset[str]:
    """The settings the user allows; a lab that needs more is refused here, before any lab runs."""
    from ..lab.containment import parse_allow, require_consent

    allowed = parse_allow(allow, allow_all)
    for spec in specs:
        require_consent(spec, allowed)
    return allowed


def _quiz(specs: list[Any], answers_file: str | None, lang: str) -> Any:
    """--predict / --answers: every lab's questions, and the answers when they come from a file."""
    from .quiz import Quiz

    return Quiz(specs, answers_file, lang)
