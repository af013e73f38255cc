"""proclab's pytest plugin: ``pytest path/to/labs/`` runs every lab folder and reports each check
as its own test item (``mylab::the zombie shows as Z``), with the check's evidence as the failure.

Registered through the ``pytest11`` entry point, so installing proclab is enough. A folder is a
lab when it holds ``scenario.py``; each lab runs once per session (in real containers) however
many of its items are selected. A lab that cannot run is one failing item with the reason; an
inconclusive check (the host did not allow the measurement) is a skip with its detail.
Instructors who prefer their own test functions use the ``proclab_lab`` fixture instead.
``--proclab-jobs N`` runs the selected labs that measure no CPU time N at a time before the first
item (the harness's own pool, as ``proclab run --jobs``); the CPU-timing labs still run alone.
``--proclab-engine CONTEXT|URL`` (repeatable, as ``run --engine``): one runs every lab there; several
share the labs that measure no CPU time among them up front (``--proclab-jobs`` at a time on each),
and the CPU-timing labs run in their items, on the first engine.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ..errors import ProclabError

RUN_ITEM = "the scenario ran as its variants declare"
_cache: dict[str, Any] = {}
_allowed: frozenset[str] = frozenset()     # --proclab-allow: settings a lab from elsewhere may weaken
_engines: list[str] = []                    # --proclab-engine


def _result(path: Path, stop: threading.Event | None = None) -> Any:
    """The lab's LabResult, run at most once per session (a ProclabError is kept and re-raised)."""
    key = str(path.resolve())
    if key not in _cache:
        from ..errors import ProclabError
        from ..run.runner import run_lab

        try:
            _cache[key] = run_lab(path, allow=_allowed, stop=stop)
        except ProclabError as err:
            _cache[key] = err
    found = _cache[key]
    if isinstance(found, Exception):
        raise LabCouldNotRun(str(found))
    return found


class LabCouldNotRun(ProclabError):
    pass


class CheckFailedHere(ProclabError):
    pass


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("proclab")
    group.addoption("--proclab-allow", action="append", default=[], metavar="SETTING[,...]",
                    help="let lab folders from elsewhere use these settings that weaken their containers "
                         "(as 'proclab run --allow')")
    group.addoption("--proclab-allow-all-settings", action="store_true", default=False,
                    help="as 'proclab run --allow-all-settings'")
    group.addoption("--proclab-jobs", type=int, default=1, metavar="N",
                    help="run the labs that measure no CPU time N at a time before the items "
                         "(the CPU-timing labs still run alone)")
    group.addoption("--proclab-engine", action="append", default=[], metavar="CONTEXT|URL",
                    help="run the labs on this engine (a docker context name or a DOCKER_HOST URL); "
                         "repeat it to share them among engines (as 'proclab run --engine')")


def pytest_configure(config: pytest.Config) -> None:
    global _allowed, _engines
    config.addinivalue_line("markers", "lab: runs a lab in real containers (needs a Docker engine)")
    from ..errors import UsageError
    from ..lab.containment import parse_allow

    try:
        _allowed = parse_allow(config.getoption("--proclab-allow", default=[]) or [],
                               bool(config.getoption("--proclab-allow-all-settings", default=False)))
    except UsageError as err:
        raise pytest.UsageError(str(err)) from None
    _engines = list(dict.fromkeys(config.getoption("--proclab-engine", default=[]) or []))
    if _engines:
        from .. import engine

        # every lab, and whatever a test asks of the engine, goes to the first one unless a
        # prefetching thread chose its own (pytest_collection_finish)
        stack = engine.everywhere(_engines[0])
        stack.__enter__()
        config.add_cleanup(lambda: stack.__exit__(None, None, None))


def pytest_collection_finish(session: pytest.Session) -> None:
    """With --proclab-jobs N > 1 or several --proclab-engine: run the selected shared labs side by
    side, once, up front (N at a time on each engine)."""
    jobs = int(session.config.getoption("--proclab-jobs", default=1) or 1)
    folders = list(dict.fromkeys(i.folder for i in session.items if isinstance(i, LabItem) and not i.problem))
    shared = [f for f in folders if not _exclusive(f)]
    refs = _engines or [""]
    if (jobs < 2 and len(refs) < 2) or len(shared) < 2:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        on = f" on each of {len(refs)} engines" if len(refs) > 1 else ""
        reporter.write_line(f"proclab: running {len(shared)} labs {jobs} at a time{on} "
                            f"({len(folders) - len(shared)} CPU-timing labs run alone, in their items)")
    from .jobs import stop_running

    pool = ThreadPoolExecutor(max_workers=jobs * len(refs), thread_name_prefix="proclab-lab")
    stopping = threading.Event()
    places = _EnginePlaces(refs, jobs)
    running = [pool.submit(_prefetch, f, stopping, places) for f in shared]
    try:
        wait(running)
    except BaseException:       # Ctrl-C: the labs' containers go now, not at the labs' own timeouts
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        stop_running(running)
        raise
    pool.shutdown()


def _exclusive(folder: Path) -> bool:
    from ..errors import ProclabError
    from ..lab import spec as labspec
    from ..run.runner import is_exclusive

    try:
        return is_exclusive(labspec.load(folder))
    except ProclabError:
        return False            # its item says why it cannot run


class _EnginePlaces:
    """The pool's threads take an engine with a free place for each lab (N places per engine)."""

    def __init__(self, refs: list[str], width: int):
        from .jobs import Places

        self._places, self._free = Places(refs, width), threading.Condition()

    def take(self) -> str:
        with self._free:
            while (ref := self._places.take()) is None:
                self._free.wait()
            return ref

    def give_back(self, ref: str) -> None:
        with self._free:
            self._places.give_back(ref)
            self._free.notify()


def _prefetch(folder: Path, stop: threading.Event, places: _EnginePlaces) -> None:
    from .. import engine

    ref = places.take()
    try:
        with engine.using(ref):
            _result(folder, stop)
    except Exception:           # noqa: BLE001 - the lab's own items report it (a bug re-raises there)
        pass
    finally:
        places.give_back(ref)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name == "scenario.py":
        return LabFolder.from_parent(parent, path=file_path)
    return None


class LabFolder(pytest.File):
    """One lab folder: an item per check (loaded from checks.py), plus one for the runs themselves."""

    def collect(self) -> Iterator[pytest.Item]:
        from ..errors import ProclabError
        from ..lab import spec as labspec
        from ..lab.checking import load_checks

        folder = self.path.parent
        try:
            spec = labspec.load(folder)
            names = [c.name for c in load_checks(spec.checks_file, spec.name)]
        except ProclabError as err:
            yield LabItem.from_parent(self, name=RUN_ITEM, folder=folder, check=None, problem=str(err))
            return
        yield LabItem.from_parent(self, name=RUN_ITEM, folder=folder, check=None, problem=None)
        for name in names:
            yield LabItem.from_parent(self, name=name, folder=folder, check=name, problem=None)


class LabItem(pytest.Item):
    def __init__(self, *, folder: Path, check: str | None, problem: str | None, **kw: Any) -> None:
        super().__init__(**kw)
        self.folder, self.check, self.problem = folder, check, problem
        self.add_marker(pytest.mark.lab)

    def runtest(self) -> None:
        if self.problem:
            raise LabCouldNotRun(self.problem)
        result = _result(self.folder)
        if self.check is None:
            _assert_runs(result)
            return
        found = next((c for c in result.checks if c.name == self.check), None)
        if found is None:
            raise LabCouldNotRun(f"the run reported no check named {self.check!r}")
        if found.inconclusive:     # not measurable here (a busy host): neither a pass nor a failure
            pytest.skip(f"inconclusive: {found.detail}")
        if not found.passed:
            raise CheckFailedHere(found.detail)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailedHere):
            return f"check failed: {self.check}\nevidence: {excinfo.value}"
        if isinstance(excinfo.value, LabCouldNotRun):
            return f"lab {self.folder.name} could not run: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.folder.name}::{self.name}"


def _assert_runs(result: Any) -> None:
    problems = [f"run {r.variant}: {r.error}" for r in result.runs if r.error]
    problems += [f"run {r.variant} hit its timeout ({r.settings.timeout_s} s)"
                 for r in result.runs if r.timed_out and not r.expect_timeout]
    problems += [f"run {r.variant} was expected to time out and did not"
                 for r in result.runs if r.expect_timeout and not r.timed_out]
    if result.error:
        problems.insert(0, result.error)
    if problems:
        raise CheckFailedHere("; ".join(problems))


@pytest.fixture(scope="session")
def proclab_lab() -> Callable[[str | Path], Any]:
    """``proclab_lab("path/to/lab")`` (or a built-in lab's name) → its LabResult, run once per session."""
    def get(lab: str | Path) -> Any:
        from ..lab import spec as labspec

        spec = labspec.resolve(str(lab))
        return _result(spec.path)
    return get
