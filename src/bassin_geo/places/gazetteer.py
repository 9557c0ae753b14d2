"""The gazetteer: find places as people name them, and say so when a name is ambiguous.

:func:`search` ranks every place the library knows (:mod:`bassin_geo.places.index`:
pits, shafts, slag heaps, estates, buildings, lakes, listed components, communes, EPCI)
against a query; :func:`get_site` returns the one place a query means, or raises
:class:`~bassin_geo.errors.AmbiguousSiteError` with the candidates when it could mean
several.

How a query is read (:mod:`bassin_geo.places.names`): accents, case and punctuation are
ignored; kind words ("fosse", "puits", "terril", "cité", "commune", "CA"...) steer the
kind instead of counting as name words; a number must match exactly ("fosse 2" is not
"fosse 12"); the words of a place's commune or company may narrow it ("fosse 9 de Lens"
is pit 9 of the Lens company); a word with a typo matches at a lower score.

The score (0-100) of a place is its best name's: the share of the query's words it
matches, times ``0.7 + 0.3 x`` the share of the name's words the query matches; a name
typed in full (every word, kind words included) keeps 100 %, otherwise 94 %; a name of
numbers only ("Fosse 1", shared by many pits) 92 % unless the query's commune or company
words narrow it; a place of another kind than the query's kind words point to 75 %, a
shaft 85 % when the query does not say "puits". See ``docs/search.md``.
"""

from __future__ import annotations

import bisect
import functools
from typing import Any, NamedTuple

import pandas as pd
from rapidfuzz import fuzz, process

from bassin_geo._text import compact, fold
from bassin_geo.errors import AmbiguousSiteError, InvalidInputError, UnknownSiteError
from bassin_geo.places.index import (
    KIND_RANK,
    NameIndex,
    id_positions,
    name_index,
    places_table,
)
from bassin_geo.places.names import Query, parse_query

__all__ = ["KINDS", "MARGIN", "SURE", "get_site", "search"]

#: The kinds of place :func:`search` and :func:`get_site` know, for ``kind=``.
KINDS = tuple(KIND_RANK)
#: The score from which :func:`get_site` takes a match as meant, when every word of the
#: query matched exactly (a typo is suggested, never picked).
SURE = 60.0
#: How far ahead of the next exact match the best one must be for :func:`get_site` to
#: pick it.
MARGIN = 5.0
# Below this score a place is not worth listing.
_LISTED = 40.0
# How far behind the best an AmbiguousSiteError still lists a candidate.
_LISTED_BEHIND = 15.0
_FUZZY_CUTOFF = 80.0  # rapidfuzz ratio of a word with a typo ("arenbreg" ~ "arenberg": 88)
_FUZZY_WEIGHT = 0.8  # a word with a typo counts that much of an exact one
_WEAK = 0.92  # a name of numbers only, shared by many pits
_COLUMNS = ["site_id", "name", "kind", "commune", "insee", "score", "matched"]


def _check_kinds(kind: str | list[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    if kind is None:
        return None
    kinds = [kind] if isinstance(kind, str) else list(kind)
    unknown = [k for k in kinds if k not in KIND_RANK]
    if unknown or not kinds:
        msg = f"unknown kind {unknown[0] if unknown else kind!r}: use one of {', '.join(KINDS)}"
        raise InvalidInputError(msg)
    return frozenset(kinds)


def _commune_filter(commune: str | None) -> set[str] | None:
    """The folded names of the commune asked for (by name or INSEE code)."""
    if commune is None:
        return None
    if not isinstance(commune, str) or not commune.strip():
        msg = f"commune must be a commune's name or INSEE code, got {commune!r}"
        raise InvalidInputError(msg)
    table = places_table()
    communes = table[table["kind"] == "commune"]
    key = compact(commune)
    hit = communes[(communes["insee"] == commune.strip()) | (communes["name"].map(compact) == key)]
    if len(hit) == 0:
        close = process.extract(fold(commune), communes["name"].map(fold).tolist(), limit=3)
        names = [communes["name"].iloc[i] for _, _, i in close]
        msg = (
            f"no commune of Nord or Pas-de-Calais is named {commune!r}; closest: {', '.join(names)}"
        )
        raise InvalidInputError(msg)
    return {compact(n) for n in hit["name"]}


@functools.lru_cache(maxsize=4096)
def _word_matches(word: str, index: NameIndex) -> dict[str, float]:
    """The index words a query word matches, with how well (1 exact, less with a typo).

    Cached: the same word in a later query costs nothing (read the result, never change it).
    """
    found = {word: 1.0} if word in index.by_word or word in index.by_context_word else {}
    if word.isalpha() and len(word) >= 4:
        for other, ratio, _ in process.extract(
            word, index.vocabulary, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=None
        ):
            if other != word:
                found[other] = max(found.get(other, 0.0), _FUZZY_WEIGHT * ratio / 100)
        # A word cut short ("pinchon" for "pinchonvalles"): the sorted vocabulary holds the
        # words it begins in one run.
        i = bisect.bisect_left(index.vocabulary, word)
        while i < len(index.vocabulary) and index.vocabulary[i].startswith(word):
            other = index.vocabulary[i]
            if other != word:
                found[other] = max(found.get(other, 0.0), _FUZZY_WEIGHT * 0.9)
            i += 1
    return found


def _refusal(query: Query) -> str | None:
    """Why a query names nothing (too short, or kind words only), or None."""
    if not query.words:
        if query.generic:
            words = " ".join(dict.fromkeys(query.generic))
            return (
                f"{query.text!r} holds only generic words ({words}): add a name or a number, "
                "such as 'fosse Arenberg', 'terril 74' or 'cité des Provinces'"
            )
        return f"{query.text!r} is too short to name a place: give a name, a number or an id"
    if len("".join(query.words)) < 2 and not any(w[0].isdigit() for w in query.words):
        return f"{query.text!r} is too short to name a place: give a name, a number or an id"
    return None


def _scores(query: Query, index: NameIndex) -> dict[int, tuple[float, str, bool]]:
    """Place position → (score, the name that matched, every query word matched exactly)."""
    matches = {w: _word_matches(w, index) for w in dict.fromkeys(query.words)}
    variant_ids: set[int] = set()
    context_places: set[int] = set()
    for found in matches.values():
        for word in found:
            variant_ids.update(index.by_word.get(word, ()))
            context_places.update(index.by_context_word.get(word, ()))
    by_place: dict[int, list[int]] = {}
    for i in variant_ids:
        by_place.setdefault(index.variants[i].place, []).append(i)
    query_words = set(query.words)
    out: dict[int, tuple[float, str, bool]] = {}
    for place in set(by_place) | context_places:
        # A commune or company counts when the query holds all of its words.
        covered = {w for unit in index.context[place] if query_words.issuperset(unit) for w in unit}
        if place not in by_place and not covered:
            continue
        best, matched, complete = 0.0, "", False
        for i in by_place.get(place, ()):
            variant = index.variants[i]
            if variant.heap_number and not query.heap_number:
                continue
            score, exact = _variant_score(query, variant.words, matches, covered)
            score *= 1.0 if variant.key == query.key else 0.94
            # A number alone is shared by many pits, unless the commune or company in the
            # query narrows it ("fosse 9 de Lens").
            score *= _WEAK if variant.weak and not covered else 1.0
            # Equal scores: report the shortest name ("Arenberg", not "Fosse Arenberg").
            if score > best or (score == best and len(variant.text) < len(matched)):
                best, matched, complete = score, variant.text, exact
        if best == 0.0 and covered:
            # Only its commune or company matches ("Lens" for a pit in Lens).
            best = 100 * len(covered & query_words) / len(query_words) * 0.7 * 0.94
            matched = " ".join(sorted(covered))
            complete = query_words <= covered
        out[place] = (best, matched, complete)
    return out


def _variant_score(
    query: Query,
    words: tuple[str, ...],
    matches: dict[str, dict[str, float]],
    covered: set[str],
) -> tuple[float, bool]:
    """The score of one name, and whether it matched every query word exactly."""
    per_query = [
        1.0 if w in covered else max((matches[w].get(u, 0.0) for u in words), default=0.0)
        for w in query.words
    ]
    coverage = sum(per_query) / len(per_query)
    if coverage == 0:
        return 0.0, False
    precision = sum(max(matches[w].get(u, 0.0) for w in matches) for u in words) / len(words)
    return 100 * coverage * (0.7 + 0.3 * precision), min(per_query) == 1.0


@functools.lru_cache(maxsize=1)
def _uniform_values() -> dict[str, list[Any]]:
    """The uniform columns of every place as Python lists: quick to pick a few rows from."""
    table = places_table()
    return {c: [v if isinstance(v, str) else None for v in table[c]] for c in _COLUMNS[:5]}


class _Hit(NamedTuple):
    place: int  # row position in places_table()
    score: float
    matched: str
    rank: int  # KIND_RANK of the place
    complete: bool  # every query word matched exactly


def _hits(
    query: str,
    kind: str | list[str] | tuple[str, ...] | None,
    commune: str | None,
) -> list[_Hit]:
    """Every place the query reaches, best first."""
    if not isinstance(query, str) or not query.strip():
        msg = f"a place query must be a non-empty string, got {query!r}"
        raise InvalidInputError(msg)
    kinds = _check_kinds(kind)
    communes = _commune_filter(commune)
    index = name_index()
    by_id = id_positions().get(query.strip())
    if by_id is not None:  # a site_id: that place, whatever the filters
        return [_Hit(by_id, 100.0, query.strip(), int(index.kind_rank[by_id]), True)]
    parsed = parse_query(query)
    if _refusal(parsed) is not None:
        return []
    hits = []
    for place, (score, matched, complete) in _scores(parsed, index).items():
        place_kind = index.kinds[place]
        if kinds is not None and place_kind not in kinds:
            continue
        if communes is not None and index.commune_keys[place] not in communes:
            continue
        if parsed.kinds and place_kind not in parsed.kinds:
            score *= 0.75
        elif place_kind == "shaft" and "shaft" not in parsed.kinds:
            score *= 0.85
        if score >= _LISTED:
            hits.append(
                _Hit(place, round(score, 1), matched, int(index.kind_rank[place]), complete)
            )
    hits.sort(key=lambda h: (-h.score, h.rank, index.names[h.place]))
    return hits


def _ranked(hits: list[_Hit]) -> pd.DataFrame:
    """The search frame of these hits, in their order, with a fresh index."""
    values = _uniform_values()
    data: dict[str, list[Any]] = {c: [values[c][h.place] for h in hits] for c in values}
    data["score"] = [h.score for h in hits]
    data["matched"] = [h.matched for h in hits]
    frame: pd.DataFrame = pd.DataFrame(data, columns=_COLUMNS)
    return frame


def search(
    query: str,
    *,
    kind: str | list[str] | None = None,
    commune: str | None = None,
    limit: int | None = 10,
) -> pd.DataFrame:
    """Places matching a query, best first, as people name them.

    Every place the library knows is searched: pits (their names, numbers, aliases and
    company), shafts, slag heaps (by name and number: "terril 74", "T074"), mining
    estates, buildings, lakes, listed components, every commune of Nord and Pas-de-Calais
    (by name or INSEE code) and the EPCI. Kind words ("fosse", "terril", "cité"...) steer
    the kind; see :mod:`bassin_geo.places.gazetteer` for how scores are made.

    Parameters
    ----------
    query : str
        What to look for: "Fosse 9 de Lens", "terril 74", "Louvre-Lens", "62498".
    kind : str or list of str, optional
        Keep only these kinds (:data:`KINDS`: ``"pithead"``, ``"slag_heap"``,
        ``"commune"``...).
    commune : str, optional
        Keep only places in this commune (its name or INSEE code).
    limit : int or None, default 10
        How many places at most; None for every place above the listing threshold.

    Returns
    -------
    DataFrame
        ``site_id``, ``name``, ``kind``, ``commune``, ``insee``, ``score`` (0-100) and
        ``matched`` (the name, alias or number that matched), best first; empty when
        nothing matches, or when the query is too short or holds only kind words.

    Raises
    ------
    InvalidInputError
        A query that is not a non-empty string, an unknown kind or commune, a bad limit.

    Examples
    --------
    >>> search("terril 74").iloc[0][["site_id", "matched"]].tolist()
    ['slag:T074', 'T074']
    >>> search("Fosse 1", commune="Lens")["site_id"].iloc[0]
    'pit:lens-1-jules-casteleyn'
    >>> search("fosse").empty
    True
    """
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        msg = f"limit must be a positive integer or None, got {limit!r}"
        raise InvalidInputError(msg)
    hits = _hits(query, kind, commune)
    return _ranked(hits if limit is None else hits[:limit])


def _describe(found: pd.DataFrame, n: int = 8) -> str:
    lines = [
        f"{row.name} ({row.kind}"
        + (f", {row.commune}" if isinstance(row.commune, str) else "")
        + f"; {row.site_id})"
        for row in found.iloc[:n].itertuples()
    ]
    more = f" and {len(found) - n} more" if len(found) > n else ""
    return "; ".join(lines) + more


def _pick(exact: list[_Hit], preferred: tuple[str, ...]) -> int | None:
    """The position of the one place the exact hits mean, or None when it is ambiguous."""
    index = name_index()
    top = [h for h in exact if h.score > exact[0].score - MARGIN]
    # A pit's headframe building is the pit: keep one of the two.
    positions = {h.place for h in top}
    kept = [h.place for h in top if index.pit_of_building.get(h.place) not in positions]
    # A listed component is the listing record of the sites it holds ("Base des Argales"
    # is both the lake and its component): a site of the same name comes first.
    sites = [p for p in kept if index.kinds[p] != "property_component"]
    kept = sites or kept
    if len(kept) == 1:
        return kept[0]
    communes = {index.commune_keys[p] for p in kept}
    if len(communes) == 1 and "" not in communes:
        # One commune: the pit before the heap, building or estate named after it, or
        # the kind the query's kind word points to first ("puits 19": the shaft).
        def rank(p: int) -> tuple[int, int]:
            kind = index.kinds[p]
            hinted = preferred.index(kind) if kind in preferred else len(preferred)
            return hinted, int(index.kind_rank[p])

        ranks = sorted((rank(p), p) for p in kept)
        if ranks[0][0] < ranks[1][0]:
            return ranks[0][1]
    return None


def _row(table: pd.DataFrame, position: int) -> pd.Series[Any]:
    row: pd.Series[Any] = table.iloc[position].copy()
    return row


def get_site(
    query: str, *, kind: str | list[str] | None = None, commune: str | None = None
) -> pd.Series[Any]:
    """The one place a query means: by ``site_id``, name, alias, number or INSEE code.

    The query is ranked as :func:`search` does. Among the places that match every word
    of the query exactly (no typo) with a score of at least :data:`SURE`, the best is
    returned when it is clearly ahead of the next (by :data:`MARGIN`), or when the places
    as good as it are in one commune and one is the pit the others are named after (or
    of the kind the query's kind word names first). A typo is suggested, never picked.
    A commune name ("Lens") or INSEE code ("62498") gives the commune; its row's point
    lies inside it, and the functions that measure distances use its outline (see
    :func:`bassin_geo.places.resolve.as_places`).

    Parameters
    ----------
    query : str
        A ``site_id`` such as ``"pit:wallers-arenberg"``, a name ("Arenberg", "11/19",
        "Fosse 9 de Lens", "terril 74"), a commune's name or INSEE code.
    kind : str or list of str, optional
        Consider only these kinds (``"pithead"``, ``"slag_heap"``, ``"commune"``...).
    commune : str, optional
        Consider only places in this commune (its name or INSEE code).

    Returns
    -------
    pandas.Series
        The place's row: ``site_id``, ``name``, ``kind``, ``commune``, ``insee``,
        ``unesco``, ``id_unesco``, ``source``, ``layer`` and ``geometry`` (a WGS84 point,
        inside the place when it is a polygon). Rows of the ``sites`` layer come as that
        layer holds them.

    Raises
    ------
    AmbiguousSiteError
        Several places match as well; ``.candidates`` holds them (as :func:`search`
        gives them) and the message says how to choose.
    UnknownSiteError
        Nothing matches well enough; the message and ``.suggestions`` give the closest.
    InvalidInputError
        A query that is not a non-empty string, an unknown kind or commune.

    Examples
    --------
    >>> get_site("9-9bis")["commune"]
    'Oignies'
    >>> get_site("Arenberg")["site_id"]
    'pit:wallers-arenberg'
    >>> get_site("Lens")["site_id"], get_site("62498")["name"]
    ('commune:62498', 'Lens')
    >>> get_site("Fosse 1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bassin_geo.errors.AmbiguousSiteError: 'Fosse 1' could mean ... places: ...pit:annezin-1...
    """
    table = places_table()
    if isinstance(query, str):
        by_id = id_positions().get(query.strip())
        if by_id is not None:
            return _row(table, by_id)
    hits = _hits(query, kind, commune)
    if not hits:
        reason = _refusal(parse_query(query))
        msg = f"no site matches {query!r}" + (f": {reason}" if reason else "")
        raise UnknownSiteError(msg)
    exact = [h for h in hits if h.complete and h.score >= SURE]
    if not exact:
        # A typo, or words that no place holds all of: suggest, never guess.
        found = _ranked(hits[:5])
        names = list(dict.fromkeys(found["matched"]))
        msg = (
            f"no site matches {query!r} well enough; did you mean {', '.join(names)}? "
            f"Closest places: {_describe(found, 5)}. Give one of these names, or a site_id."
        )
        raise UnknownSiteError(msg, suggestions=names)
    picked = _pick(exact, parse_query(query).preferred)
    if picked is not None:
        return _row(table, picked)
    top = _ranked([h for h in exact if h.score >= exact[0].score - _LISTED_BEHIND])
    kinds = sorted(set(top["kind"]))
    key = compact(query)
    communes = [c for c in top["commune"] if isinstance(c, str) and compact(c) not in key]
    example = f"{query.strip()} {communes[0]}" if communes else ""
    msg = (
        f"{query!r} could mean {len(top)} places: {_describe(top)}. Choose one: give its "
        "site_id, or add its commune to the query"
        + (f" ({example!r})" if example else "")
        + (f", or narrow the kind (one of {', '.join(kinds)})" if len(kinds) > 1 else "")
        + "."
    )
    raise AmbiguousSiteError(msg, candidates=top, suggestions=list(top["name"].astype(str)))
