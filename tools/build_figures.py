"""Figures of the provenance measured on the built layers: areas beside the quoted ones, flags.

Every figure here is measured in Lambert-93 (EPSG:2154) on the layers the build writes, so
that the provenance states what a user of the package would measure.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from bassin_geo.crs import LAMBERT93

__all__ = ["UNESCO_BUFFER_HA", "UNESCO_PROPERTY_HA", "buffer_zone_figures", "flag_figures"]

#: The areas quoted for the property and its buffer zone, with where they are quoted.
UNESCO_PROPERTY_HA = 3_943.0
UNESCO_BUFFER_HA = 18_804.0
QUOTED_AT = (
    "Wikipedia infobox of the property (en: 3,943 ha and 18,804 ha; fr: 39.43 km² and "
    "188.04 km²), https://en-wikipedia--on--ipfs-org.ipns.dweb.link/wiki/"
    "Nord-Pas_de_Calais_Mining_Basin"
)


def buffer_zone_figures(
    buffer_zone: gpd.GeoDataFrame, property_: gpd.GeoDataFrame
) -> dict[str, object]:
    """The buffer zone measured alone and together with the property it surrounds.

    The published buffer-zone polygons have holes where the listed components sit; the
    quoted 18,804 ha counts the property inside the buffer zone, so the comparable
    figure is the area of their union.
    """
    zone = shapely.union_all(shapely.make_valid(buffer_zone.to_crs(LAMBERT93).geometry.to_numpy()))
    parts = shapely.make_valid(property_.to_crs(LAMBERT93).geometry.to_numpy())
    listed = shapely.union_all(parts)
    polygons = shapely.get_parts(zone)
    holes = [shapely.Polygon(ring) for poly in polygons for ring in poly.interiors]
    hole_union = shapely.union_all(holes) if holes else shapely.Polygon()
    in_hole = shapely.area(shapely.intersection(parts, hole_union)) > 0.5 * shapely.area(parts)
    union_ha = shapely.area(shapely.union(zone, listed)) / 10_000
    return {
        "buffer_zone_ha": round(zone.area / 10_000, 1),
        "property_ha": round(listed.area / 10_000, 1),
        "overlap_ha": round(shapely.area(shapely.intersection(zone, listed)) / 10_000, 1),
        "buffer_zone_with_property_ha": round(union_ha, 1),
        "quoted_buffer_zone_ha": UNESCO_BUFFER_HA,
        "quoted_property_ha": UNESCO_PROPERTY_HA,
        "difference_pct": round(100 * (union_ha - UNESCO_BUFFER_HA) / UNESCO_BUFFER_HA, 2),
        "quoted_at": QUOTED_AT,
        "holes": len(holes),
        "components": len(parts),
        "components_mostly_in_holes": int(in_hole.sum()),
        "components_touching_holes": int(shapely.intersects(parts, hole_union).sum()),
    }


def flag_figures(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, object]:
    """Counts of the flags of the site layers, as the provenance states them."""
    out: dict[str, object] = {}
    for name in ("slag_heaps", "mining_estates", "lakes"):
        gdf = layers[name]
        out[name] = {
            "features": len(gdf),
            "listed": int(gdf["listed"].sum()),
            "buffer_zone_inventory": int(gdf["buffer_zone_inventory"].sum()),
            "listed_and_buffer_zone_inventory": int(
                (gdf["listed"] & gdf["buffer_zone_inventory"]).sum()
            ),
            "neither": int((~gdf["listed"] & ~gdf["buffer_zone_inventory"]).sum()),
            "merged_copies": int(gdf["other_ids"].notna().sum()),
        }
    pits = layers["pitheads"]
    outside = pits[~pits["in_contour"]]
    out["pitheads"] = {
        "headframe": int(pits["headframe"].sum()),
        "listed_headframe": int(pits["listed_headframe"].sum()),
        "listed_pit_building": int(pits["listed_pit_building"].sum()),
        "in_contour": int(pits["in_contour"].sum()),
        "outside_contour": [
            {
                "site_id": r.site_id,
                "name": r.name,
                "commune": r.commune,
                "sunk": None if pd.isna(r.sunk) else int(r.sunk),
            }
            for r in outside.itertuples()
        ],
    }
    sites = layers["sites"]
    out["sites"] = {
        "features": len(sites),
        "in_contour": int(sites["in_contour"].sum()),
        "heap_numbers": int(sites["heap_number"].notna().sum()),
    }
    return out
