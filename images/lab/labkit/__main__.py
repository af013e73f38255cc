"""``python3 -m labkit``: list the labs baked into this image and how to run one by hand."""

import os
import sys

LABS = os.environ.get("PROCLAB_LABS", "/labs")


def main() -> int:
    names = sorted(
        d for d in os.listdir(LABS) if os.path.isfile(os.path.join(LABS, d, "scenario.py"))
    )
    print("proclab lab image. Run a lab's scenario by hand, e.g.:\n")
    print("  docker run --rm -it proclab/lab python3 /labs/zombies/scenario.py\n")
    print("Labs in this image:")
    for n in names:
        print(f"  {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
