"""Conveniences that span the layers: the whole embedded basin as a field kit."""

from __future__ import annotations

import os
from pathlib import Path

from bassin_geo._compat import keyword_only
from bassin_geo.errors import InvalidInputError, OverwriteError
from bassin_geo.io.atomic import atomic_folder
from bassin_geo.io.geojson import to_geojson
from bassin_geo.io.geopackage import to_geopackage
from bassin_geo.io.options import check_flag

__all__ = ["export_all"]


@keyword_only(1, ("overwrite", "progress"))
def export_all(
    out_dir: str | os.PathLike[str], *, overwrite: bool = False, progress: bool = True
) -> dict[str, Path]:
    """Write the embedded data as a field kit: an offline map, GeoJSON and a GeoPackage.

    Writes ``out_dir/map.html`` (the default map, self-contained, works with no network),
    ``out_dir/geojson/<layer>.geojson`` for every embedded layer and
    ``out_dir/bassin_minier.gpkg`` (every layer, Lambert-93, with QGIS styles).

    Parameters
    ----------
    out_dir : path-like
        Folder to fill (created if missing).
    overwrite : bool, default False
        Replace existing files; without it nothing is written if any target exists.
        Other files in ``out_dir`` are kept. The kit is built in a staging folder beside
        ``out_dir`` and published at the end, so a failure (a full disk, an interruption)
        leaves ``out_dir`` as it was: no partial kit, the previous one intact.
    progress : bool, default True
        Show a progress bar (tqdm) on standard error.

    Returns
    -------
    dict
        What was written: ``{"map": path, "geopackage": path, "<layer>": path...}``.

    Raises
    ------
    OverwriteError
        A file of the kit exists and ``overwrite`` is false.
    ExportError
        Writing failed (for instance the disk is full); nothing was changed in ``out_dir``.

    Examples
    --------
    >>> import tempfile
    >>> written = export_all(tempfile.mkdtemp(), progress=False)
    >>> sorted(written)[:3], written["map"].name
    (['buffer_zone', 'buildings', 'communes'], 'map.html')
    """
    from tqdm import tqdm

    from bassin_geo.data.layers import list_layers, load_layer
    from bassin_geo.viz import make_map, save_map

    overwrite = check_flag(overwrite, "overwrite")
    progress = check_flag(progress, "progress")
    if not isinstance(out_dir, (str, os.PathLike)) or not str(out_dir).strip():
        msg = f"out_dir must be a folder path, got {out_dir!r:.40}"
        raise InvalidInputError(msg)
    out = Path(out_dir)
    names = list(list_layers()["name"])
    relative = {name: Path("geojson") / f"{name}.geojson" for name in names}
    relative["geopackage"] = Path("bassin_minier.gpkg")
    relative["map"] = Path("map.html")
    targets = {name: out / rel for name, rel in relative.items()}
    if not overwrite:
        existing = [str(p) for p in targets.values() if os.path.lexists(p)]
        if existing:
            msg = (
                f"{len(existing)} file(s) already exist in {out} (first: {existing[0]}); "
                "pass overwrite=True to replace them"
            )
            raise OverwriteError(msg)
    # All or nothing: the kit is built in a staging folder beside out_dir and published
    # at the end; a failure (a full disk, an interruption) leaves out_dir as it was.
    with (
        atomic_folder(out, overwrite=overwrite, merge=True) as staging,
        tqdm(total=len(targets), desc="bassin_geo export", disable=not progress) as bar,
    ):
        for name in names:
            bar.set_postfix_str(name)
            to_geojson(load_layer(name), staging / relative[name])
            bar.update()
        bar.set_postfix_str("geopackage")
        to_geopackage(names, staging / relative["geopackage"])
        bar.update()
        bar.set_postfix_str("map")
        save_map(make_map(), staging / relative["map"], offline=True)
        bar.update()
    return targets
