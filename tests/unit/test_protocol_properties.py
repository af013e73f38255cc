"""Property-based tests (hypothesis) of the checkpoint-line parser and the line splitter:
whatever a scenario prints, the harness gets lines or announcements, never an exception."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from proclab.snapshot.protocol import (
    MARK,
    Announcement,
    Line,
    LineSplitter,
    lines_from,
    parse_announcement,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.text())
def test_any_text_is_an_announcement_or_not_never_an_error(text):
    for line in (text, MARK + text):
        got = parse_announcement(line)
        assert got is None or isinstance(got, Announcement)


@given(
    name=st.text(),
    data=st.dictionaries(st.text(max_size=8), json_values, max_size=5),
    pid=json_values,
    fifo=json_values,
    t=json_values,
)
def test_any_json_announcement_parses_or_is_refused_and_its_strings_are_writable(
    name, data, pid, fifo, t
):
    line = MARK + json.dumps({"name": name, "data": data, "pid": pid, "fifo": fifo, "t": t})
    got = parse_announcement(line)
    if got is not None:
        got.name.encode("utf-8")
        json.dumps(got.data, ensure_ascii=False).encode("utf-8")


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.sampled_from(["stdout", "stderr"]), st.binary(max_size=64)), max_size=30)
)
def test_the_splitter_gives_back_what_was_written_line_by_line(chunks):
    sp = LineSplitter(max_line=1 << 20)
    got: dict[str, list[str]] = {"stdout": [], "stderr": []}
    for stream, chunk in chunks:
        got[stream] += list(sp.feed(stream, chunk))
    for line in sp.flush():
        got[line.stream].append(line.text)
    for stream in got:
        written = b"".join(c for s, c in chunks if s == stream)
        raws = written.split(b"\n")
        if raws[-1] == b"":  # what ends in a newline has no last piece (b"\r" alone is one)
            raws.pop()
        want = [raw.decode("utf-8", "replace").rstrip("\r") for raw in raws]
        # a line's last piece is decoded as it was left: only its trailing \r may differ
        assert [g.rstrip("\r") for g in got[stream]] == [w.rstrip("\r") for w in want]


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.binary(max_size=200)),
            st.one_of(st.none(), st.binary(max_size=200)),
        ),
        max_size=20,
    )
)
def test_lines_from_never_raises(chunks):
    for item in lines_from(chunks):
        assert isinstance(item, (Line, Announcement))
