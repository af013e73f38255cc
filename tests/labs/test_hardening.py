"""Hardened by default: the containers the harness creates are inspected while they run.

From the outside (docker inspect, at a checkpoint): not privileged, every capability
dropped except those the lab declares, no-new-privileges, pids and memory limits,
no network unless declared, read-only root. From the inside (the scenario reports):
the effective capability set, NoNewPrivs, uid, the network interfaces, a write to /.
"""

from __future__ import annotations

import pytest

from proclab import engine, run_lab
from proclab.lab import spec as labspec
from proclab.lab.events import Observer
from proclab.run.lab_container import container_spec
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

INSIDE = """
    import errno, os
    from labkit import checkpoint

    status = dict(ln.split(":", 1) for ln in open("/proc/self/status").read().splitlines())
    try:
        open("/written-by-the-lab", "w").close()
        root_write = "ok"
    except OSError as err:
        root_write = errno.errorcode[err.errno]
    checkpoint("inside", uid=os.getuid(), cap_eff=status["CapEff"].strip(), cap_bnd=status["CapBnd"].strip(),
               no_new_privs=status["NoNewPrivs"].strip(), root_write=root_write,
               interfaces=sorted(os.listdir("/sys/class/net")))
"""
DECLARED = """
    [[variant]]
    name = "defaults"

    [[variant]]
    name = "declared"
    settings = { cap_add = ["SYS_NICE"], network = true, read_only = false, pids_limit = 50, mem_limit = "128m" }
"""
CAP_SYS_NICE = 1 << 23


class Inspector(Observer):
    """Inspects each run's container at each checkpoint, while it runs."""

    def __init__(self) -> None:
        self.seen: dict[str, dict] = {}

    def checkpoint(self, run, snap) -> None:
        self.seen.setdefault(run.variant, engine.client().containers.get(run.container).attrs)


def assert_hardened(
    attrs: dict, *, pids: int, mem: int, network: bool, read_only: bool, caps: list[str]
) -> None:
    hc = attrs["HostConfig"]
    assert hc["Privileged"] is False
    assert hc["CapDrop"] == ["ALL"]
    assert sorted(c.removeprefix("CAP_") for c in (hc.get("CapAdd") or [])) == sorted(caps)
    assert "no-new-privileges" in (hc.get("SecurityOpt") or [])
    assert hc["PidsLimit"] == pids
    assert hc["Memory"] == mem and hc["MemorySwap"] == mem
    assert hc["NetworkMode"] == ("bridge" if network else "none")
    assert hc["ReadonlyRootfs"] is read_only
    assert (
        not hc.get("Binds") and not hc.get("Devices") and hc.get("PidMode", "") in ("", "private")
    )
    assert attrs["Config"]["User"] == "lab"
    assert (
        attrs["Config"]["Labels"][engine.LABEL] == "1"
        and attrs["Config"]["Labels"][engine.OWNER_LABEL]
    )


def test_lab_containers_are_hardened_and_take_only_what_they_declare(tmp_path, lab_image):
    lab = write_lab(tmp_path, "hardened", INSIDE, DECLARED)
    spy = Inspector()
    result = run_lab(lab, observer=spy, allow=frozenset({"cap_add", "network", "read_only"}))
    assert set(spy.seen) == {"defaults", "declared"}, "the harness never reached the checkpoint"

    assert_hardened(
        spy.seen["defaults"], pids=128, mem=256 * 2**20, network=False, read_only=True, caps=[]
    )
    inside = result.checkpoint("inside", "defaults").data
    assert (
        inside["uid"] == 1000
        and int(inside["cap_eff"], 16) == 0
        and int(inside["cap_bnd"], 16) == 0
    )
    assert inside["no_new_privs"] == "1"
    assert inside["root_write"] == "EROFS" and inside["interfaces"] == ["lo"]

    assert_hardened(
        spy.seen["declared"],
        pids=50,
        mem=128 * 2**20,
        network=True,
        read_only=False,
        caps=["SYS_NICE"],
    )
    inside = result.checkpoint("inside", "declared").data
    # that one capability in the bounding set, nothing else (uid 1000 has none effective: no ambient caps)
    assert int(inside["cap_bnd"], 16) == CAP_SYS_NICE and int(inside["cap_eff"], 16) == 0, inside
    assert inside["no_new_privs"] == "1" and "eth0" in inside["interfaces"]
    assert inside["root_write"] in ("EACCES", "ok")  # writable root, but uid 1000 can't write /
    assert containers_of(lab.name) == []


def test_a_builtin_labs_container_is_hardened_too(lab_image):
    spy = Inspector()
    result = run_lab("zombies", observer=spy)
    assert result.passed
    spec = labspec.resolve("zombies")
    s = spec.settings
    assert_hardened(
        spy.seen["main"],
        pids=s.pids_limit,
        mem=256 * 2**20,
        network=s.network,
        read_only=s.read_only,
        caps=list(s.cap_add),
    )


@pytest.mark.parametrize("name", labspec.builtin_names())
def test_every_builtin_lab_keeps_least_privilege_and_says_why_it_needs_more(name):
    """Every variant of every built-in lab: the container settings the harness will use."""
    spec = labspec.resolve(name)
    lesson = spec.readme.read_text() if spec.readme.is_file() else ""
    for v in spec.variants:
        s = spec.settings_for(v)
        hc = container_spec(spec, v, "proclab/lab", s).create_kwargs()
        assert hc["cap_drop"] == ["ALL"] and "no-new-privileges" in hc["security_opt"]
        assert hc["pids_limit"] > 0 and hc["mem_limit"] and hc["memswap_limit"] == hc["mem_limit"]
        assert hc.get("privileged") is not True
        assert hc["network_mode"] == ("bridge" if s.network else "none")
        for cap in s.cap_add:
            assert cap.removeprefix("CAP_") in lesson, (
                f"{name}/{v.name} adds capability {cap}: its lesson (README.md) must say why"
            )
        if s.network:
            assert "network" in lesson.lower(), (
                f"{name}/{v.name} has a network: its lesson must say why"
            )
