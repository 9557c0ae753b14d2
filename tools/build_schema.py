"""The uniform columns of every embedded layer: site_id, name, kind, commune, insee.

Each layer's build gives it its ``site_id`` and its ``name`` (from the source attributes);
:func:`apply_schema` then adds the ``kind`` the catalog gives the layer and the
``commune``/``insee`` its commune rule asks for (:data:`bassin_geo.data.catalog.COMMUNE_RULES`),
puts the uniform columns first and checks them, so that the loaders and the analyses can
read one set of column names on every layer.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo.crs import LAMBERT93
from bassin_geo.data.catalog import COMMUNE_RULES, LAYERS, LEGACY_COLUMNS, UNIFORM_COLUMNS

__all__ = [
    "NAME_SOURCES",
    "SOLE_COMMUNE_SHARE",
    "apply_schema",
    "commune_at_points",
    "representative_points",
    "schema_provenance",
    "sole_commune",
]

#: Share of a feature's area or length one commune must hold to be the feature's commune
#: under the "sole" rule: the rest is the slivers left by simplified commune boundaries.
SOLE_COMMUNE_SHARE = 0.99

#: How each layer's ``name`` is made, as written in the provenance.
NAME_SOURCES: dict[str, str] = {
    "perimeter": "source attribute nom",
    "property": "source attribute nom",
    "buffer_zone": "none in the source: empty",
    "pitheads": "the pit number and proper name its shafts carry in the shaft inventory "
    '(fosse, fosse_alias), after "Fosse " unless the name starts with it',
    "shafts": '"Puits " + the source attribute puits ("Puits" when it is empty)',
    "slag_heaps": "source attribute nom_usuel (zt-terrils), else nom",
    "mining_estates": "source attribute nom, else nom_2",
    "buildings": "source attribute nom, else denomination",
    "railways": "source attribute nom",
    "railway_components": "none in the source: empty",
    "lakes": "source attribute nom",
    "communes": "source attribute nom",
    "communes_nord_pas_de_calais": "source attribute commune (IGN name)",
    "epci": "source attribute nom",
    "sites": "the name of the site in its own layer",
}


def representative_points(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point inside each geometry (a centroid may fall outside a crescent), same CRS."""
    return gpd.GeoSeries(shapely.point_on_surface(gdf.geometry.to_numpy()), crs=gdf.crs)


def commune_at_points(points: gpd.GeoSeries, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Commune name and INSEE code of the polygon holding each point (None outside).

    ``points`` and ``communes`` share one CRS; ``communes`` has ``commune`` and ``insee``.
    The result has one row per point, numbered from 0.
    """
    idx_pts, idx_com = communes.sindex.query(points.to_numpy(), predicate="within")
    out = pd.DataFrame(
        {
            "commune": pd.Series([None] * len(points), dtype=object),
            "insee": pd.Series([None] * len(points), dtype=object),
        }
    )
    out.loc[idx_pts, "commune"] = communes["commune"].to_numpy()[idx_com]
    out.loc[idx_pts, "insee"] = communes["insee"].to_numpy()[idx_com]
    return out


def sole_commune(
    gdf: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, share: float = SOLE_COMMUNE_SHARE
) -> pd.DataFrame:
    """The commune holding at least ``share`` of each feature's area or length, else None.

    Polygons are measured by area, lines by length, both in Lambert-93. The result has
    ``commune`` and ``insee`` columns, one row per feature, numbered from 0.
    """
    geoms = gdf.to_crs(LAMBERT93).geometry.to_numpy()
    polys = communes.to_crs(LAMBERT93).geometry.to_numpy()
    lines = shapely.get_dimensions(geoms) == 1
    measure = np.where(lines, shapely.length(geoms), shapely.area(geoms))
    idx_geom, idx_com = shapely.STRtree(polys).query(geoms, predicate="intersects")
    parts = shapely.intersection(geoms[idx_geom], polys[idx_com])
    held = np.where(lines[idx_geom], shapely.length(parts), shapely.area(parts))
    out = pd.DataFrame(
        {
            "commune": pd.Series([None] * len(gdf), dtype=object),
            "insee": pd.Series([None] * len(gdf), dtype=object),
        }
    )
    whole = held >= share * measure[idx_geom]
    # At most one commune can hold more than half of a feature: no row is set twice.
    out.loc[idx_geom[whole], "commune"] = communes["commune"].to_numpy()[idx_com[whole]]
    out.loc[idx_geom[whole], "insee"] = communes["insee"].to_numpy()[idx_com[whole]]
    return out


def apply_schema(
    layers: dict[str, gpd.GeoDataFrame], communes: gpd.GeoDataFrame
) -> dict[str, gpd.GeoDataFrame]:
    """Give every layer its uniform columns, first; check them; return the layers.

    Each layer must already have ``site_id`` and ``name``. ``kind`` is set from the
    catalog where the layer has none; ``commune``/``insee`` are computed by the layer's
    commune rule where they are missing ("own" layers must carry them already).
    ``communes`` are the IGN communes, with ``commune`` and ``insee``.
    """
    out = {}
    for name, gdf in layers.items():
        info = LAYERS[name]
        gdf = gdf.copy()
        if "kind" not in gdf:
            gdf["kind"] = info.kind
        if info.commune_rule in ("point", "sole") and "commune" not in gdf:
            where = (
                sole_commune(gdf, communes)
                if info.commune_rule == "sole"
                else commune_at_points(representative_points(gdf), communes)
            )
            gdf["commune"] = where["commune"].to_numpy()
            gdf["insee"] = where["insee"].to_numpy()
        uniform = list(info.uniform_columns)
        rest = [c for c in gdf.columns if c not in uniform and c != "geometry"]
        gdf = gdf[uniform + rest + ["geometry"]]
        _check(name, gdf)
        out[name] = gdf
    return out


def _check(name: str, gdf: gpd.GeoDataFrame) -> None:
    """Refuse a layer whose uniform or legacy columns are not what the catalog says."""
    ids = gdf["site_id"]
    if ids.isna().any() or ids.duplicated().any():
        msg = f"{name}: site_id must be unique and filled"
        raise ValueError(msg)
    kind = LAYERS[name].kind
    if kind is not None and not (gdf["kind"] == kind).all():
        msg = f"{name}: kind must be {kind!r} on every row"
        raise ValueError(msg)
    for legacy, uniform in LEGACY_COLUMNS[name].items():
        filled = gdf[legacy].notna()
        if not (gdf.loc[filled, legacy] == gdf.loc[filled, uniform]).all():
            msg = f"{name}: legacy column {legacy!r} differs from {uniform!r}"
            raise ValueError(msg)


def schema_provenance(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, object]:
    """The provenance record of the uniform columns: rules, and per layer how each was made."""
    return {
        "uniform_columns": list(UNIFORM_COLUMNS),
        "commune_rules": dict(COMMUNE_RULES),
        "sole_commune_share": SOLE_COMMUNE_SHARE,
        "layers": [
            {
                "name": name,
                "kind": LAYERS[name].kind or "per row: " + ", ".join(sorted(set(gdf["kind"]))),
                "name_from": NAME_SOURCES[name],
                "names_filled": int(gdf["name"].notna().sum()),
                "commune_rule": LAYERS[name].commune_rule,
                "communes_filled": int(gdf["insee"].notna().sum()) if "insee" in gdf else None,
                "legacy_columns": dict(LEGACY_COLUMNS[name]),
            }
            for name, gdf in layers.items()
        ],
    }
