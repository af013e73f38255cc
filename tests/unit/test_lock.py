"""The lab lock on a machine with several users (issue 14 item 6): a lock file another user
created 0644 still works, and the two users' locks still exclude each other."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from proclab.run.lock import _open, lab_lock

NOBODY = 65534


def as_other_user(path) -> str:
    """Another user's side, in a forked child that became uid 65534: open the lock the way
    proclab does and try to take it without waiting."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        answer = b"?"
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            fd = _open(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                answer = b"got it"
            except BlockingIOError:
                answer = b"busy"
        except BaseException as err:  # any error: told to the parent, which fails the test
            answer = repr(err).encode()
        finally:
            os.write(w, answer)
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        answer = f.read().decode()
    os.waitpid(pid, 0)
    return answer


def test_the_creator_leaves_it_usable_by_everyone(tmp_path, monkeypatch):
    path = tmp_path / "lock"
    monkeypatch.setenv("PROCLAB_LOCK", str(path))
    old = os.umask(0o022)
    try:
        with lab_lock(exclusive=False):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666


@pytest.fixture
def shared_dir():
    """A folder every user can reach (pytest's tmp_path is under a 0700 folder of root's)."""
    d = Path(tempfile.mkdtemp(prefix="proclab-locktest-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d)


def test_a_lock_file_another_user_made_0644_works(shared_dir, monkeypatch):
    if os.getuid() != 0:
        pytest.skip("needs root to run the other user's side as uid 65534")
    path = shared_dir / "lock"
    path.touch()
    path.chmod(0o644)  # made by root with umask 022: nobody may not write it
    assert as_other_user(path) == "got it"  # ... but may lock it
    monkeypatch.setenv("PROCLAB_LOCK", str(path))
    with lab_lock(exclusive=True):
        assert as_other_user(path) == "busy"  # and the two users' locks exclude each other
    assert as_other_user(path) == "got it"


def test_a_read_only_lock_file_of_ones_own_works(tmp_path, monkeypatch):
    """Without root: a 0444 file cannot be opened for writing even by its owner; the lock needs no write."""
    path = tmp_path / "lock"
    path.touch()
    path.chmod(0o444)
    monkeypatch.setenv("PROCLAB_LOCK", str(path))
    with lab_lock(exclusive=True):
        fd = _open(path)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)


def test_an_unusable_lock_path_is_an_error_line(tmp_path, monkeypatch):
    from proclab.errors import EnvironmentProblem

    monkeypatch.setenv("PROCLAB_LOCK", str(tmp_path / "no" / "such" / "dir" / "lock"))
    with pytest.raises(EnvironmentProblem, match="cannot open the lab lock .*PROCLAB_LOCK"):
        with lab_lock(exclusive=False):
            pass
