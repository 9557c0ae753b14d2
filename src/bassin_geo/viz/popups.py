"""Popup HTML and tooltip text of map features, built column by column (never row by row).

Every value is HTML-escaped in the popups, and tooltips are plain text (the page sets
them as text); links are kept only when they are http(s). A pit's popup links the BRGM
sheet of each of its shafts. Field labels are French by default (``lang="en"``).

Examples
--------
>>> import pandas as pd
>>> popup, tip = popup_html(pd.DataFrame({"name": ["Fosse <9>"], "kind": ["pithead"]}), "Pits")
>>> tip[0], "Fosse &lt;9&gt;" in popup[0], "Puits de mine" in popup[0]
('Fosse <9>', True, True)
"""

from __future__ import annotations

import html
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from bassin_geo.viz.labels import Lang, label

#: One text per feature (an object array of str).
Texts: TypeAlias = npt.NDArray[np.object_]

__all__ = ["KIND_LABELS", "escape_html", "is_web_link", "popup_html"]

#: How the ``kind`` values of the embedded layers read in popups (in English; see
#: :func:`~bassin_geo.viz.labels.label`).
KIND_LABELS: dict[str, str] = {
    "pithead": "Pithead",
    "slag_heap": "Slag heap",
    "mining_estate": "Mining estate",
    "building": "Listed building",
    "lake": "Neo-natural space",
    "perimeter": "Basin contour",
    "property_component": "Component of the listed property",
    "buffer_zone": "Buffer zone",
    "shaft": "Mine shaft",
    "railway": "Mining railway",
    "railway_component": "Listed railway component",
    "commune": "Commune",
    "epci": "Intercommunality (EPCI)",
}


def escape_html(values: pd.Series) -> Texts:
    """Return each value as HTML-safe text, missing values as empty strings.

    Parameters
    ----------
    values : Series
        Any values; they are turned into text first.

    Returns
    -------
    numpy.ndarray
        Object array of str, with ``&``, ``<``, ``>`` and ``"`` escaped.

    Examples
    --------
    >>> escape_html(pd.Series(["<b>", None])).tolist()
    ['&lt;b&gt;', '']
    """
    text = values.astype(object).where(values.notna(), "").astype(str)
    escaped: Texts = (
        text.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
        .str.replace('"', "&quot;", regex=False)
        .to_numpy(dtype=object)
    )
    return escaped


def _fmt_number(values: pd.Series, unit: str = "", decimals: int = 0) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    text = num.map(lambda v: f"{v:,.{decimals}f}{unit}".replace(",", "\u202f"))
    shown: pd.Series[str] = text.where(num.notna())
    return shown


def is_web_link(values: pd.Series) -> npt.NDArray[np.bool_]:
    """Return which values are http(s) links, the only links a popup keeps.

    Parameters
    ----------
    values : Series
        Candidate URLs (anything; missing values are not links).

    Returns
    -------
    numpy.ndarray of bool
        True where the value starts with ``http://`` or ``https://``.

    Examples
    --------
    >>> is_web_link(pd.Series(["https://a.fr", "javascript:alert(1)", None])).tolist()
    [True, False, False]
    """
    text = values.astype("string").str.strip().str.lower()
    web: npt.NDArray[np.bool_] = (
        text.str.startswith(("http://", "https://")).fillna(False).to_numpy(dtype=bool)
    )
    return web


def _yes_no(values: pd.Series, lang: Lang) -> pd.Series:
    # True/False and 1/0 alike (1 == True as a mapping key)
    words: pd.Series[str] = values.map({True: label("yes", lang), False: label("no", lang)})
    return words


def _only_yes(values: pd.Series, lang: Lang) -> pd.Series:
    words: pd.Series[str] = values.map({True: label("yes", lang)})
    return words


def _first(gdf: pd.DataFrame, *columns: str) -> pd.Series | None:
    for c in columns:
        if c in gdf:
            return gdf[c]
    return None


def _popup_rows(gdf: pd.DataFrame, lang: Lang) -> list[tuple[str, pd.Series]]:
    """(label, values) pairs shown in popups, for the columns present in ``gdf``."""

    def yes_no(column: str) -> pd.Series | None:
        return _yes_no(gdf[column], lang) if column in gdf else None

    def number(column: str, unit: str = "", decimals: int = 0) -> pd.Series | None:
        return _fmt_number(gdf[column], unit, decimals) if column in gdf else None

    def year(column: str) -> pd.Series | None:
        shown = number(column)
        return shown.str.replace("\u202f", "") if shown is not None else None

    rows: list[tuple[str, pd.Series | None]] = []
    if "kind" in gdf:
        kinds = {k: label(v, lang) for k, v in KIND_LABELS.items()}
        rows.append(("Kind", gdf["kind"].map(lambda k: kinds.get(k, k))))
    rows += [
        ("Commune", _first(gdf, "commune", "commune_1", "source_commune")),
        ("Slag heap number", _first(gdf, "heap_number")),
        ("Section", _first(gdf, "section")),
        ("UNESCO element", _first(gdf, "id_unesco", "unesco_element", "no_element")),
        ("In the listed property", yes_no("unesco")),
        ("Listed slag heap", yes_no("listed") if "terril" in gdf else None),
        ("Headframe / pit building", yes_no("headframe")),
        (
            "Listed headframe",
            _only_yes(gdf["listed_headframe"], lang) if "listed_headframe" in gdf else None,
        ),
        (
            "Listed pit building",
            _only_yes(gdf["listed_pit_building"], lang) if "listed_pit_building" in gdf else None,
        ),
        ("Type", _first(gdf, "type", "typologie", "forme")),
        ("Company", _first(gdf, "compagnie")),
        ("Concession", _first(gdf, "concession")),
        ("Sunk", year("sunk")),
        ("Closed", year("closed")),
        ("Sunk", _first(gdf, "creusement")),
        ("Closed", _first(gdf, "fermeture")),
        ("Depth", number("depth_max_m", " m")),
        ("Depth", number("profondeur", " m")),
        ("Shafts", _first(gdf, "n_shafts")),
        ("Period", _first(gdf, "periode")),
        ("Interest", _first(gdf, "interet")),
        ("Protection (MH)", _protection(gdf)),
        ("Area", number("area_ha", " ha", 1)),
        ("Length", number("length_m", " m")),
        ("Population", number("population")),
        ("EPCI", _first(gdf, "epci_nom")),
        ("km", number("km", "", 1)),
        ("Travel time", _minutes(gdf["time_s"]) if "time_s" in gdf else None),
        ("Duration", _minutes(gdf["duration_s"]) if "duration_s" in gdf else None),
        ("Mode", _first(gdf, "mode")),
        ("Method", _first(gdf, "method")),
        ("Approximate", yes_no("approximate")),
        ("Source", _source(gdf["source"]) if "source" in gdf else None),
    ]
    return [(label(name, lang), values) for name, values in rows if values is not None]


def _minutes(seconds: pd.Series) -> pd.Series:
    minutes = pd.to_numeric(seconds, errors="coerce") / 60.0
    shown: pd.Series[str] = minutes.map(lambda v: f"{v:.0f} min").where(minutes.notna())
    return shown


def _source(values: pd.Series) -> pd.Series:
    name = values.astype("string").str.replace(r"^official/", "", regex=True)
    official = values.astype("string").str.startswith("official/")
    credited: pd.Series[str] = ("Mission Bassin Minier, " + name).where(
        official.fillna(False), name
    )
    return credited


def _protection(gdf: pd.DataFrame) -> pd.Series | None:
    parts = []
    for column, word in (("classe_mh", "classé"), ("inscrit_mh", "inscrit")):
        if column in gdf:
            flag = gdf[column].astype(str).str.lower().isin(["oui", "o", "t", "true", "1"])
            parts.append(flag.map({True: word, False: ""}))
    if "protection" in gdf:
        other = gdf["protection"].where(~gdf["protection"].isin(["non", "F"]))
        parts.append(other.fillna("").astype(str))
    if not parts:
        return None
    joined = parts[0]
    for p in parts[1:]:
        joined = joined.str.cat(p, sep=", ")
    joined = joined.str.strip(", ").str.replace(r"(, )+", ", ", regex=True)
    protections: pd.Series[str] = joined.where(joined != "")
    return protections


def _links(gdf: pd.DataFrame, lang: Lang) -> Texts:
    """Source links: the BRGM sheet of a shaft, or of each shaft of a pit (http(s) only)."""
    out = np.full(len(gdf), "", dtype=object)
    sheet = html.escape(label("BRGM sheet", lang))
    shaft_word = label("Shaft", lang)
    if "brgm" in gdf:
        url = escape_html(gdf["brgm"])
        out = np.where(
            is_web_link(gdf["brgm"]),
            '<a href="' + url + f'" target="_blank" rel="noopener">{sheet}</a>',
            out,
        )
    if "shafts" in gdf:
        # A pit holds a short list of shafts: one link per shaft with a BRGM sheet.
        def pit_links(shafts: object) -> str:
            items = shafts if isinstance(shafts, list) else []
            return " · ".join(
                f'<a href="{html.escape(str(s["brgm"]))}" target="_blank" rel="noopener">'
                f"{html.escape(shaft_word + ' ' + str(s.get('puits') or '?'))}</a>"
                for s in items
                if isinstance(s, dict)
                and str(s.get("brgm") or "").lower().startswith(("http://", "https://"))
            )

        links = gdf["shafts"].map(pit_links).to_numpy(dtype=object)
        out = np.where(links != "", "BRGM: " + links, out)
    return out


def popup_html(gdf: pd.DataFrame, layer_label: str, *, lang: Lang = "fr") -> tuple[Texts, Texts]:
    """Return the popup HTML and the tooltip text of every feature.

    The title is the feature's ``name`` (or ``nom``, ``commune``, ``site_id``), else the
    layer's label; the table rows show the known columns present (commune, UNESCO element,
    dates, depth, protection, km...), with BRGM links below.

    Parameters
    ----------
    gdf : DataFrame
        The features' attributes.
    layer_label : str
        The layer's name, the title of features that have none.
    lang : {"fr", "en"}, default "fr"
        The language of the field labels.

    Returns
    -------
    popup : numpy.ndarray
        Object array of HTML (str), one item per row of ``gdf``: every value escaped.
    tooltip : numpy.ndarray
        Object array of plain text (str): the page sets it as text.

    Examples
    --------
    >>> popup, tip = popup_html(pd.DataFrame({"depth_max_m": [712.0]}), "Shafts", lang="en")
    >>> tip.tolist(), "712 m" in popup[0], "Depth" in popup[0]
    (['Shafts'], True, True)
    """
    names = _first(gdf, "name", "nom", "commune", "site_id")
    if names is None:
        plain = np.full(len(gdf), layer_label, dtype=object)
    else:
        plain = names.astype(object).where(names.notna(), "").astype(str).to_numpy(dtype=object)
        plain = np.where(plain == "", layer_label, plain)
    title = escape_html(pd.Series(plain, index=gdf.index))
    body = np.full(len(gdf), "", dtype=object)
    for name, values in _popup_rows(gdf, lang):
        text = escape_html(values)
        row = f"<tr><th>{html.escape(name)}</th><td>" + text + "</td></tr>"
        body = body + np.where(values.notna().to_numpy() & (text != ""), row, "")
    if "in_contour" in gdf:
        flags = gdf["in_contour"].astype("boolean")
        outside = flags.eq(False).fillna(False).to_numpy(dtype=bool)
        note = f'<p class="bg-out">{html.escape(label("outside the basin contour", lang))}</p>'
        title_note = np.where(outside, note, "")
    else:
        title_note = np.full(len(gdf), "", dtype=object)
    links = _links(gdf, lang)
    footer = np.where(links != "", '<div class="bg-links">' + links + "</div>", "")
    popup = (
        '<div class="bg-popup"><h4>'
        + title
        + "</h4><table>"
        + body
        + "</table>"
        + title_note
        + footer
        + "</div>"
    )
    return popup, plain
