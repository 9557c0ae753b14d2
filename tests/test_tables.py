"""Planners' tables in, their own labels out: CSV, TSV, XLSX and ODS as French offices have them.

The files in tests/data are written by tests/data/make_tables.py from the embedded
pitheads; here they are checked against pyproj and the embedded layer (independent
expectations), then taken through the analyses and back out to CSV and Excel.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from pyproj import CRS, Geod, Transformer

import bassin_geo as bg
from bassin_geo.cli import main
from bassin_geo.errors import (
    BassinGeoWarning,
    CoordinateError,
    DataFileError,
    EmptyInputError,
    InvalidInputError,
)
from bassin_geo.io import to_csv, to_excel
from bassin_geo.io.tables import csv_text, defuse_formulas, round_by_unit
from bassin_geo.places.resolve import row_labels
from bassin_geo.places.tables import read_table

DATA = Path(__file__).parent / "data"
IDS = ["P01", "P02", "P03", "P04", "P05"]
SITE_IDS = [
    "pit:wallers-arenberg",
    "pit:oignies-9-9-bis-declercq-crombez",
    "pit:loos-en-gohelle-11-19-pierre-destombes",
    "pit:lewarde-delloye",
    "pit:bruay-la-buissiere-1",
]
TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


@pytest.fixture(scope="module")
def pits() -> gpd.GeoDataFrame:
    """The five pits of the fixtures, as the embedded layer has them."""
    layer = bg.load_pitheads().set_index("site_id")
    return layer.loc[SITE_IDS]


def _l93(name: str, **options: object) -> gpd.GeoDataFrame:
    """Read a Lambert-93 fixture with its CRS said (no warning expected)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return bg.read_layer(DATA / name, crs="EPSG:2154", **options)


# --- tables in -------------------------------------------------------------------------


def test_french_excel_csv_in_cp1252_with_semicolons_and_decimal_commas(pits):
    raw = (DATA / "adresses_fr.csv").read_bytes()
    assert b";" in raw and b"730276,4" in raw and "è".encode("cp1252") in raw  # the fixture
    gdf = _l93("adresses_fr.csv")
    assert gdf.crs.to_epsg() == 4326
    assert gdf["Commune"].tolist()[-1] == "Bruay-la-Buissière"  # cp1252 decoded
    assert gdf["Coord X (m)"].tolist()[0] == pytest.approx(730276.4)  # decimal comma
    lon, lat = TO_WGS84.transform(gdf["Coord X (m)"].to_numpy(), gdf["Coord Y (m)"].to_numpy())
    np.testing.assert_allclose(gdf.geometry.x, lon, atol=1e-9)
    np.testing.assert_allclose(gdf.geometry.y, lat, atol=1e-9)
    # Within a metre of the embedded pits the fixture was written from (0.1 m rounding).
    _, _, gap = Geod(ellps="WGS84").inv(
        gdf.geometry.x, gdf.geometry.y, pits.geometry.x, pits.geometry.y
    )
    assert np.max(gap) < 1.0


def test_lambert93_recognised_by_its_range_with_a_warning():
    with pytest.warns(BassinGeoWarning, match="Lambert-93"):
        guessed = bg.read_layer(DATA / "adresses_fr.csv")
    said = _l93("adresses_fr.csv")
    assert guessed.geometry.geom_equals_exact(said.geometry, tolerance=1e-12).all()


def test_tab_separated_east_north_columns():
    gdf = _l93("lambert93.tsv")
    assert gdf["Identifiant"].tolist() == IDS
    lon, lat = TO_WGS84.transform(gdf["E"].to_numpy(), gdf["N"].to_numpy())
    np.testing.assert_allclose(gdf.geometry.x, lon, atol=1e-9)


def test_utf8_bom_csv_with_latitude_before_longitude_columns(pits):
    raw = (DATA / "sites_bom.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # degrees: no warning, WGS84
        gdf = bg.read_layer(DATA / "sites_bom.csv")
    assert gdf.columns[0] == "Nom"  # the BOM is not part of the first header
    np.testing.assert_allclose(gdf.geometry.x, pits.geometry.x, atol=1e-6)
    np.testing.assert_allclose(gdf.geometry.y, pits.geometry.y, atol=1e-6)


def test_excel_workbook_written_by_pandas_openpyxl(pits):
    assert bg.list_file_layers(DATA / "visites.xlsx") == ["visites", "notes"]
    with pytest.raises(InvalidInputError, match="2 sheets .*layer="):
        bg.read_layer(DATA / "visites.xlsx")
    gdf = bg.read_layer(DATA / "visites.xlsx", "visites")
    assert gdf["Identifiant"].tolist() == IDS
    np.testing.assert_allclose(gdf.geometry.x, pits.geometry.x, atol=1e-6)
    with pytest.raises(DataFileError, match="no sheet 'Feuil1'"):
        bg.read_layer(DATA / "visites.xlsx", "Feuil1")


def test_opendocument_sheet_with_a_formula_looking_name():
    gdf = _l93("terrain.ods")
    assert gdf["Nom"].iloc[0] == "=Arenberg"  # read as text, not run
    assert bg.list_file_layers(DATA / "terrain.ods") == ["terrain"]


@pytest.mark.parametrize(
    ("header", "x", "y"),
    [
        ("Longitude;Latitude", 3.4251, 50.3847),
        ("LNG;LAT", 3.4251, 50.3847),
        ("long;lat", 3.4251, 50.3847),
        ("coord_x;coord_y", 3.4251, 50.3847),
        ("Longitude (°);Latitude (°)", 3.4251, 50.3847),
        ("X;Y", 3.4251, 50.3847),
    ],
)
def test_point_columns_found_by_name_case_and_accents_ignored(tmp_path, header, x, y):
    path = tmp_path / "t.csv"
    path.write_text(f"Nom;{header}\nArenberg;{x};{y}\n".replace(".", ","), encoding="utf-8")
    gdf = bg.read_layer(path)
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == pytest.approx((x, y))


def test_x_y_options_and_wkt_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("nom,a,b\nArenberg,3.4251,50.3847\n")
    gdf = bg.read_layer(path, x="a", y="b")
    assert gdf.geometry.x.iloc[0] == pytest.approx(3.4251)
    with pytest.raises(InvalidInputError, match="give both x= and y="):
        bg.read_layer(path, x="a")
    with pytest.raises(InvalidInputError, match="x='lon': no such column"):
        bg.read_layer(path, x="lon", y="b")
    shapes = tmp_path / "w.csv"
    shapes.write_text('nom;wkt\nArenberg;"LINESTRING (3.42 50.38, 3.43 50.39)"\n')
    line = bg.read_layer(shapes)
    assert line.geom_type.iloc[0] == "LineString" and "wkt" not in line
    gpkg = tmp_path / "p.geojson"
    line.to_file(gpkg)
    with pytest.raises(InvalidInputError, match="for tables"):
        bg.read_layer(gpkg, x="a", y="b")


def test_no_coordinates_lists_the_columns_and_how_to_name_them(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("nom;adresse;code postal\nMairie;1 place;59000\n")
    with pytest.raises(InvalidInputError) as info:
        bg.read_layer(path)
    message = str(info.value)
    assert "nom, adresse, code postal" in message
    assert "lon/lat" in message and "X/Y" in message and "x='...'" in message


def test_swapped_nan_and_metres_read_as_degrees(tmp_path):
    swapped = tmp_path / "s.csv"
    swapped.write_text("nom,lon,lat\nArenberg,50.3847,3.4251\n")
    with pytest.raises(CoordinateError, match="swap"):
        bg.read_layer(swapped)
    blank = tmp_path / "n.csv"
    blank.write_text("nom;lon;lat\nA;3,42;50,38\nB;;50,4\n")
    with pytest.raises(CoordinateError, match="table rows 3"):
        bg.read_layer(blank)
    text = tmp_path / "t.csv"
    text.write_text("nom;lon;lat\nA;3,42;cinquante\n")
    with pytest.raises(CoordinateError, match="'cinquante', not a number"):
        bg.read_layer(text)
    metres = tmp_path / "m.csv"
    metres.write_text("nom;X;Y\nA;730276,4;7031974,6\n")
    with pytest.raises(CoordinateError, match="holds metres"):
        bg.read_layer(metres, crs="EPSG:4326")
    degrees = tmp_path / "d.csv"
    degrees.write_text("nom;lon;lat\nA;3,42;50,38\n")
    with pytest.raises(CoordinateError, match="longitude/latitude degrees"):
        bg.read_layer(degrees, crs="EPSG:2154")
    elsewhere = tmp_path / "e.csv"
    elsewhere.write_text("nom;X;Y\nA;2000000;3000000\n")
    with pytest.raises(CoordinateError, match="not Lambert-93"):
        bg.read_layer(elsewhere)


def test_empty_table_and_thousands_spaces(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_text("nom;lon;lat\n")
    with pytest.raises(EmptyInputError, match="no row"):
        bg.read_layer(empty)
    spaced = tmp_path / "s.csv"
    spaced.write_text('nom;X;Y\nA;"730\u00a0276,4";"7\u00a0031\u00a0974,6"\n', encoding="utf-8")
    gdf = read_table(spaced, crs=CRS.from_user_input("EPSG:2154"))
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == pytest.approx((730276.4, 7031974.6))


# --- identity kept ---------------------------------------------------------------------


def test_row_labels_rules():
    frame = pd.DataFrame({"Identifiant": ["a", None], "Nom": ["A", "B"]})
    assert row_labels(frame).tolist() == ["a", None]
    assert row_labels(frame, "Nom").tolist() == ["A", "B"]
    assert row_labels(frame.set_index("Nom")).tolist() == ["A", "B"]
    assert row_labels(pd.DataFrame({"lon": [3.0]})) is None
    with pytest.raises(InvalidInputError, match="id='code'"):
        row_labels(frame, "code")


def test_analyses_name_rows_by_the_users_ids():
    gdf = _l93("adresses_fr.csv")
    places = bg.as_places(gdf)
    assert places["site_id"].tolist() == IDS
    assert places["name"].tolist()[0] == "Fosse Arenberg"
    assert bg.as_places(gdf, id="Nom")["site_id"].tolist()[0] == "Fosse Arenberg"
    near = bg.nearest(gdf, targets="pitheads")
    assert near["point_id"].tolist() == IDS
    assert near["target_id"].tolist() == SITE_IDS  # each address is at its own pit
    where = bg.locate(gdf)
    assert where["point_id"].tolist() == IDS
    assert where["commune"].tolist()[0] == "Wallers"
    matrix = bg.distance_matrix(gdf)
    assert matrix.index.tolist() == IDS and matrix.columns.tolist() == IDS
    close = bg.within_distance("9-9bis", 15_000, layer=gdf)  # the user's own rows back
    assert close["Identifiant"].tolist() == ["P02", "P03"] and close.index.tolist() == [1, 2]
    mixed = bg.as_places([gdf, (3.0, 50.4)])
    assert mixed["site_id"].tolist() == [*IDS, "place:5"]


def test_itinerary_stops_keep_the_users_names():
    trip = bg.itinerary(_l93("adresses_fr.csv").iloc[[0, 3]])  # straight legs, no network
    assert trip.stops["site_id"].tolist() == ["P01", "P04"]
    assert trip.stops["name"].tolist() == ["Fosse Arenberg", "Fosse Delloye"]


# --- tables out ------------------------------------------------------------------------


def test_matrix_round_trip_keeps_labels(tmp_path):
    matrix = bg.distance_matrix(_l93("adresses_fr.csv"))
    back = pd.read_csv(to_csv(matrix, tmp_path / "m.csv"), index_col=0)
    assert back.index.name == "origin"
    pd.testing.assert_frame_equal(back, matrix, check_names=False)


def test_excel_csv_opens_in_a_french_excel(tmp_path):
    gdf = _l93("terrain.ods")
    raw = to_csv(gdf, tmp_path / "f.csv", excel=True).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    text = raw.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header == "Nom;X;Y;lon;lat"
    assert first.startswith("'=Arenberg;730276,4;7031974,6;3,42")  # defused, decimal comma
    back = pd.read_csv(tmp_path / "f.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Nom"].tolist()[1:] == gdf["Nom"].tolist()[1:]
    np.testing.assert_allclose(back["lon"], gdf.geometry.x, atol=1e-6)  # 6 decimals by unit
    near = pd.read_csv(
        to_csv(bg.nearest(gdf, targets="pitheads"), tmp_path / "n.csv", excel=True),
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
    )
    assert near["point_id"].tolist() == ["'=Arenberg", *gdf["Nom"].iloc[1:]]  # labelled by Nom
    assert near["distance_m"].tolist() == [0, 0, 0, 0, 0]  # whole metres


def test_plain_csv_keeps_names_exactly_and_wkt_on_request(tmp_path):
    gdf = _l93("terrain.ods")
    back = pd.read_csv(to_csv(gdf, tmp_path / "p.csv"))
    assert back["Nom"].tolist() == gdf["Nom"].tolist()  # "=Arenberg" intact
    wkt = pd.read_csv(to_csv(gdf, tmp_path / "w.csv", wkt=True))
    assert wkt["wkt"].iloc[0].startswith("POINT (3.42")
    rounded_back = pd.read_csv(to_csv(gdf, tmp_path / "r.csv", decimals=2))
    assert rounded_back["lon"].iloc[0] == 3.43
    with pytest.raises(InvalidInputError, match="decimals"):
        to_csv(gdf, tmp_path / "x.csv", decimals=-1)


def test_defuse_formulas_and_csv_text():
    frame = pd.DataFrame({"nom": ["=1+1", "+33", "-x", "@a", "Lens"], "n": [1, 2, 3, 4, 5]})
    assert defuse_formulas(frame)["nom"].tolist() == ["'=1+1", "'+33", "'-x", "'@a", "Lens"]
    assert csv_text(pd.DataFrame({"km": [1.5]}), excel=True) == "km\r\n1,5\r\n"


def test_to_excel_sheets_types_and_names(tmp_path):
    gdf = _l93("adresses_fr.csv")
    near = bg.nearest(gdf, targets="pitheads")
    matrix = bg.distance_matrix(gdf)
    terrain = _l93("terrain.ods")
    when = pd.DataFrame({"jour": pd.to_datetime(["2026-07-14"]).tz_localize("Europe/Paris")})
    out = to_excel(
        {"proches": near, "matrice": matrix, "terrain": terrain, "a/b:c" * 10: when},
        tmp_path / "o.xlsx",
    )
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["proches", "matrice", "terrain"]
    assert len(book.sheetnames[3]) == 31 and "/" not in book.sheetnames[3]
    sheet = book["terrain"]
    assert sheet["A1"].value == "Nom" and sheet["A1"].font.bold
    assert sheet["A2"].value == "=Arenberg" and sheet["A2"].data_type == "s"  # never run
    assert isinstance(sheet["B2"].value, float)  # typed cells
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > len("Fosse 9 - 9 bis Declercq-Crombez")
    back = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert back["proches"]["point_id"].tolist() == IDS
    pd.testing.assert_frame_equal(back["matrice"].set_index("origin"), matrix, check_names=False)
    assert back[book.sheetnames[3]]["jour"].iloc[0] == pd.Timestamp("2026-07-14")
    with pytest.raises(bg.OverwriteError):
        to_excel(near, out)


# --- CLI -------------------------------------------------------------------------------


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_cli_nearest_from_a_french_csv(run):
    result = run(
        "nearest",
        "--input",
        str(DATA / "adresses_fr.csv"),
        "--crs",
        "EPSG:2154",
        "--layer",
        "pitheads",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["point_id"] for r in rows] == IDS
    assert [r["target_id"] for r in rows] == SITE_IDS
    assert all(isinstance(r["distance_m"], int) for r in rows)  # whole metres


def test_cli_places_and_input_are_exclusive(run):
    both = run("nearest", "Arenberg", "--input", str(DATA / "sites_bom.csv"))
    assert both.exit_code == 1 and "not both" in both.output
    neither = run("nearest")
    assert neither.exit_code == 1 and "--input FILE" in neither.output
    stray = run("locate", "Arenberg", "--id", "Nom")
    assert stray.exit_code == 1 and "--input" in stray.output


def test_cli_locate_from_a_workbook_with_id_and_sheet(run):
    result = run(
        "locate",
        "--input",
        str(DATA / "visites.xlsx"),
        "--sheet",
        "visites",
        "--id",
        "Nom",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Nom,point_id")
    assert lines[1].startswith("Fosse Arenberg,Fosse Arenberg")


def test_cli_lambert93_guess_warns_on_one_line(run):
    result = CliRunner().invoke(
        main, ["nearest", "--input", str(DATA / "lambert93.tsv"), "--format", "csv"]
    )
    assert result.exit_code == 0
    assert "warning: " in result.output and "Lambert-93" in result.output


def test_cli_excel_csv_and_rounding(run):
    result = run("nearest", "--input", str(DATA / "sites_bom.csv"), "--excel")
    assert result.output.startswith("\ufeffpoint_index;point_id;")
    assert run("nearest", "3.0,50.4", "--excel", "--format", "json").exit_code == 1
    table = run("distance", "Arenberg", "fosse Delloye", "--format", "csv").output
    assert "distance_m" in table and "." not in table.splitlines()[1].split(",")[-1]
    frame = round_by_unit(
        pd.DataFrame({"length_m": [14208.149828], "km": [14.208149], "lon": [3.1234567891]})
    )
    assert frame.iloc[0].tolist() == [14208, 14.208, 3.123457]


def test_swapped_lambert93_columns_and_unknown_columns(tmp_path):
    swapped = tmp_path / "s.csv"
    swapped.write_text("nom;X;Y\nA;7031974,6;730276,4\n")
    with pytest.raises(CoordinateError, match="X and Y swapped"):
        bg.read_layer(swapped)
    with pytest.raises(InvalidInputError, match="no column 'commune'; the table has Nom"):
        bg.read_layer(DATA / "terrain.ods", crs="EPSG:2154", columns=["commune"])
    only = _l93("terrain.ods", columns=["Nom"])
    assert only.columns.tolist() == ["Nom", "geometry"]


def test_id_without_a_frame_is_refused():
    with pytest.raises(InvalidInputError, match="no frame was given"):
        bg.as_places(["Arenberg"], id="Nom")


def test_a_table_read_with_pandas_goes_straight_into_the_analyses():
    frame = pd.read_csv(DATA / "adresses_fr.csv", sep=";", decimal=",", encoding="cp1252")
    with pytest.warns(BassinGeoWarning, match="Lambert-93"):
        near = bg.nearest(frame, targets="pitheads")
    assert near["point_id"].tolist() == IDS and near["target_id"].tolist() == SITE_IDS
    with pytest.raises(InvalidInputError, match="coordinate columns"):
        bg.as_places(pd.DataFrame({"nom": ["Mairie"], "adresse": ["1 place"]}))


def test_cli_input_geojson_keeps_its_names(run, tmp_path):
    path = tmp_path / "visites.geojson"
    _l93("adresses_fr.csv")[["Nom", "geometry"]].to_file(path)
    rows = json.loads(run("locate", "--input", str(path), "--format", "json").output)
    assert [r["point_id"] for r in rows][:2] == [
        "Fosse Arenberg",
        "Fosse 9 - 9 bis Declercq-Crombez",
    ]


def test_to_excel_cuts_cells_excel_cannot_hold(tmp_path):
    long = pd.DataFrame({"nom": ["Arenberg"], "wkt": ["x" * 40_000]})
    with pytest.warns(BassinGeoWarning, match="32767 characters were cut"):
        out = to_excel({"long": long}, tmp_path / "l.xlsx")
    back = pd.read_excel(out, engine="calamine")
    assert len(back["wkt"].iloc[0]) == 32_767
