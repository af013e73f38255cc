"""The harness's bounds, without Docker: the line splitter is linear and bounded, an
announcement is bounded in size and depth, a run's output store keeps its first and last
lines and counts the rest, strings are shown safely, and --json is strict JSON."""

from __future__ import annotations

import json
import threading
import time

import pytest
from rich.console import Console

from proclab.cli import jsonout
from proclab.deadline import call_within as within
from proclab.errors import CallTimeout
from proclab.lab.outputstore import OutputLimits, OutputStore
from proclab.lab.result import OutputLine
from proclab.snapshot.protocol import (
    MARK,
    MAX_LINE,
    Line,
    LineSplitter,
    lines_from,
    parse_announcement,
)
from proclab.ui.safe import safe, visible


def _strict_loads(text: str):
    def no(name):
        raise ValueError(f"{name} in a strict JSON document")

    return json.loads(text, parse_constant=no)  # not --json: jsonout on a made-up value


# -- the line splitter -------------------------------------------------------------
def test_a_50_mb_line_in_small_chunks_is_split_in_linear_time_and_kept_bounded():
    # 50 MB in 64 KiB chunks, no newline until the end: a quadratic splitter re-copied the
    # growing buffer on every chunk (41 s); a linear one touches each byte a few times.
    chunk = b"x" * 65536
    chunks = [(chunk, None)] * 800 + [(b"\nafter\n", None)]
    t = time.perf_counter()
    items = list(lines_from(chunks))
    took = time.perf_counter() - t
    assert [type(i) for i in items] == [Line, Line]
    first, after = items
    assert first.text.startswith("x" * MAX_LINE) and len(first.text) < MAX_LINE + 100
    assert f"{800 * 65536 - MAX_LINE:,} more bytes of this line not kept" in first.text
    assert after.text == "after"
    assert took < 10, f"splitting 50 MB took {took:.1f} s: the splitter is not linear"


def test_the_splitter_keeps_streams_apart_and_joins_a_line_split_across_chunks():
    sp = LineSplitter(max_line=10)
    assert list(sp.feed("stdout", b"ab")) == []
    assert list(sp.feed("stderr", b"E1\nE")) == ["E1"]
    assert list(sp.feed("stdout", b"c\r\nde")) == ["abc"]
    assert list(sp.feed("stdout", b"0123456789XYZ\n")) == [
        "de01234567 … (5 more bytes of this line not kept)"
    ]
    assert list(sp.flush()) == [Line("stderr", "E")]


# -- announcements --------------------------------------------------------------
def test_json_nested_200000_deep_is_not_an_announcement_and_does_not_kill_the_reader():
    deep = (
        MARK
        + '{"name": "x", "pid": 1, "fifo": "/f", "data": {"d": '
        + "[" * 200_000
        + "]" * 200_000
        + "}}"
    )
    assert parse_announcement(deep) is None
    items = list(lines_from([((deep + "\nstill here\n").encode(), None)]))
    assert items[-1] == Line("stdout", "still here")


def test_an_announcement_a_bit_too_deep_or_too_big_is_an_ordinary_line():
    nested = "[" * 20 + "]" * 20
    assert (
        parse_announcement(
            MARK + f'{{"name": "x", "pid": 1, "fifo": "/f", "data": {{"d": {nested}}}}}'
        )
        is None
    )
    big = MARK + json.dumps({"name": "x", "pid": 1, "fifo": "/f", "data": {"d": "y" * 100_000}})
    assert parse_announcement(big) is None


def test_a_lone_surrogate_in_a_checkpoint_name_or_data_becomes_a_replacement_character():
    text = MARK + '{"name": "a\\ud800", "pid": 1, "fifo": "/f", "data": {"s\\udfff": ["\\ud83d"]}}'
    ann = parse_announcement(text)
    assert ann is not None and ann.name == "a\ufffd" and ann.data == {"s\ufffd": ["\ufffd"]}
    json.dumps(ann.data, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


# -- the output store -------------------------------------------------------------
def _line(i: int, n: int = 1) -> OutputLine:
    return OutputLine("stdout", f"{i:0{n}d}", float(i))


def test_the_store_keeps_the_first_and_last_lines_and_counts_what_it_dropped():
    store = OutputStore(OutputLimits(head_lines=3, tail_lines=2, max_chars=10_000))
    shown = [store.add(_line(i)) for i in range(10)]
    assert shown == [True] * 3 + [False] * 7
    kept = store.kept()
    assert [o.text for o in kept.head] == ["0", "1", "2"]
    assert [o.text for o in kept.tail] == ["8", "9"]
    assert (kept.dropped_lines, kept.dropped_chars) == (5, 10)


def test_the_store_is_bounded_in_characters_too():
    store = OutputStore(OutputLimits(head_lines=1000, tail_lines=1000, max_chars=1000))
    for _ in range(1000):
        store.add(OutputLine("stdout", "y" * 99, 0.0))
    kept = store.kept()
    assert sum(len(o.text) + 1 for o in kept.head + kept.tail) <= 1000
    assert len(kept.head) + len(kept.tail) + kept.dropped_lines == 1000


# -- a call with a deadline -------------------------------------------------------------
def test_within_gives_up_on_a_call_at_its_deadline_and_passes_errors_on():
    never = threading.Event()
    t = time.monotonic()
    with pytest.raises(CallTimeout, match="within 0.2 s"):
        within(0.2, "exec sleep in", "c", never.wait)
    assert time.monotonic() - t < 5
    assert within(1, "x", "c", lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        within(1, "x", "c", lambda: 1 / 0)
    never.set()


# -- terminal safety -------------------------------------------------------------
def test_control_characters_are_shown_not_obeyed():
    assert visible("\x1b[2J\x1b]0;pwned\x07x\x7f\x9b") == "^[[2J^[]0;pwned^Gx^?<U+009B>"
    assert visible("a\nb\r") == "a^Jb^M"
    assert visible("a\r\nb\tc", keep_newlines=True) == "a\nb\tc"
    assert visible("\u202eevil\ud800") == "<U+202E>evil\ufffd"
    assert visible(5) == "5"


def test_safe_text_is_never_rich_markup():
    c = Console(record=True, width=200, color_system=None)
    c.print(safe("r-[/x] [bold]not bold[/bold] \x1b[31m"))
    out = c.export_text()
    assert "r-[/x] [bold]not bold[/bold] ^[[31m" in out


# -- strict JSON -------------------------------------------------------------
def test_json_has_no_nan_or_infinity_no_lone_surrogate_and_takes_any_figure():
    doc = {
        "a": float("nan"),
        "b": [float("inf"), -float("inf")],
        "s": "x\ud800",
        "fig": {1, 2},
        "obj": object(),
        "deep": [[[[1]]]],
    }
    text = jsonout.dumps(doc)
    back = _strict_loads(text)
    assert back["a"] is None and back["b"] == [None, None] and back["s"] == "x\ufffd"
    assert back["fig"] == "[1, 2]" and back["obj"].startswith("<object object")
    notes = " ".join(back["json_notes"])
    assert "$.a was nan" in notes and "$.b[0] was inf" in notes and "$.fig is a set" in notes


def test_json_mode_is_read_from_the_options_only():
    assert jsonout.requested(["run", "zombies", "--json"])
    assert not jsonout.requested(["run", "zombies"])
    assert not jsonout.requested(["run", "--", "--json"])
