"""The 2025 Tour de France stages that ship with the package: list them, draw them.

No GPX of these stages was published: :func:`load_stage` draws an approximation through
the communes each stage crosses, from the sourced table ``tdf2025_stages.csv``, and says so
in the route's properties. :mod:`bassin_geo.analysis.stages` measures any route, these
included, against the basin's areas.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo._text import fold
from bassin_geo.analysis.routes import Route
from bassin_geo.crs import GEOD, WGS84
from bassin_geo.data.catalog import STAGES_CSV
from bassin_geo.data.layers import data_dir, load_layer
from bassin_geo.errors import DataFileError, InvalidInputError

__all__ = ["STAGE_METHOD", "list_stages", "load_stage"]


#: How :func:`load_stage` draws a stage; stored in the route's ``method`` property.
STAGE_METHOD = (
    "approximation: straight lines between one representative point per commune crossed "
    "(shapely point_on_surface of the commune polygon of the 'communes_nord_pas_de_calais' "
    "layer), in the order of the source table; shorter than the real stage. Climb and sprint "
    "km are the official ones from the source, not measured on this line."
)


# Source names that are not communes of their own in the commune layer, and the commune
# that holds them (tdf2025_stages.SOURCES.md: Lomme is a commune associée of Lille).
_COMMUNE_ALIASES = {"Lomme": "Lille"}


# --------------------------------------------------------------------------------------
# The 2025 stages
# --------------------------------------------------------------------------------------


def _stage_table() -> pd.DataFrame:
    path = data_dir() / STAGES_CSV
    if not path.is_file():
        raise DataFileError(f"{path}: the stage table is missing; reinstall bassin-geo")
    dtypes: dict[str, str] = {"commune": "str", "department": "Int64", "event": "str"}
    table = pd.read_csv(path, dtype=dtypes)
    ordered: pd.DataFrame = table.sort_values(["stage", "seq"], kind="stable")
    ordered = ordered.reset_index(drop=True)
    return ordered


def list_stages() -> pd.DataFrame:
    """The shipped Tour de France stages: start, finish, official and approximate lengths.

    The stages shipped are those that touch the basin (its contour, the ``perimeter``
    layer); the table itself uses no area.

    ``official_length_km`` comes from the source table; ``length_km`` is the length of the
    approximate line of :func:`load_stage`, always shorter.

    Returns
    -------
    DataFrame
        One row per stage: ``year``, ``stage``, ``start``, ``finish``,
        ``official_length_km``, ``communes`` (rows with a commune in the source table) and
        ``length_km``.

    Examples
    --------
    >>> list_stages()[["stage", "start", "finish", "official_length_km"]].values.tolist()[0]
    [1, 'Lille', 'Lille', 184.9]
    """
    table = _stage_table()
    rows = []
    for stage_key, rows_ in table.groupby("stage", sort=True):
        stage = int(str(stage_key))
        start = rows_.loc[rows_["event"] == "start", "commune"]
        finish = rows_[rows_["event"] == "finish"]
        rows.append(
            {
                "year": 2025,
                "stage": stage,
                "start": start.iloc[0] if len(start) else None,
                "finish": finish["commune"].iloc[0] if len(finish) else None,
                "official_length_km": float(finish["km"].iloc[0]) if len(finish) else np.nan,
                "communes": int(rows_["commune"].notna().sum()),
                # The approximation, for comparison with the official length.
                "length_km": round(load_stage(2025, stage).length_km, 1),
            }
        )
    stages: pd.DataFrame = pd.DataFrame(rows)
    return stages


def _event(raw: Any) -> tuple[str, str | None]:
    if not isinstance(raw, str) or not raw.strip():
        return "passage", None
    raw = raw.strip()
    if raw.startswith("climb:"):
        return "climb", raw.split(":", 1)[1].strip()
    return raw, None


def _whole(value: Any, label: str) -> int:
    """A stage year or number as an int; 1.5, True or None would name a stage that is not."""
    if isinstance(value, (bool, np.bool_)):
        pass
    elif isinstance(value, (int, np.integer)):
        return int(value)
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise InvalidInputError(
        f"load_stage: {label} must be a whole number, as in load_stage(2025, 1); got {value!r}"
    )


def load_stage(year: int, number: int) -> Route:
    """An approximation of a Tour de France stage that touches the basin (2025: stages 1-3).

    "The basin" here is the contour (``perimeter`` layer), which the three stages cross;
    the line itself is drawn through communes of all Nord and Pas-de-Calais.

    The line joins one representative point per commune crossed (``point_on_surface`` of
    the commune polygon), in the order of the shipped source table
    (``data/boundaries/tdf2025_stages.csv``). It is shorter than the real stage: the
    route's ``properties`` hold ``approximate=True``, the ``method``, the
    ``official_length_km`` and the ``sources``. Waypoints are the start, the finish,
    the climbs and sprints (and any row with a km): ``km`` is the official km from the
    source, never recomputed; ``km_on_route`` is where the same point lies on the
    approximate line, for comparison. Climbs the source places in no commune keep their
    km and have no geometry. With the official GPX, use :func:`read_route` instead.

    Parameters
    ----------
    year : int
        2025.
    number : int
        1, 2 or 3 (see :func:`list_stages`).

    Returns
    -------
    Route
        The approximate line, its waypoints and ``properties``.

    Raises
    ------
    InvalidInputError
        A stage that is not shipped.

    Examples
    --------
    >>> stage = load_stage(2025, 1)
    >>> stage.approximate, stage.properties["official_length_km"]
    (True, 184.9)
    >>> stage.length_km < 184.9
    True
    """
    year, number = _whole(year, "year"), _whole(number, "number")
    table = _stage_table()
    shipped = sorted(int(s) for s in table["stage"].unique())
    if year != 2025 or number not in shipped:
        raise InvalidInputError(
            f"no shipped stage {number} of {year}: the package ships the 2025 stages "
            f"{', '.join(map(str, shipped))} (those that touch the basin). For another stage, "
            "read its GPX with read_route()"
        )
    rows = table[table["stage"] == int(number)].reset_index(drop=True)
    communes = load_layer("communes_nord_pas_de_calais")
    position = _commune_rows(rows, communes, number)
    rows["commune_name"] = [communes["commune"].iloc[p] if p >= 0 else None for p in position]

    # One vertex per commune; a commune listed twice in a row (Lomme then Lille) is one.
    vertex: list[int] = []
    order: list[int] = []
    for pos in position:
        if pos >= 0 and (not order or order[-1] != pos):
            order.append(pos)
        vertex.append(len(order) - 1 if pos >= 0 else -1)
    rows["vertex"] = vertex
    xy = shapely.get_coordinates(shapely.point_on_surface(communes.geometry.to_numpy()[order]))

    start = rows.loc[rows["event"] == "start", "commune_name"]
    finish = rows[rows["event"] == "finish"]
    official = finish["km"].dropna()
    props = {
        "approximate": True,
        "method": STAGE_METHOD,
        "year": 2025,
        "stage": int(number),
        "official_length_km": float(official.iloc[0]) if len(official) else None,
        "sources": list(dict.fromkeys(rows["source_url"].dropna())),
        "source_file": STAGES_CSV,
    }
    start_name = start.iloc[0] if len(start) else rows["commune_name"].dropna().iloc[0]
    ends = finish["commune_name"].dropna()
    finish_name = ends.iloc[0] if len(ends) else rows["commune_name"].dropna().iloc[-1]
    return Route.from_coords(
        xy,
        name=f"Tour de France 2025, stage {number}: {start_name} > {finish_name}",
        waypoints=_stage_waypoints(rows, xy),
        properties=props,
        where=f"{STAGES_CSV} stage {number}",
    )


def _commune_rows(rows: pd.DataFrame, communes: gpd.GeoDataFrame, number: int) -> list[int]:
    """Position in ``communes`` of each row's commune, -1 for rows without one."""
    key = communes["commune"].map(fold) + "|" + communes["insee"].str[:2]
    by_key = dict(zip(key, range(len(communes)), strict=True))
    position = []
    for seq, name, dept in zip(rows["seq"], rows["commune"], rows["department"], strict=True):
        if not isinstance(name, str) or not name.strip():
            position.append(-1)
            continue
        real = fold(_COMMUNE_ALIASES.get(name, name))
        depts = [int(dept)] if pd.notna(dept) else [59, 62]  # Lomme has no department
        hit = next((by_key[k] for k in (f"{real}|{d}" for d in depts) if k in by_key), None)
        if hit is None:
            raise DataFileError(
                f"{STAGES_CSV}: stage {number} row {seq}: commune {name!r} is not in the "
                "communes_nord_pas_de_calais layer; fix the table or the alias list"
            )
        position.append(hit)
    return position


def _stage_waypoints(rows: pd.DataFrame, xy: np.ndarray) -> gpd.GeoDataFrame:
    """Start, finish, climbs, sprints and rows with a km, keeping the source km."""
    events = [_event(e) for e in rows["event"]]
    keep = np.array([ev != "passage" for ev, _ in events]) | rows["km"].notna().to_numpy()
    wp = rows[keep]
    labels = []
    for (ev, climb), commune in zip(
        [events[i] for i in np.flatnonzero(keep)], wp["commune_name"], strict=True
    ):
        prefix = {"start": "Start", "finish": "Finish", "sprint": "Intermediate sprint"}
        labels.append(f"{prefix[ev]}: {commune}" if ev in prefix else climb or commune)
    vertex = wp["vertex"].to_numpy()
    placed = vertex >= 0
    geoms = np.full(len(wp), None, dtype=object)
    geoms[placed] = shapely.points(xy[vertex[placed]])
    cum_km = np.r_[0.0, np.cumsum(GEOD.line_lengths(xy[:, 0], xy[:, 1]))] / 1000.0
    return gpd.GeoDataFrame(
        {
            "name": labels,
            "event": [events[i][0] for i in np.flatnonzero(keep)],
            "km": wp["km"].to_numpy(dtype=float),
            "commune": wp["commune_name"].to_numpy(),
            "seq": wp["seq"].to_numpy(),
            "source_url": wp["source_url"].to_numpy(),
            # The vertex of the commune, not a projection: on a loop the finish is at the
            # end, not at km 0 where the start is.
            "km_on_route": np.where(placed, cum_km[np.maximum(vertex, 0)], np.nan),
        },
        geometry=geoms,
        crs=WGS84,
    )


# --------------------------------------------------------------------------------------
# Areas
