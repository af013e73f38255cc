"""lab.toml values, each type- and range-checked at load (issue 14 item 6, issue 12 item 4):
a wrong value is one LabFormatError line naming the file, the key and what it should be."""

from __future__ import annotations

import pytest

from proclab.errors import LabFormatError
from proclab.lab import spec as labspec
from proclab.lab.document import encode
from proclab.lab.result import RunRecord
from proclab.lab.settings import Settings, check_settings


def make(tmp_path, toml: str | bytes | None = None, readme: bytes | None = None):
    d = tmp_path / "mylab"
    d.mkdir()
    (d / "scenario.py").write_text("print('hi')\n")
    if toml is not None:
        (d / "lab.toml").write_bytes(toml.encode() if isinstance(toml, str) else toml)
    if readme is not None:
        (d / "README.md").write_bytes(readme)
    return d


V = "[[variant]]\nname = 'a'\n"
BAD = {
    "variant-not-tables": ("variant = [1, 2]\n", ["variant 1", "a variant is a table"]),
    "actions-not-a-list": (V + "actions = 5\n", ["'actions' must be a list of tables"]),
    "grace-soon": (
        V + "actions = [{ at = 'x', do = 'stop', grace_s = 'soon' }]\n",
        ["'grace_s' must be a number", "'soon'"],
    ),
    "grace-huge": (
        V + "actions = [{ at = 'x', do = 'stop', grace_s = 1e9 }]\n",
        ["'grace_s' must be a number from 0 to 600"],
    ),
    "signal-nope": (
        V + "actions = [{ at = 'x', do = 'kill', signal = 'SIGNOPE' }]\n",
        ["'signal' must be a signal name", "SIGNOPE"],
    ),
    "command-str": (
        V + "actions = [{ at = 'x', do = 'exec', command = 'ps' }]\n",
        ["'command' must be a non-empty list", "'ps'"],
    ),
    "command-int": (
        V + "actions = [{ at = 'x', do = 'exec', command = 5 }]\n",
        ["'command' must be a non-empty list"],
    ),
    "exec-without-command": (V + "actions = [{ at = 'x', do = 'exec' }]\n", ["needs a command"]),
    "signal-on-stop": (
        V + "actions = [{ at = 'x', do = 'stop', signal = 'SIGINT' }]\n",
        ["action 'stop' takes no 'signal'"],
    ),
    "then-maybe": (
        V + "actions = [{ at = 'x', do = 'release', then = 'maybe' }]\n",
        ["'then' must be one of hold, release"],
    ),
    "timeout-nan": (
        "[settings]\ntimeout_s = nan\n",
        ["'timeout_s' must be a number above 0 and at most 3600", "nan"],
    ),
    "timeout-inf": (
        "[settings]\ntimeout_s = inf\n",
        ["'timeout_s' must be a number above 0", "inf"],
    ),
    "timeout-1e10": (
        "[settings]\ntimeout_s = 1e10\n",
        ["'timeout_s' must be a number above 0 and at most 3600"],
    ),
    "timeout-zero": ("[settings]\ntimeout_s = 0\n", ["'timeout_s' must be a number above 0"]),
    "timeout-negative": ("[settings]\ntimeout_s = -1\n", ["'timeout_s' must be a number above 0"]),
    "timeout-bool": ("[settings]\ntimeout_s = true\n", ["'timeout_s' must be a number"]),
    "expect-timeout-no": (
        V + "expect_timeout = 'no'\n",
        ["'expect_timeout' must be true or false", "'no'"],
    ),
    "cpu-shares-negative": (
        "[settings]\ncpu_shares = -1\n",
        ["'cpu_shares' must be an integer from 2 to 262144"],
    ),
    "pids-1e12": (
        "[settings]\npids_limit = 1e12\n",
        ["'pids_limit' must be an integer from 1 to 4096"],
    ),
    "pids-zero": ("[settings]\npids_limit = 0\n", ["'pids_limit' must be an integer from 1"]),
    "pids-unlimited": ("[settings]\npids_limit = -1\n", ["'pids_limit' must be an integer from 1"]),
    "pids-huge": (
        "[settings]\npids_limit = 100000\n",
        ["'pids_limit' must be an integer from 1 to 4096"],
    ),
    "mem-zero": ("[settings]\nmem_limit = '0'\n", ["'mem_limit' must be a size", "from 6m to 4g"]),
    "mem-lots": ("[settings]\nmem_limit = 'lots'\n", ["'mem_limit' must be a size"]),
    "mem-huge": ("[settings]\nmem_limit = '100g'\n", ["'mem_limit' must be a size"]),
    "cpus-zero": ("[settings]\ncpus = 0\n", ["'cpus' must be a number from 0.01"]),
    "cpuset-words": ("[settings]\ncpuset_cpus = 'first'\n", ["'cpuset_cpus' must be CPU numbers"]),
    "user-spaces": ("[settings]\nuser = 'rm -rf'\n", ["'user' must be a user name or uid"]),
    "cap-unknown": ("[settings]\ncap_add = ['FLY']\n", ["Linux capability names", "'FLY' is none"]),
    "cap-str": (
        "[settings]\ncap_add = 'SYS_NICE'\n",
        ["'cap_add' must be a list of capability names"],
    ),
    "cap-sys-admin": (
        "[settings]\ncap_add = ['SYS_ADMIN']\n",
        ["SYS_ADMIN is refused for every lab", "release_agent"],
    ),
    "cap-ptrace-in-variant": (
        V + "settings = { cap_add = ['CAP_SYS_PTRACE'] }\n",
        ["variant 1", "SYS_PTRACE is refused"],
    ),
    "variant-settings-str": (V + "settings = 'fast'\n", ["'settings' must be a table"]),
    "variant-name-int": ("[[variant]]\nname = 5\n", ["'name' must be a name"]),
    "variant-name-slash": ("[[variant]]\nname = 'a/b'\n", ["'name' must be a name", "without '/'"]),
    "args-str": (V + "args = 'x'\n", ["'args' must be a list of strings"]),
    "title-int": ("title = 5\n", ["'title' must be a string"]),
    "init-string": ("[settings]\ninit = 'yes'\n", ["setting 'init' must be true or false"]),
}


@pytest.mark.parametrize("case", BAD)
def test_a_wrong_value_is_one_line_naming_the_key(tmp_path, case):
    toml, words = BAD[case]
    with pytest.raises(LabFormatError) as err:
        labspec.load(make(tmp_path, toml))
    msg = str(err.value)
    assert "\n" not in msg and "lab.toml" in msg, msg
    for w in words:
        assert w in msg, msg


def test_right_values_load_in_their_own_terms(tmp_path):
    spec = labspec.load(
        make(
            tmp_path,
            """
[settings]
timeout_s = 2.5
cap_add = ["cap_sys_nice"]
[[variant]]
name = "my variant ü"
expect_timeout = true
actions = [ { at = "x", do = "kill", signal = "int", grace_s = 1 },
            { at = "y", do = "exec", command = ["ps", "-ef"], user = "root", then = "hold" } ]
""",
        )
    )
    v = spec.variants[0]
    assert spec.settings.timeout_s == 2.5 and spec.settings.cap_add == ("SYS_NICE",)
    assert v.name == "my variant ü" and v.expect_timeout is True
    assert v.actions[0].signal == "SIGINT" and v.actions[1].command == ("ps", "-ef")
    assert v.actions[1].then == "hold"


@pytest.mark.parametrize("what", ["lab.toml", "README.md"])
def test_a_file_that_is_not_utf8_is_one_line(tmp_path, what):
    bad = b'title = "caf\xe9"\n'
    d = make(
        tmp_path, bad if what == "lab.toml" else None, readme=bad if what == "README.md" else None
    )
    with pytest.raises(LabFormatError) as err:
        labspec.load(d)
    msg = str(err.value)
    assert f"{d / what}: not UTF-8 text (byte 0xe9 at offset 12); save it as UTF-8" == msg


def test_settings_are_a_frozen_record_that_serialises_to_the_lab_toml_dict(tmp_path):
    spec = labspec.load(make(tmp_path, "[settings]\ninit = true\npids_limit = 64\n"))
    s = spec.settings
    with pytest.raises(AttributeError):
        s.init = False  # frozen: validated once, never changed after
    d = encode(RunRecord("main", settings=s))["settings"]
    assert d == {
        "init": True,
        "cpus": None,
        "cpuset_cpus": None,
        "pids_limit": 64,
        "mem_limit": "256m",
        "timeout_s": 30,
        "user": "lab",
        "cap_add": [],
        "read_only": True,
        "network": False,
        "top": False,
        "exclusive": False,
        "cpu_shares": None,
        "host_pids": False,
        "host_view": False,
    }
    assert Settings(**check_settings({k: v for k, v in d.items() if v is not None}, "x")) == s


def test_every_builtin_lab_loads_with_valid_settings():
    for spec in labspec.builtin():
        assert spec.builtin
        for v in spec.variants:
            s = spec.settings_for(v)
            assert 0 < s.timeout_s <= 3600 and 1 <= s.pids_limit <= 4096


def test_a_copy_of_a_builtin_lab_elsewhere_is_not_builtin(tmp_path):
    import shutil

    src = labspec.resolve("forkbomb").path
    shutil.copytree(src, tmp_path / "forkbomb")
    assert labspec.resolve(str(tmp_path / "forkbomb")).builtin is False
    assert (
        labspec.resolve(str(src)).builtin is True
    )  # the same folder by its path is still built-in


def test_questions_toml_not_utf8_is_one_line(tmp_path):
    from proclab.lab.questions import load_questions

    d = make(tmp_path)
    (d / "questions.toml").write_bytes(b'[[question]]\nid = "\xff"\n')
    with pytest.raises(
        LabFormatError, match=r"questions.toml: not UTF-8 text \(byte 0xff at offset 19\)"
    ):
        load_questions(labspec.load(d))


# The tracebacks, through the real CLI: each one Error line and exit 2 now.
CLI_CASES = {
    "timeout-inf": ("[settings]\ntimeout_s = inf\n", "'timeout_s' must be a number above 0"),
    "variant-list": ("variant = [1, 2]\n", "a variant is a table"),
    "actions-5": ("[[variant]]\nname = 'a'\nactions = 5\n", "'actions' must be a list of tables"),
    "grace-soon": (
        "[[variant]]\nname = 'a'\nactions = [{ at = 'x', do = 'stop', grace_s = 'soon' }]\n",
        "'grace_s' must be a number",
    ),
    "signal-nope": (
        "[[variant]]\nname = 'a'\nactions = [{ at = 'x', do = 'kill', signal = 'SIGNOPE' }]\n",
        "'signal' must be a signal name",
    ),
    "not-utf8": (b"title = '\xe9'\n", "not UTF-8 text"),
}


@pytest.mark.parametrize("case", CLI_CASES)
def test_the_cli_says_one_line_and_exits_2(tmp_path, case):
    from tests.support.cli import one_line_error, run_cli

    toml, words = CLI_CASES[case]
    line = one_line_error(run_cli("run", str(make(tmp_path, toml))))
    assert words in line, line


def test_checks_py_not_utf8_is_one_line(tmp_path):
    from tests.support.cli import one_line_error
    from tests.support.harness import run_proclab

    d = make(tmp_path)
    (d / "checks.py").write_bytes(b'from proclab.checks import check\nX = "caf\xe9"\n')
    # a subprocess: the engine client is made once per process, so DOCKER_HOST is read at start-up
    line = one_line_error(
        run_proclab("run", str(d), env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    )
    assert "checks.py" in line and "can't decode byte 0xe9" in line, line
