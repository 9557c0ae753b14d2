"""``bassin-geo layers``, ``site`` and ``search``: what the package ships, places by name."""

from __future__ import annotations

import click

import bassin_geo as bg
from bassin_geo.cli.output import emit, format_option

__all__ = ["KIND_CHOICES", "layers", "search", "site"]

#: The kinds of place ``--kind`` accepts (those of :data:`bassin_geo.places.gazetteer.KINDS`,
#: spelled here so that ``--help`` loads no data).
KIND_CHOICES = (
    "pithead",
    "commune",
    "building",
    "slag_heap",
    "lake",
    "mining_estate",
    "property_component",
    "shaft",
    "epci",
)

_kind_option = click.option(
    "--kind",
    type=click.Choice(KIND_CHOICES),
    multiple=True,
    help="Only places of this kind (repeat for several).",
)
_commune_option = click.option(
    "--commune", default=None, help="Only places in this commune (name or INSEE code)."
)


@click.command()
@format_option
def layers(fmt: str) -> None:
    """List the embedded layers with their feature counts.

    \b
    Example:
      bassin-geo layers --format csv
    """
    emit(bg.list_layers().drop(columns="credit"), fmt)


def _one_site(query: str, kind: tuple[str, ...], commune: str | None) -> object:
    """get_site, with an ambiguity told in command-line words."""
    try:
        return bg.get_site(query, kind=list(kind) or None, commune=commune)
    except bg.AmbiguousSiteError as exc:
        lines = [
            f"{row.site_id}  {row.name} ({row.kind}"
            + (f", {row.commune}" if isinstance(row.commune, str) else "")
            + ")"
            for row in exc.candidates.iloc[:12].itertuples()
        ]
        more = len(exc.candidates) - len(lines)
        msg = (
            f"{query!r} could mean {len(exc.candidates)} places: "
            + "; ".join(lines)
            + (f"; and {more} more (bassin-geo search {query!r} --limit 50)" if more > 0 else "")
            + ". Choose one: give its site_id, add --commune (or the commune to the name), "
            "or --kind."
        )
        raise bg.AmbiguousSiteError(msg, candidates=exc.candidates) from None


@click.command()
@click.argument("query", nargs=-1, required=True)
@_kind_option
@_commune_option
@format_option
def site(query: tuple[str, ...], kind: tuple[str, ...], commune: str | None, fmt: str) -> None:
    """Find the one place a name means: a site, a commune (name or INSEE code), an id.

    An ambiguous name ("Fosse 1") is an error that lists the candidates.

    \b
    Example:
      bassin-geo site Arenberg
      bassin-geo site "fosse 9 de Lens" --format geojson
      bassin-geo site "Fosse 1" --commune Annezin
    """
    import geopandas as gpd

    row = _one_site(" ".join(query), kind, commune)
    emit(gpd.GeoDataFrame([row], geometry="geometry", crs=bg.WGS84), fmt)


@click.command()
@click.argument("query", nargs=-1, required=True)
@_kind_option
@_commune_option
@click.option("--limit", default=10, show_default=True, help="How many places at most.")
@format_option
def search(
    query: tuple[str, ...], kind: tuple[str, ...], commune: str | None, limit: int, fmt: str
) -> None:
    """Places matching a name, best first, with their score and what matched.

    \b
    Example:
      bassin-geo search "fosse 1"
      bassin-geo search terril 74 --format csv
      bassin-geo search Lens --kind commune --kind epci
    """
    found = bg.search(" ".join(query), kind=list(kind) or None, commune=commune, limit=limit)
    if found.empty and fmt == "table":
        try:  # get_site says why (too short, generic words only)
            bg.get_site(" ".join(query), kind=list(kind) or None, commune=commune)
        except bg.UnknownSiteError as exc:
            click.echo(str(exc), err=True)
        return
    if fmt == "geojson":  # the points of the places found
        import geopandas as gpd

        points = bg.as_places(found).geometry.to_numpy() if len(found) else []
        found = gpd.GeoDataFrame(found, geometry=points, crs=bg.WGS84)
    emit(found, fmt)
