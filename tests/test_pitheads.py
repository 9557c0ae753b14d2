"""Pitheads grouped from shafts: the tricky cases, checked against the source rows."""

from __future__ import annotations

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
