"""Meta-tests: every built-in lab is complete (scenario, settings, checks, lesson)."""

from __future__ import annotations

import pytest

from proclab.checks import load_checks
from proclab.lab import spec as labspec


@pytest.mark.parametrize("name", labspec.builtin_names())
def test_lab_folder_is_complete(name):
    spec = labspec.resolve(name)
    assert spec.scenario.is_file()
    assert (spec.path / "lab.toml").is_file(), f"{name}: no lab.toml"
    assert spec.readme.is_file(), f"{name}: no README.md lesson"
    text = spec.readme.read_text()
    assert "by hand" in text.lower(), f"{name}: the lesson should show how to see it by hand"
    checks = load_checks(spec.checks_file, name)
    assert len(checks) >= 2, f"{name}: a lab needs checks that prove its point (has {len(checks)})"


def test_every_lab_is_run_by_the_lab_tests():
    """tests/labs/test_labs.py is parametrized over builtin_names(): no lab can be missed."""
    import tests.labs.test_labs as t

    marks = [m for m in t.test_lab_passes.pytestmark if m.name == "parametrize"]
    assert marks and list(marks[0].args[1]) == labspec.builtin_names()


def test_scenarios_name_their_start_method():
    """Python 3.14 changed the default start method: scenarios that use
    multiprocessing must choose one explicitly (get_context)."""
    for name in labspec.builtin_names():
        src = labspec.resolve(name).scenario.read_text()
        if "multiprocessing" in src:
            assert "get_context(" in src or "set_start_method(" in src, (
                f"{name}: name the start method"
            )
