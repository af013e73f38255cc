"""proclab's exception family: one root, a few specific kinds.

Library code raises these; only the CLI turns them into messages and exit
codes. Every message is one line that names what is wrong and how to fix it.
"""

from __future__ import annotations


class ProclabError(Exception):
    """Root of every error proclab raises on purpose."""

    exit_code = 2


class UsageError(ProclabError):
    """The user asked for something that does not exist or is malformed."""


class LabNotFound(UsageError):
    def __init__(self, name: str, known: list[str]):
        import difflib

        self.name = name
        self.known = known
        lowered = {k.lower(): k for k in known}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        if close:
            hint = f"did you mean {' or '.join(repr(lowered[c]) for c in close)}?"
        else:
            hint = "'proclab list' shows the labs"
        super().__init__(
            f"no lab named '{name}'; {hint} (or give the path of a folder that holds a scenario.py)"
        )


class LabFormatError(UsageError):
    """A lab folder, its lab.toml or its checks are malformed."""


class SettingsRefused(LabFormatError):
    """Docker would not create or start a lab's container from its settings (a user the image
    lacks, more CPUs than the host has): the lab's mistake, exit 2, not a lab failure."""


class EnvironmentProblem(ProclabError):
    """Something outside proclab is missing or broken (engine, base image, mirror)."""


class EngineUnavailable(EnvironmentProblem):
    pass


class ImageBuildError(EnvironmentProblem):
    def __init__(self, image: str, reason: str, log_tail: list[str] | None = None):
        self.image = image
        self.log_tail = log_tail or []
        super().__init__(f"building image {image} failed: {reason}")


class ProbeError(ProclabError):
    """The in-container probe did not return a snapshot."""


class ContainerError(ProclabError):
    """A Docker call about a container (or image, or network) failed.

    Names the operation, the container and Docker's own explanation, as
    docker-py's ContainerError does; raised only by ``proclab.engine``.
    """

    def __init__(self, operation: str, target: str, explanation: str):
        self.operation = operation
        self.target = target
        self.explanation = explanation
        where = f" {target}" if target else ""
        super().__init__(f"docker {operation}{where} failed: {explanation}")


class ContainerGone(ContainerError):
    """The container (or exec) no longer exists: it ended and was removed, or never was."""


class CallTimeout(ContainerError):
    """A Docker call (an exec, say) did not return within its deadline; the harness went on without it."""


class ImageMissing(EnvironmentProblem):
    def __init__(self, image: str):
        self.image = image
        super().__init__(f"image {image} is missing; run 'proclab images build'")
