"""The routable network object: nodes and edges, graphs per weight, queries, cache file.

A :class:`Network` is a plain object holding its ``nodes`` and ``edges`` as GeoDataFrames in
WGS84 (like osmnx), with a scipy CSR graph per weight and an STRtree for snapping, both built
once and kept. Edge lengths are geodesic (WGS84 ellipsoid); snapping happens in a metric CRS
suited to where the data is (Lambert-93 in France, a UTM zone elsewhere). Build one with
:func:`bassin_geo.load_network`; the readers, the simplification and the railway overlay
live in their own modules of :mod:`bassin_geo.routing`.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy import sparse

from bassin_geo._atomic import atomic_write
from bassin_geo._compat import keyword_only
from bassin_geo.crs import WGS84, geod_inv, metric_crs_for, transform_xy
from bassin_geo.errors import DataFileError, ExportError
from bassin_geo.places.resolve import as_places
from bassin_geo.routing.options import DEFAULT_MAX_SNAP_M, check_flag, check_weight
from bassin_geo.routing.query import (
    SnappedPoints,
    best_path,
    shortest_costs,
    snap_points,
)

__all__ = ["DEFAULT_MAX_SNAP_M", "Network", "geodesic_lengths"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GeomArray = npt.NDArray[np.object_]

_CACHE_VERSION = 1
_EDGE_NUMBERS = ("u", "v", "length_m", "speed_kmh", "time_s", "cost_factor", "oneway")
_EDGE_TEXTS = ("highway", "source")


def geodesic_lengths(geoms: Any) -> FloatArray:
    """Geodesic lengths in metres (WGS84 ellipsoid) of lines given in WGS84, vectorized.

    Parameters
    ----------
    geoms : array-like of shapely LineStrings
        In longitude/latitude degrees.

    Returns
    -------
    ndarray
        One length per geometry, in metres.

    Examples
    --------
    >>> import shapely
    >>> round(float(geodesic_lengths([shapely.LineString([(3, 50), (3, 51)])])[0]))
    111239
    """
    geoms = np.asarray(geoms, dtype=object)
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    if len(coords) < 2:
        return np.zeros(len(geoms))
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    _, _, d = geod_inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.bincount(idx[:-1][same], weights=d, minlength=len(geoms)).astype(np.float64)


def _line_network() -> Network:
    """The one-edge network of the examples (711 m along a parallel near Lens)."""
    line = shapely.LineString([(3.0, 50.4), (3.01, 50.4)])
    nodes = gpd.GeoDataFrame(
        {"osmid": [-1, -1], "x": [3.0, 3.01], "y": [50.4, 50.4]},
        geometry=shapely.points([(3.0, 50.4), (3.01, 50.4)]),
        crs=WGS84,
    )
    length = geodesic_lengths([line])
    edges = gpd.GeoDataFrame(
        {
            "u": [0],
            "v": [1],
            "length_m": length,
            "speed_kmh": [4.8],
            "time_s": length / (4.8 / 3.6),
            "oneway": [False],
            "cost_factor": [1.0],
            "highway": [None],
            "source": ["layer"],
        },
        geometry=[line],
        crs=WGS84,
    )
    return Network(nodes, edges, "walk", {}, "example")


def _cache_array(z: np.lib.npyio.NpzFile, key: str, kinds: str) -> npt.NDArray[Any]:
    """One array of a cache file, its header checked before anything is allocated.

    A tampered header can declare terabytes in a few bytes: the array must fit in what
    the archive holds, and be of the expected kind (``f`` float, ``i`` integer...).
    """
    name, archive = f"{key}.npy", z.zip
    if archive is None:  # closed
        msg = "the archive is closed"
        raise ValueError(msg)
    if name not in archive.namelist():
        msg = f"no {key!r} array"
        raise KeyError(msg)
    with archive.open(name) as fh:
        version = np.lib.format.read_magic(fh)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }.get(version)
        if read_header is None:
            msg = f"{key!r} has an unknown .npy version {version}"
            raise ValueError(msg)
        shape, _, dtype = read_header(fh)
    need = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    if dtype.kind not in kinds or need > archive.getinfo(name).file_size:
        msg = f"{key!r} declares {shape} of {dtype}, not what this file holds"
        raise ValueError(msg)
    array: npt.NDArray[Any] = z[key]
    return array


class Network:
    """A routable network: ``nodes`` and ``edges`` GeoDataFrames in WGS84.

    Build one with :func:`bassin_geo.load_network`; the constructor is for the readers
    (:func:`~bassin_geo.routing.readers.segments.network_from_segments`).

    Parameters
    ----------
    nodes : GeoDataFrame
        ``osmid`` (-1 where unknown), ``x``, ``y`` and point ``geometry``, WGS84.
    edges : GeoDataFrame
        ``u``, ``v`` (node positions), ``length_m`` (geodesic), ``speed_kmh``, ``time_s``,
        ``oneway`` (travel only from ``u`` to ``v``), ``cost_factor`` (< 1 makes an edge
        preferred, see ``prefer_railways``), ``highway``, ``source`` and a LineString
        ``geometry`` oriented from ``u`` to ``v``, WGS84.
    mode : str
        The travel mode the speeds and allowed ways come from.
    rules : dict
        The mode's rules it was built with (:func:`bassin_geo.mode_rules`).
    source : str
        Where it comes from, for messages and ``repr``.
    options : dict, optional
        The options it was built with (recorded by :func:`bassin_geo.load_network` and in
        the cache file, checked when it is reloaded).

    Attributes
    ----------
    metric_crs : pyproj.CRS
        Where snapping and cutting are measured: Lambert-93 in France, else a UTM zone.
    options_key : str
        A digest of ``options``: two networks built the same way share it.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
    >>> net = load_network(lines, mode="walk")
    >>> len(net.nodes), len(net.edges), round(float(net.edges["length_m"].iloc[0]))
    (2, 1, 711)
    """

    def __init__(
        self,
        nodes: gpd.GeoDataFrame,
        edges: gpd.GeoDataFrame,
        mode: str,
        rules: dict[str, Any],
        source: str = "",
        options: dict[str, Any] | None = None,
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.mode = mode
        self.rules = rules
        self.source = source
        self.options: dict[str, Any] = dict(options or {})
        xy = shapely.get_coordinates(nodes.geometry.to_numpy())
        self.metric_crs: CRS = metric_crs_for(xy[:, 0], xy[:, 1])
        self._to_metric = Transformer.from_crs(WGS84, self.metric_crs, always_xy=True)
        self._to_wgs84 = Transformer.from_crs(self.metric_crs, WGS84, always_xy=True)
        self._graphs: dict[tuple[str, bool], tuple[sparse.csr_matrix, IntArray, IntArray]] = {}
        self._edges_metric: GeomArray | None = None
        self._tree: shapely.STRtree | None = None

    def __repr__(self) -> str:
        return (
            f"<Network mode={self.mode!r} nodes={len(self.nodes):,} edges={len(self.edges):,} "
            f"length={self.edges['length_m'].sum() / 1000:,.1f} km source={self.source!r}>"
        )

    @property
    def options_key(self) -> str:
        """A digest of the build options (empty when they are unknown).

        Returns
        -------
        str
            The hexadecimal SHA-256 of the options, or ``""``.

        Examples
        --------
        >>> _line_network().options_key
        ''
        """
        if not self.options:
            return ""
        text = json.dumps(self.options, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    # -- indexes, built once ------------------------------------------------------------

    @property
    def edges_metric(self) -> GeomArray:
        """Edge geometries in :attr:`metric_crs` (for snapping and cutting).

        Returns
        -------
        ndarray of shapely LineStrings
            In the order of ``edges``.

        Examples
        --------
        >>> round(_line_network().edges_metric[0].length)  # Lambert-93 is conformal, not exact
        712
        """
        if self._edges_metric is None:
            self._edges_metric = self.to_metric(self.edges.geometry.to_numpy())
        return self._edges_metric

    @property
    def tree(self) -> shapely.STRtree:
        """STRtree of the metric edge geometries (snapping).

        Returns
        -------
        shapely.STRtree
            Built on first use and kept.

        Examples
        --------
        >>> len(_line_network().tree)
        1
        """
        if self._tree is None:
            self._tree = shapely.STRtree(self.edges_metric)
        return self._tree

    def edge_weights(self, weight: str = "length", *, preferred: bool = False) -> FloatArray:
        """Per-edge weight: metres or seconds, optionally times ``cost_factor``.

        Parameters
        ----------
        weight : {"length", "time"}
            Metres (``length_m``) or seconds (``time_s``).
        preferred : bool
            Multiply by ``cost_factor``, so that preferred edges look cheaper.

        Returns
        -------
        ndarray
            One weight per edge.

        Examples
        --------
        >>> _line_network().edge_weights("time").round()
        array([533.])
        """
        weight = check_weight(weight)
        w: FloatArray = self.edges["length_m" if weight == "length" else "time_s"].to_numpy(float)
        if check_flag(preferred, "preferred"):
            factor: FloatArray = self.edges["cost_factor"].to_numpy(float)
            return w * factor
        return w

    def _arcs(self, weight: str, preferred: bool) -> tuple[sparse.csr_matrix, IntArray, IntArray]:
        key = (weight, preferred)
        if key not in self._graphs:
            w = self.edge_weights(weight, preferred=preferred)
            u = self.edges["u"].to_numpy(np.int64)
            v = self.edges["v"].to_numpy(np.int64)
            two = ~self.edges["oneway"].to_numpy(bool)
            eid = np.arange(len(w))
            src = np.concatenate([u, v[two]])
            dst = np.concatenate([v, u[two]])
            ww = np.concatenate([w, w[two]])
            arc_edge = np.concatenate([eid, eid[two]])
            n = len(self.nodes)
            # scipy sums duplicate entries: keep the cheapest of parallel arcs instead.
            # Zero weights are stored as a tiny positive value, since csgraph drops zeros.
            keys = src * n + dst
            order = np.lexsort((ww, keys))
            keys, ww, arc_edge = keys[order], ww[order], arc_edge[order]
            first = np.r_[True, keys[1:] != keys[:-1]]
            keys, ww, arc_edge = keys[first], ww[first], arc_edge[first]
            mat = sparse.csr_matrix((np.maximum(ww, 1e-9), (keys // n, keys % n)), shape=(n, n))
            self._graphs[key] = (mat, keys, arc_edge)
        return self._graphs[key]

    def graph(self, weight: str = "length", *, preferred: bool = False) -> sparse.csr_matrix:
        """The directed CSR adjacency matrix for ``weight`` (cached).

        Parameters
        ----------
        weight : {"length", "time"}
            Metres or seconds.
        preferred : bool
            Weights multiplied by ``cost_factor``.

        Returns
        -------
        scipy.sparse.csr_matrix
            ``n_nodes x n_nodes``; two-way edges give two arcs, parallel arcs the cheapest.

        Examples
        --------
        >>> _line_network().graph().shape
        (2, 2)
        """
        return self._arcs(weight, check_flag(preferred, "preferred"))[0]

    def arc_edges(
        self, weight: str = "length", *, preferred: bool = False
    ) -> tuple[IntArray, IntArray]:
        """Which edge each arc of :meth:`graph` comes from.

        Parameters
        ----------
        weight : {"length", "time"}
            As for :meth:`graph` (the cheapest of parallel edges depends on it).
        preferred : bool
            As for :meth:`graph`.

        Returns
        -------
        keys, edge : ndarray of int
            The arcs' keys ``u * n_nodes + v``, sorted, and the position in ``edges`` of
            the edge each arc runs along.

        Examples
        --------
        >>> keys, edge = _line_network().arc_edges()
        >>> keys.tolist(), edge.tolist()  # 0 -> 1 and 1 -> 0, both along edge 0
        ([1, 2], [0, 0])
        """
        _, keys, edge = self._arcs(weight, check_flag(preferred, "preferred"))
        return keys, edge

    # -- coordinates --------------------------------------------------------------------

    def to_metric(self, geoms: Any) -> GeomArray:
        """WGS84 geometries into this network's :attr:`metric_crs`.

        Parameters
        ----------
        geoms : array-like of shapely geometries
            In longitude/latitude degrees.

        Returns
        -------
        ndarray of shapely geometries
            In metres.

        Examples
        --------
        >>> import shapely
        >>> round(_line_network().to_metric([shapely.Point(3, 50.4)])[0].x)
        700000
        """
        return np.asarray(
            shapely.transform(
                np.asarray(geoms, dtype=object),
                lambda c: np.column_stack(transform_xy(self._to_metric, c[:, 0], c[:, 1])),
            ),
            dtype=object,
        )

    def to_wgs84(self, geoms: Any) -> GeomArray:
        """Metric geometries of this network back to WGS84.

        Parameters
        ----------
        geoms : array-like of shapely geometries
            In :attr:`metric_crs`.

        Returns
        -------
        ndarray of shapely geometries
            In longitude/latitude degrees.

        Examples
        --------
        >>> net = _line_network()
        >>> net.to_wgs84(net.edges_metric)[0].equals_exact(net.edges.geometry.iloc[0], 1e-9)
        True
        """
        return np.asarray(
            shapely.transform(
                np.asarray(geoms, dtype=object),
                lambda c: np.column_stack(transform_xy(self._to_wgs84, c[:, 0], c[:, 1])),
            ),
            dtype=object,
        )

    # -- queries ------------------------------------------------------------------------

    @keyword_only(2, ("max_snap_m", "on_far", "where"))
    def snap(
        self,
        places: Any,
        *,
        max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
        on_far: str = "raise",
        where: str = "stops",
    ) -> gpd.GeoDataFrame:
        """Snap places to the nearest point of the nearest edge.

        Parameters
        ----------
        places : site ids, names or places
            Anything :func:`bassin_geo.as_places` accepts.
        max_snap_m : float or None
            A place farther than this from every edge raises (or warns); None: no limit.
        on_far : {"raise", "warn"}
            What a place beyond ``max_snap_m`` does.
        where : str
            Names the places in messages.

        Returns
        -------
        GeoDataFrame
            ``site_id``, ``name``, ``edge`` (position in ``edges``), ``frac`` (along the
            edge from ``u``), ``snap_m`` (geodesic distance to the network), ``geometry``
            (the snapped point, WGS84) and ``original`` (the given point). Pass it to
            :meth:`matrix`, or its rows to :meth:`path`.

        Raises
        ------
        NetworkError
            A place farther than ``max_snap_m`` metres from every edge (``on_far="raise"``).

        Examples
        --------
        >>> s = _line_network().snap([(3.005, 50.4001)])
        >>> round(float(s["frac"].iloc[0]), 2), round(float(s["snap_m"].iloc[0]), 1)
        (0.5, 11.1)
        """
        pl = as_places(places, where=where)
        geoms = pl.geometry.to_numpy()
        snapped = snap_points(
            self, geoms, pl["site_id"].tolist(), max_snap_m=max_snap_m, on_far=on_far
        )
        return gpd.GeoDataFrame(
            {
                "site_id": pl["site_id"].to_numpy(),
                "name": pl["name"].to_numpy(),
                "edge": snapped.edge,
                "frac": snapped.frac,
                "snap_m": snapped.snap_m,
                "original": gpd.GeoSeries(geoms, crs=WGS84),
            },
            geometry=snapped.point,
            crs=WGS84,
        )

    def matrix(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame | None = None,
        *,
        weight: str = "length",
        preferred: bool = False,
        batch: int | None = None,
    ) -> FloatArray:
        """Shortest costs between snapped places: one multi-source Dijkstra per batch.

        Parameters
        ----------
        origins : GeoDataFrame
            Places snapped by :meth:`snap`.
        destinations : GeoDataFrame, optional
            Places snapped by :meth:`snap` (default: the origins).
        weight : {"length", "time"}
            Metres or seconds.
        preferred : bool
            Count the edges' ``cost_factor`` (preferred edges look cheaper).
        batch : int, optional
            Origins per Dijkstra run (default: about 128 MB of distances).

        Returns
        -------
        ndarray
            ``len(origins) x len(destinations)``; ``inf`` where no path exists.

        Examples
        --------
        >>> net = _line_network()
        >>> net.matrix(net.snap([(3.0, 50.4), (3.01, 50.4)])).round()
        array([[  0., 711.],
               [711.,   0.]])
        """
        o = SnappedPoints.from_frame(origins)
        d = o if destinations is None else SnappedPoints.from_frame(destinations)
        return shortest_costs(
            self, o, d, check_weight(weight), check_flag(preferred, "preferred"), batch
        )

    def path(
        self,
        origin: pd.Series | pd.DataFrame,
        destination: pd.Series | pd.DataFrame,
        *,
        weight: str = "length",
        preferred: bool = False,
    ) -> tuple[shapely.LineString, float, float] | None:
        """The best path between two snapped places.

        Parameters
        ----------
        origin, destination : Series or GeoDataFrame
            A row of :meth:`snap`'s result (or a frame whose first row is used).
        weight : {"length", "time"}
            What the path minimises.
        preferred : bool
            Count the edges' ``cost_factor`` (preferred edges look cheaper).

        Returns
        -------
        tuple or None
            ``(geometry, length_m, time_s)``: a LineString from the snapped origin to the
            snapped destination along the edges (WGS84), its geodesic length in metres and
            its time in seconds at the edges' speeds; None when there is no path.

        Examples
        --------
        >>> net = _line_network()
        >>> s = net.snap([(3.002, 50.4), (3.008, 50.4)])
        >>> geom, length_m, time_s = net.path(s.iloc[0], s.iloc[1])
        >>> round(length_m), round(time_s)
        (427, 320)
        """
        o = SnappedPoints.from_frame(origin).take(0)
        d = SnappedPoints.from_frame(destination).take(0)
        found = best_path(self, o, d, check_weight(weight), check_flag(preferred, "preferred"))
        if found is None:
            return None
        geom, length, time = found
        return self.to_wgs84([geom])[0], length, time

    def distance_matrix(
        self,
        origins: Any,
        destinations: Any = None,
        *,
        weight: str = "length",
        max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
    ) -> pd.DataFrame:
        """Shortest network distances (metres, or seconds) between places, labelled.

        The engine of :func:`bassin_geo.network_distance_matrix`, and what
        ``bassin_geo.distance_matrix(..., method="network", network=net)`` calls.

        Parameters
        ----------
        origins : site ids, names or places
            Anything :func:`bassin_geo.as_places` accepts.
        destinations : site ids, names or places, optional
            Default: the origins.
        weight : {"length", "time"}
            Metres or seconds.
        max_snap_m : float or None
            A place farther than this from every edge raises :class:`NetworkError`.

        Returns
        -------
        DataFrame
            Rows labelled by the origins' ``site_id``, columns by the destinations';
            ``np.inf`` where no path exists.

        Raises
        ------
        NetworkError
            A place beyond ``max_snap_m``.

        Examples
        --------
        >>> m = _line_network().distance_matrix([(3.0, 50.4), (3.01, 50.4)])
        >>> m.round()
                 place:0  place:1
        place:0      0.0    711.0
        place:1    711.0      0.0
        """
        weight = check_weight(weight)
        so = self.snap(origins, max_snap_m=max_snap_m, where="origins")
        sd = (
            so
            if destinations is None
            else self.snap(destinations, max_snap_m=max_snap_m, where="destinations")
        )
        out = self.matrix(so, sd, weight=weight)
        labelled: pd.DataFrame = pd.DataFrame(
            out, index=so["site_id"].to_numpy(), columns=sd["site_id"].to_numpy()
        )
        return labelled

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The edges as WGS84 LineStrings with their attributes, for maps and writers.

        Returns
        -------
        GeoDataFrame
            A copy of ``edges``: ``u``, ``v`` (node positions), ``length_m`` (geodesic),
            ``speed_kmh``, ``time_s``, ``oneway``, ``cost_factor``, ``highway``,
            ``source`` ("osm", "graphml", "layer" or "railways") and ``geometry``
            (oriented from ``u`` to ``v``), in EPSG:4326.

        Examples
        --------
        >>> gdf = _line_network().to_gdf()
        >>> gdf.crs.to_epsg(), list(gdf.columns[:3])
        (4326, ['u', 'v', 'length_m'])
        """
        return gpd.GeoDataFrame(self.edges.copy(), crs=WGS84)

    # -- cache file ---------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the network to one ``.npz`` file (numeric arrays only, no pickle).

        The file records the mode and the build options, so that
        :func:`bassin_geo.load_network` can refuse to reload it for other ones. Reloading
        is much faster than rebuilding from OSM.

        Parameters
        ----------
        path : str or Path
            The file; its folder is created if needed.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        ExportError
            The file cannot be written (no half-written file is left).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "net.npz"
        >>> len(Network.load(_line_network().save(path)).edges)
        1
        """
        path = Path(path)
        _, coords, offsets = shapely.to_ragged_array(self.edges.geometry.to_numpy())
        nxy = shapely.get_coordinates(self.nodes.geometry.to_numpy())
        meta = {
            "version": _CACHE_VERSION,
            "mode": self.mode,
            "rules": self.rules,
            "source": self.source,
            "options": self.options,
            "options_key": self.options_key,
        }
        arrays: dict[str, Any] = {
            "edge_coords": coords,
            "edge_offsets": offsets[0],
            "node_xy": nxy,
            "node_osmid": self.nodes["osmid"].to_numpy(np.int64),
            "meta": np.array(json.dumps(meta, default=str)),
        }
        for col in _EDGE_NUMBERS:
            arrays[f"e_{col}"] = self.edges[col].to_numpy()
        for col in _EDGE_TEXTS:
            arrays[f"e_{col}"] = self.edges[col].fillna("").astype(str).to_numpy().astype("U")
        try:
            # A unique work file published by rename: two processes saving one cache
            # each publish a whole file, and a killed one leaves nothing to load.
            with atomic_write(path, overwrite=True) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
        except ExportError as exc:
            msg = f"cannot write the network cache {path}: {exc}; leave cache out, or fix it"
            raise ExportError(msg) from exc
        return path

    @classmethod
    def load(cls, path: str | Path) -> Network:
        """Read a file written by :meth:`save`, as it was saved.

        :func:`bassin_geo.load_network` reads these files too, and checks the options
        asked for against those recorded.

        Parameters
        ----------
        path : str or Path
            A ``.npz`` file written by :meth:`save`.

        Returns
        -------
        Network
            With its mode, rules and build options.

        Raises
        ------
        DataFileError
            Not such a file, or written by another version of bassin_geo.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = _line_network().save(pathlib.Path(tempfile.mkdtemp()) / "net.npz")
        >>> Network.load(path).mode
        'walk'
        """
        path = Path(path)
        try:
            if not path.is_file():
                msg = f"{path} does not exist or is not a file"
                raise DataFileError(msg)
            loaded = np.load(path, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                msg = "not an .npz archive"
                raise ValueError(msg)
            with loaded as z:
                meta = json.loads(str(_cache_array(z, "meta", "U")))
                if not isinstance(meta, dict) or meta.get("version") != _CACHE_VERSION:
                    msg = f"{path} was written by another version of bassin_geo; rebuild it"
                    raise DataFileError(msg)
                coords = _cache_array(z, "edge_coords", "f")
                offsets = _cache_array(z, "edge_offsets", "i")
                columns = {c: _cache_array(z, f"e_{c}", "biuf") for c in _EDGE_NUMBERS}
                columns.update({c: _cache_array(z, f"e_{c}", "U") for c in _EDGE_TEXTS})
                nxy = _cache_array(z, "node_xy", "f")
                osmid = _cache_array(z, "node_osmid", "i")
            n_edges, n_nodes = len(columns["u"]), len(osmid)
            if (
                nxy.shape != (n_nodes, 2)
                or coords.ndim != 2
                or offsets.shape != (n_edges + 1,)
                or any(a.shape != (n_edges,) for a in columns.values())
                or (n_edges and (offsets[0] != 0 or offsets[-1] != len(coords)))
                or np.any(np.diff(offsets) < 2)
                or not all(np.all((columns[k] >= 0) & (columns[k] < n_nodes)) for k in "uv")
            ):
                msg = "its arrays do not fit together (lengths, offsets or node ids)"
                raise ValueError(msg)
            geoms = shapely.from_ragged_array(shapely.GeometryType.LINESTRING, coords, (offsets,))
            edges = pd.DataFrame(columns)
            nodes = gpd.GeoDataFrame(
                {"osmid": osmid, "x": nxy[:, 0], "y": nxy[:, 1]},
                geometry=shapely.points(nxy),
                crs=WGS84,
            )
            mode, rules, source = meta["mode"], meta["rules"], meta["source"]
        except DataFileError:
            raise
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
            # A truncated, foreign or tampered file: never a zipfile or NumPy error.
            msg = (
                f"{path} is not a network cache written by Network.save ({exc}); delete it "
                "and rebuild the network"
            )
            raise DataFileError(msg) from exc
        edges["highway"] = edges["highway"].astype(object).where(edges["highway"] != "", None)
        edges_gdf = gpd.GeoDataFrame(edges, geometry=geoms, crs=WGS84)
        return cls(nodes, edges_gdf, mode, rules, source, meta.get("options"))
