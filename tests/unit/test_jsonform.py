"""The one encoder (proclab/jsonform.py), without Docker: what each declared form option does,
that every record's form names attributes the record has, and that ``explore check --json``
is a stamped document the published schema describes."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any

import proclab
from proclab.explore.playbooks import HostCheck
from proclab.jsonform import JsonForm, JsonRecord, encode
from proclab.lab.document import stamped
from proclab.lab.records import StopRecord
from proclab.lab.result import RunRecord
from proclab.lab.schema import kind_of, violation


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Row:
    json_form = JsonForm(as_list=True, unless_none=frozenset({"level"}))

    name: str
    level: int | None = None


@dataclass
class Sample(JsonRecord):
    json_form = JsonForm(
        keys=("name", "took_s", "note", "gone", "problem", "twice", "colour", "rows", "by_pid"),
        renamed={"took_s": "took"},
        digits={"took_s": 2},
        unless_set=frozenset({"note"}),
        unless_none=frozenset({"gone"}),
        none_if_empty=frozenset({"problem"}),
        via={"twice": lambda n: n * 2},
        merged="extra",
    )

    name: str
    took_s: float
    note: str = ""
    gone: int | None = None
    problem: str = ""
    twice: int = 1
    colour: Colour = Colour.RED
    rows: tuple[Row, ...] = ()
    by_pid: dict[int, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def doubled(self) -> int:
        return self.twice * 2


def test_each_form_option_does_what_it_says():
    s = Sample("a", 1.23456, rows=(Row("x"), Row("y", 2)), by_pid={7: "sh"}, extra={"z": (1,)})
    assert s.to_dict() == {
        "name": "a",
        "took": 1.23,
        "problem": None,
        "twice": 2,
        "colour": "red",
        "rows": [["x"], ["y", 2]],
        "by_pid": {"7": "sh"},
        "z": [1],
    }
    shown = Sample("b", 0, note="n", gone=0, problem="p").to_dict()
    assert (shown["note"], shown["gone"], shown["problem"]) == ("n", 0, "p")


def test_a_key_may_name_a_method_and_a_plain_dataclass_is_its_fields():
    @dataclass
    class Plain:
        a: int
        b: tuple[str, ...]

    @dataclass
    class Called(JsonRecord):
        json_form = JsonForm(keys=("doubled",))
        n: int

        def doubled(self) -> int:
            return self.n * 2

    assert encode([Plain(1, ("x",))]) == [{"a": 1, "b": ["x"]}]
    assert Called(3).to_dict() == {"doubled": 6}
    odd = object()  # not a JSON value: left for the document's writer to note and quote
    assert encode({"k": odd})["k"] is odd


def _records() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(proclab.__path__, "proclab."):
        if ".cli" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and is_dataclass(value)
                and value.__module__ == module.__name__
                and isinstance(getattr(value, "json_form", None), JsonForm)
            ):
                found.append(value)
    return found


def test_every_declared_form_names_attributes_its_record_has():
    records = _records()
    assert len(records) >= 20, records  # the snapshot's, the lab's, sched's, homework's, doctor's
    problems = []
    for cls in records:
        names = {f.name for f in fields(cls)}
        for form in (cls.json_form, getattr(cls, "refused_form", cls.json_form)):
            declared = (
                set(form.keys) | set(form.computed) | set(form.renamed) | set(form.digits)
            ) | (form.omit | form.unless_none | form.unless_set | form.always | set(form.via))
            declared |= form.none_if_empty | ({form.merged} - {""})
            for name in sorted(declared):
                if name not in names and not hasattr(cls, name):
                    problems.append(f"{cls.__qualname__}.{name}")
    assert not problems, problems


def test_explore_check_json_is_a_stamped_document_of_hosts():
    hosts = [
        HostCheck("a", [{"exercise": "zombie", "passed": True, "saw": "1 zombie"}]),
        HostCheck("b", [], problem="unreachable"),
    ]
    doc = stamped({"hosts": encode(hosts)})
    assert kind_of(doc) == "explore_check" and violation(doc) is None
    assert list(doc) == ["schema_version", "hosts"]
    assert list(doc["hosts"][1]) == ["host", "problem", "results"]
    assert violation({"hosts": [{"host": "a"}]}, "explore_check") is not None


def test_an_action_docker_refused_is_written_in_its_refused_form_at_any_depth():
    refused = StopRecord("ready", grace_s=2, notes={"x": 1}, error="409 conflict")
    written = {"at": "ready", "do": "stop", "grace_s": 2, "error": "409 conflict"}
    assert refused.to_dict() == written
    run = encode(RunRecord("main", actions=[refused, StopRecord("end", took_s=1.5)]))
    assert run["actions"] == [
        written,
        {"at": "end", "do": "stop", "grace_s": 10.0, "took_s": 1.5, "exit_code": None},
    ]
