"""OpenStreetMap tags read through a travel mode's rules: allowed ways, speeds, one-ways."""

from __future__ import annotations

from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

__all__ = ["OSM_TAGS", "apply_mode_rules", "tag_values"]

FrameT = TypeVar("FrameT", bound=pd.DataFrame)

#: The way tags the readers keep: what the modes' rules look at.
OSM_TAGS = (
    "highway",
    "oneway",
    "junction",
    "maxspeed",
    "access",
    "foot",
    "bicycle",
    "motor_vehicle",
    "motorcar",
    "oneway:bicycle",
    "cycleway",
    "name",
    "area",
)


def tag_values(frame: pd.DataFrame, col: str) -> pd.Series:
    """One tag's values as objects, None where missing (also when the column is absent).

    Parameters
    ----------
    frame : DataFrame
        The ways.
    col : str
        The tag.

    Returns
    -------
    Series
        Aligned on ``frame``'s index.

    Examples
    --------
    >>> import pandas as pd
    >>> tag_values(pd.DataFrame({"highway": ["path", None]}), "foot").tolist()
    [None, None]
    """
    if col in frame:
        values: pd.Series = frame[col].astype(object).where(frame[col].notna(), None)
        return values
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def apply_mode_rules(ways: FrameT, rules: dict[str, Any]) -> FrameT:
    """Keep the ways a mode may use and give them a speed and a direction (vectorized).

    Parameters
    ----------
    ways : DataFrame
        OpenStreetMap ways with their tags as columns (:data:`OSM_TAGS`).
    rules : dict
        The mode's rules (:func:`bassin_geo.mode_rules`).

    Returns
    -------
    DataFrame
        The kept ways with ``speed_kmh`` (from ``maxspeed`` where the mode uses it),
        ``oneway`` (travel in one direction only) and ``reversed_oneway`` (the one direction is
        against the way's drawing, ``oneway=-1``).

    Examples
    --------
    >>> import pandas as pd
    >>> from bassin_geo.modes import mode_rules
    >>> ways = pd.DataFrame({"highway": ["motorway", "footway"], "oneway": ["yes", None]})
    >>> apply_mode_rules(ways, mode_rules("walk"))["highway"].tolist()
    ['footway']
    """
    hw = tag_values(ways, "highway")
    speeds = rules["speed_kmh"]
    ok = hw.isin(list(speeds))
    for tag, values in rules["allow"].items():
        ok |= tag_values(ways, tag).isin(values)
    for tag, values in rules["forbid"].items():
        ok &= ~tag_values(ways, tag).isin(values)
    # A GeoDataFrame stays one (the type follows the input).
    ways = cast(FrameT, ways[ok.to_numpy()].copy())
    hw = tag_values(ways, "highway")
    speed = hw.map(speeds).astype(float).fillna(float(rules["default_speed_kmh"]))
    if rules["use_maxspeed"] and "maxspeed" in ways:
        raw = ways["maxspeed"].astype(str)
        num = pd.to_numeric(raw.str.extract(r"^\s*(\d+(?:\.\d+)?)")[0], errors="coerce")
        kmh = np.where(raw.str.contains("mph"), num * 1.609344, num)
        speed = pd.Series(np.where(np.isfinite(kmh) & (kmh > 0), kmh, speed), index=ways.index)
    ways["speed_kmh"] = speed.to_numpy(float)
    ow = tag_values(ways, "oneway").astype(str).str.lower()
    forward = ow.isin(["yes", "true", "1"])
    backward = ow.isin(["-1", "reverse"])
    if "junction" in ways:
        forward |= tag_values(ways, "junction").isin(["roundabout", "circular"])
    elif "tags" in ways:
        forward |= ways["tags"].astype(str).str.contains('"junction":"roundabout"', regex=False)
    if not rules["oneway"]:
        forward[:] = False
        backward[:] = False
    for tag, values in rules["oneway_exempt"].items():
        exempt = tag_values(ways, tag).isin(values)
        forward &= ~exempt
        backward &= ~exempt
    ways["oneway"] = (forward | backward).to_numpy()
    ways["reversed_oneway"] = backward.to_numpy()
    return ways
