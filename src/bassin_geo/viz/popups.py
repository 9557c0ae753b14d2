"""Popup and tooltip HTML of map features, built column by column (never row by row).

Every value is HTML-escaped; a pit's popup links the BRGM sheet of each of its shafts.

Examples
--------
>>> import pandas as pd
>>> popup, tip = popup_html(pd.DataFrame({"name": ["Fosse <9>"], "kind": ["pithead"]}), "Pits")
>>> tip[0]
'Fosse &lt;9&gt;'
"""

from __future__ import annotations

import html
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

#: One text per feature (an object array of str).
Texts: TypeAlias = npt.NDArray[np.object_]

__all__ = ["KIND_LABELS", "escape_html", "popup_html"]

#: How the ``kind`` values of the embedded layers read in popups.
KIND_LABELS: dict[str, str] = {
    "pithead": "Pithead",
    "slag_heap": "Slag heap",
    "mining_estate": "Mining estate",
    "building": "Listed building",
    "lake": "Neo-natural space",
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


def _yes_no(values: pd.Series) -> pd.Series:
    words: pd.Series[str] = values.map({True: "yes", False: "no"}).where(values.notna())
    return words


def _first(gdf: pd.DataFrame, *columns: str) -> pd.Series | None:
    for c in columns:
        if c in gdf:
            return gdf[c]
    return None


def _popup_rows(gdf: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(label, values) pairs shown in popups, for the columns present in ``gdf``."""
    rows: list[tuple[str, pd.Series | None]] = []
    if "kind" in gdf:
        rows.append(("Kind", gdf["kind"].map(lambda k: KIND_LABELS.get(k, k))))
    rows += [
        ("Commune", _first(gdf, "commune", "commune_1", "source_commune")),
        ("Section", _first(gdf, "section")),
        ("UNESCO element", _first(gdf, "id_unesco", "unesco_element", "no_element")),
        ("In the listed property", _yes_no(gdf["unesco"]) if "unesco" in gdf else None),
        (
            "Listed slag heap",
            _yes_no(gdf["listed"]) if "listed" in gdf and "terril" in gdf else None,
        ),
        ("Headframe / pit building", _yes_no(gdf["headframe"]) if "headframe" in gdf else None),
        ("Type", _first(gdf, "type", "typologie", "forme")),
        ("Company", _first(gdf, "compagnie")),
        ("Concession", _first(gdf, "concession")),
        ("Sunk", _fmt_number(gdf["sunk"]).str.replace("\u202f", "") if "sunk" in gdf else None),
        (
            "Closed",
            _fmt_number(gdf["closed"]).str.replace("\u202f", "") if "closed" in gdf else None,
        ),
        ("Sunk", _first(gdf, "creusement")),
        ("Closed", _first(gdf, "fermeture")),
        ("Depth", _fmt_number(gdf["depth_max_m"], " m") if "depth_max_m" in gdf else None),
        ("Depth", _fmt_number(gdf["profondeur"], " m") if "profondeur" in gdf else None),
        ("Shafts", _first(gdf, "n_shafts")),
        ("Period", _first(gdf, "periode")),
        ("Interest", _first(gdf, "interet")),
        ("Protection (MH)", _protection(gdf)),
        ("Area", _fmt_number(gdf["area_ha"], " ha", 1) if "area_ha" in gdf else None),
        ("Length", _fmt_number(gdf["length_m"], " m") if "length_m" in gdf else None),
        ("Population", _fmt_number(gdf["population"]) if "population" in gdf else None),
        ("EPCI", _first(gdf, "epci_nom")),
        ("km", _fmt_number(gdf["km"], "", 1) if "km" in gdf else None),
        ("Method", _first(gdf, "method")),
        ("Approximate", _yes_no(gdf["approximate"]) if "approximate" in gdf else None),
        ("Source", _source(gdf["source"]) if "source" in gdf else None),
    ]
    return [(label, values) for label, values in rows if values is not None]


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


def _links(gdf: pd.DataFrame) -> Texts:
    """Source links: the BRGM sheet of a shaft, or of each shaft of a pit."""
    out = np.full(len(gdf), "", dtype=object)
    if "brgm" in gdf:
        url = escape_html(gdf["brgm"])
        out = np.where(
            gdf["brgm"].notna().to_numpy(),
            '<a href="' + url + '" target="_blank" rel="noopener">BRGM sheet</a>',
            out,
        )
    if "shafts" in gdf:
        # A pit holds a short list of shafts: one link per shaft with a BRGM sheet.
        def pit_links(shafts: object) -> str:
            items = shafts if isinstance(shafts, list) else []
            return " · ".join(
                f'<a href="{html.escape(str(s["brgm"]))}" target="_blank" rel="noopener">'
                f"{html.escape('Puits ' + str(s.get('puits') or '?'))}</a>"
                for s in items
                if isinstance(s, dict) and s.get("brgm")
            )

        links = gdf["shafts"].map(pit_links).to_numpy(dtype=object)
        out = np.where(links != "", "BRGM: " + links, out)
    return out


def popup_html(gdf: pd.DataFrame, layer_label: str) -> tuple[Texts, Texts]:
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

    Returns
    -------
    popup, tooltip : numpy.ndarray
        Two object arrays of str, one item per row of ``gdf``.

    Examples
    --------
    >>> popup, tip = popup_html(pd.DataFrame({"depth_max_m": [712.0]}), "Shafts")
    >>> tip.tolist(), "712 m" in popup[0]
    (['Shafts'], True)
    """
    names = _first(gdf, "name", "nom", "commune", "site_id")
    unnamed = np.full(len(gdf), html.escape(layer_label), dtype=object)
    title = escape_html(names) if names is not None else unnamed
    title = np.where(title == "", html.escape(layer_label), title)
    body = np.full(len(gdf), "", dtype=object)
    for label, values in _popup_rows(gdf):
        text = escape_html(values)
        row = f"<tr><th>{html.escape(label)}</th><td>" + text + "</td></tr>"
        body = body + np.where(values.notna().to_numpy() & (text != ""), row, "")
    links = _links(gdf)
    footer = np.where(links != "", '<div class="bg-links">' + links + "</div>", "")
    popup = (
        '<div class="bg-popup"><h4>'
        + title
        + "</h4><table>"
        + body
        + "</table>"
        + footer
        + "</div>"
    )
    return popup, title
