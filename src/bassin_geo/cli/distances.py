"""``bassin-geo distance``, ``nearest`` and ``locate``: measures between places."""

from __future__ import annotations

import click

import bassin_geo as bg
from bassin_geo.cli.output import emit, format_option
from bassin_geo.cli.parsing import parse_places

__all__ = ["distance", "locate", "nearest"]


@click.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--method", type=click.Choice(["geodesic", "planar"]), default="geodesic", show_default=True
)
def distance(a: str, b: str, method: str) -> None:
    """Distance in metres between two places (site id or name, or "lon,lat").

    \b
    Example:
      bassin-geo distance Arenberg "fosse Delloye"
      bassin-geo distance 9-9bis 2.79,50.46 --method planar
    """
    place_a, place_b = parse_places((a, b))
    click.echo(f"{bg.distance(place_a, place_b, method=method):.1f}")


@click.command()
@click.argument("places", nargs=-1, required=True)
@click.option("-k", default=1, show_default=True, help="How many nearest targets per place.")
@click.option("--layer", default="sites", show_default=True, help="The targets' layer.")
@click.option("--max-distance", type=float, default=None, help="Ignore targets farther (m).")
@click.option(
    "--input",
    "input_file",
    type=click.Path(exists=True),
    default=None,
    help="Read the places from a point file instead (GeoJSON, GPKG, CSV not).",
)
@format_option
def nearest(
    places: tuple[str, ...],
    k: int,
    layer: str,
    max_distance: float | None,
    input_file: str | None,
    fmt: str,
) -> None:
    """The k nearest sites (or features of a layer) to each place.

    \b
    Example:
      bassin-geo nearest 3.0,50.4 -k 3
      bassin-geo nearest Loisinord --layer pitheads --format json
    """
    points = bg.read_layer(input_file) if input_file else parse_places(places)
    emit(bg.nearest(points, targets=layer, k=k, max_distance_m=max_distance), fmt)


@click.command()
@click.argument("places", nargs=-1, required=True)
@format_option
def locate(places: tuple[str, ...], fmt: str) -> None:
    """Where places stand: basin, listed property, buffer zone, commune, EPCI.

    \b
    Example:
      bassin-geo locate 2.83,50.43 Arenberg
    """
    emit(bg.locate(parse_places(places)), fmt)
