"""``--json``: always one strictly valid JSON document on stdout, whatever happened.

No NaN or Infinity (strict parsers reject them): such a number is written as null and a
note in ``json_notes`` says where. A lone surrogate (a checkpoint's ``"\\ud800"``) becomes
U+FFFD; a value JSON cannot hold (a lab's figure that is a set, an object) is written as
its text, with a note. An error is ``{"error": ..., "exit_code": 2}``; Ctrl-C is
``{"interrupted": true, "exit_code": 130, "labs": [the labs that finished]}``.
"""
from __future__ import annotations

import json
import math
from typing import Any

import click

from ..snapshot import clean_surrogates

MAX_DEPTH = 64


def requested(args: list[str]) -> bool:
    """Whether the command line asks for --json (before a '--', where options end)."""
    options = args[:args.index("--")] if "--" in args else args
    return "--json" in options


def strict(value: Any, notes: list[str], path: str = "$", depth: int = 0) -> Any:
    """value as plain JSON types, every number finite, every string UTF-8-writable."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        notes.append(f"{path} was {value!r}: written as null")
        return None
    if isinstance(value, str):
        return clean_surrogates(value)
    if depth >= MAX_DEPTH:
        notes.append(f"{path} nests deeper than {MAX_DEPTH}: written as null")
        return None
    if isinstance(value, dict):
        return {clean_surrogates(str(k)): strict(v, notes, f"{path}.{k}", depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v, notes, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    text = clean_surrogates(repr(value) if not isinstance(value, (set, frozenset)) else repr(sorted(value, key=repr)))
    notes.append(f"{path} is a {type(value).__name__}, not a JSON value: written as its text")
    return text


def dumps(doc: dict[str, Any]) -> str:
    notes: list[str] = []
    clean = strict(doc, notes)
    if notes:
        clean["json_notes"] = notes
    return json.dumps(clean, indent=2, allow_nan=False)


def emit(doc: dict[str, Any]) -> None:
    click.echo(dumps(doc))


def emit_error(message: str, exit_code: int) -> None:
    emit({"error": message, "exit_code": exit_code})


def emit_interrupted(finished: list[dict[str, Any]]) -> None:
    """``finished``: the labs that ended before the interruption (cli/state.py)."""
    emit({"interrupted": True, "exit_code": 130, "error": "interrupted (Ctrl-C or SIGTERM): "
          "the lab's containers were removed", "labs": finished})
