"""Start a lab's scenario inside the container.

The harness ships the lab folder in the environment (``PROCLAB_LAB``: a
base64 gzip tar), so a lab folder from anywhere runs without rebuilding the
image and without bind mounts. boot unpacks it into /lab and then *execs* the
scenario, so the scenario keeps boot's pid (pid 1 when there is no init).

Under the harness (``PROCLAB_GO=1``) boot first announces the checkpoint ``proclab:go`` and
waits: the harness starts the kernel's record and the resident probe, then releases it, so
the scenario's first fork is in the record. Run by hand (no PROCLAB_GO) it never waits.
"""

from __future__ import annotations

import base64
import io
import os
import sys
import tarfile

LAB_DIR = os.environ.get("PROCLAB_LAB_DIR", "/lab")
GO = "proclab:go"  # the harness's go: the checkpoint boot waits at before the scenario starts


def unpack(blob: str, dest: str) -> None:
    data = base64.b64decode(blob)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(
            dest
        )


def main() -> None:
    blob = os.environ.pop("PROCLAB_LAB", None)
    if blob:
        os.makedirs(LAB_DIR, exist_ok=True)
        unpack(blob, LAB_DIR)
        scenario = os.path.join(LAB_DIR, "scenario.py")
    elif len(sys.argv) > 1 and sys.argv[1].endswith(".py"):
        scenario = sys.argv.pop(1)
    else:
        sys.exit("labkit.boot: no lab given (PROCLAB_LAB is unset and no scenario path was passed)")
    os.chdir(os.environ.get("PROCLAB_WORKDIR", "/tmp"))
    if os.environ.pop("PROCLAB_GO", None) == "1":
        from . import checkpoint, harnessed

        if harnessed():
            checkpoint(GO)
    argv = [sys.executable, scenario, *sys.argv[1:]]
    os.execve(sys.executable, argv, dict(os.environ))


if __name__ == "__main__":
    main()
