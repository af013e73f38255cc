"""The one cgroup reader (images/lab/labkit/cgroupfs.py, loaded as the host loads it) on recorded
trees: cgroup v1 from a Docker 20.10 container on this machine and the co-mounted, unlimited v1
layout; cgroup v2 trees written from the kernel's cgroup-v2 documentation (no v2 engine runs here).
tests/unit/fixtures/cgroup/README.md says where each file comes from."""
from __future__ import annotations

from pathlib import Path

import pytest

from proclab.engine import cgroupfs

TREES = Path(__file__).parent / "fixtures" / "cgroup"


def tree(name: str):
    return cgroupfs.cgroup(str(TREES / name))


# tree -> (version, quota_us, period_us, usage_ns, nr_periods, nr_throttled, throttled_ns, percpu,
#          pids_max, pids_current, memory_max, oom_kills)
EXPECTED = {
    "v1-docker-20.10": (1, 50000, 100000, 170792209, 25, 0, 0, [154157671, 16634538], 64, 1, 67108864, 1),
    "v1-comounted-unlimited": (1, None, 100000, 98765432100, 0, 0, 0, [50000000000, 48765432100], None, 17, None, None),
    "v2-limited": (2, 50000, 100000, 2503163000, 40, 12, 603000000, None, 64, 7, 268435456, 2),
    "v2-unlimited": (2, None, 100000, 1250000000, None, None, None, None, None, 3, None, 0),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_every_figure_from_each_layout(name):
    (version, quota, period, usage, periods, throttled, throttled_ns, percpu,
     pids_max, pids_current, memory_max, ooms) = EXPECTED[name]
    cg = tree(name)
    assert cg.version == version
    q = cg.cpu_quota()
    assert (q.quota_us, q.period_us) == (quota, period)
    assert q.cpus == (None if quota is None else quota / period)
    stat = cg.cpu_stat()
    assert (stat.usage_ns, stat.nr_periods, stat.nr_throttled, stat.throttled_ns) == (usage, periods, throttled, throttled_ns)
    assert cg.usage_percpu_ns() == percpu
    assert (cg.pids_max(), cg.pids_current()) == (pids_max, pids_current)
    assert (cg.memory_max(), cg.oom_kills()) == (memory_max, ooms)


def test_a_tree_with_no_cgroup_files_says_none_not_zero(tmp_path):
    cg = cgroupfs.cgroup(str(tmp_path))
    assert cg.version == 1
    assert (cg.cpu_quota(), cg.pids_max(), cg.pids_current(), cg.memory_max(), cg.oom_kills()) == (None,) * 5
    assert cg.cpu_stat().usage_ns is None and cg.usage_percpu_ns() is None


def test_memberships_of_a_hybrid_v1_process_and_a_v2_one():
    v1 = cgroupfs.memberships((TREES / "proc-cgroup-v1-hybrid.txt").read_text())
    cid = "f08b1368d7be7581152b1351c253c73259d3b3d8d43c4eff47f4ad7b7715d768"
    assert v1["pids"] == v1["cpu"] == v1["cpuacct"] == v1[""] == f"/docker/{cid}"
    assert v1["name=systemd"] == f"/docker/{cid}"
    v2 = cgroupfs.memberships((TREES / "proc-cgroup-v2.txt").read_text())
    assert list(v2) == [""] and v2[""].startswith("/system.slice/docker-") and v2[""].endswith(".scope")
    assert cgroupfs.memberships("2:cpu,cpuacct:/docker/x\n") == {"cpu": "/docker/x", "cpuacct": "/docker/x"}
