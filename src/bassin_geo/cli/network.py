"""``bassin-geo network fetch`` and ``info``: the basin's OpenStreetMap network, cached."""

from __future__ import annotations

import click

__all__ = ["network"]

_MODES = ("walk", "bike", "drive")


def _size(n_bytes: int) -> str:
    """A file size for people: ``"137.3 kB"``, ``"92.1 MB"``."""
    size = float(n_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover


@click.group()
def network() -> None:
    """The basin's road network from OpenStreetMap, downloaded once and cached.

    \b
    Examples:
      bassin-geo network fetch --mode bike
      bassin-geo network info
      bassin-geo route Delloye Arenberg --network auto --mode bike
    """


@network.command()
@click.option(
    "--mode",
    "modes",
    type=click.Choice(_MODES),
    multiple=True,
    help="Also build (and cache) the network for this mode; repeat for several.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Ask the server whether the extract changed, and download it again if so.",
)
def fetch(modes: tuple[str, ...], refresh: bool) -> None:
    """Download the OpenStreetMap extract (checked against its md5) into the cache.

    The extract is Geofabrik's Nord-Pas-de-Calais (set BASSIN_GEO_OSM_URL for another);
    the cache folder is the user's (set BASSIN_GEO_CACHE_DIR for another). Networks are
    clipped to the basin for the default extract.

    \b
    Example:
      bassin-geo network fetch --mode bike --mode walk
    """
    import bassin_geo as bg
    from bassin_geo.routing.fetch import OSM_LICENCE, fetch_extract

    extract = fetch_extract(refresh=refresh, progress=True)
    click.echo(f"extract: {extract} ({_size(extract.stat().st_size)}; {OSM_LICENCE})")
    for mode in modes:
        built = bg.load_network(mode=mode, progress=True)
        click.echo(f"{mode}: {len(built.nodes):,} nodes, {len(built.edges):,} edges")


@network.command()
def info() -> None:
    """List the cached extracts and networks: sizes, dates, source and licence.

    \b
    Example:
      bassin-geo network info
    """
    from bassin_geo.routing.fetch import OSM_LICENCE, cache_dir, cached_files, osm_url

    click.echo(f"cache folder: {cache_dir()}")
    click.echo(f"extract URL: {osm_url()}")
    click.echo(f"licence: {OSM_LICENCE}")
    files = cached_files()
    if not files:
        click.echo("nothing cached yet: run `bassin-geo network fetch`")
        return
    for item in files:
        when = item.modified.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(
            f"{item.kind:<8} {item.path.name}  {_size(item.size_bytes):>9}  {when}  {item.detail}"
        )
