"""The published JSON Schema of the ``--json`` documents (docs/schema/proclab-result-1.json,
shipped beside this module): which kind a document is, and its first violation in words."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from .document import SCHEMA_FILE, SCHEMA_VERSION

# A document's kind, by the keys only it has (checked in this order).
KINDS = (
    ("interrupted", "interrupted"),
    ("labs", "labs"),
    ("runs", "lab"),
    ("services", "doctor_compose"),
    ("error", "error"),
    ("every_check_can_fail", "mutation"),
    ("reparent", "fork_exercise"),
    ("ticks", "process_exercise"),
    ("schedules", "scheduling_exercise"),
    ("hosts", "explore_check"),
)


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))
    return loaded


def kind_of(doc: Any) -> str:
    """The schema's ``$defs`` entry a document follows: a lab's result unless its keys say else."""
    if isinstance(doc, dict):
        for key, kind in KINDS:
            if key in doc:
                return kind
    return "lab"


def _where(path: Any) -> str:
    return (
        "the document"
        if not path
        else "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    )


def violation(doc: Any, kind: str | None = None) -> str | None:
    """The first way ``doc`` breaks the schema of its kind (None: it follows it)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if version is not None and version != SCHEMA_VERSION:
        return (
            f"it follows schema version {version!r}, and this proclab reads version "
            f"{SCHEMA_VERSION}: read it with the proclab that wrote it"
        )
    full = schema()
    sub = {"$ref": f"#/$defs/{kind or kind_of(doc)}", "$defs": full["$defs"]}
    error = best_match(Draft202012Validator(sub).iter_errors(doc))
    if error is None:
        return None
    text = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{_where(error.absolute_path)}: {text}"
