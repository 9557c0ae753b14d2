"""``bassin-geo layers`` and ``bassin-geo site``: what the package ships, one site."""

from __future__ import annotations

import click

import bassin_geo as bg
from bassin_geo.cli.output import emit, format_option

__all__ = ["layers", "site"]


@click.command()
@format_option
def layers(fmt: str) -> None:
    """List the embedded layers with their feature counts.

    \b
    Example:
      bassin-geo layers --format csv
    """
    emit(bg.list_layers().drop(columns="credit"), fmt)


@click.command()
@click.argument("query", nargs=-1, required=True)
@format_option
def site(query: tuple[str, ...], fmt: str) -> None:
    """Find one site by id or name (accents and case ignored).

    \b
    Example:
      bassin-geo site Arenberg
      bassin-geo site "fosse 9 lens" --format geojson
    """
    import geopandas as gpd

    row = bg.get_site(" ".join(query))
    emit(gpd.GeoDataFrame([row], geometry="geometry", crs=bg.WGS84), fmt)
