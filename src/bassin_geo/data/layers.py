"""The embedded layers of the basin: list them, load them, read their provenance.

The files live in ``data/boundaries`` at the root of a source checkout and in
``bassin_geo/data/boundaries`` inside an installed wheel (``pyproject.toml`` copies them
there); :func:`data_dir` finds either.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from bassin_geo._compat import keyword_only
from bassin_geo._validate import check_flag
from bassin_geo.data.catalog import GPKG_NAME, LAYERS, PROVENANCE_NAME, SITE_KINDS
from bassin_geo.errors import DataFileError, InvalidInputError, UnknownLayerError

__all__ = [
    "data_dir",
    "list_layers",
    "load_communes",
    "load_layer",
    "load_perimeter",
    "load_pitheads",
    "load_provenance",
    "load_sites",
    "read_cached",
]


def data_dir() -> Path:
    """Folder holding the embedded GeoPackage and its provenance.

    In an installed wheel the data sits inside the package (``bassin_geo/data/boundaries``);
    in a source checkout it is the repository's ``data/boundaries``.

    Returns
    -------
    pathlib.Path
        The folder, holding ``bassin_minier.gpkg`` and ``provenance.json``.

    Raises
    ------
    DataFileError
        When neither place holds the GeoPackage (a broken install).

    Examples
    --------
    >>> (data_dir() / "bassin_minier.gpkg").is_file()
    True
    """
    here = Path(__file__).resolve().parent  # bassin_geo/data
    candidates = [here / "boundaries"]  # an installed wheel
    if len(here.parents) > 2:  # a source checkout: <root>/src/bassin_geo/data
        candidates.append(here.parents[2] / "data" / "boundaries")
    for candidate in candidates:
        if (candidate / GPKG_NAME).is_file():
            return candidate
    msg = (
        f"the embedded layers ({GPKG_NAME}) were not found next to the package nor in the "
        "repository's data/boundaries/: reinstall bassin-geo, or rebuild them with "
        "`python tools/build_boundaries.py`"
    )
    raise DataFileError(msg)


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def _check_name(name: str) -> str:
    if not isinstance(name, str):
        # A list is unhashable: `name not in LAYERS` would raise a bare TypeError.
        msg = (
            f"a layer name must be a str, got {type(name).__name__} ({name!r:.60}); for "
            "several layers use [load_layer(n) for n in names]"
        )
        raise InvalidInputError(msg)
    if name not in LAYERS:
        close = difflib.get_close_matches(str(name), list(LAYERS), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        msg = f"no embedded layer named {name!r}.{hint} Available layers: {', '.join(LAYERS)}"
        raise UnknownLayerError(msg)
    return name


@functools.cache
def read_cached(name: str) -> gpd.GeoDataFrame:
    """The cached frame of a layer, shared: read it, never change it.

    The loaders (:func:`load_layer` and the shortcuts) return copies; the gazetteer and
    the resolver read this shared frame to avoid a copy per lookup.

    Parameters
    ----------
    name : str
        An embedded layer's name (not checked: use :func:`load_layer` for user input).

    Returns
    -------
    GeoDataFrame
        The layer in WGS84, the same object on every call.

    Examples
    --------
    >>> read_cached("sites") is read_cached("sites")
    True
    """
    gdf = gpd.read_file(data_dir() / GPKG_NAME, layer=name, engine="pyogrio")
    if "shafts" in gdf.columns and name == "pitheads":
        gdf["shafts"] = [json.loads(s) for s in gdf["shafts"]]
    return gdf


def load_layer(name: str) -> gpd.GeoDataFrame:
    """Load one embedded layer as a GeoDataFrame in WGS84 (EPSG:4326).

    Parameters
    ----------
    name : str
        One of the names returned by :func:`list_layers`.

    Returns
    -------
    GeoDataFrame
        A fresh copy: changing it does not change later loads.

    Raises
    ------
    UnknownLayerError
        With the list of available layers.

    Examples
    --------
    >>> props = load_layer("property")
    >>> len(props)
    109
    """
    gdf = read_cached(_check_name(name)).copy()
    if name == "pitheads":
        # DataFrame.copy does not copy the lists in a column: a caller appending to one
        # pit's shafts would change every later load_pitheads().
        gdf["shafts"] = [[dict(shaft) for shaft in shafts] for shafts in gdf["shafts"]]
    return gdf


def list_layers() -> pd.DataFrame:
    """The embedded layers: name, description, feature count and geometry type.

    Returns
    -------
    DataFrame
        One row per layer: ``name``, ``description``, ``features``, ``geometry_type``
        and ``credit`` (source and licence).

    Examples
    --------
    >>> layers = list_layers()
    >>> "pitheads" in set(layers["name"])
    True
    """
    provenance = {layer["name"]: layer for layer in load_provenance()["layers"]}
    rows = []
    for name, info in LAYERS.items():
        measured = provenance.get(name, {})
        rows.append(
            {
                "name": name,
                "description": info.description,
                "features": measured.get("features"),
                "geometry_type": "/".join(sorted(measured.get("geometry_types", {}))),
                "credit": info.credit,
            }
        )
    table: pd.DataFrame = pd.DataFrame(rows)
    return table


def load_provenance() -> dict[str, Any]:
    """The provenance record of the embedded data (sources, licence, counts, areas).

    Returns
    -------
    dict
        The content of ``provenance.json``, written by the data build: ``licence``,
        ``sources``, ``layers`` (features, geometry types, areas) and the
        ``commune_disagreements`` between the sources and IGN.

    Examples
    --------
    >>> record = load_provenance()
    >>> record["licence"]
    'Licence Ouverte / Open Licence 2.0 (Etalab)'
    >>> len(record["commune_disagreements"]) > 0
    True
    """
    record: dict[str, Any] = json.loads((data_dir() / PROVENANCE_NAME).read_text(encoding="utf-8"))
    return record


def load_perimeter() -> gpd.GeoDataFrame:
    """The basin contour: one polygon with its measured ``area_ha`` (Lambert-93).

    Returns
    -------
    GeoDataFrame
        One row, in WGS84.

    Examples
    --------
    >>> round(float(load_perimeter()["area_ha"].iloc[0]), -3)
    179000.0
    """
    return load_layer("perimeter")


@keyword_only(0, ("all_nord_pas_de_calais",))
def load_communes(*, all_nord_pas_de_calais: bool = False) -> gpd.GeoDataFrame:
    """The 330 communes of the basin territory, or all 1,534 of Nord and Pas-de-Calais.

    Parameters
    ----------
    all_nord_pas_de_calais : bool, default False
        Give every commune of the two departments (IGN ADMIN EXPRESS, simplified)
        instead of the basin territory's.

    Returns
    -------
    GeoDataFrame
        One polygon per commune, in WGS84.

    Raises
    ------
    InvalidInputError
        ``all_nord_pas_de_calais`` is not a boolean.

    Examples
    --------
    >>> len(load_communes()), len(load_communes(all_nord_pas_de_calais=True))
    (330, 1534)
    """
    everything = check_flag(all_nord_pas_de_calais, "all_nord_pas_de_calais")
    return load_layer("communes_nord_pas_de_calais" if everything else "communes")


@keyword_only(1, ("unesco",))
def load_sites(
    kind: str | list[str] | None = None, *, unesco: bool | None = None
) -> gpd.GeoDataFrame:
    """Every site a visitor goes to, as points, optionally filtered.

    Parameters
    ----------
    kind : str or list of str, optional
        One or several of ``"pithead"``, ``"slag_heap"``, ``"mining_estate"``,
        ``"building"``, ``"lake"``.
    unesco : bool, optional
        Keep only sites inside (True) or outside (False) the listed property.

    Returns
    -------
    GeoDataFrame
        ``site_id``, ``kind``, ``name``, ``commune``, ``insee``, ``unesco`` and a WGS84
        point (a representative point inside polygons), with a fresh index.

    Raises
    ------
    InvalidInputError
        An unknown kind, or ``unesco`` that is not a boolean.

    Examples
    --------
    >>> heaps = load_sites(kind="slag_heap", unesco=True)
    >>> len(heaps)
    51
    """
    sites = load_layer("sites")
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind) if _is_list(kind) else None
        if kinds is None or not all(isinstance(k, str) for k in kinds):
            msg = (
                f"kind must be a site kind or a list of them ({', '.join(SITE_KINDS)}), "
                f"got {kind!r:.60}"
            )
            raise InvalidInputError(msg)
        unknown = [k for k in kinds if k not in SITE_KINDS]
        if unknown:
            msg = f"unknown site kind {unknown[0]!r}: use one of {', '.join(SITE_KINDS)}"
            raise InvalidInputError(msg)
        sites = sites[sites["kind"].isin(kinds)]
    listed = check_flag(unesco, "unesco")
    if listed is not None:
        sites = sites[sites["unesco"] == listed]
    return sites.reset_index(drop=True)


@keyword_only(0, ("headframe",))
def load_pitheads(*, headframe: bool | None = None) -> gpd.GeoDataFrame:
    """One point per pit, with its shafts (a list of dicts), headframe, UNESCO flag, commune.

    Parameters
    ----------
    headframe : bool, optional
        Keep only pits with (True) or without (False) a listed pit or headframe building.

    Returns
    -------
    GeoDataFrame
        One WGS84 point per pit; ``shafts`` holds one dict per shaft (a fresh copy).

    Raises
    ------
    InvalidInputError
        ``headframe`` is not a boolean.

    Examples
    --------
    >>> pits = load_pitheads(headframe=True)
    >>> "Fosse Arenberg" in set(pits["name"])
    True
    """
    pits = load_layer("pitheads")
    wanted = check_flag(headframe, "headframe")
    if wanted is not None:
        pits = pits[pits["headframe"] == wanted].reset_index(drop=True)
    return pits
