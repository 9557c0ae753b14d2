"""KML for Google Earth and My Maps, read back by GDAL (the venv's and Debian's ogrinfo)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import geopandas as gpd
import pyogrio
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import InvalidInputError
from bassin_geo.io import to_kml
from bassin_geo.styles import STYLES

NS = {"k": "http://www.opengis.net/kml/2.2"}


def _kml_color(color: str, opacity: float = 1.0) -> str:
    """Independent #rrggbb -> aabbggrr."""
    r, g, b = color[1:3], color[3:5], color[5:7]
    return f"{round(opacity * 255):02x}{b}{g}{r}".lower()


@pytest.fixture(scope="module")
def basin(tmp_path_factory):
    return to_kml(["slag_heaps", "pitheads", "shafts"], tmp_path_factory.mktemp("kml") / "b.kml")


def _read(path, **kwargs):
    """The KML read by GDAL, with its columns as GDAL >= 3.9 names them (3.8 says
    "Description" where later versions say "description")."""
    frame = pyogrio.read_dataframe(path, **kwargs)
    return frame.rename(columns={"Description": "description"})


def test_gdal_reads_names_and_descriptions(basin):
    layers = list(pyogrio.list_layers(basin)[:, 0])
    assert layers == ["Terrils", "Fosses (puits de mine groupés)", "Puits de mine"]
    heaps = _read(basin, layer="Terrils")
    source = bg.load_layer("slag_heaps")
    assert len(heaps) == len(source)
    named = source["name"].fillna("").astype(str).ne("")
    assert list(heaps.loc[named.to_numpy(), "Name"]) == list(source.loc[named, "name"])
    assert heaps["description"].str.startswith("terril").all()
    pits = _read(basin, layer="Fosses (puits de mine groupés)")
    assert len(pits) == len(bg.load_layer("pitheads"))
    assert pits.geometry.geom_type.eq("Point").all()


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo missing")
def test_debian_gdal_opens_it_silently(basin):
    run = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(basin)], capture_output=True, text=True, check=True
    )
    assert run.stderr == ""
    counts = [int(n) for n in re.findall(r"Feature Count: (\d+)", run.stdout)]
    assert counts == [len(bg.load_layer(n)) for n in ("slag_heaps", "pitheads", "shafts")]


def test_styles_come_from_the_style_table(basin):
    root = ET.parse(basin).getroot()
    styles = {s.get("id"): s for s in root.iter(f"{{{NS['k']}}}Style")}
    heaps = root.find("k:Document/k:Folder", NS)
    listed = STYLES["slag_heaps"].categories[True]
    for placemark in heaps.findall("k:Placemark", NS):
        style = styles[placemark.findtext("k:styleUrl", namespaces=NS).lstrip("#")]
        data = {
            d.get("name"): d.findtext("k:value", namespaces=NS)
            for d in placemark.iter(f"{{{NS['k']}}}Data")
        }
        poly = style.findtext("k:PolyStyle/k:color", namespaces=NS)
        if data["listed"] == "True":
            assert poly == _kml_color(listed.fill_color, listed.fill_opacity)
        else:
            assert poly != _kml_color(listed.fill_color, listed.fill_opacity)
    folders = root.findall("k:Document/k:Folder", NS)
    # Shafts are off at first, as on the map.
    assert folders[2].findtext("k:visibility", namespaces=NS) == "0"
    assert folders[0].find("k:visibility", NS) is None


def test_routes_and_itineraries(tmp_path):
    out = to_kml(
        {"étape": bg.load_stage(2025, 1), "tour": bg.itinerary(["9-9bis", "11/19"])},
        tmp_path / "r.kml",
        lang="en",
    )
    stage = _read(out, layer="étape")
    assert "climb, Cassel, km 106.0" in set(stage["description"])
    leg = _read(out, layer="tour")
    assert leg["Name"].iat[0] == "Fosse 9 - 9 bis Declercq-Crombez → Fosse 11 - 19 Pierre Destombes"
    assert leg["description"].iat[0] == "14.2 km"


def test_names_never_break_the_xml_and_options_are_checked(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"name": ["A & <B> \x00\x1b"], "note": ['"quoted" ]]>']},
        geometry=[shapely.Polygon([(3, 50), (3.1, 50), (3.1, 50.1)])],
        crs=4326,
    )
    out = to_kml({"mine": gdf}, tmp_path / "m.kml", precision=3)
    root = ET.parse(out).getroot()
    assert root.findtext(".//k:Placemark/k:name", namespaces=NS) == "A & <B> "
    coords = root.findtext(".//k:coordinates", namespaces=NS).split()
    assert coords[0] == "3.000,50.000"
    with pytest.raises(InvalidInputError, match="lang"):
        to_kml(gdf, tmp_path / "x.kml", lang="de")
    with pytest.raises(InvalidInputError, match="precision"):
        to_kml(gdf, tmp_path / "x.kml", precision=True)
    with pytest.raises(bg.OverwriteError):
        to_kml(gdf, out)
