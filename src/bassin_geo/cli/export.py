"""``bassin-geo export`` and ``map``: the offline map, GeoJSON and GeoPackage files."""

from __future__ import annotations

from typing import Any

import click

import bassin_geo as bg
from bassin_geo.cli.output import force_option

__all__ = ["export", "map_"]


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False), default="out")
@force_option
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def export(out_dir: str, force: bool, no_progress: bool) -> None:
    """Write the offline map, one GeoJSON per layer and a styled GeoPackage.

    \b
    Example:
      bassin-geo export out/
      bassin-geo export out/ --force
    """
    written = bg.export_all(out_dir, overwrite=force, progress=not no_progress)
    click.echo(
        f"wrote {len(written)} files to {out_dir}/: map.html, bassin_minier.gpkg, geojson/*.geojson"
    )


@click.command(name="map")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option(
    "--layer",
    "layer_names",
    multiple=True,
    help="An embedded layer to draw (repeatable); default: the basin's main layers.",
)
@click.option(
    "--route",
    "route_files",
    multiple=True,
    type=click.Path(exists=True),
    help="A GPX / GeoJSON route to draw on top (repeatable).",
)
@click.option("--offline", is_flag=True, help="Inline every asset: opens with no network.")
@force_option
def map_(
    output: str,
    layer_names: tuple[str, ...],
    route_files: tuple[str, ...],
    offline: bool,
    force: bool,
) -> None:
    """Write an interactive HTML map.

    \b
    Example:
      bassin-geo map basin.html --offline
      bassin-geo map pits.html --layer pitheads --layer perimeter
    """
    drawn: list[Any] = [*layer_names, *(bg.read_layer(path) for path in route_files)]
    page = bg.make_map(*drawn)
    click.echo(f"wrote {bg.save_map(page, output, offline=offline, overwrite=force)}")
