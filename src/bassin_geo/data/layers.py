"""The embedded layers of the basin: list them, load them, find a site by name or id."""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

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

    Examples
    --------
    >>> (data_dir() / "bassin_minier.gpkg").is_file()
    True
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "boundaries", here.parents[2] / "data" / "boundaries"):
        if (candidate / GPKG_NAME).is_file():
            return candidate
    raise DataFileError(
        f"the embedded layers ({GPKG_NAME}) were not found next to the package nor in the "
        "repository's data/boundaries/: reinstall bassin-geo, or rebuild them with "
        "`python tools/build_boundaries.py`"
    )


def _check_name(name: str) -> str:
    if name not in LAYERS:
        close = difflib.get_close_matches(str(name), list(LAYERS), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownLayerError(
            f"no embedded layer named {name!r}.{hint} Available layers: {', '.join(LAYERS)}"
        )
    return name


@functools.cache
def read_cached(name: str) -> gpd.GeoDataFrame:
    """The cached frame of a layer, shared: read it, never change it (use load_layer for a copy)."""
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
    return pd.DataFrame(rows)


def load_provenance() -> dict:
    """The provenance record of the embedded data (sources, licence, counts, areas).

    Examples
    --------
    >>> record = load_provenance()
    >>> record["licence"]
    'Licence Ouverte / Open Licence 2.0 (Etalab)'
    >>> len(record["commune_disagreements"]) > 0
    True
    """
    return json.loads((data_dir() / PROVENANCE_NAME).read_text(encoding="utf-8"))


def _check_flag(value: object, name: str) -> bool | None:
    """A filter flag: None, True or False; anything else would silently filter wrongly."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    # bool("no") is True: a string or a number would filter the wrong way without a word.
    raise InvalidInputError(f"{name} must be True, False or None, got {value!r}")


def load_perimeter() -> gpd.GeoDataFrame:
    """The basin contour: one polygon with its measured ``area_ha`` (Lambert-93).

    Examples
    --------
    >>> round(float(load_perimeter()["area_ha"].iloc[0]), -3)
    179000.0
    """
    return load_layer("perimeter")


def load_communes(all_nord_pas_de_calais: bool = False) -> gpd.GeoDataFrame:
    """The 330 communes of the basin territory, or all 1,534 of Nord and Pas-de-Calais.

    Examples
    --------
    >>> len(load_communes()), len(load_communes(all_nord_pas_de_calais=True))
    (330, 1534)
    """
    everything = _check_flag(all_nord_pas_de_calais, "all_nord_pas_de_calais")
    return load_layer("communes_nord_pas_de_calais" if everything else "communes")


def load_sites(kind: str | list[str] | None = None, unesco: bool | None = None) -> gpd.GeoDataFrame:
    """Every site a visitor goes to, as points, optionally filtered.

    Parameters
    ----------
    kind : str or list of str, optional
        One or several of ``"pithead"``, ``"slag_heap"``, ``"mining_estate"``,
        ``"building"``, ``"lake"``.
    unesco : bool, optional
        Keep only sites inside (True) or outside (False) the listed property.

    Examples
    --------
    >>> heaps = load_sites(kind="slag_heap", unesco=True)
    >>> len(heaps)
    51
    """
    sites = load_layer("sites")
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        unknown = [k for k in kinds if k not in SITE_KINDS]
        if unknown:
            raise InvalidInputError(
                f"unknown site kind {unknown[0]!r}: use one of {', '.join(SITE_KINDS)}"
            )
        sites = sites[sites["kind"].isin(kinds)]
    unesco = _check_flag(unesco, "unesco")
    if unesco is not None:
        sites = sites[sites["unesco"] == unesco]
    return sites.reset_index(drop=True)


def load_pitheads(headframe: bool | None = None) -> gpd.GeoDataFrame:
    """One point per pit, with its shafts (a list of dicts), headframe, UNESCO flag, commune.

    Parameters
    ----------
    headframe : bool, optional
        Keep only pits with (True) or without (False) a listed pit or headframe building.

    Examples
    --------
    >>> pits = load_pitheads(headframe=True)
    >>> "Fosse Arenberg" in set(pits["name"])
    True
    """
    pits = load_layer("pitheads")
    headframe = _check_flag(headframe, "headframe")
    if headframe is not None:
        pits = pits[pits["headframe"] == headframe].reset_index(drop=True)
    return pits
