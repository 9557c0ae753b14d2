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
            message = str(exc)
            if isinstance(exc, bg.OverwriteError):
                message += " (on the command line: --force)"
            click.echo(f"error: {message}", err=True)
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


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False), default="out")
@force_option
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@_handle_errors
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


@main.command(name="map")
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
@_handle_errors
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
    layers: list = list(layer_names)
    for path in route_files:
        layers.append(bg.read_layer(path))
    m = bg.make_map(*layers)
    click.echo(f"wrote {bg.save_map(m, output, offline=offline, overwrite=force)}")


@main.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--method", type=click.Choice(["geodesic", "planar"]), default="geodesic", show_default=True
)
@_handle_errors
def distance(a: str, b: str, method: str) -> None:
    """Distance in metres between two places (site id or name, or "lon,lat").

    \b
    Example:
      bassin-geo distance Arenberg "fosse Delloye"
      bassin-geo distance 9-9bis 2.79,50.46 --method planar
    """
    pa, pb = _places((a, b))
    click.echo(f"{bg.distance(pa, pb, method=method):.1f}")


@main.command()
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
@_handle_errors
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
    points = bg.read_layer(input_file) if input_file else _places(places)
    _emit(bg.nearest(points, targets=layer, k=k, max_distance=max_distance), fmt)


@main.command()
@click.argument("places", nargs=-1, required=True)
@format_option
@_handle_errors
def locate(places: tuple[str, ...], fmt: str) -> None:
    """Where places stand: basin, listed property, buffer zone, commune, EPCI.

    \b
    Example:
      bassin-geo locate 2.83,50.43 Arenberg
    """
    _emit(bg.locate(_places(places)), fmt)


if __name__ == "__main__":  # pragma: no cover
    main()
