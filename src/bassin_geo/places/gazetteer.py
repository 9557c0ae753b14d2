"""The gazetteer: find one embedded site by id or by name, as people write it."""

from __future__ import annotations

import difflib
import functools
from typing import Any

import pandas as pd

from bassin_geo._text import compact, fold, tokens
from bassin_geo.data.layers import read_cached
from bassin_geo.errors import InvalidInputError, UnknownSiteError

__all__ = ["get_site"]


# Kind order used to break ties between equally good name matches: people asking for
# "Arenberg" mean the pit before the estate or the slag heap named after it.
_KIND_RANK = {"pithead": 0, "building": 1, "slag_heap": 2, "lake": 3, "mining_estate": 4}
_FILLER = {"fosse", "de", "du", "des", "d", "la", "le", "les", "l", "n", "puits", "site"}


@functools.lru_cache(maxsize=1)
def _search_index() -> pd.DataFrame:
    sites = read_cached("sites")
    pits = read_cached("pitheads").set_index("site_id")
    texts, keys = [], []
    for sid, name, kind, commune in zip(
        sites["site_id"], sites["name"], sites["kind"], sites["commune"], strict=True
    ):
        names = [str(name or "")]
        if kind == "pithead" and sid in pits.index:
            names += str(pits.at[sid, "aliases"] or "").split("; ")
        keys.append({compact(n) for n in names if n} | {compact(f"fosse {n}") for n in names if n})
        texts.append(set(tokens(" ".join(names + [str(commune or "")]))))
    index: pd.DataFrame = pd.DataFrame(
        {
            "site_id": sites["site_id"],
            "name": sites["name"],
            "kind": sites["kind"],
            "commune": sites["commune"],
            "keys": keys,
            "words": texts,
            # Listed sites first among equals: "9-9bis" means Oignies' listed pit.
            "rank": sites["kind"].map(_KIND_RANK).fillna(9).astype(int) * 2
            + (~sites["unesco"].astype(bool)).astype(int),
        }
    )
    return index


def get_site(query: str) -> pd.Series[Any]:
    """One site, by ``site_id`` or by name, ignoring case, accents and punctuation.

    Names are matched in this order: the site id; a name or alias equal to the query
    ("9-9bis" equals "9 - 9 bis"); a site whose name and commune contain every word of the
    query ("fosse 9 lens"). Among equally good matches a pithead comes first, then a
    building, a slag heap, a lake, an estate.

    Parameters
    ----------
    query : str
        A ``site_id`` such as ``"pit:wallers-arenberg"`` or a name ("Arenberg", "11/19").

    Returns
    -------
    pandas.Series
        The row of the ``sites`` layer (with ``geometry``, a WGS84 point).

    Raises
    ------
    UnknownSiteError
        When nothing matches; the message and ``.suggestions`` list the closest names.

    Examples
    --------
    >>> get_site("9-9bis")["commune"]
    'Oignies'
    >>> get_site("Arenberg")["site_id"]
    'pit:wallers-arenberg'
    """
    if not isinstance(query, str) or not query.strip():
        msg = f"a site query must be a non-empty string, got {query!r}"
        raise InvalidInputError(msg)
    sites = read_cached("sites")
    index = _search_index()
    by_id = sites.index[sites["site_id"] == query.strip()]
    found: pd.Series[Any]
    if len(by_id):
        found = sites.loc[by_id[0]].copy()
        return found
    key = compact(query)
    exact = index[[key in k for k in index["keys"]]]
    if len(exact):
        found = sites.loc[exact.sort_values("rank").index[0]].copy()
        return found
    words = [w for w in tokens(query) if w not in _FILLER] or tokens(query)
    if words:
        hits = index[[all(w in ws for w in words) for ws in index["words"]]]
        if len(hits):
            extra = hits["words"].map(len)
            best = hits.assign(extra=extra).sort_values(["rank", "extra"]).index[0]
            found = sites.loc[best].copy()
            return found
    names = sorted({str(n) for n in index["name"].dropna()})
    folded = {fold(n): n for n in names}
    close = [
        folded[c] for c in difflib.get_close_matches(fold(query), list(folded), n=5, cutoff=0.5)
    ]
    hint = f" Closest names: {', '.join(close)}." if close else ""
    msg = (
        f"no site matches {query!r}.{hint} Use a site_id from load_sites() or a name as "
        "printed there."
    )
    raise UnknownSiteError(msg, suggestions=close)
