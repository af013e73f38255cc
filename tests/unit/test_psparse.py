"""The ps parser on real output captured in the lab image."""

from pathlib import Path

import pytest

from proclab.snapshot.ps import PsParseError, parse_ps

FIX = Path(__file__).parent / "fixtures"


def test_zombie_line_is_defunct():
    rows = {r.pid: r for r in parse_ps((FIX / "ps_zombie.txt").read_text())}
    z = [r for r in rows.values() if r.state == "Z"]
    assert len(z) == 1
    assert z[0].defunct and z[0].args == "[python3] <defunct>" and z[0].comm == "python3"


def test_states_nice_and_flags():
    rows = {r.pid: r for r in parse_ps((FIX / "ps_mixed.txt").read_text())}
    assert rows[1].stat == "Ssl" and rows[1].ppid == 0
    assert rows[7].stat == "SN" and rows[7].nice == 10
    assert rows[8].state == "T"
    assert rows[9].stat == "R<" and rows[9].nice == -5
    assert rows[11].defunct
    assert rows[12].comm == "ps" and rows[12].args.startswith("ps -eo")


def test_args_with_spaces_are_kept_whole():
    rows = parse_ps((FIX / "ps_mixed.txt").read_text())
    assert rows[0].args.startswith("python3 -c import os,subprocess")


def test_realtime_nice_dash():
    text = (
        "    PID    PPID STAT  NI COMMAND              COMMAND\n"
        "      5       1 S      - chrt                 chrt -f 10 sleep 5\n"
    )
    assert parse_ps(text)[0].nice is None


@pytest.mark.parametrize(
    "text", ["", "PID PPID\n1 0\n", "  PID  PPID STAT NI COMMAND COMMAND\n  x\n"]
)
def test_rejects_what_it_cannot_read(text):
    with pytest.raises(PsParseError):
        parse_ps(text)
