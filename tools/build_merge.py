"""One row per feature: the listed-property and buffer-zone inventories of one kind, merged.

The published files come in pairs: one for the elements of the listed property
(``terrils``, ``cites-minieres``, ``espace-neonaturel``) and one for the buffer zone
(``zt-terrils``, ...). Some features appear in both with the same outline: the
republished ``cites-minieres.geojson`` also carries 35 rows without a UNESCO element id
(ERBM estates: they have ``id_lsm``, upper-case commune names and source ids that repeat
those of the listed rows), 15 of them copies of buffer-zone estates; one slag heap (T140)
is in both terril files. :func:`merge_inventories` finds copies by their geometry alone
and keeps one row per feature, with the facts of both copies as flags.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo.crs import LAMBERT93, WGS84

__all__ = [
    "COVERED_MIN_SHARE",
    "DUPLICATE_MAX_AREA_GAP",
    "DUPLICATE_MAX_DIFFERENCE",
    "find_copies",
    "merge_inventories",
]

#: Two outlines are one feature when they are the same size (areas within
#: :data:`DUPLICATE_MAX_AREA_GAP` of the larger) and in the same place (the area of their
#: symmetric difference under this share of the area of their union), in Lambert-93.
#: Measured on the sources: the copies differ by at most 1.2 % (Cité du 4-11) and 6.4 %
#: (slag heap T140: the same outline shifted a few metres, areas equal to 0.01 %); the
#: nearest pairs not merged are an ERBM outline of a whole estate against its listed part
#: (9.3 % and 15.9 %, areas 9 % and 16 % apart) and two listed elements (29 %).
DUPLICATE_MAX_DIFFERENCE = 0.10
#: Largest gap between the areas of two copies, as a share of the larger area.
DUPLICATE_MAX_AREA_GAP = 0.02
#: A row in neither inventory (an ERBM estate) whose outline lies at least this much
#: within other rows is the whole of an estate the inventories already hold in parts (a
#: listed part and a "partie en zone-tampon"): measured, 99.3 % and 99.0 % for the two
#: such rows, at most 0.5 % for the others.
COVERED_MIN_SHARE = 0.98


def find_copies(
    gdf: gpd.GeoDataFrame,
    max_difference: float = DUPLICATE_MAX_DIFFERENCE,
    max_area_gap: float = DUPLICATE_MAX_AREA_GAP,
) -> list[tuple[int, int, float]]:
    """Pairs of rows whose outlines are the same feature.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons in any CRS; measured in Lambert-93 (invalid outlines repaired first).
    max_difference : float
        Largest symmetric difference, as a share of the union's area, of one feature.
    max_area_gap : float
        Largest difference of the two areas, as a share of the larger one.

    Returns
    -------
    list of tuple
        ``(i, j, difference)`` with row positions ``i < j`` and the measured share.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100), shapely.box(0, 0, 100, 99.5),
    ...                               shapely.box(50, 0, 150, 100)], crs="EPSG:2154")
    >>> find_copies(g)
    [(0, 1, 0.005)]
    """
    geoms = shapely.make_valid(gdf.to_crs(LAMBERT93).geometry.to_numpy())
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    union = shapely.area(shapely.union(geoms[left], geoms[right]))
    difference = shapely.area(shapely.symmetric_difference(geoms[left], geoms[right])) / union
    a, b = shapely.area(geoms[left]), shapely.area(geoms[right])
    gap = np.abs(a - b) / np.maximum(a, b)
    return [
        (int(i), int(j), round(float(d), 4))
        for i, j, d, g in zip(left, right, difference, gap, strict=True)
        if d < max_difference and g < max_area_gap
    ]


#: Columns that name one row of one source file: never copied from a merged-away copy.
_IDENTITY = {"site_id", "source", "source_id", "source_row", "_buffer"}


def merge_inventories(
    listed: gpd.GeoDataFrame,
    buffer: gpd.GeoDataFrame,
    *,
    listed_source: str,
    buffer_source: str,
    layer: str,
) -> tuple[gpd.GeoDataFrame, list[dict[str, object]]]:
    """One row per feature from a listed-property file and a buffer-zone file.

    Each row must already carry its ``site_id`` and ``id_unesco`` (None for the buffer
    zone). Of two copies the one with a UNESCO element id is kept, else the buffer-zone
    one; the merged-away copy's ``site_id`` goes to ``other_ids``. The flags:
    ``listed`` and ``unesco`` (a UNESCO element id: an element of the listed property),
    ``buffer_zone_inventory`` (a copy is in the buffer-zone file), and ``source`` the file
    of the kept copy. A row in neither inventory whose outline lies for
    :data:`COVERED_MIN_SHARE` within other rows is merged into the one it overlaps most
    (its attributes are not copied: they describe the whole estate, not that part).

    Returns the merged layer (WGS84, in source order) and one record per merge.
    """
    both = gpd.GeoDataFrame(
        pd.concat(
            [
                listed.assign(source=listed_source, _buffer=False),
                buffer.assign(source=buffer_source, _buffer=True),
            ],
            ignore_index=True,
        ),
        crs=WGS84,
    )
    element = both["id_unesco"].notna().to_numpy()
    in_buffer = both["_buffer"].to_numpy(dtype=bool)
    # Keep the listed element, else the buffer-zone row, else the first.
    rank = np.where(element, 0, np.where(in_buffer, 1, 2))
    drop: set[int] = set()
    seen: set[int] = set()
    other_ids: dict[int, list[str]] = {}
    buffer_flag = in_buffer.copy()
    records: list[dict[str, object]] = []
    for i, j, difference in find_copies(both):
        if i in seen or j in seen:
            msg = f"{layer}: rows {i} and {j}: a copy of more than one feature"
            raise ValueError(msg)
        seen.update((i, j))
        kept, gone = (i, j) if rank[i] <= rank[j] else (j, i)
        drop.add(gone)
        other_ids.setdefault(kept, []).append(str(both["site_id"].iloc[gone]))
        buffer_flag[kept] |= in_buffer[gone]
        # Nothing is lost: what the kept copy leaves empty, the other may give (id_lsm...).
        empty = both.iloc[kept].isna() & both.iloc[gone].notna()
        fill = [c for c in both.columns[empty.to_numpy()] if c not in _IDENTITY]
        both.loc[both.index[kept], fill] = both.iloc[gone][fill].to_numpy()
        records.append(
            {
                "layer": layer,
                "kept": str(both["site_id"].iloc[kept]),
                "merged": str(both["site_id"].iloc[gone]),
                "name": both["name"].iloc[kept],
                "symmetric_difference": difference,
                "rule": "same outline",
            }
        )
    metric = shapely.make_valid(both.to_crs(LAMBERT93).geometry.to_numpy())
    tree = shapely.STRtree(metric)
    for k in np.flatnonzero(rank == 2):
        if k in drop:
            continue
        near = [int(n) for n in tree.query(metric[k], predicate="intersects") if n != k]
        near = [n for n in near if n not in drop]
        if not near:
            continue
        shares = shapely.area(shapely.intersection(metric[k], metric[near])) / metric[k].area
        covered = shapely.area(
            shapely.intersection(metric[k], shapely.union_all(metric[near]))
        ) / shapely.area(metric[k])
        if covered < COVERED_MIN_SHARE:
            continue
        kept = near[int(np.argmax(shares))]
        drop.add(int(k))
        other_ids.setdefault(kept, []).append(str(both["site_id"].iloc[k]))
        records.append(
            {
                "layer": layer,
                "kept": str(both["site_id"].iloc[kept]),
                "merged": str(both["site_id"].iloc[k]),
                "name": both["name"].iloc[kept],
                "symmetric_difference": round(
                    float(
                        shapely.area(shapely.symmetric_difference(metric[k], metric[kept]))
                        / shapely.area(shapely.union(metric[k], metric[kept]))
                    ),
                    4,
                ),
                "rule": f"covered {covered:.1%} by other rows",
            }
        )
    both["listed"] = element
    both["unesco"] = element
    both["buffer_zone_inventory"] = buffer_flag
    both["other_ids"] = [
        "; ".join(other_ids[k]) if k in other_ids else None for k in range(len(both))
    ]
    out = both.drop(index=sorted(drop)).drop(columns="_buffer").reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84), records
