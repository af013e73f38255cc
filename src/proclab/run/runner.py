"""Run a lab: one container per variant, a snapshot at every checkpoint, then the checks.

The runner knows nothing of terminals: it reports progress to an ``Observer``
(the CLI's narrator, or nothing) and returns a ``LabResult`` holding the chart
data too; drawing is the UI's.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from .. import engine
from ..engine import images, tracefs
from ..errors import UsageError
from ..lab import pythons
from ..lab import spec as labspec
from ..lab.chart_data import chart_data
from ..lab.checking import load_checks, run_checks
from ..lab.containment import require_consent
from ..lab.events import Observer
from ..lab.result import LabResult
from ..lab.spec import LabSpec
from .lock import lab_lock
from .probe import mode as probe_mode
from .variant import VariantRun

_swept: set[str] = set()          # the engines swept so far ("" : the environment's)
_swept_lock = threading.Lock()


def sweep_stale_once() -> list[str]:
    """Remove what dead proclab runs left behind on this thread's engine (once per process and
    engine), and the kernel's record of dead runs (tracefs, once per process)."""
    with _swept_lock:
        if engine.selected() in _swept:
            return []
        first = not _swept
        _swept.add(engine.selected())
    return engine.sweep(all_runs=False) + (tracefs.sweep(all_runs=False) if first else [])


class PoolStopped(KeyboardInterrupt):
    """Raised before a variant's container exists once the run's ``stop`` event is set (Ctrl-C in a pool)."""


def is_exclusive(spec: LabSpec) -> bool:
    """Whether the lab measures CPU time, and so must run alone on the host (the lab lock)."""
    return any(spec.settings_for(v).exclusive for v in spec.variants)


def run_lab(lab: str | Path | LabSpec, *, variants: list[str] | None = None,
            observer: Observer | None = None, allow: frozenset[str] = frozenset(),
            python: str | None = None, stop: threading.Event | None = None, trace: bool = True) -> LabResult:
    """Run a built-in lab (by name) or a lab folder (by path) and check it.

    ``allow`` names the settings that weaken containment a lab from elsewhere may use
    (``lab.containment``); without them such a lab is refused before anything runs.
    ``python`` ("3.11", "3.14") picks the lab image, else the lab's lab.toml does, else 3.11.
    ``stop`` (a pool running labs side by side): once set, no further variant starts.
    ``trace`` False: no kernel record (``--no-trace``); each run's ``kernel`` says so.
    """
    obs = observer or Observer()
    spec = lab if isinstance(lab, LabSpec) else labspec.resolve(str(lab))
    if variants:
        spec = spec.with_variants(variants)
    require_consent(spec, allow)
    suite = load_checks(spec.checks_file, spec.name)
    probe_mode()     # a misspelt PROCLAB_PROBE fails here, before any container exists
    engine.client()
    for gone in sweep_stale_once():
        obs.progress(f"removed stale {gone}")
    chosen = pythons.choose(python, spec.needs)
    if chosen not in pythons.IMAGES:
        raise UsageError(f"--python {chosen}: there is no lab image for it; choose one of {', '.join(pythons.IMAGES)}")
    image = images.ensure(pythons.IMAGES[chosen], obs.progress)
    obs.progress(f"Python {chosen}: image {image}")
    result = LabResult(lab=spec.name, title=spec.title, path=str(spec.path), lesson=spec.lesson_intro(),
                       engine=engine.info().label)
    obs.lab_started(spec)
    t = time.monotonic()
    with lab_lock(is_exclusive(spec), on_wait=obs.progress, engine_url=engine.info().url) as waited:
        result.lock_wait_s = waited.waited_s
        for variant in spec.variants:
            if stop is not None and stop.is_set():
                raise PoolStopped
            record = VariantRun(spec, variant, image, obs, trace=trace).execute()
            record.summary = variant.summary
            result.runs.append(record)
    result.duration_s = time.monotonic() - t - result.lock_wait_s   # the lab's own time, not the queue's
    result.checks = run_checks(suite, result, spec.check_timeout_s)
    result.charts, problems = chart_data(suite.charts, result)
    for problem in problems:
        obs.progress(problem)
    return result
