"""Which Python a lab runs on: lab.toml's python/pythons, the --python choice, the forky mirror."""

from __future__ import annotations

import pytest

from proclab.engine import aptmirror, baseimage, images
from proclab.engine.engines import EngineKind
from proclab.errors import LabFormatError
from proclab.lab import pythons
from proclab.lab import spec as labspec


def test_the_choice_is_the_users_then_the_labs_then_the_default():
    assert pythons.choose(None, pythons.PythonNeeds()) == "3.11"
    assert pythons.choose(None, pythons.PythonNeeds(python="3.14")) == "3.14"
    assert pythons.choose("3.11", pythons.PythonNeeds(python="3.14")) == "3.11"


def test_a_one_python_lab_must_say_why():
    with pytest.raises(LabFormatError, match="pythons_why"):
        pythons.parse({"pythons": ["3.11"]}, "lab.toml")
    needs = pythons.parse(
        {"pythons": ["3.11"], "pythons_why": "needs fork as the default"}, "lab.toml"
    )
    assert needs.pythons == ("3.11",) and needs.why
    with pytest.raises(LabFormatError, match="unknown python '2.7'"):
        pythons.parse({"python": "2.7"}, "lab.toml")


def test_every_builtin_lab_runs_on_both_or_says_why():
    for name in labspec.builtin_names():
        needs = labspec.resolve(name).needs
        assert set(needs.pythons) == set(pythons.IMAGES) or needs.why, name


def test_each_python_has_a_lab_image_built_from_the_same_dockerfile():
    lab, py314 = images.IMAGES[pythons.IMAGES["3.11"]], images.IMAGES[pythons.IMAGES["3.14"]]
    assert lab.dockerfile == py314.dockerfile and py314.suite == "forky" and lab.suite is None
    assert baseimage.local_base("forky", EngineKind.DOCKER) == "proclab/base:forky"
    assert baseimage.local_base("forky", EngineKind.PODMAN) == "localhost/proclab/base:forky"


def test_forky_comes_from_the_bookworm_source_when_the_host_lists_only_bookworm(tmp_path):
    (tmp_path / "etc/apt").mkdir(parents=True)
    (tmp_path / "etc/apt/sources.list").write_text(
        "deb http://mirror.example/debian bookworm main\n"
    )
    assert (
        aptmirror.debian_mirror("forky", tmp_path, also=("bookworm",))
        == "http://mirror.example/debian"
    )
    with pytest.raises(Exception, match="forky"):
        aptmirror.debian_mirror("forky", tmp_path)


def test_top_tasks_line_of_procps_3_and_4():
    from proclab.snapshot.top import parse_tasks

    old = parse_tasks("Tasks:   5 total,   1 running,   3 sleeping,   0 stopped,   1 zombie")
    new = parse_tasks("Tasks: 5 total, 1 running, 2 sleep, 1 d-sleep, 0 stopped, 1 zombie")
    assert old == new and new.sleeping == 3 and new.zombie == 1
