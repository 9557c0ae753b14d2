"""``bassin-geo distance``, ``nearest`` and ``locate``: measures between places.

``nearest`` and ``locate`` take their places on the command line or from a file with
``--input`` (GeoJSON, GeoPackage, CSV, Excel, ODS...: whatever
:func:`bassin_geo.read_layer` reads), never both; the file's rows keep their own labels
(an ``id``/``nom`` column, or the one named with ``--id``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import click

import bassin_geo as bg
from bassin_geo._types import PlacesLike
from bassin_geo.cli.output import emit, format_option
from bassin_geo.cli.parsing import parse_places

__all__ = ["distance", "input_options", "input_places", "locate", "nearest"]

_Command = TypeVar("_Command", bound=Callable[..., Any])


def input_options(command: _Command) -> _Command:
    """``--input FILE``, ``--id COLUMN``, ``--sheet NAME``, ``--crs CRS``: places from a file.

    Parameters
    ----------
    command : callable
        A click command taking ``input_file``, ``id_column``, ``sheet`` and ``crs``.

    Returns
    -------
    callable
        The command with the four options.

    Examples
    --------
    >>> @click.command()
    ... @input_options
    ... def show(input_file, id_column, sheet, crs):
    ...     pass
    >>> sorted(p.name for p in show.params)
    ['crs', 'id_column', 'input_file', 'sheet']
    """
    options = (
        click.option(
            "--input",
            "input_file",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help="Read the places from a file instead: GeoJSON, GPKG, CSV, XLSX, ODS...",
        ),
        click.option(
            "--id",
            "id_column",
            default=None,
            help="The --input column naming each row (default: an id/identifiant/nom column).",
        ),
        click.option(
            "--sheet",
            default=None,
            help="The sheet (or layer) of the --input file, when it holds several.",
        ),
        click.option(
            "--crs",
            default=None,
            help="The CRS of the --input coordinates, e.g. EPSG:2154 for Lambert-93 X/Y.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def input_places(
    places: tuple[str, ...],
    input_file: str | None,
    id_column: str | None,
    sheet: str | None,
    crs: str | None,
) -> PlacesLike:
    """The places of a command: typed on the command line, or read with ``--input``.

    Parameters
    ----------
    places : tuple of str
        The positional places (site ids or names, ``"lon,lat"``).
    input_file : str or None
        The ``--input`` file.
    id_column : str or None
        The ``--id`` column of the file, which labels the results.
    sheet : str or None
        The ``--sheet`` (or layer) of the file.
    crs : str or None
        The ``--crs`` of the file's coordinates.

    Returns
    -------
    list or GeoDataFrame
        The parsed places, or the file's rows (labelled by ``id_column`` when given).

    Raises
    ------
    click.UsageError
        Both places and ``--input``, neither, or ``--id``/``--sheet``/``--crs`` without
        ``--input``.

    Examples
    --------
    >>> input_places(("Arenberg",), None, None, None, None)
    ['Arenberg']
    """
    if input_file is None:
        if (id_column, sheet, crs) != (None, None, None):
            msg = "--id, --sheet and --crs describe the --input file; give --input FILE"
            raise click.UsageError(msg)
        if not places:
            msg = "give places (site ids or names, or lon,lat) or --input FILE"
            raise click.UsageError(msg)
        return parse_places(places)
    if places:
        msg = f"give places or --input {input_file}, not both (got {', '.join(places)})"
        raise click.UsageError(msg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bg.BassinGeoWarning)
        rows = bg.read_layer(input_file, sheet, crs=crs)
    for warning in caught:  # one line each, as errors are told
        click.echo(f"warning: {warning.message}", err=True)
    if id_column is not None:
        if id_column not in rows.columns:
            msg = f"--id {id_column}: no such column in {input_file}; it has " + ", ".join(
                str(c) for c in rows.columns if c != "geometry"
            )
            raise click.UsageError(msg)
        rows = rows.set_index(id_column)  # the resolver labels rows by a named index
    return rows


@click.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--method", type=click.Choice(["geodesic", "planar"]), default="geodesic", show_default=True
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format: the distance with its unit, or json/csv for scripts.",
)
def distance(a: str, b: str, method: str, fmt: str) -> None:
    """Distance in metres between two places (site id or name, commune, or "lon,lat").

    A distance to a commune or a polygon site is to its outline (0 inside it).

    \b
    Example:
      bassin-geo distance Arenberg "fosse Delloye"
      bassin-geo distance 9-9bis 2.79,50.46 --method planar --format json
    """
    import pandas as pd

    place_a, place_b = parse_places((a, b))
    metres = bg.distance(place_a, place_b, method=method)
    if fmt == "table":
        click.echo(f"{metres:.1f} m")
        return
    emit(pd.DataFrame({"a": [a], "b": [b], "method": [method], "distance_m": [metres]}), fmt)


@click.command()
@click.argument("places", nargs=-1)
@click.option("-k", default=1, show_default=True, help="How many nearest targets per place.")
@click.option("--layer", default="sites", show_default=True, help="The targets' layer.")
@click.option("--max-distance", type=float, default=None, help="Ignore targets farther (m).")
@input_options
@format_option
def nearest(
    places: tuple[str, ...],
    k: int,
    layer: str,
    max_distance: float | None,
    input_file: str | None,
    id_column: str | None,
    sheet: str | None,
    crs: str | None,
    fmt: str,
) -> None:
    """The k nearest sites (or features of a layer) to each place.

    \b
    Example:
      bassin-geo nearest 3.0,50.4 -k 3
      bassin-geo nearest Loisinord --layer pitheads --format json
      bassin-geo nearest --input adresses.csv --layer pitheads --excel > proches.csv
    """
    points = input_places(places, input_file, id_column, sheet, crs)
    emit(bg.nearest(points, targets=layer, k=k, max_distance_m=max_distance), fmt)


@click.command()
@click.argument("places", nargs=-1)
@input_options
@format_option
def locate(
    places: tuple[str, ...],
    input_file: str | None,
    id_column: str | None,
    sheet: str | None,
    crs: str | None,
    fmt: str,
) -> None:
    """Where places stand: basin, listed property, buffer zone, commune, EPCI.

    \b
    Example:
      bassin-geo locate 2.83,50.43 Arenberg
      bassin-geo locate --input visites.xlsx --sheet visites --id Identifiant
    """
    chosen = input_places(places, input_file, id_column, sheet, crs)
    if input_file is None:
        # Named places as their points (a commune or slag heap is located by a point
        # inside it): locate() takes points.
        chosen = bg.as_places(chosen)
    # A file's rows go as they are, so their own columns (names, ids) stay in the table.
    emit(bg.locate(chosen), fmt)
