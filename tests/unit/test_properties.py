"""Property tests (issue 14 item 9): any lab.toml gives a valid LabSpec or a ProclabError, and any
output line gives an Announcement or None, never another exception."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proclab.errors import ProclabError
from proclab.lab import spec as labspec
from proclab.lab.settings import CHECKS, Settings
from proclab.snapshot.protocol import MARK, Announcement, parse_announcement

# -- writing TOML from values (a small writer: enough for what the strategies make) --


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        )
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a TOML basic string (or a TOML error: fine too)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"


SETTING_KEYS = list(CHECKS) + ["pid_limit", "privileged"]
ACTION_KEYS = ["at", "do", "grace_s", "signal", "command", "user", "then", "when"]
VARIANT_KEYS = ["name", "summary", "args", "settings", "actions", "expect_timeout", "colour"]
scalars = (
    st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([10**400, -(10**400)])
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "SIGINT",
            "SIGNOPE",
            "stop",
            "kill",
            "exec",
            "release",
            "root",
            "lab",
            "256m",
            "0",
            "ps",
            "SYS_NICE",
            "SYS_ADMIN",
        ]
    )
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
settings_tables = st.dictionaries(st.sampled_from(SETTING_KEYS), values, max_size=5)
actions = st.lists(
    st.dictionaries(st.sampled_from(ACTION_KEYS), values, max_size=5) | values, max_size=3
)
variants = (
    st.dictionaries(
        st.sampled_from(VARIANT_KEYS), st.one_of(values, settings_tables, actions), max_size=6
    )
    | values
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "title": values,
        "summary": values,
        "settings": settings_tables | values,
        "variant": st.lists(variants, max_size=3) | values,
        "colour": values,
    },
)


def toml_text(doc: dict) -> str:
    return "".join(f"{k} = {toml_value(v)}\n" for k, v in doc.items())


@pytest.fixture(scope="module")
def folder():
    d = Path(tempfile.mkdtemp(prefix="proclab-prop-")) / "lab"
    d.mkdir()
    (d / "scenario.py").write_text("print(1)\n")
    yield d
    shutil.rmtree(d.parent)


def load_or_error(folder: Path, content: bytes) -> None:
    (folder / "lab.toml").write_bytes(content)
    try:
        spec = labspec.load(folder)
    except ProclabError as err:
        assert "\n" not in str(err) and str(err)
        return
    for v in spec.variants:  # a spec that loads is valid through and through
        s = spec.settings_for(v)
        assert isinstance(s, Settings)
        for key, check in CHECKS.items():
            value = getattr(s, key)
            if value is not None:
                check(list(value) if key == "cap_add" else value)
        assert math.isfinite(s.timeout_s) and 0 < s.timeout_s <= 3600
        for a in v.actions:
            assert isinstance(a.command, tuple) and all(isinstance(c, str) for c in a.command)
            assert math.isfinite(a.grace_s) and a.signal.startswith("SIG")


PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(doc=documents)
def test_any_lab_toml_gives_a_valid_spec_or_a_proclab_error(folder, doc):
    load_or_error(folder, toml_text(doc).encode("utf-8", "surrogatepass"))


@PROPS
@given(raw=st.binary(max_size=200))
def test_any_bytes_in_lab_toml_give_a_valid_spec_or_a_proclab_error(folder, raw):
    load_or_error(folder, raw)


@pytest.mark.parametrize(
    "content",
    [
        "[settings]\ntimeout_s = " + "9" * 5000 + "\n",  # tomllib: ValueError, not TOMLDecodeError
        "title = " + "[" * 5000 + "]" * 5000 + "\n",  # tomllib: RecursionError
        "[settings]\ntimeout_s = " + "9" * 400 + "\n",  # an int no float can hold
        "[[variant]]\nname = 'a'\nsettings = { timeout_s = -inf }\n",
    ],
)
def test_hostile_lab_tomls(folder, content):
    load_or_error(folder, content.encode())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
announcements = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": json_values,
            "data": json_values,
            "pid": json_values,
            "fifo": json_values,
            "top": json_values,
            "t": json_values,
        },
    )
    | json_values
)


def assert_parsed(line: str) -> None:
    ann = parse_announcement(line)
    assert ann is None or (
        isinstance(ann, Announcement)
        and isinstance(ann.name, str)
        and isinstance(ann.pid, int)
        and isinstance(ann.data, dict)
        and isinstance(ann.t, float)
    )


@PROPS
@given(doc=announcements)
def test_any_checkpoint_line_gives_an_announcement_or_none(doc):
    assert_parsed(MARK + json.dumps(doc))


@PROPS
@given(text=st.text())
def test_any_text_after_the_mark_gives_an_announcement_or_none(text):
    assert_parsed(text)
    assert_parsed(MARK + text)


@pytest.mark.parametrize(
    "line",
    [
        MARK + "[" * 200_000 + "]" * 200_000,  # RecursionError in json
        MARK + '{"name": "x", "pid": 1e400, "fifo": "/f"}',  # inf: int() overflows
        MARK + '{"name": "x", "pid": 1, "fifo": "/f", "t": ' + "9" * 400 + "}",  # float() overflows
        MARK + '{"name": "x", "pid": 1, "fifo": "/f", "data": "ab"}',
        MARK + '{"name": "x", "pid": 1, "fifo": "/f", "data": [[1, 2]]}',
        MARK + '"just a string"',
        MARK
        + '{"name": "x", "pid": '
        + "9" * 5000
        + ', "fifo": "/f"}',  # int() of 5000 digits: ValueError
        MARK + '{"name": "\\ud800", "pid": 1, "fifo": "/f"}',  # a lone surrogate
    ],
)
def test_hostile_checkpoint_lines(line):
    assert_parsed(line)
