"""What an image says about how it runs (entrypoint, command, stop signal, user), and one
file read out of an image without running it: what 'proclab doctor' needs from outside."""

from __future__ import annotations

from dataclasses import dataclass

from ._calls import docker_call
from ._client import client, labels


@dataclass(frozen=True)
class ImageConfig:
    ref: str
    id: str
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    stop_signal: str  # what 'docker stop' sends first: the image's STOPSIGNAL, else SIGTERM
    user: str
    healthcheck: bool

    @property
    def argv(self) -> tuple[str, ...]:
        return self.entrypoint + self.cmd


def image_config(ref: str) -> ImageConfig:
    """The image's run configuration; ImageMissing when there is no such image here."""
    with docker_call("image inspect", ref, image=ref):
        img = client().images.get(ref)
    cfg = img.attrs.get("Config") or {}
    return ImageConfig(
        ref=ref,
        id=img.id or "",
        entrypoint=tuple(cfg.get("Entrypoint") or ()),
        cmd=tuple(cfg.get("Cmd") or ()),
        stop_signal=cfg.get("StopSignal") or "SIGTERM",
        user=cfg.get("User") or "",
        healthcheck=bool(cfg.get("Healthcheck")),
    )


def file_from_image(image: str, path: str) -> bytes:
    """A tar holding one file of an image, read from a created (never started) container."""
    c = client()
    with docker_call("create", f"a reader of {image}", image=image):
        reader = c.containers.create(
            image, ["/nonexistent"], labels=labels(kind="image-reader"), network_mode="none"
        )
    try:
        with docker_call(f"get archive {path} from", image):
            chunks, _ = reader.get_archive(path)
            return b"".join(chunks)
    finally:
        with docker_call("remove", reader.name or image):
            reader.remove(force=True)
