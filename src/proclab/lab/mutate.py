"""The mutation test: can each check of a lab fail? (pure: it reads and copies a LabResult).

A check that cannot fail proves nothing. Given the real result of a passing run, this
makes results that differ from it by **one fact** each — one process's state, parent or
nice value; one process absent or one more present; an exit code; one figure; one line
of ps or top text; one checkpoint data value; one event of the kernel's record left out,
moved in time or changed (a signal's result, sender or target; an exit's code or signal;
a reap's reaper) — and runs the lab's checks on them. A check
is shown to test its fact when some mutation makes it *fail* (by ``expect`` or a missing
process or checkpoint; a check that crashes or times out on a mutation has not judged it).
Wiping the result (no table, no checkpoint) is never one of the mutations.

Generic mutations are made for every lab. A lab may add its own in ``mutations.py`` beside
its checks: ``def mutations(result) -> list[Mutation]``.
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from ..errors import LabFormatError
from ..jsonform import JsonForm, JsonRecord
from ..snapshot import Snapshot
from .checking import Check, Ending
from .kernel_record import KernelEvent
from .mutate_events import MAX_EVENTS, event_edits
from .mutate_table import table_edits
from .result import LabResult, RunRecord
from .spec import CHECK_TIMEOUT_S

MAX_OUTPUT_LINES = 400  # output lines each dropped on their own (a flood is not the lab's point)


@dataclass(frozen=True)
class Mutation:
    what: str  # the one fact changed, in words
    make: Callable[..., LabResult]  # a new result with that fact changed (called with no arguments;
    # its parameters' defaults bind the loop's values)


@dataclass(frozen=True)
class Verdict(JsonRecord):
    """What the mutation test found for one check."""

    json_form = JsonForm(keys=("check", "can_fail", "failed_by", "note", "inconclusive"))

    check: str
    failed_by: str | None  # the first mutation that made it fail; None: none could
    note: str = ""  # why it was not tested (it fails on the real result already)
    inconclusive: bool = (
        False  # not measured on the real result (a busy host): neither shown nor refuted
    )

    @property
    def can_fail(self) -> bool:
        return self.failed_by is not None


# -- building mutated results: share everything but the one changed part -----
def _with_run(result: LabResult, i: int, run: RunRecord) -> LabResult:
    runs = list(result.runs)
    runs[i] = run
    return replace(result, runs=runs, checks=[], charts=[])


def _with_snap(result: LabResult, i: int, j: int, snap: Snapshot) -> LabResult:
    run = result.runs[i]
    cps = list(run.checkpoints)
    cps[j] = snap
    return _with_run(result, i, replace(run, checkpoints=cps))


def _changed(value: Any) -> list[Any]:
    """One-fact replacements of a leaf value, of the same type (each differs from it)."""
    return [v for v in _candidates(value) if v != value or type(v) is not type(value)]


def _candidates(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1 if value else 2]
    if isinstance(value, float):
        return [value * 1.5 + 0.5, value * 0.5, 0.0 if value else 1.0]
    if isinstance(value, str):
        return ["x" + value, ""] if value else ["x"]
    return []


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, new value) for every one-fact change inside a JSON-like value: a leaf changed, or
    one element of a list left out."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*path, i), _DROP
            yield from _leaves(v, (*path, i))
    else:
        for new in _changed(value):
            yield path, new


_DROP = object()


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    target = out
    for k in path[:-1]:
        target = target[k]
    if new is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return out


def _path(path: tuple[Any, ...]) -> str:
    return "".join(f"[{k!r}]" for k in path)


def data_mutations(result: LabResult, i: int, j: int) -> Iterator[Mutation]:
    snap = result.runs[i].checkpoints[j]
    for path, new in _leaves(snap.data):
        shown = "left out" if new is _DROP else f"→ {new!r}"
        yield Mutation(
            f"data{_path(path)} {shown}",
            lambda path=path, new=new: _with_snap(
                result, i, j, replace(snap, data=_set(snap.data, path, new))
            ),
        )


def set_data(
    result: LabResult, checkpoint: str, key: str, value: Any, variant: str | None = None
) -> Mutation:
    """A lab's own mutation: checkpoint ``checkpoint`` (of ``variant``) with ``data[key] = value``."""
    for i, run in enumerate(result.runs):
        for j, snap in enumerate(run.checkpoints):
            if snap.name == checkpoint and variant in (None, run.variant):
                return Mutation(
                    f"{run.variant}/{checkpoint}: data[{key!r}] → {value!r} (the lab's own mutation)",
                    lambda i=i, j=j, snap=snap: _with_snap(
                        result, i, j, replace(snap, data={**snap.data, key: value})
                    ),
                )
    raise LookupError(f"no checkpoint '{checkpoint}' to mutate")


def run_mutations(result: LabResult, i: int) -> Iterator[Mutation]:
    """The run's own facts: exit code, timed out or not, its duration, each action's figures,
    one line of its output left out."""
    run = result.runs[i]
    code = 0 if run.exit_code else 1
    yield Mutation(
        f"exit code {run.exit_code}→{code}",
        lambda: _with_run(result, i, replace(run, exit_code=code)),
    )
    if run.exit_code not in (None, 0):
        yield Mutation(
            f"exit code {run.exit_code}→{run.exit_code + 1}",
            lambda: _with_run(result, i, replace(run, exit_code=(run.exit_code or 0) + 1)),
        )
    yield Mutation(
        f"timed out {run.timed_out}→{not run.timed_out}",
        lambda: _with_run(result, i, replace(run, timed_out=not run.timed_out)),
    )
    for new in _changed(run.duration_s):
        yield Mutation(
            f"duration {run.duration_s:.2f}s→{new:.2f}s",
            lambda new=new: _with_run(result, i, replace(run, duration_s=new)),
        )
    for a, act in enumerate(run.actions):
        for path, new in _leaves(act.data):
            if new is _DROP:
                continue

            def make(a: int = a, path: tuple[Any, ...] = path, new: Any = new) -> LabResult:
                acts = list(run.actions)
                # typed records (lab.records): `data` is a view of their fields; change the field itself
                field, rest = path[0], path[1:]
                old = getattr(acts[a], field)
                value = (
                    _set(list(old) if isinstance(old, tuple) else old, rest, new) if rest else new
                )
                value = tuple(value) if isinstance(old, tuple) else value
                changed: dict[str, Any] = {field: value}
                acts[a] = replace(acts[a], **changed)
                return _with_run(result, i, replace(run, actions=acts))

            yield Mutation(f"action {act.do} at '{act.at}': {_path(path)} → {new!r}", make)
    for k, line in enumerate(run.output[:MAX_OUTPUT_LINES]):
        yield Mutation(
            f"output line {k + 1} left out: {line.text[:60]!r}",
            lambda k=k: _with_run(
                result, i, replace(run, output=run.output[:k] + run.output[k + 1 :])
            ),
        )


def event_mutations(result: LabResult, i: int) -> Iterator[Mutation]:
    """The kernel's record of run ``i``: each event left out, or one of its facts changed."""
    run = result.runs[i]
    if not run.kernel.recorded:
        return
    events = run.kernel.events

    def make(k: int, new: KernelEvent | None) -> LabResult:
        kept = events[:k] + ((new,) if new is not None else ()) + events[k + 1 :]
        return _with_run(result, i, replace(run, kernel=replace(run.kernel, events=kept)))

    for k, e in enumerate(events[:MAX_EVENTS]):
        where = f"event {k + 1} ({e.kind} of {e.who})"
        yield Mutation(f"{where} left out", lambda k=k: make(k, None))
        for what, changes in event_edits(e):
            yield Mutation(
                f"{where}: {what}", lambda k=k, e=e, changes=changes: make(k, replace(e, **changes))
            )


def generic(result: LabResult) -> Iterator[Mutation]:
    """Every generic one-fact mutation of a result: the process tables first (the facts most
    checks are about), then the kernel's record (so a check of it is shown failing on an event,
    not only on the data that names the pid), then the checkpoints' data, then the runs' own facts."""
    places = [
        (i, j, run, snap)
        for i, run in enumerate(result.runs)
        for j, snap in enumerate(run.checkpoints)
    ]
    for i, j, run, snap in places:
        for what, make in table_edits(snap):
            yield Mutation(
                f"{run.variant}/{snap.name}: {what}",
                lambda make=make, i=i, j=j: _with_snap(result, i, j, make()),
            )
    for i, run in enumerate(result.runs):
        yield from (
            Mutation(f"{run.variant}: kernel record: {m.what}", m.make)
            for m in event_mutations(result, i)
        )
    for i, j, run, snap in places:
        yield from (
            Mutation(f"{run.variant}/{snap.name}: {m.what}", m.make)
            for m in data_mutations(result, i, j)
        )
        later = snap.at_s * 1.5 + 0.5
        yield Mutation(
            f"{run.variant}/{snap.name}: at {snap.at_s:.2f}s → {later:.2f}s",
            lambda i=i, j=j, snap=snap, later=later: _with_snap(
                result, i, j, replace(snap, at_s=later)
            ),
        )
    for i, run in enumerate(result.runs):
        yield from (Mutation(f"{run.variant}: {m.what}", m.make) for m in run_mutations(result, i))


def load_extra(lab_dir: Path) -> Callable[[LabResult], list[Mutation]] | None:
    """A lab's own mutations: ``mutations(result)`` in its folder's mutations.py (code, like checks.py)."""
    path = lab_dir / "mutations.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(
        f"proclab_lab_mutations_{abs(hash(str(path)))}", path
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        raise LabFormatError(
            f"{path}: the mutations file fails to load: {type(err).__name__}: {err}"
        ) from err
    fn = getattr(module, "mutations", None)
    if not callable(fn):
        raise LabFormatError(f"{path}: defines no mutations(result) function")
    return cast("Callable[[LabResult], list[Mutation]]", fn)


def find_failing(
    checks: Iterable[Check],
    result: LabResult,
    extra: Iterable[Mutation] = (),
    timeout_s: float = CHECK_TIMEOUT_S,
) -> list[Verdict]:
    """For each check, the first mutation (the lab's own first, then the generic ones) that fails it."""
    checks = list(checks)
    found: dict[str, Verdict] = {}
    alive = []
    for c in checks:
        real = c.outcome(result, timeout_s)
        if _inconclusive(real.result):
            found[c.name] = Verdict(
                c.name,
                None,
                "inconclusive on the real result (the host left too little "
                "free to measure): not tested",
                inconclusive=True,
            )
        elif real.kind is not Ending.PASSED:
            found[c.name] = Verdict(
                c.name,
                None,
                "it does not pass on the real result, so no mutation can show "
                "that it tests its fact",
            )
        else:
            alive.append(c)
    for m in _chain(extra, generic(result)):
        if not alive:
            break
        mutated = m.make()
        still = []
        for c in alive:
            if c.outcome(mutated, timeout_s).kind is Ending.REFUTED:
                found[c.name] = Verdict(c.name, m.what)
            else:
                still.append(c)
        alive = still
    for c in alive:
        found[c.name] = Verdict(c.name, None, "no one-fact mutation of the result makes it fail")
    return [found[c.name] for c in checks]


def _inconclusive(res: Any) -> bool:
    """A verdict that is neither pass nor fail (a CPU-timing check on a busy host)."""
    return bool(getattr(res, "inconclusive", False)) or getattr(res, "status", "") == "inconclusive"


def _chain(*parts: Iterable[Mutation]) -> Iterator[Mutation]:
    for part in parts:
        yield from part
