"""Containment by default, privilege by consent (issue 14 item 3), Docker-free: a lab from
elsewhere that weakens its container is refused, naming each setting, unless the user allows it;
the narration and the JSON show the containment a run gets."""

from __future__ import annotations

import textwrap

import pytest
from rich.console import Console

from proclab.errors import UsageError
from proclab.lab import spec as labspec
from proclab.lab.containment import (
    ALLOWABLE,
    ConsentRequired,
    Containment,
    parse_allow,
    require_consent,
    weakenings,
)
from proclab.lab.document import encode
from proclab.lab.result import RunRecord
from proclab.lab.settings import Settings
from proclab.run.lab_container import container_name, container_spec
from proclab.ui.narration import Narrator
from tests.support.cli import one_line_error, run_cli
from tests.support.harness import run_proclab

EVERY_WEAKENING = """
    [settings]
    user = "root"
    cap_add = ["SYS_NICE"]
    network = true
    read_only = false
    pids_limit = 2000
    mem_limit = "2g"
"""


def lab(tmp_path, toml: str):
    d = tmp_path / "elsewhere"
    d.mkdir()
    (d / "scenario.py").write_text("print('hi')\n")
    (d / "lab.toml").write_text(textwrap.dedent(toml))
    return labspec.load(d)


def test_least_privilege_weakens_nothing():
    assert weakenings(Settings()) == []
    assert Containment.of(Settings(), builtin=False).weakened == ()


@pytest.mark.parametrize("user", ["root", "0", "0:0", "root:lab"])
def test_uid_0_by_any_name_is_root(user):
    assert [w.setting for w in weakenings(Settings(user=user))] == ["user"]


def test_each_weakening_setting_is_named_and_refused(tmp_path):
    spec = lab(tmp_path, EVERY_WEAKENING)
    with pytest.raises(ConsentRequired) as err:
        require_consent(spec, frozenset())
    msg = str(err.value)
    assert "\n" not in msg and "is not a built-in lab" in msg
    for words in (
        "user = 'root'",
        "cap_add = ['SYS_NICE']",
        "network = True",
        "read_only = False",
        "pids_limit = 2000",
        "mem_limit = '2g'",
        "--allow user,cap_add,network,read_only,pids_limit,mem_limit",
    ):
        assert words in msg, msg


def test_allowing_some_names_only_the_rest(tmp_path):
    spec = lab(tmp_path, EVERY_WEAKENING)
    with pytest.raises(ConsentRequired) as err:
        require_consent(spec, parse_allow(["user,cap_add", "network"], False))
    msg = str(err.value)
    assert "user =" not in msg and "network =" not in msg and "read_only = False" in msg
    require_consent(
        spec, parse_allow(["user,cap_add,network", "read_only,pids_limit,mem_limit"], False)
    )
    require_consent(spec, parse_allow([], True))


def test_a_variant_that_weakens_is_named(tmp_path):
    spec = lab(
        tmp_path,
        """
        [[variant]]
        name = "quiet"
        [[variant]]
        name = "loud"
        settings = { network = true }
    """,
    )
    with pytest.raises(
        ConsentRequired, match=r"network = True \(has a network beyond loopback; variant loud\)"
    ):
        require_consent(spec, frozenset())


def test_an_exec_action_as_root_needs_consent_too(tmp_path):
    spec = lab(
        tmp_path,
        """
        [[variant]]
        name = "a"
        actions = [ { at = "x", do = "exec", command = ["id"], user = "0" } ]
    """,
    )
    with pytest.raises(
        ConsentRequired, match=r"user = '0' \(runs its exec at 'x' as root; variant a\)"
    ):
        require_consent(spec, frozenset())
    require_consent(spec, frozenset({"user"}))


def test_builtin_labs_keep_what_their_lessons_need():
    for spec in labspec.builtin():
        require_consent(spec, frozenset())  # never refused
    forkbomb = labspec.resolve("forkbomb")
    root = forkbomb.settings_for(forkbomb.with_variants(["ulimit-as-root"]).variants[0])
    assert Containment.of(root, builtin=True).granted_by == "built-in lab"


def test_unknown_allow_name_is_a_usage_error():
    with pytest.raises(
        UsageError, match="--allow privileged: not a setting that weakens containment"
    ):
        parse_allow(["network,privileged"], False)
    assert parse_allow([], True) == frozenset(ALLOWABLE)


def test_the_cli_refuses_before_anything_runs(tmp_path):
    spec = lab(tmp_path, EVERY_WEAKENING)
    # no Docker engine is needed to refuse: the refusal comes first. A subprocess (run_proclab), not
    # run_cli: the engine client is made once per process, so DOCKER_HOST is read at start-up.
    line = one_line_error(
        run_proclab("run", str(spec.path), env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    )
    assert "asks for settings that weaken its container" in line and "user = 'root'" in line
    line = one_line_error(
        run_proclab(
            "run",
            str(spec.path),
            "--allow",
            "user,cap_add,network,read_only,pids_limit",
            env={"DOCKER_HOST": "unix:///nonexistent.sock"},
        )
    )
    assert "mem_limit = '2g'" in line and "user =" not in line
    line = one_line_error(
        run_proclab(
            "run",
            str(spec.path),
            "--allow-all-settings",
            env={"DOCKER_HOST": "unix:///nonexistent.sock"},
        )
    )
    assert "Docker engine" in line  # past the consent: it got as far as the engine
    line = one_line_error(run_cli("run", "zombies", "--allow", "root"))
    assert "--allow root: not a setting" in line


def test_escape_capabilities_are_refused_even_with_consent(tmp_path):
    (tmp_path / "esc").mkdir()
    (tmp_path / "esc" / "scenario.py").write_text("print(1)\n")
    (tmp_path / "esc" / "lab.toml").write_text(
        '[settings]\nuser = "root"\ncap_add = ["SYS_ADMIN"]\n'
    )
    line = one_line_error(run_cli("run", str(tmp_path / "esc"), "--allow-all-settings"))
    assert "SYS_ADMIN is refused for every lab" in line


@pytest.mark.parametrize("name", labspec.builtin_names())
def test_the_containment_shown_is_the_container_created(name):
    """For every built-in variant, Containment (narration, JSON) says what create_kwargs asks Docker for."""
    spec = labspec.resolve(name)
    for v in spec.variants:
        s = spec.settings_for(v)
        kw = container_spec(spec, v, "proclab/lab", s).create_kwargs()
        box = Containment.of(s, spec.builtin).to_dict()
        assert (
            kw["cap_drop"] == ["ALL"] == box["cap_drop"]
            and "no-new-privileges" in kw["security_opt"]
        )
        assert kw.get("cap_add", []) == box["cap_add"] and kw["user"] == box["user"]
        assert kw["network_mode"] == box["network"] and kw["read_only"] is box["read_only_root"]
        assert (
            kw["pids_limit"] == box["pids_limit"] > 0
            and kw["mem_limit"] == box["mem_limit"] == kw["memswap_limit"]
        )


def test_narration_and_json_show_the_containment(tmp_path):
    spec = lab(tmp_path, "[settings]\nnetwork = true\n")
    s = spec.settings_for(spec.variants[0])
    c = Console(record=True, width=300)
    Narrator(console=c).run_started(spec, spec.variants[0], s)
    line = c.export_text()
    assert (
        "user lab, capabilities none (all others dropped), no-new-privileges, network bridge"
        in line
    )
    assert "root fs read-only, pids ≤128, memory ≤256m" in line
    assert "beyond least privilege: network (granted by --allow)" in line
    doc = encode(RunRecord("main", settings=s, containment=Containment.of(s, spec.builtin)))[
        "containment"
    ]
    assert doc == {
        "user": "lab",
        "root": False,
        "cap_drop": ["ALL"],
        "cap_add": [],
        "no_new_privileges": True,
        "network": "bridge",
        "read_only_root": True,
        "pids_limit": 128,
        "mem_limit": "256m",
        "weakened": ["network"],
        "granted_by": "--allow",
    }


@pytest.mark.parametrize(
    "lab_name, variant",
    [("my lab", "main"), ("café-ünïcode", "a b"), ("日本", "x/y"), ("-.-", "ü")],
)
def test_container_names_are_what_docker_accepts(lab_name, variant):
    import re

    name = container_name(lab_name, variant)
    assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", name), name
    assert name != container_name(lab_name, variant)  # a random tail: runs never collide
