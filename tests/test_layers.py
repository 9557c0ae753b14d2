"""The embedded layers against the source files' own counts and independent measurements."""

from __future__ import annotations

import geopandas as gpd
import pytest

import bassin_geo as bg


def test_counts_match_sources():
    assert len(bg.load_layer("property")) == 109
    assert len(bg.load_layer("shafts")) == 636
    heaps = bg.load_layer("slag_heaps")
    assert int(heaps["listed"].sum()) == 51
    # zt-terrils.geojson has 111 rows; one of them (T140) is the listed heap T140 again
    # (same number, same area to 0.01 %, outline shifted a few metres), merged into the
    # listed row (issue 17): 111 rows of the buffer-zone inventory, 110 not listed.
    assert int(heaps["buffer_zone_inventory"].sum()) == 111
    assert int((~heaps["listed"]).sum()) == 110
    assert len(bg.load_layer("communes")) == 330


def test_perimeter_area_measured_in_lambert93():
    perimeter = bg.load_perimeter()
    measured = perimeter.to_crs(2154).area.sum() / 10_000
    assert measured == pytest.approx(179_475, abs=1)
    assert float(perimeter["area_ha"].iloc[0]) == pytest.approx(measured, abs=1)


def test_layers_are_wgs84():
    for name in bg.list_layers()["name"]:
        gdf = bg.load_layer(name)
        assert gdf.crs.to_epsg() == 4326, name
        assert isinstance(gdf, gpd.GeoDataFrame)


@pytest.mark.parametrize(
    ("query", "commune"),
    [
        ("Arenberg", "Wallers"),
        ("fosse Delloye", "Lewarde"),
        ("9-9bis", "Oignies"),
        ("11/19", "Loos-en-Gohelle"),
        ("fosse 9 Lens", "Lens"),
        ("Louvre-Lens", "Lens"),
        ("Centre historique minier", "Lewarde"),
    ],
)
def test_famous_pits(query, commune):
    site = bg.get_site(query)
    assert site["kind"] == "pithead"
    assert site["commune"] == commune


def test_unknown_layer_lists_available():
    with pytest.raises(bg.UnknownLayerError, match="pitheads"):
        bg.load_layer("pithead")


# ------------------------------------------------------------------ deprecated call forms
def test_loader_flags_by_position_still_work_with_a_warning():
    with pytest.warns(FutureWarning, match="headframe=True"):
        old = bg.load_pitheads(True)
    assert old["site_id"].tolist() == bg.load_pitheads(headframe=True)["site_id"].tolist()
    with pytest.warns(FutureWarning, match="unesco=True"):
        old = bg.load_sites("slag_heap", True)
    new = bg.load_sites("slag_heap", unesco=True)
    assert old["site_id"].tolist() == new["site_id"].tolist()
    with pytest.warns(FutureWarning, match="all_nord_pas_de_calais=True"):
        assert len(bg.load_communes(True)) == len(bg.load_communes(all_nord_pas_de_calais=True))


def test_check_flag_is_public_and_documented():
    from bassin_geo._validate import check_flag

    assert check_flag(None, "x") is None and check_flag(True, "x") is True
    with pytest.raises(bg.InvalidInputError, match="x must be True, False or None"):
        check_flag("no", "x")


def test_data_dir_holds_the_embedded_files():
    folder = bg.data_dir()
    assert (folder / "bassin_minier.gpkg").is_file()
    assert (folder / "provenance.json").is_file()


# ------------------------------------------------------------------ the one resolver
def test_the_row_get_site_returns_is_a_place():
    row = bg.get_site("Arenberg")
    # Was UnknownSiteError: the row was iterated as a list of values ("pithead"...).
    assert bg.distance(row, "11/19") == pytest.approx(bg.distance("Arenberg", "11/19"))
    places = bg.as_places(row)
    assert places["site_id"].tolist() == ["pit:wallers-arenberg"]
    assert places.geometry.iloc[0].equals(row["geometry"])


def test_a_row_of_a_polygon_site_resolves_to_its_polygon():
    row = bg.get_site("Terril Sainte-Marie")
    point = bg.as_places(row).geometry.iloc[0]
    polygon = bg.as_places(row, resolve_polygons=True).geometry.iloc[0]
    assert point.geom_type == "Point" and polygon.geom_type in {"Polygon", "MultiPolygon"}
    assert polygon.equals(bg.as_places("Terril Sainte-Marie", resolve_polygons=True).geometry[0])


def test_a_frame_of_search_results_resolves_its_site_ids():
    import pandas as pd

    sites = bg.load_sites(kind="pithead").iloc[:3]
    found = pd.DataFrame({"site_id": sites["site_id"], "name": sites["name"], "score": 1.0})
    places = bg.as_places(found)
    assert places["site_id"].tolist() == sites["site_id"].tolist()
    assert places.crs.to_epsg() == 4326
    assert places.geometry.geom_equals(sites.geometry.reset_index(drop=True)).all()
    with pytest.raises(bg.UnknownSiteError, match="no site matches"):
        bg.as_places(pd.DataFrame({"site_id": ["pit:atlantis"]}))
    with pytest.raises(bg.InvalidInputError, match="site_id column"):
        bg.as_places(pd.DataFrame({"name": ["Arenberg"]}))


def test_a_list_may_mix_every_kind_of_place():
    import pandas as pd
    import shapely

    frame = bg.load_pitheads().iloc[:2].to_crs(2154)
    places = bg.as_places(
        [
            "11/19",
            bg.get_site("Arenberg"),
            (3.0, 50.4),
            shapely.Point(3.1, 50.3),
            pd.DataFrame({"site_id": ["pit:wallers-arenberg"]}),
            frame,
        ]
    )
    assert len(places) == 7 and places.crs.to_epsg() == 4326
    assert places["site_id"].iloc[2:4].tolist() == ["place:2", "place:3"]
    assert places["site_id"].iloc[5:].tolist() == frame["site_id"].tolist()
    assert places.geometry.iloc[5].distance(frame.to_crs(4326).geometry.iloc[0]) < 1e-9
