"""labkit's cgroup reader (images/lab/labkit/cgroupfs.py), loaded from the labkit source tree:
the same code reads cgroup files inside a lab container and on the host, so there is one reader
of both layouts (v1, v2) to test, not a copy that could drift. It is pure standard library."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from types import ModuleType

from ..paths import images_dir

MODULE = "proclab_labkit_cgroupfs"  # a name of its own: the host has no labkit package


@cache
def reader() -> ModuleType:
    path = images_dir() / "lab" / "labkit" / "cgroupfs.py"
    spec = importlib.util.spec_from_file_location(MODULE, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def memberships(proc_cgroup: str) -> dict[str, str]:
    """/proc/<pid>/cgroup as {controller: path} ("" for the v2 line)."""
    return reader().memberships(proc_cgroup)


def cgroup(root: str) -> object:
    """labkit's Cgroup over the files under root (a recorded tree, or a cgroup the host can read)."""
    return reader().Cgroup(root)
