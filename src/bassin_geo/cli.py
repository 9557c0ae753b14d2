"""The ``bassin-geo`` command: parse, call the public API, print. Nothing else lives here."""

from __future__ import annotations

import functools
import io
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click
import geopandas as gpd
import pandas as pd

import bassin_geo as bg

FORMATS = ("table", "json", "csv", "geojson")


def _emit(data: pd.DataFrame | gpd.GeoDataFrame, fmt: str) -> None:
    """Print a table in the chosen format on stdout."""
    if fmt == "geojson":
        if not isinstance(data, gpd.GeoDataFrame):
            raise bg.InvalidInputError("this result has no geometry: use --format json or csv")
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


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and exit code 1 (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except (bg.BassinGeoError, FileNotFoundError, ValueError) as exc:
            if ctx.find_root().params.get("debug"):
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: a readable table, or json/csv/geojson for scripts.",
)
force_option = click.option("--force", is_flag=True, help="Overwrite existing output files.")


def _places(values: tuple[str, ...]) -> list[Any]:
    """A CLI place: a site id or name, or "lon,lat"."""
    out: list[Any] = []
    for v in values:
        parts = v.split(",")
        if len(parts) == 2:
            try:
                out.append((float(parts[0]), float(parts[1])))
                continue
            except ValueError:
                pass
        out.append(v)
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.version_option(bg.__version__, prog_name="bassin-geo")
def main(debug: bool) -> None:
    """Nord-Pas de Calais Mining Basin: layers, distances, itineraries, stages, maps.

    \b
    Examples:
      bassin-geo layers
      bassin-geo site "9-9bis"
      bassin-geo export out/
    """


@main.command()
@format_option
@_handle_errors
def layers(fmt: str) -> None:
    """List the embedded layers with their feature counts.

    \b
    Example:
      bassin-geo layers --format csv
    """
    _emit(bg.list_layers().drop(columns="credit"), fmt)


@main.command()
@click.argument("query", nargs=-1, required=True)
@format_option
@_handle_errors
def site(query: tuple[str, ...], fmt: str) -> None:
    """Find one site by id or name (accents and case ignored).

    \b
    Example:
      bassin-geo site Arenberg
      bassin-geo site "fosse 9 lens" --format geojson
    """
    row = bg.get_site(" ".join(query))
    _emit(gpd.GeoDataFrame([row], geometry="geometry", crs=bg.WGS84), fmt)


if __name__ == "__main__":  # pragma: no cover
    main()
