"""Self-contained pages: Leaflet and its plugins inlined from the copies bassin_geo ships.

The copies live in ``bassin_geo/viz/assets/`` with their licences; ``manifest.json``
there records where each came from (the npm registry), its integrity and the sha256 of
every file, and ``tools/fetch_assets.py`` fetches and checks them. A page of
:func:`~bassin_geo.make_map` carries these scripts and styles inline, so it draws with
no network, in a browser as in a notebook viewer.

Examples
--------
>>> inline_assets("<p>no assets</p>")
'<p>no assets</p>'
>>> manifest()["leaflet"]["version"]
'1.9.4'
"""

from __future__ import annotations

import base64
import functools
import json
import re
from importlib import resources
from typing import Any

from bassin_geo.errors import ExportError

__all__ = [
    "MAP_SCRIPT",
    "inline_assets",
    "is_web_url",
    "leaflet_head",
    "manifest",
    "markercluster_head",
    "vendored_text",
]

#: The vendored packages' folders.
LEAFLET = "leaflet"
MARKERCLUSTER = "leaflet.markercluster"

_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png")


def _read(package: str, path: str) -> bytes:
    target = resources.files("bassin_geo.viz").joinpath("assets")
    try:
        for part in [package, *path.split("/")]:
            target = target.joinpath(part) if part else target
        return target.read_bytes()
    except OSError as exc:
        msg = (
            f"the map asset {package}/{path} is missing from the installed bassin_geo; "
            "reinstall it (pip install --force-reinstall bassin-geo)"
        )
        raise ExportError(msg) from exc


@functools.cache
def manifest() -> dict[str, Any]:
    """Return the manifest of the vendored assets: version, source, integrity, files.

    Returns
    -------
    dict
        ``{package: {"version", "tarball", "integrity", "licence", "licence_file",
        "files": {path: sha256}}}``.

    Examples
    --------
    >>> sorted(manifest())
    ['leaflet', 'leaflet.markercluster']
    """
    loaded: dict[str, Any] = json.loads(_read("", "manifest.json"))
    return loaded


@functools.cache
def vendored_text(package: str, path: str) -> str:
    """Return a vendored script or style sheet, ready to inline.

    Source-map comments are dropped (the maps are not shipped) and ``</`` sequences that
    would close the inline element are escaped.

    Parameters
    ----------
    package : str
        The package's folder under ``assets/`` (``"leaflet"``...).
    path : str
        The file inside it, as in the manifest (``"leaflet.js"``).

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    ExportError
        The file is not in the manifest, or missing from the installed package.

    Examples
    --------
    >>> "1.9.4" in vendored_text("leaflet", "leaflet.js")
    True
    """
    if path not in manifest().get(package, {}).get("files", {}):
        msg = f"no vendored asset {package}/{path}"
        raise ExportError(msg)
    text = _read(package, path).decode("utf-8")
    text = re.sub(r"^\s*//# sourceMappingURL=\S+\s*$", "", text, flags=re.M)
    text = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", text)
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.I)


def _data_uri(name: str) -> str:
    data = base64.b64encode(_read(LEAFLET, f"images/{name}")).decode("ascii")
    return f"data:image/png;base64,{data}"


def _banner(package: str) -> str:
    entry = manifest()[package]
    return (
        f"/* {package} {entry['version']}, {entry['licence']} licence: see "
        f"bassin_geo/viz/assets/{package}/{entry['licence_file']} */"
    )


@functools.cache
def leaflet_head() -> str:
    """Return Leaflet's style sheet and script as inline HTML, images as data URIs.

    Returns
    -------
    str
        A ``<style>`` and two ``<script>`` elements; the second points Leaflet's default
        marker icons at their inlined images.

    Examples
    --------
    >>> head = leaflet_head()
    >>> "<script src" in head, "images/layers.png" in head
    (False, False)
    """
    css = vendored_text(LEAFLET, "leaflet.css")
    for name in _IMAGES:
        css = css.replace(f"url(images/{name})", f"url({_data_uri(name)})")
    icons = {
        "iconUrl": _data_uri("marker-icon.png"),
        "iconRetinaUrl": _data_uri("marker-icon-2x.png"),
        "shadowUrl": _data_uri("marker-shadow.png"),
    }
    return (
        f"<style>{_banner(LEAFLET)}\n{css}</style>\n"
        f"<script>{_banner(LEAFLET)}\n{vendored_text(LEAFLET, 'leaflet.js')}</script>\n"
        "<script>L.Icon.Default.imagePath = '';"
        f"L.Icon.Default.mergeOptions({json.dumps(icons)});</script>\n"
    )


@functools.cache
def markercluster_head() -> str:
    """Return Leaflet.markercluster's style sheets and script as inline HTML.

    Returns
    -------
    str
        Two ``<style>`` elements and a ``<script>``.

    Examples
    --------
    >>> "MarkerClusterGroup" in markercluster_head()
    True
    """
    banner = _banner(MARKERCLUSTER)
    css = vendored_text(MARKERCLUSTER, "MarkerCluster.css")
    default = vendored_text(MARKERCLUSTER, "MarkerCluster.Default.css")
    script = vendored_text(MARKERCLUSTER, "leaflet.markercluster.js")
    return f"<style>{banner}\n{css}\n{default}</style>\n<script>{banner}\n{script}</script>\n"


def _own_text(name: str) -> str:
    text = resources.files("bassin_geo.viz").joinpath(name).read_text(encoding="utf-8")
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.I)


#: The maps' own behaviour (title, legend, search, commune labels, reset view, full
#: screen), as inline HTML: ``bassin_geo/viz/map.js``.
MAP_SCRIPT = f"<script>{_own_text('map.js')}</script>\n"

# Files of the vendored packages that a folium plugin may link, by the end of its URL.
_BY_URL_END = {
    "leaflet.js": "leaflet",
    "leaflet.css": "leaflet",
    "leaflet.markercluster.js": "markercluster",
    "MarkerCluster.css": "markercluster",
    "MarkerCluster.Default.css": "markercluster",
}

_SCRIPT = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.I)
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.I)


def inline_assets(page: str, *, strict: bool = True) -> str:
    """Return ``page`` with the Leaflet links of folium plugins replaced by inline copies.

    Maps of :func:`~bassin_geo.make_map` are inline already; a folium map or plugin may
    still link Leaflet or Leaflet.markercluster from a CDN: those links become the
    vendored copies (once each), so the page needs no network.

    Parameters
    ----------
    page : str
        An HTML page rendered by folium.
    strict : bool, default True
        Refuse a page that links any other script or style sheet (it would not draw
        with no network); with ``False`` such links are kept.

    Returns
    -------
    str
        The page, with no link to the vendored assets left.

    Raises
    ------
    ExportError
        ``strict`` and the page links an asset bassin_geo has no copy of (the message
        names it).

    Examples
    --------
    >>> url = "https://cdn.example/npm/leaflet@1.9.3/dist/leaflet.js"
    >>> "<script src=" in inline_assets(f'<script src="{url}"></script>')
    False
    """
    links = _SCRIPT.findall(page) + _LINK.findall(page)
    known = {u for u in links if u.rsplit("/", 1)[-1] in _BY_URL_END}
    missing = sorted(set(links) - known)
    if missing and strict:
        msg = (
            f"cannot write a self-contained map: no copy of {', '.join(missing)}; "
            "remove the plugin that loads it, or save with offline=False"
        )
        raise ExportError(msg)
    has_leaflet = f"{LEAFLET} {manifest()[LEAFLET]['version']}," in page
    has_cluster = f"{MARKERCLUSTER} {manifest()[MARKERCLUSTER]['version']}," in page
    wanted: list[str] = []

    def replace(match: re.Match[str]) -> str:
        url = match.group(1)
        if url not in known:
            return match.group(0)
        family = _BY_URL_END[url.rsplit("/", 1)[-1]]
        if family in wanted or (family == "leaflet" and has_leaflet):
            return ""
        if family == "markercluster" and has_cluster:
            return ""
        wanted.append(family)
        return leaflet_head() if family == "leaflet" else markercluster_head()

    return _LINK.sub(replace, _SCRIPT.sub(replace, page))


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
