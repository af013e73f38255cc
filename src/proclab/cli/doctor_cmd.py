"""``proclab doctor IMAGE [-- CMD…]``: check any image's pid 1, narrated or as one JSON document.
Exit 0 all good, 1 a problem found (or a check the host did not allow: inconclusive), 2 a usage error."""

from __future__ import annotations

import os
import re
import time

import click
from rich.console import Console
from rich.text import Text

from ..errors import UsageError
from ..lab import document
from ..ui.safe import safe, visible
from . import jsonout
from .output import err_console


def _env(pairs: tuple[str, ...]) -> dict[str, str]:
    """compose-style: KEY=VALUE, or KEY alone to pass this shell's value on."""
    env = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not key or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise UsageError(f"--env {pair!r}: give KEY=VALUE (or KEY to pass this shell's value)")
        if not eq and key not in os.environ:
            raise UsageError(f"--env {key}: it is not set in this shell; give {key}=VALUE")
        env[key] = value if eq else os.environ[key]
    return env


def _signal_name(value: str | None, option: str) -> str | None:
    """docker run --stop-signal's forms: SIGTERM, TERM or 15."""
    if value is None:
        return None
    import signal

    v = value.upper()
    try:
        return (
            signal.Signals(int(v)).name
            if v.isdigit()
            else signal.Signals[v if v.startswith("SIG") else "SIG" + v].name
        )
    except (KeyError, ValueError):
        raise UsageError(
            f"{option} {value!r}: give a signal's name or number, e.g. SIGTERM, TERM or 15"
        ) from None


def _caps(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    out = []
    for v in values:
        cap = v.upper().removeprefix("CAP_")
        if not re.fullmatch(r"[A-Z_]+", cap):
            raise UsageError(
                f"{option} {v!r}: give a capability's name, e.g. KILL or NET_ADMIN (or ALL)"
            )
        out.append(cap if cap == "ALL" else f"CAP_{cap}")  # as the docker CLI sends it
    return tuple(out)


@click.command("doctor")
@click.argument("image", required=False)
@click.argument("command", nargs=-1, metavar="[-- CMD…]")
@click.option(
    "-f",
    "--file",
    "compose_file",
    default=None,
    metavar="COMPOSE.yaml",
    help="Check the services of a Compose file (IMAGE then names services; none: all).",
)
@click.option(
    "--init",
    is_flag=True,
    help="Run it with Docker's init (tini) as pid 1, as 'docker run --init'.",
)
@click.option(
    "-e",
    "--env",
    "env",
    multiple=True,
    metavar="KEY=VALUE",
    help="An environment variable (repeatable).",
)
@click.option("-u", "--user", default=None, help="Run as this user (name, uid or uid:gid).")
@click.option(
    "--cap-drop",
    multiple=True,
    metavar="CAP",
    help="Drop a capability, as docker run --cap-drop (repeatable).",
)
@click.option(
    "--cap-add",
    multiple=True,
    metavar="CAP",
    help="Add a capability, as docker run --cap-add (repeatable).",
)
@click.option(
    "--security-opt",
    multiple=True,
    metavar="OPT",
    help="A security option, as docker run --security-opt (e.g. no-new-privileges).",
)
@click.option(
    "--read-only", is_flag=True, help="A read-only root filesystem, as docker run --read-only."
)
@click.option(
    "--stop-signal",
    default=None,
    metavar="SIGNAL",
    help="The stop signal, instead of the image's STOPSIGNAL.",
)
@click.option(
    "--ready-log",
    default=None,
    metavar="REGEX",
    help="It is up when a line of its output matches REGEX (default: its HEALTHCHECK says healthy, or "
    "its process table is the same in two reads 200 ms apart).",
)
@click.option(
    "-t",
    "--time",
    "grace_s",
    type=click.IntRange(1, 600),
    default=None,
    help="docker stop's grace period in seconds [default: 5; 30 with --k8s] (Docker's own default is 10).",
)
@click.option(
    "--stop-timeout",
    type=click.IntRange(1, 600),
    default=None,
    help="As docker run --stop-timeout: the grace period docker stop gives it (the same as -t).",
)
@click.option(
    "--grace",
    "grace_k8s",
    type=click.IntRange(1, 600),
    default=None,
    help="With --k8s: terminationGracePeriodSeconds (the same as -t).",
)
@click.option(
    "--k8s",
    is_flag=True,
    help="Check it as a Kubernetes pod runs it: no init, a 30 s grace period.",
)
@click.option(
    "--ready-timeout",
    type=click.FloatRange(1, 600),
    default=30.0,
    show_default=True,
    help="Seconds to wait for it to be up.",
)
@click.option(
    "--pids-limit",
    type=click.IntRange(8, 100000),
    default=None,
    help="The pids limit it runs with [default: 512, the doctor's safety net].",
)
@click.option(
    "--memory",
    default=None,
    metavar="SIZE",
    help="The memory limit it runs with, e.g. 512m [default: 1g, the doctor's safety net].",
)
@click.option(
    "--network",
    default=None,
    metavar="NAME",
    help="The network it runs on, e.g. bridge [default: none, the doctor's safety net].",
)
@click.option(
    "--no-trace",
    "no_trace",
    is_flag=True,
    help="Keep no kernel record (tracefs) of the stop container: forwarding is then an inference.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (the shape of a lab run's)."
)
@click.option(
    "--timings",
    is_flag=True,
    help="Also print where the time went, step by step (--json always holds it: runs[0].settings.timings).",
)
@click.option(
    "--junit",
    "junit_file",
    default=None,
    metavar="FILE",
    help="Also write a JUnit XML report to FILE (one testcase per check), for CI.",
)
def doctor(
    image: str | None,
    command: tuple[str, ...],
    compose_file: str | None,
    init: bool,
    env: tuple[str, ...],
    user: str | None,
    cap_drop: tuple[str, ...],
    cap_add: tuple[str, ...],
    security_opt: tuple[str, ...],
    read_only: bool,
    stop_signal: str | None,
    ready_log: str | None,
    grace_s: int | None,
    stop_timeout: int | None,
    grace_k8s: int | None,
    k8s: bool,
    ready_timeout: float,
    pids_limit: int | None,
    memory: str | None,
    network: str | None,
    no_trace: bool,
    as_json: bool,
    timings: bool,
    junit_file: str | None,
) -> None:
    """Check IMAGE's pid 1 as 'docker run IMAGE' runs it: who it is, zombies at rest, does it reap
    orphans, does it end on docker stop and SIGINT, does it pass signals on. Runs the image's own
    entrypoint and command, or CMD after '--'. With -f compose.yaml: each service, as Compose runs it."""
    from ..doctor import DoctorOptions

    if ready_log is not None:
        try:
            re.compile(ready_log)
        except re.error as err:
            raise UsageError(
                f"--ready-log {ready_log!r} is not a regular expression: {err}"
            ) from None
    if memory is not None and not re.fullmatch(r"\d+[bkmg]?", memory.lower()):
        raise UsageError(f"--memory {memory!r}: give a size such as 512m or 1g")
    if k8s and init:
        raise UsageError("--k8s checks as a pod runs it, and a pod has no --init: drop one of them")
    given = {
        k: v
        for k, v in (("-t", grace_s), ("--stop-timeout", stop_timeout), ("--grace", grace_k8s))
        if v
    }
    if len(set(given.values())) > 1:
        raise UsageError(f"{' and '.join(given)} give different grace periods: give one")
    grace = next(iter(given.values()), 30 if k8s else 5)
    if k8s:
        grace = max(
            grace, 2
        )  # the kubelet's floor (minimumGracePeriodInSeconds): a pod never gets less
    if junit_file is not None and not os.path.isdir(os.path.dirname(os.path.abspath(junit_file))):
        raise UsageError(f"--junit {junit_file}: its folder does not exist")
    opts = DoctorOptions(
        image=image or "",
        command=command,
        init=init,
        env=_env(env),
        user=user,
        ready_log=ready_log,
        grace_s=grace,
        ready_timeout_s=ready_timeout,
        pids_limit=pids_limit,
        memory=memory,
        network=network,
        cap_drop=_caps(cap_drop, "--cap-drop"),
        cap_add=_caps(cap_add, "--cap-add"),
        security_opt=tuple(security_opt),
        read_only=read_only,
        stop_signal=_signal_name(stop_signal, "--stop-signal"),
        k8s=k8s,
        grace_from_default=not given,
        trace=not no_trace,
    )
    if compose_file is not None:
        from .doctor_compose import doctor_compose

        doctor_compose(
            compose_file, ((image,) if image else ()) + command, opts, as_json, junit_file
        )
        return
    if image is None:
        raise UsageError("give an IMAGE to check (or -f compose.yaml)")
    _doctor_image(opts, as_json, junit_file, timings)


def progress(line: str) -> None:
    if not line.startswith((" ---> ", "Removing intermediate", "Step ")):
        err_console.print(safe(f"  {line}", style="dim"), no_wrap=True, overflow="ellipsis")


def _doctor_image(
    opts,
    as_json: bool,
    junit_file: str | None,
    timings: bool = False,
) -> None:
    from ..doctor import examine, image_config, to_result

    image = opts.image
    t0 = time.monotonic()
    cfg = image_config(image)  # a missing image is a usage error before anything is printed
    if not as_json:
        Console().rule(safe(f"proclab doctor {image}", style="bold"))
    findings = examine(opts, progress, cfg)
    result = to_result(findings, time.monotonic() - t0)
    if timings:
        print_timings(findings.timings)
    if junit_file:
        from ..doctor.junit import write_junit

        write_junit(junit_file, [(result.title, result)])
    if as_json:
        jsonout.emit(document.document([result]))  # strict: no NaN, no lone surrogate
    else:
        narrate(result)
    raise SystemExit(0 if result.passed else 1)


def print_timings(clock) -> None:
    """Each step's start and length, per container (the three containers overlap), on stderr."""
    err_console.print(
        safe(
            "  where the time went (s since the start; the three containers run side by side):",
            style="dim",
        )
    )
    for span in clock.to_dict():
        err_console.print(
            safe(
                f"  {span['start_s']:7.3f} +{span['took_s']:6.3f}  "
                f"{span['container'] or '-':6} {span['step']}",
                style="dim",
            )
        )


def narrate(result) -> None:
    from ..lab.image_settings import ImageSettings
    from ..ui.tables import actions_table, print_checks
    from ..ui.tree import process_tree

    out = Console(highlight=False)
    settings = result.runs[0].settings if result.runs else None
    image = settings if isinstance(settings, ImageSettings) else None
    if image and image.added:
        out.print(
            safe(
                "as 'docker run IMAGE' runs it, plus: "
                + ", ".join(f"{a.what} {a.value} ({a.option})" for a in image.added),
                style="dim",
            )
        )
    for snap in result.checkpoints:
        if snap.name in ("ready", "orphan-exited"):
            how = image.ready.detail if snap.name == "ready" and image and image.ready else ""
            out.print(
                Text(f"◆ {snap.name} at {snap.at_s:.2f}s", style="bold magenta"),
                safe(f"  up: {how}" if how else "", style="dim"),
            )
            out.print(process_tree(snap))
        for m in snap.data.get("masks", []) if snap.name == "before-stop" else []:
            out.print(
                safe(
                    f"  signal masks of pid {m['pid']} `{m['command']}` before any signal: "
                    f"SigCgt {','.join(m['SigCgt']) or '-'}  SigIgn {','.join(m['SigIgn']) or '-'}  "
                    f"SigBlk {','.join(m['SigBlk']) or '-'}"
                    + (
                        f"  in sigtimedwait for {len(m['sigwait'])} signals"
                        if m.get("sigwait")
                        else ""
                    )
                )
            )
    ended = actions_table(result)
    if ended is not None:
        out.print(ended)
    print_checks(out, result.checks)
    verdict = (
        Text("HEALTHY", style="bold green")
        if result.passed
        else Text("PROBLEMS FOUND", style="bold red")
    )
    out.print(
        Text.assemble(
            verdict, visible(f"  pid 1 of {result.path}, checked in {result.duration_s:.1f}s")
        )
    )
