"""The checkpoint protocol's host side: lines, announcements, split chunks."""

import json

from proclab.snapshot.protocol import MARK, Announcement, Line, lines_from, parse_announcement


def ann(name="x", **data):
    return MARK + json.dumps(
        {"name": name, "data": data, "pid": 7, "fifo": "/run/proclab/cp-7-1", "top": True, "t": 1.5}
    )


def test_announcement_parsed():
    a = parse_announcement(ann("zombie-created", child=8))
    assert a == Announcement("zombie-created", {"child": 8}, 7, "/run/proclab/cp-7-1", True, 1.5)


def test_plain_and_broken_lines_are_not_announcements():
    assert parse_announcement("hello") is None
    assert parse_announcement(MARK + "{not json") is None


def test_lines_split_across_chunks_and_streams():
    raw = (ann("a") + "\n").encode()
    chunks = [
        (b"hel", None),
        (b"lo\n" + raw[:10], b"oops"),
        (raw[10:], b" here\n"),
        (b"tail", None),
    ]
    items = list(lines_from(chunks))
    assert items[0] == Line("stdout", "hello")
    assert isinstance(items[1], Announcement) or isinstance(items[2], Announcement)
    assert Line("stderr", "oops here") in items
    assert items[-1] == Line("stdout", "tail")


def test_announcement_on_stderr_is_just_output():
    items = list(lines_from([(None, (ann() + "\n").encode())]))
    assert isinstance(items[0], Line)
