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
