"""Issue 19, inputs: writers check what they write, readers refuse what they cannot read.

Every case gets the library's own error (or a BassinGeoWarning) naming what and where,
and a writer that refuses writes nothing.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import BassinGeoWarning, CoordinateError, InvalidInputError
from bassin_geo.io.frames import as_frame

NAN = float("nan")


def _points(*xy: tuple[float, float], crs: object = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [f"p{i}" for i in range(len(xy))]},
        geometry=[shapely.Point(x, y) for x, y in xy],
        crs=crs,
    )


# ------------------------------------------------------------------ writers
WRITERS = [
    pytest.param(bg.to_geojson, "out.geojson", id="geojson"),
    pytest.param(bg.to_gpx, "out.gpx", id="gpx"),
    pytest.param(bg.to_geopackage, "out.gpkg", id="geopackage"),
]


@pytest.mark.parametrize(("writer", "name"), WRITERS)
@pytest.mark.parametrize("bad", [(NAN, NAN), (float("inf"), 50.4), (3.0, NAN)])
def test_writers_refuse_nan_points_and_write_nothing(tmp_path, writer, name, bad):
    gdf = _points((3.0, 50.4), bad)
    gdf.index = ["first", "second"]
    with pytest.raises(CoordinateError, match="NaN or infinite.*row 'second'"):
        writer(gdf, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_writers_refuse_degrees_labelled_lambert93(tmp_path, writer, name):
    with pytest.raises(CoordinateError, match="look like longitude/latitude degrees"):
        writer(_points((3.0, 50.4), (3.1, 50.5), crs="EPSG:2154"), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_out_of_range_degrees_name_the_row():
    gdf = _points((3.0, 50.4), (3.0, 95.0))
    with pytest.raises(CoordinateError, match="row 1 has coordinates that cannot be degrees"):
        as_frame(gdf)


def test_swapped_lat_lon_is_refused():
    with pytest.raises(CoordinateError, match="swap"):
        as_frame(_points((50.4, 3.0), (50.5, 3.1)))


@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_duplicate_column_names_are_refused_before_writing(tmp_path, writer, name):
    gdf = _points((3.0, 50.4))
    gdf = gpd.GeoDataFrame(
        pd.concat([gdf[["name"]], gdf[["name"]]], axis=1), geometry=gdf.geometry, crs=gdf.crs
    )
    with pytest.raises(InvalidInputError, match="'name' appear more than once"):
        writer(gdf, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_no_crs_degrees_are_taken_as_wgs84_with_a_warning():
    gdf = _points((3.0, 50.4), crs=None)
    with pytest.warns(BassinGeoWarning, match=r"no CRS.*set_crs\('EPSG:4326'\)"):
        out = as_frame(gdf)
    assert out.crs.to_epsg() == 4326


def test_no_crs_metres_are_an_error_not_a_warning():
    gdf = _points((704_000.0, 7_030_000.0), crs=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CoordinateError, match="set_crs\\('EPSG:2154'"):
            as_frame(gdf)


def test_a_frame_in_wgs84_passes_silently():
    gdf = _points((3.0, 50.4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert as_frame(gdf) is gdf


def test_a_lambert93_frame_is_converted():
    gdf = _points((3.0, 50.4)).to_crs(2154)
    out = as_frame(gdf)
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].x == pytest.approx(3.0)
