"""``bassin-geo stage`` and ``crossings``: Tour de France stages and routes across areas."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

import bassin_geo as bg
from bassin_geo.cli.output import emit, force_option, format_option, route_writer, write_route

if TYPE_CHECKING:
    from bassin_geo.analysis.routes import Route

__all__ = ["crossings", "parse_route", "stage"]


def parse_route(source: str) -> Route:
    """A route named on the command line: ``stage:N`` for a shipped 2025 stage, or a file.

    Parameters
    ----------
    source : str
        ``"stage:1"``, or the path of a GPX / GeoJSON / KML file.

    Returns
    -------
    Route
        The stage's approximate line, or the route read from the file.

    Raises
    ------
    InvalidInputError
        ``stage:`` followed by something else than a number.

    Examples
    --------
    >>> parse_route("stage:1").properties["approximate"]
    True
    """
    if source.lower().startswith("stage:"):
        number = source.split(":", 1)[1]
        if not number.isdigit():
            msg = f"{source!r}: write stage:1, stage:2 or stage:3"
            raise bg.InvalidInputError(msg)
        return bg.load_stage(2025, int(number))
    return bg.read_route(source)


@click.command()
@click.argument("number", type=int, required=False)
@click.option("--year", default=2025, show_default=True)
@click.option(
    "--distance",
    "distance_m",
    default=1000.0,
    show_default=True,
    help="Sites closer than this to the route are listed (m).",
)
@click.option("--layer", default="pitheads", show_default=True, help="Sites' layer.")
@format_option
def stage(number: int | None, year: int, distance_m: float, layer: str, fmt: str) -> None:
    """A Tour de France stage in the basin: communes crossed and sites passed.

    Without NUMBER, lists the shipped stages. The stage lines are approximations drawn
    through the communes crossed (see the `approximate` and `method` properties). The
    communes listed are those of the territory (330 communes); `km_in_contour` is the km
    of each inside the contour (perimeter layer).

    \b
    Example:
      bassin-geo stage
      bassin-geo stage 1 --layer pitheads --distance 500
    """
    if number is None:
        emit(bg.list_stages(), fmt)
        return
    route = bg.load_stage(year, number)
    if fmt == "table":
        props = route.properties
        click.echo(
            f"{route.name}: {route.length_km:.1f} km approximate line "
            f"(official {props['official_length_km']} km; {props['method']})"
        )
        click.echo("\nCommunes crossed:")
        communes = bg.communes_crossed(route)
        emit(
            communes[["commune", "km_in", "km_out", "in_territory", "km_in_contour"]].round(1), fmt
        )
        click.echo(f"\n{layer} within {distance_m:g} m:")
    sites = bg.sites_along(route, distance_m=distance_m, layer=layer)
    columns = [c for c in ("km", "name", "commune", "distance_m", "geometry") if c in sites]
    emit(sites[columns], fmt)


@click.command()
@click.argument("route")
@click.option(
    "--area",
    default="perimeter",
    show_default=True,
    help="An embedded polygon layer (perimeter, buffer_zone, property, communes...).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the route, entries and exits to this GeoJSON/GPX file.",
)
@click.option(
    "--min-passage",
    "min_passage_m",
    type=click.FloatRange(min=0),
    default=10.0,  # = analysis.stages.MIN_PASSAGE_M (tested); a literal keeps --help light
    show_default=True,
    help="Inside stretches and outside gaps shorter than this are grazes, not entries "
    "and exits (m); 0 for the exact geometry.",
)
@force_option
@format_option
def crossings(
    route: str, area: str, min_passage_m: float, output: str | None, force: bool, fmt: str
) -> None:
    """Where a route enters and leaves an area, at which km (ROUTE: a file or stage:N).

    The default area is the basin's contour (perimeter layer); `--area communes` is the
    territory of the 330 communes.

    \b
    Example:
      bassin-geo crossings stage:1
      bassin-geo crossings ride.gpx --area buffer_zone --format json
      bassin-geo crossings stage:1 --min-passage 0
    """
    route_writer(output, force)  # refuse a bad output before the work, not after
    result = bg.crossings(parse_route(route), area=area, min_passage_m=min_passage_m)
    if fmt == "table":
        summary = result.summary()
        click.echo(", ".join(f"{k}: {v}" for k, v in summary.items()))
    emit(result.events, fmt)
    write_route(result, output, force)
