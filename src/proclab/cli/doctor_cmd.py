"""``proclab doctor IMAGE [-- CMD…]``: check any image's pid 1, narrated or as one JSON document.
Exit 0 all good, 1 a problem found (or a check the host did not allow: inconclusive), 2 a usage error."""
from __future__ import annotations

import os
import re
import time

import click
from rich.console import Console
from rich.text import Text

from ..ui.safe import safe, visible

from . import jsonout
from .output import err_console


def _env(pairs: tuple[str, ...]) -> dict[str, str]:
    """compose-style: KEY=VALUE, or KEY alone to pass this shell's value on."""
    env = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not key or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise click.UsageError(f"--env {pair!r}: give KEY=VALUE (or KEY to pass this shell's value)")
        if not eq and key not in os.environ:
            raise click.UsageError(f"--env {key}: it is not set in this shell; give {key}=VALUE")
        env[key] = value if eq else os.environ[key]
    return env


@click.command("doctor")
@click.argument("image")
@click.argument("command", nargs=-1, metavar="[-- CMD…]")
@click.option("--init", is_flag=True, help="Run it with Docker's init (tini) as pid 1, as 'docker run --init'.")
@click.option("-e", "--env", "env", multiple=True, metavar="KEY=VALUE", help="An environment variable (repeatable).")
@click.option("-u", "--user", default=None, help="Run as this user (name, uid or uid:gid).")
@click.option("--ready-log", default=None, metavar="REGEX",
              help="It is up when a line of its output matches REGEX (default: its processes hold still for 1 s).")
@click.option("-t", "--time", "grace_s", type=click.IntRange(1, 120), default=5, show_default=True,
              help="docker stop's grace period in seconds (Docker's own default is 10).")
@click.option("--ready-timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True,
              help="Seconds to wait for it to be up.")
@click.option("--pids-limit", type=click.IntRange(8, 100000), default=None, help="The pids limit it runs with.")
@click.option("--memory", default=None, metavar="SIZE", help="The memory limit it runs with (e.g. 512m).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (the shape of a lab run's).")
def doctor(image: str, command: tuple[str, ...], init: bool, env: tuple[str, ...], user: str | None,
           ready_log: str | None, grace_s: int, ready_timeout: float, pids_limit: int | None,
           memory: str | None, as_json: bool) -> None:
    """Check IMAGE's pid 1: who it is, does it reap orphans, does it end on docker stop and SIGINT,
    does it pass signals on. Runs the image's own entrypoint and command, or CMD after '--'."""
    from ..doctor import DoctorOptions, examine, image_config, to_result

    if ready_log is not None:
        try:
            re.compile(ready_log)
        except re.error as err:
            raise click.UsageError(f"--ready-log {ready_log!r} is not a regular expression: {err}")
    if memory is not None and not re.fullmatch(r"\d+[bkmg]?", memory.lower()):
        raise click.UsageError(f"--memory {memory!r}: give a size such as 512m or 1g")
    opts = DoctorOptions(image=image, command=command, init=init, env=_env(env), user=user, ready_log=ready_log,
                         grace_s=grace_s, ready_timeout_s=ready_timeout, pids_limit=pids_limit, memory=memory)
    t0 = time.monotonic()
    image_config(image)        # a missing image is a usage error before anything is printed

    def progress(line: str) -> None:
        if not line.startswith((" ---> ", "Removing intermediate", "Step ")):
            err_console.print(safe(f"  {line}", style="dim"), no_wrap=True, overflow="ellipsis")

    if not as_json:
        Console().rule(safe(f"proclab doctor {image}", style="bold"))
    result = to_result(examine(opts, progress), time.monotonic() - t0)
    if as_json:
        click.echo(jsonout.dumps(result.to_dict()))     # strict: no NaN, no lone surrogate
    else:
        _narrate(result)
    raise SystemExit(0 if result.passed else 1)


def _narrate(result) -> None:  # type: ignore[no-untyped-def]
    from ..ui.tables import actions_table, print_checks
    from ..ui.tree import process_tree

    out = Console(highlight=False)
    for snap in result.checkpoints:
        if snap.name in ("ready", "orphan-exited"):
            out.print(Text(f"◆ {snap.name} at {snap.at_s:.2f}s", style="bold magenta"))
            out.print(process_tree(snap))
    ended = actions_table(result)
    if ended is not None:
        out.print(ended)
    print_checks(out, result.checks)
    verdict = (Text("HEALTHY", style="bold green") if result.passed else
               Text("PROBLEMS FOUND", style="bold red"))
    out.print(Text.assemble(verdict, visible(f"  pid 1 of {result.path}, checked in {result.duration_s:.1f}s")))
