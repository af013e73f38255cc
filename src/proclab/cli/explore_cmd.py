"""``proclab explore``: exploration hosts to ssh into, provisioned and checked with Ansible.

Presentation only: the containers are explore/hosts.py's, the playbooks explore/playbooks.py's.
Errors are raised as proclab errors for cli.main to print; a failed playbook's
output is shown first, so the one-line error has its evidence above it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..errors import EnvironmentProblem, UsageError
from ..explore import hosts as ex
from ..jsonform import encode
from . import jsonout

err_console = Console(stderr=True, highlight=False)


def _progress(line: str) -> None:
    err_console.print(f"[dim]{line}[/]", highlight=False)


def _with_playbook_output(fn: Any, *args: Any) -> Any:
    from ..explore.playbooks import PlaybookFailed

    try:
        return fn(*args)
    except PlaybookFailed as e:
        err_console.print(e.output[-6000:], markup=False, highlight=False)
        raise


@click.group("explore")
def explore_group() -> None:
    """Exploration hosts: ssh in as 'student', do the exercises, get them checked.

    \b
      proclab explore up [NAME...]     start and provision (default name: explore)
      proclab explore ssh [NAME]       log in
      proclab explore check [NAME...]  run the exercise checkers over ssh
      proclab explore hint EXERCISE    a hint (level 1 to 3: a nudge, the command, the answer)
      proclab explore class            check every host, write a class report
      proclab explore down [NAME...]   remove them (yours, without names; --all: everyone's)
    """


@explore_group.command("up")
@click.argument("names", nargs=-1)
def up(names: tuple[str, ...]) -> None:
    """Start one exploration host per NAME, make its key pair, provision it over ssh."""
    hosts = _with_playbook_output(ex.start, list(names) or [ex.DEFAULT_NAME], _progress)
    for h in hosts:
        click.echo(
            f"{h.name}: up on 127.0.0.1:{h.port}; log in with 'proclab explore ssh {h.name}'"
        )


@explore_group.command("ssh", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def ssh(args: tuple[str, ...]) -> None:
    """Log in as 'student': ssh [NAME] [COMMAND...].

    NAME can be left out when one host is up; words after it are a command to run there.
    """
    hosts = {h.name: h for h in ex.select(())}
    words = list(args)
    if words and words[0] == "--":
        words.pop(0)
    if words and words[0] in hosts:
        host = hosts[words.pop(0)]
    elif len(hosts) == 1:
        host = next(iter(hosts.values()))
    else:
        raise UsageError(
            f"several exploration hosts are up ({', '.join(hosts)}); "
            "name one: 'proclab explore ssh NAME'"
        )
    if words and words[0] == "--":
        words.pop(0)
    if not shutil.which("ssh"):
        raise EnvironmentProblem(
            "no ssh client on this machine; install one (apt-get install openssh-client)"
        )
    argv = host.ssh_argv(*words)
    os.execvp(argv[0], argv)


LANG_OPTION = click.option(
    "--lang", metavar="en|zh", help="The checkers' language (default: from LANG, e.g. zh_CN.UTF-8)."
)


@explore_group.command("check")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@LANG_OPTION
def check(names: tuple[str, ...], as_json: bool, lang: str | None) -> None:
    """Run every exercise's checker on the hosts (all, without names) over ssh (playbooks/check.yml).

    Exit status 0 when every exercise passed on every host, 1 otherwise.
    """
    from ..explore.playbooks import check as run_check
    from ..lab.lesson import language

    lang = language(lang)
    hosts = ex.select(names)
    results, _ = _with_playbook_output(run_check, hosts, lang)
    if as_json:
        jsonout.emit({"hosts": encode(results)})
    else:
        t = Table(show_header=True, header_style="bold", box=None, show_lines=False)
        for col in ("host", "exercise", "result", "what the checker saw"):
            t.add_column(col, overflow="fold")
        for r in results:
            if r.problem:
                t.add_row(r.host, "—", "[red]no report[/]", r.problem)
            for x in r.results:
                hint = f" [dim](hint {x['hints']})[/]" if x.get("hints") else ""
                t.add_row(
                    r.host,
                    x["exercise"],
                    ("[green]pass[/]" if x["passed"] else "[yellow]not yet[/]") + hint,
                    x["saw"],
                )
        Console().print(t)
    done = all(not r.problem and r.results and all(x["passed"] for x in r.results) for r in results)
    raise SystemExit(0 if done else 1)


@explore_group.command("class")
@click.argument("names", nargs=-1)
@click.option(
    "--report",
    "report",
    default="class-report.json",
    show_default=True,
    help="Where to write the class report (JSON).",
)
@LANG_OPTION
def class_report(names: tuple[str, ...], report: str, lang: str | None) -> None:
    """Check every host (one per learner) and write who finished what, and the hints each asked
    for (playbooks/classroom.yml)."""
    from ..explore.playbooks import classroom
    from ..lab.lesson import language

    lang = language(lang)
    hosts = ex.select(names)
    doc, _ = _with_playbook_output(classroom, hosts, Path(report), lang)
    t = Table(show_header=True, header_style="bold", box=None)
    for col in ("learner", "finished", "not yet", "hints (level)"):
        t.add_column(col, overflow="fold")
    for learner, row in doc.items():
        if not row["reachable"]:
            t.add_row(learner, "[red]unreachable[/]", "", "")
        else:
            hints = ", ".join(f"{name} ({level})" for name, level in row.get("hints", {}).items())
            t.add_row(
                learner,
                ", ".join(row["finished"]) or "—",
                ", ".join(row["not_yet"]) or "—",
                hints or "—",
            )
    Console().print(t)
    click.echo(f"class report: {Path(report).resolve()}")


@explore_group.command("hint")
@click.argument("exercise")
@click.option(
    "--level",
    type=click.IntRange(1, 3),
    help="1 a nudge, 2 the command, 3 the answer [default: the next after the last you asked for].",
)
@click.option("--host", "host_name", help="The exploration host (needed when several are up).")
@LANG_OPTION
def hint(exercise: str, level: int | None, host_name: str | None, lang: str | None) -> None:
    """A hint for EXERCISE, asked on the host (python3 ~/exercises/hint.py), so it is recorded
    there and the class report shows it."""
    import subprocess

    from ..lab.lesson import language
    from ..paths import project_root

    lang = language(lang)
    known = sorted(p.parent.name for p in (project_root() / "exercises").glob("*/hints.toml"))
    if exercise not in known:
        raise UsageError(f"no exercise named '{exercise}'; there are: {', '.join(known)}")
    hosts = {h.name: h for h in ex.select([host_name] if host_name else ())}
    if len(hosts) != 1:
        raise UsageError(
            f"several exploration hosts are up ({', '.join(hosts)}); name one: --host NAME"
        )
    host = next(iter(hosts.values()))
    if not shutil.which("ssh"):
        raise EnvironmentProblem(
            "no ssh client on this machine; install one (apt-get install openssh-client)"
        )
    argv = host.ssh_argv(
        "python3",
        "exercises/hint.py",
        exercise,
        "--lang",
        lang,
        *(["--level", str(level)] if level else []),
    )
    done = subprocess.run(argv, text=True, capture_output=True)
    click.echo(done.stdout, nl=False)
    if done.returncode != 0:
        raise EnvironmentProblem(
            f"the hint on {host.name} failed (exit {done.returncode}): "
            f"{done.stderr.strip()[-500:] or 'no message'}"
        )


@explore_group.command("down")
@click.argument("names", nargs=-1)
@click.option(
    "--all", "every", is_flag=True, help="Remove every exploration host on this engine, anyone's."
)
def down(names: tuple[str, ...], every: bool) -> None:
    """Remove exploration hosts: those named, or (without names) the ones you started; --all: every one."""
    if every and names:
        raise UsageError("give host names or --all, not both")
    targets = list(names) or [h.name for h in ex.saved()]
    removed = [r for n in targets for r in ex.stop(n)]
    if every:
        removed += ex.stop_every()
    elif not names:
        click.echo(
            f"removing the exploration hosts you started (keys in {ex.state_root()}); "
            "'proclab explore down --all' removes everyone's"
        )
    for r in removed:
        click.echo(f"removed {r}")
    click.echo(f"{len(removed)} removed" if removed else "nothing to remove")
