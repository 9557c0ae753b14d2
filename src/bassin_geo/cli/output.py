"""What the commands print and write: one table in four formats, and route files.

Everything heavy (pandas, geopandas, the writers) is imported inside the functions, so
``bassin-geo --help`` stays fast.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "emit",
    "force_option",
    "format_option",
    "route_writer",
    "write_route",
]

#: The output formats every listing command offers.
FORMATS = ("table", "json", "csv", "geojson")

#: ``--format``: how a command prints its table.
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: a readable table, or json/csv/geojson for scripts.",
)
#: ``--force``: overwrite existing output files.
force_option = click.option("--force", is_flag=True, help="Overwrite existing output files.")


def emit(data: pd.DataFrame, fmt: str) -> None:
    """Print a table on stdout in one of :data:`FORMATS`.

    Parameters
    ----------
    data : DataFrame or GeoDataFrame
        The result to print; ``geojson`` needs a GeoDataFrame.
    fmt : {"table", "json", "csv", "geojson"}
        The output format.

    Raises
    ------
    InvalidInputError
        ``geojson`` asked for a result without geometry.

    Examples
    --------
    >>> import pandas as pd
    >>> emit(pd.DataFrame({"name": ["Fosse Arenberg"], "km": [12.5]}), "csv")
    name,km
    Fosse Arenberg,12.5
    """
    import geopandas as gpd
    import pandas as pd

    from bassin_geo.errors import InvalidInputError

    if fmt == "geojson":
        if not isinstance(data, gpd.GeoDataFrame):
            msg = "this result has no geometry: use --format json or csv"
            raise InvalidInputError(msg)
        click.echo(data.to_json(drop_id=True, to_wgs84=True, default=str))
        return
    frame = pd.DataFrame(data.drop(columns="geometry", errors="ignore"))
    if fmt == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False, default_handler=str))
    elif fmt == "csv":
        buf = io.StringIO()
        frame.to_csv(buf, index=False)
        click.echo(buf.getvalue(), nl=False)
    else:
        with pd.option_context(
            "display.max_rows",
            200,
            "display.max_columns",
            20,
            "display.width",
            160,
            "display.max_colwidth",
            48,
        ):
            click.echo(frame.to_string(index=False))


def route_writer(output: str | None, force: bool) -> Callable[..., Path] | None:
    """The writer for a route output file, checked before any long computation.

    Parameters
    ----------
    output : str or None
        The file asked for with ``--output``; None when there is none.
    force : bool
        Whether an existing file may be replaced.

    Returns
    -------
    callable or None
        :func:`bassin_geo.to_gpx` or :func:`bassin_geo.to_geojson`, after the suffix and
        the overwrite rule are checked; None without ``output``.

    Raises
    ------
    InvalidInputError
        The suffix is neither ``.gpx`` nor ``.geojson``/``.json``.
    OverwriteError
        The file exists and ``force`` is False.

    Examples
    --------
    >>> route_writer("visit.gpx", force=True).__name__
    'to_gpx'
    >>> route_writer(None, force=False) is None
    True
    >>> route_writer("visit.kml", force=False)
    Traceback (most recent call last):
    ...
    bassin_geo.errors.InvalidInputError: visit.kml: write routes to a .gpx or .geojson file ...
    """
    if output is None:
        return None
    from bassin_geo.errors import InvalidInputError, OverwriteError

    suffix = Path(output).suffix.lower()
    if suffix not in {".gpx", ".geojson", ".json"}:
        msg = f"{output}: write routes to a .gpx or .geojson file (got {suffix or 'no suffix'})"
        raise InvalidInputError(msg)
    if Path(output).exists() and not force:
        msg = f"{output} exists"
        raise OverwriteError(msg)
    import bassin_geo as bg

    return bg.to_gpx if suffix == ".gpx" else bg.to_geojson


def write_route(result: Any, output: str | None, force: bool) -> None:
    """Write a result with ``to_gdf()`` (legs, crossings) to ``output``, if one is asked.

    Parameters
    ----------
    result : object with ``to_gdf()``
        What to write: an itinerary, a tour, crossings.
    output : str or None
        The ``--output`` file, or None to write nothing.
    force : bool
        Whether an existing file may be replaced.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> write_route(bg.itinerary(["9-9bis", "11/19"]), None, force=False)  # nothing asked
    """
    writer = route_writer(output, force)
    if writer is not None:
        writer(result, output, overwrite=force)
        click.echo(f"wrote {output}", err=True)
