"""``proclab images build`` and ``proclab clean``: proclab's images, and removing what it made."""

from __future__ import annotations

import click

from .output import err_console


@click.group()
def images() -> None:
    """Build proclab's images."""


@images.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
def images_build(force: bool) -> None:
    """Build every proclab image (creating a local Debian base if none can be pulled)."""
    from ..engine import images as imgs
    from ..run.runner import sweep_stale_once

    for gone in sweep_stale_once():  # what dead runs left behind, as 'run' does
        err_console.print(f"[dim]removed stale {gone}[/]", highlight=False)
    for tag in imgs.build_all(
        lambda line: err_console.print(f"[dim]{line}[/]", highlight=False), force=force
    ):
        click.echo(f"ready: {tag}")


@click.command()
@click.option("--images", "with_images", is_flag=True, help="Also remove proclab's built images.")
def clean(with_images: bool) -> None:
    """Remove every container, network and volume proclab created."""
    from .. import engine
    from ..engine import images as imgs
    from ..engine import tracefs

    # a live run's tracefs instances go with its containers (its own finally); a dead run's here
    removed = engine.sweep(all_runs=True) + tracefs.sweep(all_runs=False)
    if with_images:
        removed += imgs.remove_all()
    for r in removed:
        click.echo(f"removed {r}")
    click.echo(f"{len(removed)} removed" if removed else "nothing to remove")
