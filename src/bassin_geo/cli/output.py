"""What the commands print and write: one table in four formats, and route files.

Everything heavy (pandas, geopandas, the writers) is imported inside the functions, so
``bassin-geo --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "emit",
    "excel_asked",
    "force_option",
    "format_option",
    "route_writer",
    "write_route",
]

_Command = TypeVar("_Command", bound=Callable[..., Any])
_EXCEL_KEY = "bassin_geo.excel"

#: The output formats every listing command offers.
FORMATS = ("table", "json", "csv", "geojson")

_format_choice = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: a readable table, or json/csv/geojson for scripts.",
)


def _remember_excel(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[_EXCEL_KEY] = value
    return value


_excel_flag = click.option(
    "--excel",
    is_flag=True,
    expose_value=False,  # read by emit() from the context: commands need no parameter
    callback=_remember_excel,
    help="CSV for a French Excel: ';' separator, decimal comma, UTF-8 with BOM.",
)


def format_option(command: _Command) -> _Command:
    """``--format`` (how a command prints its table) and ``--excel`` (CSV for Excel).

    Parameters
    ----------
    command : callable
        A click command function taking a ``fmt`` parameter.

    Returns
    -------
    callable
        The command with both options; ``--excel`` reaches :func:`emit` through the
        click context, so the command's own signature only has ``fmt``.

    Examples
    --------
    >>> @click.command()
    ... @format_option
    ... def show(fmt: str) -> None:
    ...     click.echo(fmt)
    >>> sorted(p.name for p in show.params)
    ['excel', 'fmt']
    """
    return _format_choice(_excel_flag(command))


def excel_asked() -> bool:
    """Whether the running command was given ``--excel``.

    Returns
    -------
    bool
        False outside a click command, or without the flag.

    Examples
    --------
    >>> excel_asked()
    False
    """
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get(_EXCEL_KEY, False))


#: ``--force``: overwrite existing output files.
force_option = click.option("--force", is_flag=True, help="Overwrite existing output files.")


def emit(data: pd.DataFrame, fmt: str) -> None:
    """Print a table on stdout in one of :data:`FORMATS`, numbers rounded by unit.

    With ``--excel`` (see :func:`format_option`) the CSV is for a French Excel: ``;``
    separator, decimal comma, a byte-order mark, formula-looking text defused; ``--excel``
    alone means ``--format csv``.

    Parameters
    ----------
    data : DataFrame or GeoDataFrame
        The result to print; ``geojson`` needs a GeoDataFrame.
    fmt : {"table", "json", "csv", "geojson"}
        The output format.

    Raises
    ------
    InvalidInputError
        ``geojson`` asked for a result without geometry, or ``--excel`` with json or
        geojson.

    Examples
    --------
    >>> import pandas as pd
    >>> emit(pd.DataFrame({"name": ["Fosse Arenberg"], "length_m": [14208.1498]}), "csv")
    name,length_m
    Fosse Arenberg,14208
    """
    import geopandas as gpd
    import pandas as pd

    from bassin_geo.errors import InvalidInputError
    from bassin_geo.io.tables import csv_text, flat_table, round_by_unit

    excel = excel_asked()
    if excel and fmt in {"json", "geojson"}:
        msg = f"--excel is for CSV output, not --format {fmt}"
        raise InvalidInputError(msg)
    if excel:
        fmt = "csv"
    if fmt == "geojson":
        if not isinstance(data, gpd.GeoDataFrame):
            msg = "this result has no geometry: use --format json or csv"
            raise InvalidInputError(msg)
        click.echo(data.to_json(drop_id=True, to_wgs84=True, default=str))
        return
    # Row labels (a matrix's origins) as a first column, in every format.
    frame = round_by_unit(flat_table(pd.DataFrame(data.drop(columns="geometry", errors="ignore"))))
    if fmt == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False, default_handler=str))
    elif fmt == "csv":
        text = csv_text(frame, excel=excel)
        click.echo(("\ufeff" if excel else "") + text, nl=False)
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
