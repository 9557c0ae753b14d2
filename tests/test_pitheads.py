"""Pitheads grouped from shafts: the tricky cases, checked against the source rows."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from build_data import group_shafts
from pyproj import Geod, Transformer
from shapely import Point

import bassin_geo as bg
from bassin_geo._text import compact

GEOD = Geod(ellps="WGS84")
TO_L93 = Transformer.from_crs(4326, 2154, always_xy=True)
# The source files sit beside the repository; a worktree elsewhere names them by variable.
SOURCES = Path(
    os.environ.get("BASSIN_GEO_SOURCES", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def _shafts(rows):
    """rows: (fosse, alias, compagnie, lon, lat)."""
    return gpd.GeoDataFrame(
        {
            "fosse": [r[0] for r in rows],
            "fosse_alias": [r[1] for r in rows],
            "compagnie": [r[2] for r in rows],
        },
        geometry=[Point(r[3], r[4]) for r in rows],
        crs=4326,
    )


def test_alias_joins_shafts_filed_under_other_company():
    s = _shafts(
        [
            ("Pierre Destombes", "11 - 19", "Société des mines de Lens", 2.7932, 50.4583),
            ("19", "11 - 19", "groupe de Lens-Liévin", 2.7940, 50.4585),
        ]
    )
    assert group_shafts(s).tolist() == [0, 0]


def test_same_name_far_apart_stays_two_pits():
    # About 20 km apart: two pits that happen to share a saint's name.
    s = _shafts(
        [
            ("Sainte-Barbe", None, "Compagnie d'Anzin", 3.40, 50.38),
            ("Sainte-Barbe", None, "Compagnie d'Anzin", 3.68, 50.40),
        ]
    )
    assert group_shafts(s).tolist() == [0, 1]


def test_bare_number_needs_same_company_or_very_close():
    # Two "fosse 2" of different companies 400 m apart: different pits.
    s = _shafts(
        [
            ("2", None, "Compagnie de Carvin", 3.000, 50.400),
            ("2", None, "Compagnie d'Ostricourt", 3.0056, 50.400),
        ]
    )
    assert group_shafts(s).tolist() == [0, 1]
    s.loc[1, "compagnie"] = "Compagnie de Carvin"
    assert group_shafts(s).tolist() == [0, 0]


@pytest.fixture(scope="module")
def pits():
    return bg.load_pitheads()


@pytest.fixture(scope="module")
def shafts():
    return bg.load_layer("shafts")


def test_every_shaft_in_exactly_one_pit(pits, shafts):
    assert pits["n_shafts"].sum() == len(shafts) == 636
    ids = [s["shaft_id"] for lst in pits["shafts"] for s in lst]
    assert sorted(ids) == sorted(shafts["site_id"])
    assert shafts["pithead_id"].isin(pits["site_id"]).all()


def test_arenberg_keeps_shaft_filed_under_valenciennes(pits):
    arenberg = pits[pits["site_id"] == bg.get_site("Arenberg")["site_id"]].iloc[0]
    assert arenberg["n_shafts"] == 3
    assert "Groupe de Valenciennes" in arenberg["compagnies"]
    assert arenberg["commune"] == "Wallers"


def test_11_19_has_both_shafts(pits):
    pit = pits[pits["site_id"] == bg.get_site("11/19")["site_id"]].iloc[0]
    assert sorted(s["puits"] for s in pit["shafts"]) == ["11", "19"]


def test_pithead_is_centroid_of_its_shafts(pits, shafts):
    by_pit = shafts.groupby("pithead_id")
    for _, pit in pits.iterrows():
        members = by_pit.get_group(pit["site_id"])
        x, y = TO_L93.transform(members.geometry.x.to_numpy(), members.geometry.y.to_numpy())
        lon, lat = TO_L93.transform(np.mean(x), np.mean(y), direction="INVERSE")
        _, _, dist = GEOD.inv(lon, lat, pit.geometry.x, pit.geometry.y)
        assert dist < 0.5, pit["site_id"]


def test_shafts_of_one_pit_are_close(pits, shafts):
    for pit_id, members in shafts.groupby("pithead_id"):
        if len(members) < 2:
            continue
        lon, lat = members.geometry.x.to_numpy(), members.geometry.y.to_numpy()
        _, _, d = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        assert d.max() < 1_800, pit_id


def test_famous_pits_are_listed_with_headframe():
    for query in ("Arenberg", "Delloye", "9-9bis", "11/19"):
        site = bg.get_site(query)
        pit = bg.load_pitheads().set_index("site_id").loc[site["site_id"]]
        assert bool(pit["unesco"]) and bool(pit["headframe"]), query


def test_every_pit_building_matched_to_one_pit(pits):
    buildings = bg.load_layer("buildings")
    pit_buildings = set(
        buildings.loc[buildings["typologie"].isin(["Fosse", "Chevalement"]), "site_id"]
    )
    matched = [b for v in pits["headframe_building"].dropna() for b in v.split("; ")]
    assert len(pit_buildings) == 25
    assert sorted(matched) == sorted(pit_buildings)


def test_commune_disagreements_listed_exactly(shafts):
    """Recompute, independently, which shafts sit outside the commune their row names."""
    communes = bg.load_communes(all_nord_pas_de_calais=True)
    joined = gpd.sjoin(
        shafts[["site_id", "source_commune", "geometry"]],
        communes[["commune", "geometry"]],
        predicate="within",
        how="left",
    )
    disagree = {
        sid
        for sid, src, com in zip(
            joined["site_id"], joined["source_commune"], joined["commune"], strict=True
        )
        if isinstance(src, str) and (not isinstance(com, str) or compact(src) != compact(com))
    }
    listed = {
        d["site_id"]
        for d in bg.load_provenance()["commune_disagreements"]
        if d["layer"] == "shafts"
    }
    assert listed == disagree
    assert 0 < len(listed) < len(shafts) / 4


def test_site_ids_unique_and_kinds_present():
    sites = bg.load_sites()
    assert sites["site_id"].is_unique
    assert set(sites["kind"]) == {"pithead", "slag_heap", "mining_estate", "building", "lake"}
    assert (sites["kind"] == "pithead").sum() == len(bg.load_pitheads())


def test_headframe_flags_say_what_stands_there(pits):
    # Independently: the typology of each matched building, read from the buildings layer.
    buildings = bg.load_layer("buildings").set_index("site_id")["typologie"]
    for pit in pits.itertuples():
        matched = (
            pit.headframe_building.split("; ") if isinstance(pit.headframe_building, str) else []
        )
        kinds = {buildings[b] for b in matched}
        assert bool(pit.headframe) == bool(matched), pit.site_id
        assert bool(pit.listed_headframe) == ("Chevalement" in kinds), pit.site_id
        assert bool(pit.listed_pit_building) == ("Fosse" in kinds), pit.site_id
    # The buildings layer has 8 "Chevalement" and 17 "Fosse" rows, each at its own pit.
    assert int(pits["listed_headframe"].sum()) == (buildings == "Chevalement").sum() == 8
    assert int(pits["listed_pit_building"].sum()) == (buildings == "Fosse").sum() == 17
    assert int(pits["headframe"].sum()) == 25
    # Fosse Sarteau's building is the "Pompe à feu": a pit building, not a headframe.
    sarteau = pits[pits["headframe_building"].fillna("").str.contains("building:82")]
    assert sarteau["listed_pit_building"].tolist() == [True]
    assert sarteau["listed_headframe"].tolist() == [False]


def test_pits_outside_the_contour_are_flagged(pits, shafts):
    perimeter = bg.load_perimeter().to_crs(2154).geometry.iloc[0]
    for layer in (pits, shafts, bg.load_sites()):
        inside = layer.to_crs(2154).geometry.within(perimeter)
        assert (layer["in_contour"] == inside).all()
    outside = pits[~pits["in_contour"]]
    assert {"Rœux", "Fampoux", "Pelves", "Monchy-le-Preux"} <= set(outside["commune"])
    assert len(outside) == 11
    sites = bg.load_sites()
    assert set(sites.loc[~sites["in_contour"], "site_id"]) == set(outside["site_id"])


def test_heap_number_is_the_source_attribute():
    heaps = bg.load_layer("slag_heaps")
    assert heaps["heap_number"].notna().all()
    assert heaps["heap_number"].str.fullmatch(r"T\d{3}[a-z]?").all()
    assert (heaps["heap_number"] == heaps["terril"]).all()
    by_name = heaps.set_index("site_id")["heap_number"]
    assert by_name["slag:T074"] == "T074"
    sites = bg.load_sites().set_index("site_id")
    heap_sites = sites[sites["kind"] == "slag_heap"]
    assert (heap_sites["heap_number"] == by_name.reindex(heap_sites.index)).all()
    assert sites.loc[sites["kind"] != "slag_heap", "heap_number"].isna().all()


@pytest.mark.skipif(not (SOURCES / "official").is_dir(), reason="source files not beside the repo")
def test_heap_numbers_match_the_source_files():
    listed = gpd.read_file(SOURCES / "official" / "terrils.geojson")["no_terril"]
    buffer = gpd.read_file(SOURCES / "official" / "zt-terrils.geojson")["id"]
    shipped = bg.load_layer("slag_heaps")["heap_number"]
    # Every source number is there; T140 is in both files and is one heap here.
    assert set(shipped) == set(listed) | set(buffer)
    assert len(shipped) == len(listed) + len(buffer) - 1
