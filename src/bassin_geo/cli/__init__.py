"""The ``bassin-geo`` command: parse, call the public API, print. Nothing else lives here."""

from __future__ import annotations

import functools
import io
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
        except Exception as exc:
            if ctx.find_root().params.get("debug"):
                traceback.print_exc()
            message = str(exc)
            if not isinstance(exc, (bg.BassinGeoError, OSError, ValueError)):
                # Not an input problem: say so, and how to get the details for a report.
                message = f"internal error ({type(exc).__name__}: {exc}); rerun with --debug"
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


class _OneLineErrors(click.Group):
    """The ``bassin-geo`` group: a usage mistake (missing argument, bad option value,
    unknown command) is, like every other error, one line on stderr and exit code 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `bassin-geo`: the help
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "bassin-geo"
            click.echo(f"error: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(1)
        # --help and --version come back as their exit code; a command returns None.
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
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


def _route_writer(output: str | None, force: bool) -> Callable[..., Any] | None:
    """The writer for a route output file, checked before any long computation."""
    if output is None:
        return None
    suffix = Path(output).suffix.lower()
    writers = {".gpx": bg.to_gpx, ".geojson": bg.to_geojson, ".json": bg.to_geojson}
    if suffix not in writers:
        raise bg.InvalidInputError(
            f"{output}: write routes to a .gpx or .geojson file (got {suffix or 'no suffix'})"
        )
    if Path(output).exists() and not force:
        raise bg.OverwriteError(f"{output} exists")
    return writers[suffix]


def _write_route(result: Any, output: str | None, force: bool) -> None:
    writer = _route_writer(output, force)
    if writer is not None:
        writer(result, output, overwrite=force)
        click.echo(f"wrote {output}", err=True)


def _route(source: str):
    """A CLI route: "stage:N" for a shipped 2025 stage, else a GPX / GeoJSON / KML path."""
    if source.lower().startswith("stage:"):
        number = source.split(":", 1)[1]
        if not number.isdigit():
            raise bg.InvalidInputError(f"{source!r}: write stage:1, stage:2 or stage:3")
        return bg.load_stage(2025, int(number))
    return bg.read_route(source)


@main.command()
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
@_handle_errors
def stage(number: int | None, year: int, distance_m: float, layer: str, fmt: str) -> None:
    """A Tour de France stage in the basin: communes crossed and sites passed.

    Without NUMBER, lists the shipped stages. The stage lines are approximations drawn
    through the communes crossed (see the `approximate` and `method` properties).

    \b
    Example:
      bassin-geo stage
      bassin-geo stage 1 --layer pitheads --distance 500
    """
    if number is None:
        _emit(bg.list_stages(), fmt)
        return
    route = bg.load_stage(year, number)
    if fmt == "table":
        props = route.properties
        click.echo(
            f"{route.name}: {route.length_km:.1f} km approximate line "
            f"(official {props['official_length_km']} km; {props['method']})"
        )
        click.echo("\nCommunes crossed:")
        _emit(bg.communes_crossed(route)[["commune", "km_in", "km_out", "in_basin"]].round(1), fmt)
        click.echo(f"\n{layer} within {distance_m:g} m:")
    sites = bg.sites_along(route, distance_m, layer=layer)
    _emit(
        sites[
            [c for c in ("km", "name", "commune", "distance_m", "geometry") if c in sites.columns]
        ],
        fmt,
    )


@main.command(name="crossings")
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
@force_option
@format_option
@_handle_errors
def crossings_(route: str, area: str, output: str | None, force: bool, fmt: str) -> None:
    """Where a route enters and leaves an area, at which km (ROUTE: a file or stage:N).

    \b
    Example:
      bassin-geo crossings stage:1
      bassin-geo crossings ride.gpx --area buffer_zone --format json
    """
    _route_writer(output, force)  # refuse a bad output before the work, not after
    result = bg.crossings(_route(route), area)
    if fmt == "table":
        summary = result.summary()
        click.echo(", ".join(f"{k}: {v}" for k, v in summary.items()))
    _emit(result.events, fmt)
    _write_route(result, output, force)


network_options = [
    click.option(
        "--network",
        "network_file",
        type=click.Path(exists=True),
        default=None,
        help="An OSM extract (.osm.pbf/.osm), osmnx GraphML, network cache (.npz) or "
        "line layer. Without it, legs are straight geodesic lines.",
    ),
    click.option(
        "--mode", type=click.Choice(["walk", "bike", "drive"]), default="walk", show_default=True
    ),
    click.option(
        "--clip-basin",
        is_flag=True,
        help="Keep only the network within the basin contour (plus 2 km).",
    ),
    click.option(
        "--prefer-railways",
        type=float,
        default=None,
        help="Add the old mining railways, each metre counting 1/FACTOR.",
    ),
    click.option(
        "--output",
        type=click.Path(dir_okay=False),
        default=None,
        help="Also write the legs to this .gpx or .geojson file.",
    ),
    force_option,
    format_option,
]


_ROUTING_KEYS = ("network_file", "mode", "clip_basin", "prefer_railways", "output", "force", "fmt")


@dataclass(frozen=True)
class _RoutingArgs:
    """The options route and tour share: which network, and where the legs go."""

    network_file: str | None
    mode: str
    clip_basin: bool
    prefer_railways: float | None
    output: str | None
    force: bool
    fmt: str

    def network(self):
        if self.network_file is None:
            return None
        return bg.load_network(
            self.network_file,
            mode=self.mode,
            clip="basin" if self.clip_basin else None,
            prefer_railways=self.prefer_railways,
            progress=True,
        )

    def show(self, result) -> None:
        legs = result.legs
        if self.fmt == "table":
            click.echo(
                f"{len(legs)} legs, {result.length_m / 1000:.2f} km, "
                f"{result.duration_s / 60:.0f} min ({legs['method'].iloc[0]})"
            )
        _emit(legs, self.fmt)
        _write_route(result, self.output, self.force)


def _with_network_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared routing options; the command receives them as one ``args`` object."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        args = _RoutingArgs(**{k: kwargs.pop(k) for k in _ROUTING_KEYS})
        return func(args=args, **kwargs)

    for option in reversed(network_options):
        wrapper = option(wrapper)
    return wrapper


@main.command()
@click.argument("stops", nargs=-1, required=True)
@_with_network_options
@_handle_errors
def route(stops: tuple[str, ...], args: _RoutingArgs) -> None:
    """The itinerary through STOPS in the given order (site ids, names or "lon,lat").

    \b
    Example:
      bassin-geo route 9-9bis 11/19 Arenberg
      bassin-geo route 9-9bis 11/19 --network nord-pas-de-calais-latest.osm.pbf \\
          --mode bike --clip-basin --output visit.gpx
    """
    _route_writer(args.output, args.force)  # refuse a bad output before the work
    args.show(bg.itinerary(_places(stops), network=args.network(), mode=args.mode))


@main.command()
@click.argument("stops", nargs=-1)
@click.option("--headframes", is_flag=True, help="Visit every pit with a listed headframe.")
@click.option("--start", default=None, help="The first stop (one of the stops, or a place).")
@click.option("--end", default=None, help="The last stop.")
@click.option("--return", "return_to_start", is_flag=True, help="Come back to the start.")
@_with_network_options
@_handle_errors
def tour(
    stops: tuple[str, ...],
    headframes: bool,
    start: str | None,
    end: str | None,
    return_to_start: bool,
    args: _RoutingArgs,
) -> None:
    """The shortest visiting order of STOPS (exact up to 15 stops, local search above).

    \b
    Example:
      bassin-geo tour 9-9bis 11/19 Arenberg Delloye --start Delloye --return
      bassin-geo tour --headframes --start Delloye --output headframes.gpx
    """
    if not stops and not headframes:
        raise bg.InvalidInputError("give the stops to visit, or --headframes")
    _route_writer(args.output, args.force)  # refuse a bad output before the work
    places: Any = bg.load_pitheads(headframe=True) if headframes else _places(stops)
    # --start/--end are places like the stops: "lon,lat" too, not only names.
    result = bg.tour(
        places,
        start=_places((start,))[0] if start is not None else None,
        end=_places((end,))[0] if end is not None else None,
        return_to_start=return_to_start,
        network=args.network(),
        mode=args.mode,
    )
    if args.fmt == "table":
        gap = "" if result.gap is None else f", gap to the lower bound {result.gap:.1%}"
        click.echo(f"solver: {result.solver}{gap}")
    args.show(result)


if __name__ == "__main__":  # pragma: no cover
    main()
