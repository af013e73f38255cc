"""Every error proclab raises is a ProclabError, so the CLI's one ``except ProclabError`` turns
it into one ``Error:`` line (exit 2) and ``--json``'s error document: a parser's error read
lazily (a snapshot's ps or top text, by the narration or a check) included."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import proclab
from proclab.errors import ProbeError, ProclabError
from proclab.snapshot import PsParseError, Snapshot, TopParseError

# signals, not errors: the learner's "q" at a pause and a pool's stop are how a run ends on
# purpose (a ProclabError would be caught where the probe or the run loop catches errors)
NOT_ERRORS = {"proclab.lab.events.StoppedByLearner", "proclab.run.runner.PoolStopped"}


def _exceptions() -> dict[str, type[BaseException]]:
    found = {}
    for info in pkgutil.walk_packages(proclab.__path__, "proclab."):
        if info.name.endswith("__main__") or ".homework.kernel." in info.name:
            continue        # an entry point; scenarios that run in a container
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == info.name:
                found[f"{info.name}.{name}"] = cls
    return found


def test_every_exception_class_of_proclab_is_a_proclab_error():
    found = _exceptions()
    assert "proclab.snapshot.ps.PsParseError" in found        # the walk sees the parsers
    outside = sorted(name for name, cls in found.items()
                     if not issubclass(cls, ProclabError) and name not in NOT_ERRORS)
    assert outside == []


def test_the_signals_are_still_there_and_still_not_errors():
    found = _exceptions()
    assert NOT_ERRORS <= set(found)
    assert not any(issubclass(found[n], ProclabError) for n in NOT_ERRORS)


def _snap(ps: str, top: str | None = None) -> Snapshot:
    return Snapshot("zombie-created", {}, 0.5, 1, [], ps, top)


@pytest.mark.parametrize("ps, says", [
    ("", "ps printed nothing"),
    ("PID   USER     TIME  COMMAND\n    1 root      0:00 python3\n", "unexpected ps header"),
    ("  PID  PPID STAT  NI COMMAND         COMMAND\n    x     0 S      0 python3 python3\n",
     "cannot read ps line"),
], ids=["empty", "busybox-header", "not-a-number"])
def test_unreadable_ps_is_a_probe_error_naming_the_checkpoint_and_the_fix(ps, says):
    snap = _snap(ps)
    with pytest.raises(PsParseError) as err:
        snap.ps_row(1)
    assert isinstance(err.value, ProbeError) and isinstance(err.value, ValueError)
    text = str(err.value)
    assert text.startswith("checkpoint 'zombie-created': the probe could not read ps's output (")
    assert says in text and "first on PATH" in text and "\n" not in text


@pytest.mark.parametrize("read", ["top_rows", "top_tasks"])
def test_unreadable_top_is_a_probe_error_naming_the_checkpoint(read):
    snap = _snap("  PID  PPID STAT  NI COMMAND         COMMAND\n", top="Mem: 1k\n  PID USER\n")
    says = "checkpoint 'zombie-created': the probe could not read top"
    with pytest.raises(TopParseError, match=says):
        getattr(snap, read)
