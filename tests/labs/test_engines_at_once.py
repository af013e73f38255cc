"""``run --engine A --engine B``: labs shared between the host's Docker and a Podman service
(PROCLAB_PODMAN_SOCKET), each lab on the engine its result names, one summary, Ctrl-C cleaning
both; and the pytest plugin's --proclab-engine doing the same."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest

from proclab import engine
from proclab.engine import EngineKind
from tests.support import engines
from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.harness import Harness
from tests.support.tinylab import HANG, HANG_TOML, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker, pytest.mark.podman]
pytest_plugins = ["pytester"]

QUICK = ["zombies", "reaping", "signals", "states"]
INITS = {"docker-init": EngineKind.DOCKER, "podman-init": EngineKind.PODMAN}


@pytest.fixture(scope="module")
def two(lab_image):
    """(the host's engine, Podman) as --engine URLs, each with the lab image."""
    return engines.environments_url(), engines.ready(engines.PODMAN_ENV, EngineKind.PODMAN)


def _failures(doc: dict) -> str:
    """What failed, lab by lab, with each failed check's evidence."""
    return "\n".join(
        f"{lab['lab']} on {lab['engine']}: {lab['verdict']} {lab.get('error') or ''}\n"
        + "\n".join(f"  {c['name']}: {c['detail']}" for c in lab["checks"] if not c["passed"])
        for lab in doc.get("labs", [])
        if not lab["passed"]
    )


def _kind_of(url: str) -> EngineKind:
    with engine.using(url):
        return engine.kind()


def test_labs_are_shared_between_two_engines_each_on_the_one_it_names(two):
    res = run_cli("run", *QUICK, "--engine", two[0], "--engine", two[1], "--json")
    doc = printed(res.stdout)
    assert res.returncode == 0, _failures(doc) or res.stderr[-3000:]
    assert doc["passed"] and [lab["lab"] for lab in doc["labs"]] == QUICK
    assert {lab["engine"] for lab in doc["labs"]} == set(two)  # both engines ran some
    seen_init = 0
    for lab in doc["labs"]:
        # where pid 1 is the engine's --init, its name says which engine made the container
        inits = {
            p["name"] for cp in lab["checkpoints"] for p in cp["processes"] if p["pid"] == 1
        } & set(INITS)
        for name in inits:
            assert INITS[name] is _kind_of(lab["engine"]), (lab["lab"], lab["engine"], name)
            seen_init += 1
    assert seen_init, "no lab ran with an init: nothing told the engines apart"
    for url in two:
        with engine.using(url):
            assert engines.leftovers() == []


def test_one_engine_with_jobs_runs_every_lab_there(two):
    res = run_cli("run", "zombies", "reaping", "--jobs", "2", "--engine", two[1], "--json")
    assert res.returncode == 0, res.stderr[-3000:]
    assert [lab["engine"] for lab in printed(res.stdout)["labs"]] == [two[1], two[1]]


def test_one_summary_names_each_labs_engine(two):
    res = run_cli("run", "zombies", "reaping", "--engine", two[0], "--engine", two[1])
    assert res.returncode == 0, res.stdout[-3000:]
    summary = res.stdout[res.stdout.index("proclab: summary") :]
    flat = re.sub(r"[\s│┃━─┡┩└┘┌┐╇┏┓┗┛]", "", summary)  # a long URL may wrap in its cell
    assert "engine" in summary and all(url in flat for url in two), summary


@pytest.mark.timeout(400)
def test_ctrl_c_removes_the_labs_on_both_engines(tmp_path, two):
    labs = [write_lab(tmp_path, f"hang{i}", HANG, HANG_TOML.format(timeout=120)) for i in range(2)]
    names = {lab.name for lab in labs}
    # a subprocess: the test signals the harness process itself
    h = Harness("run", *map(str, labs), "--engine", two[0], "--engine", two[1])
    try:
        _wait_hanging_on(two, names)
        os.kill(h.proc.pid, signal.SIGINT)
        code = h.finish()
    finally:
        h.kill()
    assert code == 130, h.output
    assert "Traceback" not in h.output
    for url in two:
        assert _containers_of(url, names) == [], url


def _containers_of(url: str, labs: set[str]) -> list:
    with engine.using(url):
        return [
            c for c in engine.proclab_containers(lab=None) if c.labels.get(engine.LAB_LABEL) in labs
        ]


def _wait_hanging_on(urls: tuple[str, str], labs: set[str], within_s: float = 240) -> None:
    """Once each engine runs one of the labs with its resident probe in it (past its first checkpoint)."""
    deadline = time.monotonic() + within_s
    while True:
        hanging = []
        for url in urls:
            for c in _containers_of(url, labs):
                c.reload()
                if c.status == "running" and "labkit.resident" in json.dumps(c.top()):
                    hanging.append(url)
        if sorted(hanging) == sorted(urls):
            return
        assert time.monotonic() < deadline, (
            f"not one hanging lab on each engine within {within_s} s: {hanging}"
        )
        time.sleep(0.2)


ZOMBIE = """
    import os
    from labkit import checkpoint
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    checkpoint("zombie", child=pid)
    os.waitpid(pid, 0)
"""
SAYS_ENGINE = """
    from proclab.checks import check, expect

    @check("names its engine (fails on purpose, to show it)")
    def where(lab):
        return expect(False, f"ran on <{lab.engine}>")
"""


def test_the_pytest_plugin_shares_labs_between_engines(pytester, two):
    for name in ("one", "two"):
        write_lab(pytester.path / "labs", name, ZOMBIE, checks=SAYS_ENGINE)
    res = pytester.runpytest_subprocess(
        "labs", "-p", "no:cacheprovider", "--proclab-engine", two[0], "--proclab-engine", two[1]
    )
    out = res.stdout.str()
    res.assert_outcomes(
        passed=2, failed=2
    )  # each lab's run item, and its check that shows the engine
    assert "running 2 labs 1 at a time on each of 2 engines" in out, out
    assert {f"ran on <{url}>" in out for url in two} == {True}, out
