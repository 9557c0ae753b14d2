"""``bassin-geo strip``: a stage or a ride drawn as a km strip, saved as PNG, SVG or PDF."""

from __future__ import annotations

from pathlib import Path

import click

import bassin_geo as bg
from bassin_geo.cli.output import force_option
from bassin_geo.cli.stages import parse_route

__all__ = ["strip"]


@click.command()
@click.argument("route")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--layer", default="pitheads", show_default=True, help="The sites shown.")
@click.option(
    "--within",
    default=1000.0,
    show_default=True,
    help="Sites closer than this to the route are shown (m).",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "--detail",
    type=click.Choice(["auto", "full", "summary"]),
    default="auto",
    show_default=True,
    help="Name every commune and site (full), the main ones (summary), or by length (auto).",
)
@click.option("--title", default=None, help="The title (default: the stage or route name).")
@click.option("--note", default=None, help="A line added under the strip (a credit, a date).")
@click.option("--dpi", default=200.0, show_default=True, help="Resolution of a PNG.")
@force_option
def strip(
    route: str,
    output: str,
    layer: str,
    within: float,
    lang: str,
    detail: str,
    title: str | None,
    note: str | None,
    dpi: float,
    force: bool,
) -> None:
    """Draw ROUTE (stage:N or a GPX file) as a km strip and save it to OUTPUT.

    OUTPUT ends in .png, .svg (text kept as text) or .pdf. A GPX with heights adds the
    elevation profile.

    \b
    Example:
      bassin-geo strip stage:1 etape1.pdf
      bassin-geo strip ride.gpx ride.svg --lang en --layer sites --within 500
    """
    # Matplotlib loads here, not for --help.
    from bassin_geo.viz.strip import FORMATS, save_strip

    target = Path(output)
    if target.suffix.lower() not in FORMATS:
        msg = f"{output}: give a file ending in {', '.join(FORMATS)}"
        raise bg.InvalidInputError(msg)
    if target.exists() and not force:  # refused before the work, not after
        msg = f"{output} exists; it is kept"
        raise bg.OverwriteError(msg)
    # A GPX goes in as its path, so that its heights draw the profile.
    source = parse_route(route) if route.lower().startswith("stage:") else route
    figure = bg.stage_strip(
        source, layer=layer, within=within, lang=lang, detail=detail, title=title, note=note
    )
    written = save_strip(figure, target, overwrite=force, dpi=dpi)
    click.echo(f"{written}")
