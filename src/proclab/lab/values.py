"""Checks of single lab.toml values: each returns the value in proclab's terms or raises
``Bad(what it should be)``; ``checked`` turns that into one ``LabFormatError`` line."""
from __future__ import annotations

import math
import re
from typing import Any, Callable

from ..errors import LabFormatError, ProclabError

ValueCheck = Callable[[Any], Any]


class Bad(ProclabError):
    """A value is wrong: ``want`` says what it should be."""

    def __init__(self, want: str):
        super().__init__(want)
        self.want = want


def checked(raw: dict[str, Any], checks: dict[str, ValueCheck], where: str, kind: str = "") -> dict[str, Any]:
    """Each key of ``raw`` through its check; the first wrong value names the key and the fix."""
    out = {}
    for key, value in raw.items():
        try:
            out[key] = checks[key](value)
        except Bad as bad:
            raise LabFormatError(f"{where}: {kind}'{key}' must be {bad.want}, not {_shown(value)}") from None
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def boolean(v: Any) -> bool:
    if not isinstance(v, bool):        # TOML has true and false: "no" or 1 is a mistake, not a truth value
        raise Bad("true or false")
    return v


def text(v: Any) -> str:
    if not isinstance(v, str):
        raise Bad("a string")
    return v


def number(lo: float, hi: float, *, above: bool = False) -> ValueCheck:
    """A finite int or float in [lo, hi] (or (lo, hi] with ``above``); never a bool."""
    want = f"a number above {lo:g} and at most {hi:g}" if above else f"a number from {lo:g} to {hi:g}"

    def check(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise Bad(want)
        if isinstance(v, float) and not math.isfinite(v):      # (an int of 400 digits is no float: compare it as is)
            raise Bad(want)
        if not lo <= v <= hi or (above and v == lo):
            raise Bad(want)
        return v
    return check


def integer(lo: int, hi: int) -> ValueCheck:
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise Bad(f"an integer from {lo} to {hi}")
        return v
    return check


def matching(rx: re.Pattern[str], want: str) -> ValueCheck:
    def check(v: Any) -> str:
        if not isinstance(v, str) or not rx.match(v):
            raise Bad(want)
        return v
    return check


def one_of(choices: set[str]) -> ValueCheck:
    def check(v: Any) -> str:
        if not isinstance(v, str) or v not in choices:
            raise Bad(f"one of {', '.join(sorted(choices))}")
        return v
    return check


def strings(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(a, str) for a in v):
        raise Bad('a list of strings, e.g. ["a", "b"]')
    return tuple(v)
