"""``bassin-geo route`` and ``tour``: itineraries, on a network or as straight legs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

import bassin_geo as bg
from bassin_geo.cli.output import emit, force_option, format_option, route_writer, write_route
from bassin_geo.cli.parsing import parse_place, parse_places

if TYPE_CHECKING:
    from bassin_geo._types import PlacesLike
    from bassin_geo.routing.itinerary import Itinerary
    from bassin_geo.routing.network import Network

__all__ = ["route", "tour"]


class _NetworkSource(click.Path):
    """An existing file, or ``auto`` for the basin's cached network."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Accept ``auto`` as it is, and check anything else is an existing file.

        Parameters
        ----------
        value : Any
            What was given.
        param : click.Parameter or None
            The option.
        ctx : click.Context or None
            The command's context.

        Returns
        -------
        Any
            ``"auto"`` or the path.
        """
        if value == "auto":
            return value
        return super().convert(value, param, ctx)


_NETWORK_OPTIONS = [
    click.option(
        "--network",
        "network_file",
        type=_NetworkSource(exists=True),
        default=None,
        help="An OSM extract (.osm.pbf/.osm), osmnx GraphML, network cache (.npz) or "
        "line layer; 'auto' for the basin's network from OpenStreetMap (downloaded once, "
        "see 'bassin-geo network'). Without it, legs are straight geodesic lines.",
    ),
    click.option(
        "--mode",
        type=click.Choice(["walk", "bike", "drive"]),
        default=None,
        help="Travel mode: walk (the default for a new network), bike or drive. A saved "
        "network (.npz) keeps the mode it was built for.",
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


@dataclass(frozen=True)
class _RoutingOptions:
    """The options ``route`` and ``tour`` share: which network, and where the legs go.

    Parameters
    ----------
    network_file : str or None
        ``--network``: the file to route on, ``"auto"`` for the basin's cached network;
        None for straight legs.
    mode : str or None
        ``--mode``: walk, bike or drive; None for the network's own mode.
    clip_basin : bool
        ``--clip-basin``: keep the network within the basin contour.
    prefer_railways : float or None
        ``--prefer-railways``: the railway preference factor.
    output : str or None
        ``--output``: the GPX or GeoJSON file to write.
    force : bool
        ``--force``: replace an existing output.
    fmt : str
        ``--format``: how to print the legs.
    """

    network_file: str | None
    mode: str | None
    clip_basin: bool
    prefer_railways: float | None
    output: str | None
    force: bool
    fmt: str

    def load_network(self) -> Network | None:
        """Load the network asked for, or None when the legs are straight lines.

        Returns
        -------
        Network or None
            Built (or read from its cache) for ``mode``.
        """
        if self.network_file is None:
            return None
        return bg.load_network(
            None if self.network_file == "auto" else self.network_file,
            mode=self.mode,
            clip="basin" if self.clip_basin else "auto",
            prefer_railways=self.prefer_railways,
            progress=True,
        )

    def show(self, result: Itinerary) -> None:
        """Print the legs (with a summary line in a table) and write them if asked.

        Parameters
        ----------
        result : Itinerary
            What :func:`bassin_geo.itinerary` or :func:`bassin_geo.tour` returned.
        """
        legs = result.legs
        if self.fmt == "table":
            click.echo(
                f"{len(legs)} legs, {result.length_m / 1000:.2f} km, "
                f"{result.duration_s / 60:.0f} min ({legs['method'].iloc[0]})"
            )
        emit(legs, self.fmt)
        write_route(result, self.output, self.force)


_OPTION_KEYS = ("network_file", "mode", "clip_basin", "prefer_railways", "output", "force", "fmt")


def _routing_options(func: Callable[..., None]) -> Callable[..., None]:
    """Add the shared routing options; the command receives them as one ``options`` object.

    Parameters
    ----------
    func : callable
        The command's function, taking ``options: _RoutingOptions``.

    Returns
    -------
    callable
        The function with the click options attached.
    """

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> None:
        options = _RoutingOptions(**{key: kwargs.pop(key) for key in _OPTION_KEYS})
        func(options=options, **kwargs)

    decorated: Callable[..., None] = wrapper
    for option in reversed(_NETWORK_OPTIONS):
        decorated = option(decorated)
    return decorated


@click.command()
@click.argument("stops", nargs=-1, required=True)
@_routing_options
def route(stops: tuple[str, ...], options: _RoutingOptions) -> None:
    """The itinerary through STOPS in the given order (site ids, names or "lon,lat").

    \b
    Example:
      bassin-geo route 9-9bis 11/19 Arenberg
      bassin-geo route Delloye Arenberg --network auto --mode bike
      bassin-geo route 9-9bis 11/19 --network nord-pas-de-calais-latest.osm.pbf \\
          --mode bike --clip-basin --output visit.gpx
    """
    route_writer(options.output, options.force)  # refuse a bad output before the work
    result = bg.itinerary(parse_places(stops), network=options.load_network(), mode=options.mode)
    options.show(result)


@click.command()
@click.argument("stops", nargs=-1)
@click.option(
    "--headframes",
    is_flag=True,
    help="Visit every pit where a listed headframe or pit building stands (25; "
    "the pitheads' `headframe` column).",
)
@click.option(
    "--listed-headframes",
    is_flag=True,
    help="Visit every pit with a listed headframe proper (8; `listed_headframe`).",
)
@click.option("--start", default=None, help="The first stop (one of the stops, or a place).")
@click.option("--end", default=None, help="The last stop.")
@click.option("--return", "return_to_start", is_flag=True, help="Come back to the start.")
@_routing_options
def tour(
    stops: tuple[str, ...],
    headframes: bool,
    listed_headframes: bool,
    start: str | None,
    end: str | None,
    return_to_start: bool,
    options: _RoutingOptions,
) -> None:
    """The shortest visiting order of STOPS (exact up to 15 stops, local search above).

    \b
    Example:
      bassin-geo tour 9-9bis 11/19 Arenberg Delloye --start Delloye --return
      bassin-geo tour --headframes --start Delloye --output headframes.gpx
      bassin-geo tour --headframes --start Delloye --network auto --mode bike
      bassin-geo tour --listed-headframes --start Delloye --return
    """
    chosen = [bool(stops), headframes, listed_headframes]
    if sum(chosen) != 1:
        msg = "give the stops to visit, or --headframes, or --listed-headframes (one of them)"
        raise bg.InvalidInputError(msg)
    route_writer(options.output, options.force)  # refuse a bad output before the work
    places: PlacesLike
    if headframes:
        places = bg.load_pitheads(headframe=True)
    elif listed_headframes:
        pits = bg.load_pitheads()
        places = pits[pits["listed_headframe"].to_numpy(dtype=bool)].reset_index(drop=True)
    else:
        places = parse_places(stops)
    # --start/--end are places like the stops: "lon,lat" too, not only names.
    result = bg.tour(
        places,
        start=parse_place(start) if start is not None else None,
        end=parse_place(end) if end is not None else None,
        return_to_start=return_to_start,
        network=options.load_network(),
        mode=options.mode,
    )
    if options.fmt == "table":
        gap = "" if result.gap is None else f", gap to the lower bound {result.gap:.1%}"
        click.echo(f"solver: {result.solver}{gap}")
    options.show(result)
