"""Travel modes as data: which ways each mode may use and how fast it goes on them.

The rules are plain dictionaries, so a user can read them and override any part::

    rules = mode_rules("bike")
    rules["speed_kmh"]["footway"] = 8.0      # allow footways, at walking-bike pace
    net = load_network("region.osm.pbf", mode="bike", rules=rules)

Keys of a rule set
------------------
speed_kmh : dict
    OSM ``highway`` value -> speed in km/h. A way whose ``highway`` is not a key is not
    used, unless a tag in ``allow`` lets it in (then ``default_speed_kmh`` applies).
default_speed_kmh : float
    Speed on ways let in by ``allow`` and on line layers without a ``highway`` column.
allow : dict
    Tag -> values that admit a way whatever its ``highway`` (``bicycle=designated``).
forbid : dict
    Tag -> values that exclude a way (``access=private``, ``foot=no``).
oneway : bool
    Whether ``oneway=yes`` / ``-1`` and roundabouts constrain the direction.
oneway_exempt : dict
    Tag -> values that lift a one-way restriction for this mode (``oneway:bicycle=no``).
use_maxspeed : bool
    Take the ``maxspeed`` tag (km/h, or "mph") when it is given, capped by nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from bassin_geo.errors import InvalidInputError

__all__ = ["MODES", "mode_rules"]

_NO_ACCESS = ["no", "private"]

#: The rules of the three built-in modes. Speeds are typical averages including stops.
MODES: dict[str, dict[str, Any]] = {
    "walk": {
        "speed_kmh": {
            h: 4.8
            for h in (
                "footway",
                "pedestrian",
                "path",
                "track",
                "steps",
                "living_street",
                "residential",
                "service",
                "unclassified",
                "tertiary",
                "tertiary_link",
                "secondary",
                "secondary_link",
                "primary",
                "primary_link",
                "cycleway",
                "bridleway",
                "corridor",
                "road",
                "trail",
            )
        }
        | {"steps": 2.5},
        "default_speed_kmh": 4.8,
        "allow": {"foot": ["yes", "designated", "permissive"]},
        "forbid": {"access": _NO_ACCESS, "foot": _NO_ACCESS},
        "oneway": False,
        "oneway_exempt": {},
        "use_maxspeed": False,
    },
    "bike": {
        "speed_kmh": {
            "cycleway": 18.0,
            "path": 12.0,
            "track": 12.0,
            "living_street": 10.0,
            "residential": 15.0,
            "service": 12.0,
            "unclassified": 15.0,
            "road": 15.0,
            "tertiary": 16.0,
            "tertiary_link": 16.0,
            "secondary": 16.0,
            "secondary_link": 16.0,
            "primary": 16.0,
            "primary_link": 16.0,
        },
        "default_speed_kmh": 15.0,
        "allow": {"bicycle": ["yes", "designated", "permissive"]},
        "forbid": {"access": _NO_ACCESS, "bicycle": ["no", "private", "dismount"]},
        "oneway": True,
        "oneway_exempt": {"oneway:bicycle": ["no"], "cycleway": ["opposite", "opposite_lane"]},
        "use_maxspeed": False,
    },
    "drive": {
        "speed_kmh": {
            "motorway": 110.0,
            "motorway_link": 60.0,
            "trunk": 90.0,
            "trunk_link": 50.0,
            "primary": 70.0,
            "primary_link": 50.0,
            "secondary": 60.0,
            "secondary_link": 40.0,
            "tertiary": 50.0,
            "tertiary_link": 40.0,
            "unclassified": 40.0,
            "residential": 30.0,
            "living_street": 15.0,
            "service": 15.0,
            "road": 30.0,
        },
        "default_speed_kmh": 40.0,
        "allow": {},
        "forbid": {"access": _NO_ACCESS, "motor_vehicle": _NO_ACCESS, "motorcar": _NO_ACCESS},
        "oneway": True,
        "oneway_exempt": {},
        "use_maxspeed": True,
    },
}


def mode_rules(mode: str, rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules of ``mode`` (a deep copy), with the keys of ``rules`` replacing its own.

    Parameters
    ----------
    mode : {"walk", "bike", "drive"}
        The built-in mode to start from.
    rules : dict, optional
        Keys to replace (see the module docstring); ``speed_kmh`` replaces the whole table.

    Returns
    -------
    dict
        A full rule set, free to change: the built-in :data:`MODES` stay as they are.

    Raises
    ------
    InvalidInputError
        Unknown mode or unknown rule key.

    Examples
    --------
    >>> mode_rules("bike")["speed_kmh"]["cycleway"]
    18.0
    >>> mode_rules("walk", {"default_speed_kmh": 4.0})["default_speed_kmh"]
    4.0
    """
    if mode not in MODES:
        msg = f"unknown mode {mode!r}: use one of {', '.join(repr(m) for m in MODES)}"
        raise InvalidInputError(msg)
    out = copy.deepcopy(MODES[mode])
    for key, value in (rules or {}).items():
        if key not in out:
            msg = f"unknown rule {key!r} for mode {mode!r}: rules have keys {', '.join(out)}"
            raise InvalidInputError(msg)
        out[key] = copy.deepcopy(value)
    return out
