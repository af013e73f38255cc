"""The one encoder from typed records to JSON values (docs/result-model.md).

A record is a dataclass; its JSON form is its fields in order, unless the class declares a
``json_form`` (a ``JsonForm``: which attributes, renamed, rounded or left out when unset).
Values encode the same way at every depth: enums by value, tuples as lists, mapping keys as
strings, nested records by their own form. Every layer may import this module, so the
snapshot's records and the lab's are written by the same code."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any, ClassVar


@dataclass(frozen=True)
class JsonForm:
    """How one record class is written, declared once beside its fields.

    ``keys``: the attributes written, in order (fields or properties); empty means every field
    in order, then ``computed`` (properties). ``renamed`` maps an attribute to its key.
    A key may name a method that takes no arguments: its result is written. ``via`` turns an
    attribute's value into the value written. ``digits`` rounds floats. ``omit`` leaves fields out; ``unless_none`` / ``unless_set``
    leave an attribute out when it is None / falsy; ``sparse`` leaves out every None field
    not in ``always``. ``none_if_empty`` writes a falsy value as null. ``merged`` names a
    mapping field whose items are written at the top level, last. ``as_list`` writes the values
    alone, as a JSON array (a row)."""

    keys: tuple[str, ...] = ()
    computed: tuple[str, ...] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)
    via: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    digits: Mapping[str, int] = field(default_factory=dict)
    omit: frozenset[str] = frozenset()
    unless_none: frozenset[str] = frozenset()
    unless_set: frozenset[str] = frozenset()
    sparse: bool = False
    always: frozenset[str] = frozenset()
    none_if_empty: frozenset[str] = frozenset()
    merged: str = ""
    as_list: bool = False


PLAIN = JsonForm()


class JsonRecord:
    """A record whose ``to_dict`` is the generic encoder's (its form is ``json_form``)."""

    __slots__ = ()
    json_form: ClassVar[JsonForm] = PLAIN

    def to_dict(self) -> dict[str, Any]:
        return encode_record(self)

    def json_form_now(self) -> JsonForm:
        """The form this record is written in: its class's, unless a record has two (an action
        Docker refused is written in its ``refused_form``)."""
        return self.json_form


def _attributes(record: Any, form: JsonForm) -> tuple[str, ...]:
    if form.keys:
        return form.keys
    names = tuple(f.name for f in fields(record) if f.name not in form.omit)
    return tuple(n for n in names if n != form.merged) + form.computed


def encode_record(record: Any, form: JsonForm | None = None) -> dict[str, Any]:
    """A dataclass record as a JSON object, by ``form`` (default: its class's ``json_form``)."""
    if form is None:
        now = getattr(record, "json_form_now", None)
        form = now() if now is not None else getattr(type(record), "json_form", PLAIN)
    out: dict[str, Any] = {}
    for name in _attributes(record, form):
        value = getattr(record, name)
        if inspect.ismethod(value):
            value = value()
        if value is None and (
            name in form.unless_none or (form.sparse and name not in form.always)
        ):
            continue
        if name in form.unless_set and not value:
            continue
        if name in form.via:
            value = form.via[name](value)
        if name in form.none_if_empty and not value:
            value = None
        if name in form.digits and value is not None:
            value = round(value, form.digits[name])
        out[form.renamed.get(name, name)] = encode(value)
    if form.merged:
        out.update(encode(getattr(record, form.merged)))
    return out


def encode(value: Any) -> Any:
    """Any value a record holds as plain JSON values."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        d = encode_record(value)
        return list(d.values()) if getattr(value, "json_form", PLAIN).as_list else d
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value  # not a JSON value: the document's writer (cli.jsonout) notes and quotes it
