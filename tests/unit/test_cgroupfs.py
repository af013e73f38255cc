"""The one cgroup reader (images/lab/labkit/cgroupfs.py, loaded as the host loads it) on recorded
trees: cgroup v1 from a Docker 20.10 container on this machine and the co-mounted, unlimited v1
layout; cgroup v2 trees written from the kernel's cgroup-v2 documentation (no v2 engine runs here).
tests/unit/fixtures/cgroup/README.md says where each file comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from proclab.engine import cgroupfs

TREES = Path(__file__).parent / "fixtures" / "cgroup"
ROOT = Path(__file__).parents[2]


def tree(name: str):
    return cgroupfs.cgroup(str(TREES / name))


# tree -> (version, quota_us, period_us, usage_ns, nr_periods, nr_throttled, throttled_ns, percpu,
#          pids_max, pids_current, memory_max, oom_kills)
EXPECTED = {
    "v1-docker-20.10": (
        1,
        50000,
        100000,
        170792209,
        25,
        0,
        0,
        [154157671, 16634538],
        64,
        1,
        67108864,
        1,
    ),
    "v1-comounted-unlimited": (
        1,
        None,
        100000,
        98765432100,
        0,
        0,
        0,
        [50000000000, 48765432100],
        None,
        17,
        None,
        None,
    ),
    "v2-limited": (2, 50000, 100000, 2503163000, 40, 12, 603000000, None, 64, 7, 268435456, 2),
    "v2-unlimited": (2, None, 100000, 1250000000, None, None, None, None, None, 3, None, 0),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_every_figure_from_each_layout(name):
    (
        version,
        quota,
        period,
        usage,
        periods,
        throttled,
        throttled_ns,
        percpu,
        pids_max,
        pids_current,
        memory_max,
        ooms,
    ) = EXPECTED[name]
    cg = tree(name)
    assert cg.version == version
    q = cg.cpu_quota()
    assert (q.quota_us, q.period_us) == (quota, period)
    assert q.cpus == (None if quota is None else quota / period)
    stat = cg.cpu_stat()
    assert (stat.usage_ns, stat.nr_periods, stat.nr_throttled, stat.throttled_ns) == (
        usage,
        periods,
        throttled,
        throttled_ns,
    )
    assert cg.usage_percpu_ns() == percpu
    assert (cg.pids_max(), cg.pids_current()) == (pids_max, pids_current)
    assert (cg.memory_max(), cg.oom_kills()) == (memory_max, ooms)


def test_a_tree_with_no_cgroup_files_says_none_not_zero(tmp_path):
    cg = cgroupfs.cgroup(str(tmp_path))
    assert cg.version == 1
    assert (cg.cpu_quota(), cg.pids_max(), cg.pids_current(), cg.memory_max(), cg.oom_kills()) == (
        None,
    ) * 5
    assert cg.cpu_stat().usage_ns is None and cg.usage_percpu_ns() is None


def test_memberships_of_a_hybrid_v1_process_and_a_v2_one():
    v1 = cgroupfs.memberships((TREES / "proc-cgroup-v1-hybrid.txt").read_text())
    cid = "f08b1368d7be7581152b1351c253c73259d3b3d8d43c4eff47f4ad7b7715d768"
    assert v1["pids"] == v1["cpu"] == v1["cpuacct"] == v1[""] == f"/docker/{cid}"
    assert v1["name=systemd"] == f"/docker/{cid}"
    v2 = cgroupfs.memberships((TREES / "proc-cgroup-v2.txt").read_text())
    assert (
        list(v2) == [""]
        and v2[""].startswith("/system.slice/docker-")
        and v2[""].endswith(".scope")
    )
    assert cgroupfs.memberships("2:cpu,cpuacct:/docker/x\n") == {
        "cpu": "/docker/x",
        "cpuacct": "/docker/x",
    }


def test_every_cgroup_file_is_read_through_the_reader():
    """No labkit module, lab scenario or host module but the reader names a cgroup file itself."""
    sources = [
        *(ROOT / "images" / "lab" / "labkit").glob("*.py"),
        *(ROOT / "labs").glob("*/scenario.py"),
        *(ROOT / "src" / "proclab").rglob("*.py"),
    ]
    readers = {ROOT / "images" / "lab" / "labkit" / "cgroupfs.py"}
    found = [
        str(p.relative_to(ROOT))
        for p in sources
        if p not in readers and "/sys/fs/cgroup" in p.read_text()
    ]
    assert not found, f"read cgroup files through labkit/cgroupfs.py: {found}"


def test_cpustat_gives_the_same_figures_on_both_layouts(monkeypatch):
    """labkit.cpustat.cgroup_cpu() on a v1 and a v2 tree: the keys the CPU-timing labs' checks read."""
    import importlib.util
    import sys
    import types

    labkit = types.ModuleType("labkit")  # cpustat's package, as in the image: say() and the reader
    labkit.__path__ = [str(ROOT / "images" / "lab" / "labkit")]
    labkit.say = lambda *a, **k: None
    monkeypatch.setitem(sys.modules, "labkit", labkit)
    spec = importlib.util.spec_from_file_location(
        "labkit.cpustat", ROOT / "images" / "lab" / "labkit" / "cpustat.py"
    )
    cpustat = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "labkit.cpustat", cpustat)
    spec.loader.exec_module(cpustat)
    reader = sys.modules["labkit.cgroupfs"]
    for name, want in {
        "v1-docker-20.10": {
            "nr_periods": 25,
            "nr_throttled": 0,
            "usage_ns": 170792209,
            "usage_percpu_ns": [154157671, 16634538],
            "quota_us": 50000,
            "period_us": 100000,
        },
        "v2-limited": {
            "nr_periods": 40,
            "nr_throttled": 12,
            "usage_ns": 2503163000,
            "quota_us": 50000,
            "period_us": 100000,
        },
        "v2-unlimited": {"usage_ns": 1250000000, "quota_us": -1, "period_us": 100000},
    }.items():
        got = cpustat.cgroup_cpu(reader.Cgroup(str(TREES / name)))
        assert {k: v for k, v in got.items() if k != "host_busy_ns"} == want, name
