"""Offline pages: every JavaScript and CSS asset inlined, from the folium-offline package.

Examples
--------
>>> inline_assets("<p>no assets</p>")
'<p>no assets</p>'
"""

from __future__ import annotations

import functools
import re

from bassin_geo.errors import ExportError

__all__ = ["inline_assets", "is_web_url", "offline_assets"]


@functools.cache
def offline_assets() -> dict[str, str]:
    """Return the offline copy of every asset folium loads, by URL.

    The copies come from the ``folium-offline`` package, installed with bassin-geo; the
    table is read once.

    Returns
    -------
    dict
        ``{asset URL: file content}``.

    Raises
    ------
    ExportError
        folium-offline is not installed, or holds no assets.

    Examples
    --------
    >>> any(url.endswith("leaflet.js") for url in offline_assets())
    True
    """
    try:
        from offlinefolium import elements, features
    except ImportError as exc:
        msg = (
            "offline maps take their JavaScript and CSS from the folium-offline package, "
            "which is not installed: pip install folium-offline"
        )
        raise ExportError(msg) from exc
    table: dict[str, str] = {}
    for module in (elements, features):
        for attribute in ("_res", "_vres"):
            table.update(getattr(module, attribute, {}) or {})
    if not table:
        msg = (
            "the installed folium-offline package holds no assets; reinstall it "
            "(pip install --force-reinstall folium-offline)"
        )
        raise ExportError(msg)
    return table


_SCRIPT = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.I)
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.I)


def inline_assets(page: str) -> str:
    """Return ``page`` with every ``<script src>`` and stylesheet link inlined.

    Parameters
    ----------
    page : str
        An HTML page rendered by folium.

    Returns
    -------
    str
        The same page, self-contained.

    Raises
    ------
    ExportError
        An asset has no offline copy (the message names it).

    Examples
    --------
    >>> url = next(u for u in offline_assets() if u.endswith("leaflet.js"))
    >>> "<script src=" in inline_assets(f'<script src="{url}"></script>')
    False
    """
    assets = offline_assets()
    missing = sorted({u for u in _SCRIPT.findall(page) + _LINK.findall(page) if u not in assets})
    if missing:
        msg = (
            f"cannot write an offline map: no offline copy of {', '.join(missing)}; "
            "remove the plugin that loads it, or save with offline=False"
        )
        raise ExportError(msg)

    def script(match: re.Match[str]) -> str:
        body = assets[match.group(1)].replace("</script", "<\\/script")
        return f"<script>/* {match.group(1)} */\n{body}\n</script>"

    def style(match: re.Match[str]) -> str:
        body = assets[match.group(1)].replace("</style", "<\\/style")
        return f"<style>/* {match.group(1)} */\n{body}\n</style>"

    return _LINK.sub(style, _SCRIPT.sub(script, page))


def is_web_url(tiles: object) -> bool:
    """Return whether a tile layer's URL points to the web (``http``, ``https``, ``//``).

    Parameters
    ----------
    tiles : object
        A tile layer's URL template (or anything; only text can be a web URL).

    Returns
    -------
    bool
        True for web tiles, which an offline page leaves out.

    Examples
    --------
    >>> is_web_url("https://tile.example/{z}/{x}/{y}.png"), is_web_url("tiles/{z}/{x}/{y}.png")
    (True, False)
    """
    url = str(tiles or "")
    return url.startswith(("http://", "https://", "//"))
