"""lab.toml parsing: defaults, variants, actions, and errors that name file, key and fix."""

import pytest

from proclab.errors import LabFormatError, LabNotFound
from proclab.lab import spec as labspec


def make(tmp_path, toml=None, scenario=True):
    d = tmp_path / "mylab"
    d.mkdir()
    if scenario:
        (d / "scenario.py").write_text("print('hi')\n")
    if toml is not None:
        (d / "lab.toml").write_text(toml)
    return d


def test_scenario_only_folder_gets_defaults(tmp_path):
    spec = labspec.load(make(tmp_path))
    assert spec.title == "mylab" and [v.name for v in spec.variants] == ["main"]
    assert spec.settings.pids_limit == 128 and spec.settings.read_only is True


def test_variants_and_actions(tmp_path):
    spec = labspec.load(
        make(
            tmp_path,
            """
title = "T"
[settings]
init = true
[[variant]]
name = "a"
settings = { init = false, cpus = 1.0 }
actions = [ { at = "ready", do = "stop", grace_s = 2 } ]
[[variant]]
name = "b"
""",
        )
    )
    a, b = spec.variants
    assert spec.settings_for(a).init is False and spec.settings_for(a).cpus == 1.0
    assert spec.settings_for(b).init is True
    assert a.actions[0].do == "stop" and a.actions[0].grace_s == 2


@pytest.mark.parametrize(
    "toml, words",
    [
        ("title = 'x'\n[settings]\ncpu = 2\n", ["unknown setting 'cpu'", "lab.toml"]),
        ("title = 'x'\n[settings]\npids_limit = 'many'\n", ["pids_limit", "must be an integer"]),
        ("title = 'x'\n[settings]\ninit = 1\n", ["'init' must be true or false"]),
        ("title = [\n", ["not valid TOML"]),
        ("colour = 'red'\n", ["unknown key 'colour'"]),
        ("[[variant]]\nsummary = 'no name'\n", ["needs a name"]),
        (
            "[[variant]]\nname = 'a'\nactions = [{ at = 'x', do = 'explode' }]\n",
            ["'explode'", "stop"],
        ),
    ],
)
def test_malformed_lab_toml(tmp_path, toml, words):
    with pytest.raises(LabFormatError) as err:
        labspec.load(make(tmp_path, toml))
    msg = str(err.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg


def test_folder_without_scenario(tmp_path):
    with pytest.raises(LabFormatError, match="no scenario.py"):
        labspec.load(make(tmp_path, scenario=False))


@pytest.mark.parametrize("typed", ["zombiez", "zombie", "Zombies"])
def test_unknown_lab_suggests_only_the_close_matches(typed):
    with pytest.raises(LabNotFound) as err:
        labspec.resolve(typed)
    msg = str(err.value)
    assert (
        f"no lab named '{typed}'; did you mean 'zombies'" in msg
    )  # (and 'zombie-pileup', as close)
    assert "orphans" not in msg and "pipes" not in msg  # not all the names


def test_unknown_lab_far_from_any_name_points_at_list():
    with pytest.raises(LabNotFound) as err:
        labspec.resolve("qqqq")
    assert "'proclab list' shows the labs" in str(err.value)


def test_a_folder_named_like_a_builtin_lab_runs_when_written_as_a_path(tmp_path, monkeypatch):
    mine = tmp_path / "zombies"
    mine.mkdir()
    (mine / "scenario.py").write_text("print('mine')\n")
    monkeypatch.chdir(tmp_path)
    assert labspec.resolve("./zombies").path == mine.resolve()
    assert labspec.resolve(str(mine)).path == mine.resolve()
    builtin = labspec.resolve("zombies")
    assert builtin.path != mine.resolve() and builtin.name == "zombies"
    assert labspec.shadowed_by_folder("zombies") == mine.resolve()
    assert labspec.shadowed_by_folder("./zombies") is None


def test_resolve_by_path(tmp_path):
    d = make(tmp_path)
    assert labspec.resolve(str(d)).path == d
    assert labspec.resolve(str(d / "scenario.py")).path == d
