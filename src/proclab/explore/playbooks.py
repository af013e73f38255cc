"""Run proclab's Ansible playbooks (playbooks/) over ssh, through ansible-runner.

Each run gets a throwaway private data dir (project/, inventory/, env/) that is
removed afterwards; the inventory names every exploration host with its own key
and known_hosts, so ssh checks host keys as usual (nothing turns checking off).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import EnvironmentProblem
from ..jsonform import JsonForm, JsonRecord
from ..paths import project_root

TIMEOUT_S = 180
GROUP = "learners"


class InventoryHost(Protocol):
    name: str

    def inventory_vars(self) -> dict[str, Any]: ...


class PlaybookFailed(EnvironmentProblem):
    """A playbook did not succeed; ``output`` is what ansible-playbook printed."""

    def __init__(self, playbook: str, status: str, rc: int | None, output: str):
        self.output = output
        last = next(
            (
                ln.strip()
                for ln in reversed(output.splitlines())
                if ln.strip().startswith(("fatal:", "ERROR", "failed:"))
            ),
            "",
        )
        super().__init__(
            f"playbook {playbook} ended '{status}' (rc {rc})"
            + (f": {last[:300]}" if last else "")
            + "; its output is shown above"
        )


@dataclass
class PlaybookRun:
    playbook: str
    status: str
    rc: int | None
    output: str
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "successful" and self.rc == 0

    def facts(self, task: str, fact: str) -> dict[str, Any]:
        """{host: value} of a fact set by the task named ``task``."""
        out = {}
        for ev in self.events:
            data = ev.get("event_data", {})
            if ev.get("event") == "runner_on_ok" and data.get("task") == task:
                facts = data.get("res", {}).get("ansible_facts", {})
                if fact in facts:
                    out[data["host"]] = facts[fact]
        return out

    def problems(self) -> dict[str, str]:
        """{host: message} for hosts that were unreachable or failed a task."""
        out = {}
        for ev in self.events:
            data = ev.get("event_data", {})
            if ev.get("event") in ("runner_on_unreachable", "runner_on_failed") and not data.get(
                "ignore_errors"
            ):
                res = data.get("res", {})
                lines = [
                    ln.strip()
                    for ln in str(res.get("msg") or res.get("stderr") or res).splitlines()
                    if ln.strip(" @\r")
                ]  # ssh frames its warnings in lines of '@'
                msg = lines[0] + (f" ... {lines[-1]}" if len(lines) > 1 else "") if lines else "?"
                out[data.get("host", "?")] = (
                    f"{ev['event'].removeprefix('runner_on_')}: {msg[:400]}"
                )
        return out


def playbooks_dir() -> Path:
    return project_root() / "playbooks"


def inventory(hosts: Iterable[InventoryHost]) -> dict[str, Any]:
    return {"all": {"children": {GROUP: {"hosts": {h.name: h.inventory_vars() for h in hosts}}}}}


def _env(tmp: Path) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)  # ansible-playbook lives next to our python
    return {
        "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "/usr/bin:/bin")]),
        "ANSIBLE_HOME": str(tmp / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible-tmp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(tmp / "cp"),
        # one ssh connection per host for the whole run, gone 10 s after the last use
        "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=10s",
        "ANSIBLE_PIPELINING": "True",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_GATHERING": "explicit",
        # ansible-runner turns host key checking off unless told otherwise: keep it on,
        # so ssh verifies every host against the known_hosts proclab wrote for it.
        "ANSIBLE_HOST_KEY_CHECKING": "True",
    }


def run(
    playbook: str,
    hosts: Sequence[InventoryHost],
    extravars: dict[str, Any] | None = None,
    timeout: int = TIMEOUT_S,
) -> PlaybookRun:
    """Run playbooks/<playbook> against ``hosts``; returns what happened (it never raises on failure)."""
    import ansible_runner

    src = playbooks_dir() / playbook
    if not src.is_file():
        raise EnvironmentProblem(
            f"playbook {src} is missing; is PROCLAB_HOME the proclab checkout?"
        )
    tmp = Path(tempfile.mkdtemp(prefix="proclab-ansible-"))
    try:
        shutil.copytree(playbooks_dir(), tmp / "project")
        r = ansible_runner.run(
            private_data_dir=str(tmp),
            playbook=playbook,
            inventory=inventory(hosts),
            extravars=extravars or {},
            envvars=_env(tmp),
            quiet=True,
            rotate_artifacts=1,
            timeout=timeout,
            json_mode=False,
        )
        output = r.stdout.read() if r.stdout else ""
        events = list(r.events)
        return PlaybookRun(playbook, r.status, r.rc, output, events)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_or_fail(
    playbook: str,
    hosts: Sequence[InventoryHost],
    extravars: dict[str, Any] | None = None,
    timeout: int = TIMEOUT_S,
) -> PlaybookRun:
    res = run(playbook, hosts, extravars, timeout)
    if not res.ok:
        raise PlaybookFailed(playbook, res.status, res.rc, res.output)
    return res


def exercises_archive(dest: Path) -> Path:
    """exercises/ as a .tar.gz whose members start with exercises/ (no caches)."""
    src = project_root() / "exercises"
    with tarfile.open(dest, "w:gz") as tar:
        tar.add(
            src,
            arcname="exercises",
            filter=lambda ti: None if "__pycache__" in ti.name or ti.name.endswith(".pyc") else ti,
        )
    return dest


def provision(hosts: Sequence[InventoryHost]) -> PlaybookRun:
    """explore.yml: the student's key and the exercise files on every host."""
    with tempfile.TemporaryDirectory(prefix="proclab-exercises-") as tmp:
        archive = exercises_archive(Path(tmp) / "exercises.tar.gz")
        return run_or_fail("explore.yml", hosts, {"proclab_exercises_archive": str(archive)})


@dataclass
class HostCheck(JsonRecord):
    """One host in ``explore check --json``'s ``hosts``."""

    json_form = JsonForm(keys=("host", "problem", "results"))

    host: str
    results: list[dict[str, Any]]  # [{exercise, passed, saw, figures, hints}]
    problem: str | None = None  # unreachable, or the checker could not run


def check(hosts: Sequence[InventoryHost], lang: str = "en") -> tuple[list[HostCheck], PlaybookRun]:
    """check.yml on every host: per host, each exercise's result, or why there is none."""
    res = run("check.yml", hosts, {"proclab_lang": lang})
    found = res.facts("proclab check report", "proclab_check")
    problems = res.problems()
    if not found and not problems:
        raise PlaybookFailed("check.yml", res.status, res.rc, res.output)
    return [
        HostCheck(
            h.name,
            found.get(h.name, []),
            None if h.name in found else problems.get(h.name, "no report"),
        )
        for h in hosts
    ], res


def classroom(
    hosts: Sequence[InventoryHost], report: Path, lang: str = "en"
) -> tuple[dict[str, Any], PlaybookRun]:
    """classroom.yml: check every learner and write the class report (JSON) to ``report``."""
    res = run(
        "classroom.yml",
        hosts,
        {"proclab_class_report": str(report.resolve()), "proclab_lang": lang},
    )
    if not report.is_file():
        raise PlaybookFailed("classroom.yml", res.status, res.rc, res.output)
    return json.loads(report.read_text()), res


__all__ = [
    "run",
    "run_or_fail",
    "provision",
    "check",
    "classroom",
    "PlaybookRun",
    "PlaybookFailed",
    "HostCheck",
    "inventory",
]
