"""One usage-error path: every command's mistakes, click's (an unknown option, a bad choice) and
proclab's own (a value no option can check), come out as one ``Error:`` line and exit 2, and
with ``--json`` as one valid document too. Docker-free: each mistake is caught before a
container."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import proclab.cli
from tests.support.cli import one_line_error, run_cli

# (argv, words the line says): click's own parse errors, one per command
CLICKS = {
    "list": (["list", "--bogus"], "No such option '--bogus'"),
    "show": (["show"], "Missing argument 'LAB'"),
    "run": (["run", "zombies", "--events", "lots"], "'lots' is not one of"),
    "report": (["report", "x.json"], "Missing option '--html'"),
    "mutate": (["mutate", "zombies", "--bogus"], "No such option '--bogus'"),
    "images": (["images", "nope"], "No such command 'nope'"),
    "clean": (["clean", "--bogus"], "No such option '--bogus'"),
    "sched": (["sched", "--seed", "x"], "'x' is not a valid integer"),
    "fork": (["fork", "--actions", "x"], "'x' is not a valid integer"),
    "process-run": (["process-run", "--switch", "sometimes"], "'sometimes' is not one of"),
    "explore": (["explore", "nope"], "No such command 'nope'"),
    "doctor": (["doctor", "alpine", "--time", "-1"], "-1 is not in the range"),
    "shell": (["shell", "zombies", "--bogus"], "No such option '--bogus'"),
}
# proclab's own: UsageError (or a LabNotFound, one of its kind) raised by the command
OWNS = {
    "list": (["list", "--lang", "fr"], "proclab speaks en and zh"),
    "show": (["show", "zombiez"], "no lab named 'zombiez'"),
    "run": (["run", "zombies", "--perfetto", "/"], "that is a folder; give a file name"),
    "report": (["report", "/no/such.json", "--html", "x"], "cannot read /no/such.json"),
    "mutate": (["mutate", "zombiez"], "no lab named 'zombiez'"),
    "sched": (["sched", "--jobs", "x"], "cannot read job 'x'"),
    "fork": (["fork", "--json"], "--json shows the answers: use it with --solve"),
    "process-run": (["process-run", "--json"], "--json shows the answers: use it with --solve"),
    "explore": (["explore", "down", "--all", "h1"], "give host names or --all, not both"),
    "doctor": (["doctor", "alpine", "--memory", "lots"], "--memory 'lots': give a size"),
    "shell": (["shell", "zombies"], "proclab shell needs a terminal"),
}
WITH_JSON = ["run", "mutate", "sched", "fork", "process-run", "doctor"]


@pytest.mark.parametrize("command", sorted(CLICKS))
def test_clicks_own_mistakes_are_one_line_naming_the_help(command):
    argv, says = CLICKS[command]
    line = one_line_error(run_cli(*argv))
    assert says in line, line
    assert line.endswith(f"(see 'proclab {argv[0]} -h')"), line


@pytest.mark.parametrize("command", sorted(OWNS))
def test_a_commands_own_mistakes_are_one_line(command):
    argv, says = OWNS[command]
    line = one_line_error(run_cli(*argv))
    assert says in line, line


@pytest.mark.parametrize("command", WITH_JSON)
@pytest.mark.parametrize("path", ["click", "proclab"])
def test_with_json_a_mistake_is_one_document_too(command, path):
    argv, says = (CLICKS if path == "click" else OWNS)[command]
    res = run_cli(*argv, "--json")
    assert res.returncode == 2, res.output
    doc = json.loads(res.stdout)
    assert doc["exit_code"] == 2 and says in doc["error"], doc


def test_every_command_is_covered():
    assert set(CLICKS) == set(proclab.cli.cli.commands)
    # images and clean need Docker before they can find a mistake of their own
    assert set(OWNS) == set(proclab.cli.cli.commands) - {"images", "clean"}


def test_no_command_raises_clicks_usage_errors_or_exits_itself():
    """proclab's commands raise proclab.errors.UsageError; only cli/main.py turns an error into
    the Error: line (``fail``), so --json's error document is never skipped."""
    cli = Path(proclab.cli.__file__).parent
    found = []
    for path in sorted(cli.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name) \
                        and call.value.id == "click":
                    found.append(f"{path.name}:{node.lineno} raise click.{call.attr}")
            if path.name != "main.py" and isinstance(node, ast.Call) \
                    and isinstance(node.func, ast.Name) and node.func.id == "fail":
                found.append(f"{path.name}:{node.lineno} fail(...)")
    assert found == []
