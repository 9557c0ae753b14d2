"""The shipped data is what the build script makes from the sources, in one schema."""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from build_data import build_boundaries
from build_schema import apply_schema, sole_commune

import bassin_geo as bg
from bassin_geo.crs import LAMBERT93
from bassin_geo.data.catalog import LAYERS, LEGACY_COLUMNS, SITE_KINDS, UNIFORM_COLUMNS

# The source files sit beside the repository; a worktree elsewhere names them by variable.
SOURCES = Path(
    os.environ.get("BASSIN_GEO_SOURCES", Path(__file__).resolve().parents[2] / "shared" / "data")
)
INSEE = re.compile(r"^(59|62)\d{3}$")


@pytest.fixture(scope="module")
def shipped() -> dict[str, gpd.GeoDataFrame]:
    """Every embedded layer, read straight from the GeoPackage (not through the loaders)."""
    path = bg.data_dir() / "bassin_minier.gpkg"
    return {name: gpd.read_file(path, layer=name) for name in LAYERS}


@pytest.fixture(scope="module")
def ign_communes(shipped: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The IGN communes of Nord and Pas-de-Calais in Lambert-93, indexed by INSEE code."""
    return shipped["communes_nord_pas_de_calais"].to_crs(LAMBERT93).set_index("insee")


@pytest.mark.skipif(not (SOURCES / "official").is_dir(), reason="source files not beside the repo")
def test_rebuild_matches_shipped_layers(tmp_path):
    provenance = build_boundaries(SOURCES, tmp_path)
    for key in (
        "commune_disagreements",
        "schema",
        "duplicates",
        "flags",
        "buffer_zone",
        "column_definitions",
        "inputs",
    ):
        assert provenance[key] == bg.load_provenance()[key], key
    for name in bg.list_layers()["name"]:
        rebuilt = gpd.read_file(tmp_path / "bassin_minier.gpkg", layer=name)
        shipped = gpd.read_file(bg.data_dir() / "bassin_minier.gpkg", layer=name)
        assert list(rebuilt.columns) == list(shipped.columns), name
        assert rebuilt["site_id"].tolist() == shipped["site_id"].tolist(), name
        for col in LAYERS[name].uniform_columns:
            pd.testing.assert_series_equal(rebuilt[col], shipped[col], obj=f"{name}.{col}")
        assert rebuilt.geometry.geom_equals_exact(shipped.geometry, 1e-9).all(), name


def test_embedded_data_reads_with_fiona_too():
    path = bg.data_dir() / "bassin_minier.gpkg"
    for name in ("pitheads", "property", "railways"):
        a = gpd.read_file(path, layer=name, engine="fiona")
        b = gpd.read_file(path, layer=name, engine="pyogrio")
        assert a["site_id"].tolist() == b["site_id"].tolist()
        assert a.geometry.geom_equals_exact(b.geometry, 0).all()


# --- one schema ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_starts_with_the_uniform_columns(shipped, name):
    gdf = shipped[name]
    info = LAYERS[name]
    expected = list(UNIFORM_COLUMNS if info.commune_rule else UNIFORM_COLUMNS[:3])
    assert list(gdf.columns[: len(expected)]) == expected
    if info.commune_rule is None:
        assert "commune" not in gdf and "insee" not in gdf
    ids = gdf["site_id"]
    assert ids.notna().all() and ids.map(type).eq(str).all()
    assert ids.is_unique
    # A name is text as in the source, or empty: never a number or an empty string.
    names = gdf["name"].dropna()
    assert names.map(type).eq(str).all() and names.str.strip().ne("").all()
    if info.kind is None:
        assert set(gdf["kind"]) <= set(SITE_KINDS)
    else:
        assert (gdf["kind"] == info.kind).all()


def test_site_ids_are_unique_across_layers_where_they_name_different_things(shipped):
    # The same site_id in two layers means the same feature: the sites layer repeats the
    # site layers', the two communes layers share their INSEE-based ids. Nothing else does.
    owners: dict[str, set[str]] = {}
    for name, gdf in shipped.items():
        for sid in gdf["site_id"]:
            owners.setdefault(sid, set()).add(name)
    shared = {frozenset(v) for v in owners.values() if len(v) > 1}
    allowed = {"sites", "pitheads", "slag_heaps", "mining_estates", "buildings", "lakes"}
    for layers in shared:
        assert layers <= allowed or layers == {"communes", "communes_nord_pas_de_calais"}


def test_names_come_from_the_sources_only(shipped):
    # The two layers whose source names nothing have no names; the others are all named.
    for name, gdf in shipped.items():
        if name in ("buffer_zone", "railway_components"):
            assert gdf["name"].isna().all(), name
        else:
            assert gdf["name"].notna().all(), name
    assert shipped["property"]["name"].tolist() == shipped["property"]["nom"].tolist()
    ign = shipped["communes_nord_pas_de_calais"]
    assert (ign["name"] == ign["commune"]).all()


@pytest.mark.parametrize("name", [n for n, i in LAYERS.items() if i.commune_rule])
def test_insee_codes_exist_and_match_the_commune_name(shipped, ign_communes, name):
    gdf = shipped[name]
    filled = gdf["insee"].notna()
    assert (filled == gdf["commune"].notna()).all()
    codes = gdf.loc[filled, "insee"]
    assert codes.str.len().eq(5).all() and codes.str.match(INSEE).all()
    assert codes.isin(ign_communes.index).all()
    ign_names = ign_communes.loc[codes, "commune"].to_numpy()
    same = gdf.loc[filled, "commune"].to_numpy() == ign_names
    if name == "communes":
        # The basin's own list keeps its spelling: "La Sentinelle" is IGN's "Sentinelle".
        assert same.sum() >= len(gdf) - 5
    else:
        assert same.all()


@pytest.mark.parametrize("name", [n for n, i in LAYERS.items() if i.commune_rule == "point"])
def test_point_rule_features_lie_in_their_commune(shipped, ign_communes, name):
    # In WGS84, the layers' own CRS: a representative point is not the same in every CRS.
    gdf = shipped[name]
    assert gdf["insee"].notna().all()
    sample = gdf.sample(n=min(len(gdf), 150), random_state=11)
    geoms = sample.geometry.to_numpy()
    points = np.where(shapely.get_dimensions(geoms) == 0, geoms, shapely.point_on_surface(geoms))
    polygons = ign_communes.loc[sample["insee"]].geometry.to_crs(gdf.crs).to_numpy()
    assert shapely.covers(polygons, points).all()
    # And the commune's polygon reaches the feature itself, not only a point near it.
    assert shapely.intersects(polygons, geoms).all()


@pytest.mark.parametrize("name", [n for n, i in LAYERS.items() if i.commune_rule == "sole"])
def test_sole_rule_features_lie_in_one_commune_or_have_none(shipped, ign_communes, name):
    gdf = shipped[name].to_crs(LAMBERT93)
    assert gdf["insee"].notna().any() and gdf["insee"].isna().any()
    for row in gdf.sample(n=min(len(gdf), 60), random_state=11).itertuples():
        measure = "length" if row.geometry.geom_type.endswith("LineString") else "area"
        whole = getattr(row.geometry, measure)
        near = ign_communes.iloc[ign_communes.sindex.query(row.geometry, predicate="intersects")]
        held = {
            code: getattr(row.geometry.intersection(poly), measure) / whole
            for code, poly in near.geometry.items()
        }
        best = max(held, key=held.__getitem__)
        if pd.isna(row.insee):
            assert held[best] < 0.99, row.site_id
        else:
            assert row.insee == best and held[best] >= 0.99, row.site_id


def test_communes_layers_carry_their_own_name_and_code(shipped):
    for name in ("communes", "communes_nord_pas_de_calais"):
        gdf = shipped[name]
        assert (gdf["commune"] == gdf["name"]).all()
        assert (gdf["site_id"] == "commune:" + gdf["insee"]).all()


def test_legacy_columns_are_listed_for_every_layer_and_duplicate_a_uniform_one(shipped):
    assert set(LEGACY_COLUMNS) == set(LAYERS)
    for name, legacy in LEGACY_COLUMNS.items():
        gdf = shipped[name]
        for old, new in legacy.items():
            assert new in LAYERS[name].uniform_columns
            filled = gdf[old].notna()
            assert (gdf.loc[filled, old] == gdf.loc[filled, new]).all(), (name, old)


def test_provenance_records_the_schema():
    schema = bg.load_provenance()["schema"]
    assert schema["uniform_columns"] == list(UNIFORM_COLUMNS)
    by_layer = {s["name"]: s for s in schema["layers"]}
    assert set(by_layer) == set(LAYERS)
    for name, info in LAYERS.items():
        assert by_layer[name]["commune_rule"] == info.commune_rule
        assert by_layer[name]["legacy_columns"] == LEGACY_COLUMNS[name]
        assert by_layer[name]["name_from"]
    assert "## One schema for every layer" in (bg.data_dir() / "PROVENANCE.md").read_text(
        encoding="utf-8"
    )


def test_nearest_names_the_targets_of_any_layer():
    # Issue 11: nearest(..., "property") gave target_name=None as the layer had only "nom".
    for layer in ("property", "communes", "railways", "epci", "perimeter"):
        found = bg.nearest((3.4, 50.38), layer)
        assert found["target_name"].notna().all(), layer


def test_sole_commune_needs_nearly_the_whole_feature():

    # Two square communes side by side (Lambert-93 metres), and three features.
    communes = gpd.GeoDataFrame(
        {"commune": ["West", "East"], "insee": ["59001", "59002"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        crs=LAMBERT93,
    )
    features = gpd.GeoDataFrame(
        geometry=[
            shapely.box(100, 100, 200, 200),  # all in West
            shapely.box(900, 100, 1100, 200),  # half and half
            shapely.LineString([(1005, 500), (1995, 500)]),  # a line all in East
        ],
        crs=LAMBERT93,
    )
    found = sole_commune(features, communes)
    assert found["insee"].tolist() == ["59001", None, "59002"]
    assert found["commune"].tolist() == ["West", None, "East"]


def test_apply_schema_refuses_duplicate_ids():

    epci = gpd.GeoDataFrame(
        {"site_id": ["epci:1", "epci:1"], "name": ["A", "B"], "nom": ["A", "B"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    with pytest.raises(ValueError, match="site_id"):
        apply_schema({"epci": epci}, gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"))


# --- a rebuild anyone can check -----------------------------------------------------------


def test_sources_file_describes_every_input():
    from build_sources import load_sources

    entries = load_sources()
    paths = [e["path"] for e in entries]
    assert len(paths) == len(set(paths))
    read = {s for info in LAYERS.values() for s in info.sources} | {"tdf2025_stages.csv"}
    assert read <= set(paths)
    for entry in entries:
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]), entry["path"]
        assert entry["url"] and entry["retrieved"] and entry["licence"], entry["path"]
    # The shipped provenance names the same inputs, hash for hash.
    shipped = {e["path"]: e["sha256"] for e in bg.load_provenance()["inputs"]}
    assert shipped == {e["path"]: e["sha256"] for e in entries}


@pytest.mark.skipif(not (SOURCES / "official").is_dir(), reason="source files not beside the repo")
def test_sources_file_hashes_match_the_source_files():
    import hashlib

    from build_sources import load_sources

    for entry in load_sources():
        digest = hashlib.sha256((SOURCES / entry["path"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["path"]


@pytest.mark.skipif(not (SOURCES / "official").is_dir(), reason="source files not beside the repo")
def test_a_tampered_input_is_refused_before_anything_is_written(tmp_path):
    import shutil

    from build_boundaries import main
    from build_sources import SourceCheckError

    copy = tmp_path / "sources"
    shutil.copytree(SOURCES, copy)
    heaps = copy / "official" / "terrils.geojson"
    heaps.chmod(0o644)
    heaps.write_bytes(heaps.read_bytes().replace(b"T074", b"T075", 1))
    target = tmp_path / "out"
    with pytest.raises(SourceCheckError, match=r"official/terrils\.geojson: sha256"):
        build_boundaries(copy, target)
    assert not target.exists()
    assert main(["build_boundaries.py", str(copy), str(target)]) == 2
    assert not target.exists()
    # A missing input is refused the same way.
    heaps.unlink()
    with pytest.raises(SourceCheckError, match=r"official/terrils\.geojson: missing"):
        build_boundaries(copy, target)


# --- one row per feature, flags that mean one thing ----------------------------------------


def _copies(gdf: gpd.GeoDataFrame) -> list[tuple[str, str, float]]:
    """Pairs of rows whose outlines overlap by more than 90 % of their union (measured here)."""
    metric = gdf.to_crs(LAMBERT93).geometry.make_valid().reset_index(drop=True)
    out = []
    for i, geom in enumerate(metric):
        for j in metric.sindex.query(geom, predicate="intersects"):
            if j <= i:
                continue
            other = metric.iloc[j]
            share = geom.intersection(other).area / geom.union(other).area
            if share > 0.9:
                out.append((gdf["site_id"].iloc[i], gdf["site_id"].iloc[j], share))
    return out


@pytest.mark.parametrize("name", ["mining_estates", "slag_heaps", "lakes"])
def test_no_feature_is_counted_twice(shipped, name):
    gdf = shipped[name]
    assert _copies(gdf) == []
    merged = [i for v in gdf["other_ids"].dropna() for i in v.split("; ")]
    assert len(gdf) + len(merged) == {"mining_estates": 321, "slag_heaps": 162, "lakes": 12}[name]
    assert len(merged) == len(set(merged))
    assert not set(merged) & set(gdf["site_id"])


def test_estates_flags_and_merges(shipped):
    estates = shipped["mining_estates"]
    # listed and unesco both mean: the source gives a UNESCO element id.
    assert (estates["listed"] == estates["id_unesco"].notna()).all()
    assert (estates["unesco"] == estates["listed"]).all()
    # The source files' own counts: 124 estates with a UNESCO id (as UNESCO counts 124
    # cités), 162 rows in zt-cites-minieres, every one kept or merged into a kept row.
    assert int(estates["listed"].sum()) == 124
    assert int(estates["buffer_zone_inventory"].sum()) == 162
    buffer_rows = {f"estate:buffer-{i}" for i in range(162)}
    kept_or_merged = set(estates["site_id"]) | {
        i for v in estates["other_ids"].dropna() for i in v.split("; ")
    }
    assert buffer_rows <= kept_or_merged
    # Issue 17's example: Cité de Belgique is one row, the buffer-zone one, with both ids.
    belgique = estates[estates["name"] == "Cité de Belgique"]
    assert belgique["site_id"].tolist() == ["estate:buffer-140"]
    assert belgique["other_ids"].tolist() == ["estate:listed-151"]
    # Merged copies are the same estate by an attribute the geometry test did not use:
    # the ERBM estate number of both copies is the one the kept row carries.
    merges = bg.load_provenance()["duplicates"]["merged"]
    assert len([m for m in merges if m["layer"] == "mining_estates"]) == 321 - len(estates)
    assert all(m["symmetric_difference"] < 0.1 for m in merges if m["rule"] == "same outline")
    by_kept = estates.set_index("site_id")
    for m in merges:
        if m["layer"] == "mining_estates" and m["merged"].startswith("estate:listed-"):
            if m["kept"].startswith("estate:buffer-"):
                assert pd.notna(by_kept.loc[m["kept"], "id_lsm"]), m
    # What is left in neither inventory (ERBM estates) is nowhere else in the layer.
    rest = estates[~estates["listed"] & ~estates["buffer_zone_inventory"]].to_crs(LAMBERT93)
    others = estates[estates["listed"] | estates["buffer_zone_inventory"]].to_crs(LAMBERT93)
    others_union = others.geometry.make_valid().union_all()
    for row in rest.itertuples():
        geom = row.geometry.buffer(0)
        assert geom.intersection(others_union).area < 0.01 * geom.area, row.site_id


def test_sites_follow_their_layers(shipped):
    sites = shipped["sites"]
    for layer in ("pitheads", "slag_heaps", "mining_estates", "buildings", "lakes"):
        assert set(sites.loc[sites["layer"] == layer, "site_id"]) == set(shipped[layer]["site_id"])
    names = sites[sites["kind"] == "mining_estate"].groupby(["name", "commune"]).size()
    # Same name and commune twice is left only where the outlines differ (checked above).
    assert names.max() <= 2
    assert len(sites) == sum(len(shipped[n]) for n in SITE_LAYERS)


SITE_LAYERS = ("pitheads", "slag_heaps", "mining_estates", "buildings", "lakes")


def test_flags_are_defined_in_the_catalog(shipped):
    from bassin_geo.data.catalog import COLUMN_DEFINITIONS

    for name in SITE_LAYERS + ("sites",):
        for column in COLUMN_DEFINITIONS:
            if column in shipped[name]:
                assert shipped[name][column].notna().any() or column == "other_ids"
    text = (bg.data_dir() / "PROVENANCE.md").read_text(encoding="utf-8")
    for column in COLUMN_DEFINITIONS:
        assert f"- `{column}`:" in text


def test_buffer_zone_with_property_measured_independently(shipped):
    from shapely.ops import unary_union

    zone = unary_union(list(shipped["buffer_zone"].to_crs(LAMBERT93).geometry.make_valid()))
    listed = unary_union(list(shipped["property"].to_crs(LAMBERT93).geometry.make_valid()))
    measured = zone.union(listed).area / 10_000
    figures = bg.load_provenance()["buffer_zone"]
    assert figures["buffer_zone_with_property_ha"] == pytest.approx(measured, abs=0.1)
    assert figures["quoted_buffer_zone_ha"] == 18_804
    assert abs(measured - 18_804) / 18_804 < 0.01
    assert figures["holes"] == sum(len(p.interiors) for p in getattr(zone, "geoms", [zone]))
    assert "18,940.9 ha" in (bg.data_dir() / "PROVENANCE.md").read_text(encoding="utf-8")
