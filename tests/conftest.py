"""Shared fixtures and hooks only (helpers live in tests/support/): a lab result cache (each
built-in lab runs once per session), and a session-end guard that no proclab container is left behind."""

from __future__ import annotations

import pytest

from tests.support.leaks import docker_ok, leaked_by_tests

_results: dict[tuple[str, tuple[str, ...]], object] = {}


@pytest.fixture(scope="session")
def docker_engine():
    from proclab import engine
    from proclab.errors import EngineUnavailable

    try:
        return engine.client()
    except EngineUnavailable as err:
        pytest.fail(f"lab tests need a Docker engine: {err}")


@pytest.fixture(scope="session")
def lab_image(docker_engine):
    from proclab.engine import images

    return images.ensure("lab")


@pytest.fixture(scope="session")
def run_lab_cached(lab_image):
    """run_lab_cached(name, variants=None) -> LabResult, run at most once per session."""
    from proclab import run_lab
    from proclab.ui.bar_charts import write_picture

    def get(name: str, variants: list[str] | None = None):
        key = (name, tuple(variants or ()))
        if key not in _results:
            result = run_lab(name, variants=variants)
            write_picture(result)  # as the CLI does after a run
            _results[key] = result
        return _results[key]

    return get


def pytest_sessionfinish(session, exitstatus):
    """A full test run must leave no proclab container behind: neither this run's
    nor one whose harness (a subprocess of a test) has died. Fails the session if so, and
    removes them (and a dead harness's tracefs instances), so a Ctrl-C leaves nothing."""
    from proclab.engine import tracefs

    tracefs.sweep()  # a dead harness's tracefs instances (a Ctrl-C kills the test's harness)
    if not docker_ok():
        return
    from proclab import engine

    try:
        leaked = [c for c in engine.proclab_containers() if leaked_by_tests(c)]
    except Exception as err:  # the engine went away: say so, don't hide the test results
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"leak check could not list containers: {err}", yellow=True
        )
        return
    if leaked:
        names = ", ".join(f"{c.name} ({c.labels.get(engine.LAB_LABEL, '?')})" for c in leaked)
        for c in leaked:  # this process's, or a dead harness's (a Ctrl-C kills the test's harness)
            c.remove(force=True)
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"LEAK: the test run left proclab containers behind: {names}", red=True, bold=True
        )
        session.exitstatus = 1
