"""The gazetteer's table of every place and its index of names, built once per process.

Every place the library knows is one row of :func:`places_table`: the ``sites`` layer
(pits, slag heaps, mining estates, buildings, lakes) and the shafts, the components of
the listed property, every commune of Nord and Pas-de-Calais and the EPCI. Each row holds
the uniform columns (``site_id``, ``name``, ``kind``, ``commune``, ``insee``), the
``layer`` it comes from and a WGS84 point inside it (polygons keep their outline in
their layer, for :func:`bassin_geo.places.resolve.site_geometry`).

:func:`name_index` lists the names of each place (its name, its aliases and sourced
aliases, a pit's number and its headframe building's name, a slag heap's number, a
commune's INSEE code) and the context that narrows a query (its commune, its company).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from bassin_geo._text import compact
from bassin_geo.crs import WGS84
from bassin_geo.data.catalog import LAYERS
from bassin_geo.data.layers import read_cached
from bassin_geo.places.aliases import SOURCED_ALIASES
from bassin_geo.places.names import literal_key, name_words

__all__ = ["KIND_RANK", "NameIndex", "Variant", "id_positions", "name_index", "places_table"]

#: The order in which kinds are preferred among places of one commune that match a
#: query equally well: people asking for "Arenberg" mean the pit before the slag heap
#: and the headframe building named after it, and a town's name ("Haveluy") means the
#: town before the pit named after it ("Fosse Haveluy").
KIND_RANK: dict[str, int] = {
    "commune": 0,
    "pithead": 1,
    "building": 2,
    "slag_heap": 3,
    "lake": 4,
    "mining_estate": 5,
    "property_component": 6,
    "shaft": 7,
    "epci": 8,
}

_COLUMNS = ["site_id", "name", "kind", "commune", "insee", "unesco", "id_unesco", "source"]
# The words of a company's name that do not tell one company from another.
_COMPANY_FILLER = frozenset(
    "societe societes compagnie compagnies compagne houillere houilleres houille houilles "
    "charbonniere groupe concession reunis reunies".split()
)
_NUMERIC = re.compile(r"\d+[a-z]*")
_PARENTHESIS = re.compile(r"\([^)]*\)")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _extra(layer: str, columns: list[str], *, kind: str, unesco: bool) -> gpd.GeoDataFrame:
    """The rows of a layer outside ``sites``, in the gazetteer's columns."""
    gdf = read_cached(layer)
    points = gdf.geometry
    if not (points.geom_type == "Point").all():
        points = points.representative_point()
    frame = pd.DataFrame({c: gdf[c] if c in gdf else None for c in columns})
    frame["kind"] = kind
    frame["unesco"] = unesco
    frame["source"] = LAYERS[layer].sources[0]
    frame["layer"] = layer
    return gpd.GeoDataFrame(frame, geometry=points.to_numpy(), crs=WGS84)


@functools.lru_cache(maxsize=1)
def places_table() -> gpd.GeoDataFrame:
    """Every place the gazetteer knows: one row each, with a point inside it.

    Returns
    -------
    GeoDataFrame
        The columns of the ``sites`` layer (``site_id``, unique, ``name``, ``kind``,
        ``commune``, ``insee``, ``unesco``, ``id_unesco``, ``source``, ``layer``...) and a
        WGS84 point; the rows of the ``sites`` layer first, as that layer holds them.
        Shared: read it, never change it.

    Examples
    --------
    >>> table = places_table()
    >>> table["site_id"].is_unique, sorted(set(table["kind"]))[:3]
    (True, ['building', 'commune', 'epci'])
    """
    sites = read_cached("sites")
    base = ["site_id", "name", "commune", "insee", "id_unesco"]
    property_ = _extra("property", base, kind="property_component", unesco=True)
    property_["id_unesco"] = read_cached("property")["no_element"].astype(str).to_numpy()
    parts = [
        sites,
        _extra("shafts", base, kind="shaft", unesco=False),
        property_,
        _extra("communes_nord_pas_de_calais", base, kind="commune", unesco=False),
        _extra("epci", base, kind="epci", unesco=False),
    ]
    # Every column of the sites layer, in its order (the other places leave empty the
    # ones they lack, such as heap_number).
    columns = [c for c in sites.columns if c != "geometry"]
    columns += [c for c in [*_COLUMNS, "layer"] if c not in columns]
    table = gpd.GeoDataFrame(
        pd.concat(parts, ignore_index=True)[[*columns, "geometry"]],
        geometry="geometry",
        crs=WGS84,
    )
    table["unesco"] = table["unesco"].astype(bool)
    if not table["site_id"].is_unique:  # pragma: no cover - a data build error
        dup = table.loc[table["site_id"].duplicated(), "site_id"].iloc[0]
        msg = f"two places share the site_id {dup!r}: rebuild the data"
        raise ValueError(msg)
    return table


@functools.lru_cache(maxsize=1)
def id_positions() -> dict[str, int]:
    """``site_id`` → row position in :func:`places_table`, old ids of merged copies included.

    The data build merges copies of one estate or slag heap into one row and keeps the
    merged-away ids in ``other_ids``; they still name that row.

    Returns
    -------
    dict
        Every ``site_id`` and every id of an ``other_ids`` column, to a row position.

    Examples
    --------
    >>> positions = id_positions()
    >>> places_table()["site_id"].iat[positions["pit:wallers-arenberg"]]
    'pit:wallers-arenberg'
    """
    table = places_table()
    positions = {sid: i for i, sid in enumerate(table["site_id"])}
    for layer in ("mining_estates", "slag_heaps", "lakes"):
        gdf = read_cached(layer)
        if "other_ids" not in gdf:
            continue
        for sid, others in zip(gdf["site_id"], gdf["other_ids"], strict=True):
            for other in _text(others).split(";"):
                if other.strip() and sid in positions:
                    positions.setdefault(other.strip(), positions[sid])
    return positions


@dataclass(frozen=True)
class Variant:
    """One way of naming one place.

    Parameters
    ----------
    place : int
        The place's row position in :func:`places_table`.
    text : str
        The name as spelled (what the search reports as ``matched``).
    words : tuple of str
        Its identifying words (:func:`bassin_geo.places.names.name_words`).
    key : str
        Its :func:`~bassin_geo.places.names.literal_key`, to recognise it typed in full.
    weak : bool
        Made of numbers only (a pit's "9 - 9 bis"): many places share it.
    heap_number : bool
        A slag heap's number ("T074"), matched only when a query says "terril" or "T".

    Examples
    --------
    >>> v = Variant(0, "T074", ("74",), "t74", weak=False, heap_number=True)
    >>> v.heap_number
    True
    """

    place: int
    text: str
    words: tuple[str, ...]
    key: str
    weak: bool
    heap_number: bool


@dataclass(frozen=True, eq=False)  # hashed by identity: one per process
class NameIndex:
    """The names of every place, and the words that lead to them.

    Parameters
    ----------
    variants : list of Variant
        Every name of every place.
    context : list of tuple
        Per place (by row position), its context units: the words of its commune and of
        its company, each unit counting only when a query holds all of its words.
    by_word : dict
        Word → positions in ``variants`` of the names that hold it.
    by_context_word : dict
        Word → positions of the places whose context holds it.
    vocabulary : list of str
        Every word of every name and context, for typo matching.
    kind_rank : numpy.ndarray
        Per place, its :data:`KIND_RANK`.
    pit_of_building : dict
        Headframe building's row position → its pit's row position (one place).
    kinds : tuple of str
        Per place, its kind.
    names : tuple of str
        Per place, its name ("" when it has none).
    commune_keys : tuple of str
        Per place, its commune folded to letters and digits ("" when it has none).
    positions : dict
        ``site_id`` → row position.

    Examples
    --------
    >>> index = name_index()
    >>> "pinchonvalles" in index.by_word
    True
    """

    variants: list[Variant]
    context: list[tuple[tuple[str, ...], ...]]
    by_word: dict[str, list[int]]
    by_context_word: dict[str, list[int]]
    vocabulary: list[str]
    kind_rank: np.ndarray
    pit_of_building: dict[int, int]
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    commune_keys: tuple[str, ...]
    positions: dict[str, int]


def _names_by_site() -> dict[str, list[tuple[str, bool | None]]]:
    """Site id → its extra names: with True for a heap number, None for a sourced alias."""
    names: dict[str, list[tuple[str, bool | None]]] = {}

    def add(ids: Iterable[str], *columns: Iterable[object]) -> None:
        for sid, *values in zip(ids, *columns, strict=True):
            names.setdefault(sid, []).extend((v, False) for v in values if isinstance(v, str))

    pits = read_cached("pitheads")
    add(pits["site_id"], pits["pit_name"])
    for sid, aliases in zip(pits["site_id"], pits["aliases"], strict=True):
        names.setdefault(sid, []).extend((a, False) for a in _text(aliases).split("; ") if a)
    heaps = read_cached("slag_heaps")
    add(heaps["site_id"], heaps["nom"], heaps["nom_usuel"])
    # The heap's number: the data build's heap_number column when it has one, else the
    # source's "terril" code (T074, T074a): both spell the number the same way.
    number = heaps["heap_number"] if "heap_number" in heaps else heaps["terril"]
    for sid, code in zip(heaps["site_id"], number, strict=True):
        if isinstance(code, str) and code:
            names.setdefault(sid, []).append((code, True))
    estates = read_cached("mining_estates")
    add(estates["site_id"], estates["nom"], estates["nom_2"])
    buildings = read_cached("buildings")
    add(buildings["site_id"], buildings["denomination"], buildings["nom"])
    # A pit goes by its headframe building's name too ("Fosse 11-19"): they are one place.
    building_name = dict(zip(buildings["site_id"], buildings["name"], strict=True))
    for sid, linked in zip(pits["site_id"], pits["headframe_building"], strict=True):
        for building in _text(linked).split("; "):
            if isinstance(building_name.get(building), str):
                names.setdefault(sid, []).append((building_name[building], False))
    lakes = read_cached("lakes")
    add(lakes["site_id"], lakes["nom"])
    prop = read_cached("property")
    add(prop["site_id"], prop["nom"])
    communes = read_cached("communes_nord_pas_de_calais")
    add(communes["site_id"], communes["insee"])
    for alias in SOURCED_ALIASES:
        names.setdefault(alias.site_id, []).append((alias.alias, None))
    return names


def _company(value: object) -> tuple[str, ...]:
    return tuple(w for w in name_words(_text(value)) if w not in _COMPANY_FILLER)


def _context_by_site() -> dict[str, list[tuple[str, ...]]]:
    """Site id → its company and pit-name units (the commune unit is added for all)."""
    units: dict[str, list[tuple[str, ...]]] = {}
    for layer, columns in (
        ("pitheads", ("compagnie",)),
        ("slag_heaps", ("compagnie",)),
        ("mining_estates", ("compagnie",)),
        ("buildings", ("compagnie",)),
        ("shafts", ("compagnie", "fosse", "fosse_alias")),
        ("property", ("section",)),
    ):
        gdf = read_cached(layer)
        for position, sid in enumerate(gdf["site_id"]):
            found = [_company(gdf[c].iat[position]) for c in columns]
            units.setdefault(sid, []).extend(u for u in found if u)
    return units


@functools.lru_cache(maxsize=1)
def name_index() -> NameIndex:
    """The names and context of every place of :func:`places_table`, indexed by word.

    Returns
    -------
    NameIndex
        Built once per process (about a second), shared afterwards.

    Examples
    --------
    >>> index = name_index()
    >>> any(v.text == "T074" and v.heap_number for v in index.variants)
    True
    """
    table = places_table()
    extra = _names_by_site()
    context_units = _context_by_site()
    variants: list[Variant] = []
    context: list[tuple[tuple[str, ...], ...]] = []
    for position, (sid, name, commune) in enumerate(
        zip(table["site_id"], table["name"], table["commune"], strict=True)
    ):
        own: dict[tuple[str, bool], Variant] = {}
        names = [(_text(name), False), *extra.get(sid, [])]
        # "Cité des Électriciens (n°2)" is also "Cité des Électriciens".
        names += [(_PARENTHESIS.sub(" ", t).strip(), f) for t, f in names if "(" in t]
        for text, flag in names:
            words, key, heap = name_words(text), literal_key(text), flag is True
            if heap:  # "T074" reads "t74": a query's "terril 74" and "T74" give "74"
                words = tuple(w[1:] if w[0] == "t" else w for w in words)
            if not words:
                continue
            # Numbers only ("9 - 9 bis") are shared by many pits, unless people use them
            # for one place (a sourced alias) or they are a code (an INSEE code, a heap's).
            weak = (
                flag is False
                and all(_NUMERIC.fullmatch(w) for w in words)
                and not (text.isdigit() and len(text) == 5)
            )
            seen = own.get((key, heap))
            if seen is None or (seen.weak and not weak):
                own[(key, heap)] = Variant(position, text, words, key, weak, heap)
        variants.extend(own.values())
        all_units = {name_words(_text(commune)), *context_units.get(sid, [])}
        context.append(tuple(u for u in all_units if u))
    by_word: dict[str, list[int]] = {}
    for i, variant in enumerate(variants):
        for word in set(variant.words):
            by_word.setdefault(word, []).append(i)
    by_context_word: dict[str, list[int]] = {}
    for position, units in enumerate(context):
        for word in {w for unit in units for w in unit}:
            by_context_word.setdefault(word, []).append(position)
    vocabulary = sorted(w for w in set(by_word) | set(by_context_word) if not _NUMERIC.fullmatch(w))
    positions = id_positions()
    pit_of_building: dict[int, int] = {}
    pits = read_cached("pitheads")
    for pit, buildings in zip(pits["site_id"], pits["headframe_building"], strict=True):
        for building in _text(buildings).split("; "):
            if building in positions and pit in positions:
                pit_of_building[positions[building]] = positions[pit]
    return NameIndex(
        variants=variants,
        context=context,
        by_word=by_word,
        by_context_word=by_context_word,
        vocabulary=vocabulary,
        kind_rank=table["kind"].map(KIND_RANK).fillna(9).astype(int).to_numpy(),
        pit_of_building=pit_of_building,
        kinds=tuple(table["kind"].astype(str)),
        names=tuple(_text(n) for n in table["name"]),
        commune_keys=tuple(compact(_text(c)) for c in table["commune"]),
        positions=positions,
    )
