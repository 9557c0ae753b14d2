"""The provenance notes of the embedded data: ``PROVENANCE.md`` from the provenance record."""

from __future__ import annotations

from pathlib import Path

__all__ = ["provenance_markdown", "write_text"]


def write_text(path: Path, text: str) -> None:
    """Write ``text`` and a final newline to ``path`` atomically, in UTF-8."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def provenance_markdown(p: dict) -> str:
    """The text of ``PROVENANCE.md`` from the provenance record ``p``."""
    lines = [
        "# Provenance of data/boundaries",
        "",
        f"Built on {p['built']} by `tools/build_boundaries.py` from the published files "
        "listed below. Every layer is stored in `bassin_minier.gpkg` (one GeoPackage layer "
        "each, WGS84); areas and lengths are measured in Lambert-93 (EPSG:2154).",
        "",
        "Licence of the data: " + p["licence"] + '. Credit: "Mission Bassin Minier '
        'Nord-Pas de Calais / data.gouv.fr" for the official layers (published via the '
        'data.gouv.fr datasets "Périmètre bien inscrit et zone tampon du Bassin minier '
        'Patrimoine mondial UNESCO", "Anciens puits de mines dans le Bassin minier du '
        'Nord-Pas-de-Calais" and the Mission Bassin Minier WFS); "IGN — ADMIN EXPRESS" '
        "for the communes of Nord and Pas-de-Calais.",
        "",
        "| layer | features | measured | sources |",
        "|---|---|---|---|",
    ]
    for layer in p["layers"]:
        measured = (
            f"{layer['area_ha']:,} ha"
            if "area_ha" in layer
            else f"{layer['length_km']:,} km"
            if "length_km" in layer
            else ""
        )
        lines.append(
            f"| {layer['name']} | {layer['features']:,} | {measured} | "
            + ", ".join(layer["sources"])
            + " |"
        )
    schema = p["schema"]
    lines += [
        "",
        "## One schema for every layer",
        "",
        "Every layer starts with the columns "
        + ", ".join(f"`{c}`" for c in schema["uniform_columns"])
        + " (`commune` and `insee` only where they apply), made by the build: `site_id` "
        "is unique and stable, `name` is spelt as in the source (empty where the source "
        "names nothing: never made up), `kind` says what the feature is. The commune rules:",
        "",
        *[f"- `{rule}`: {text}." for rule, text in schema["commune_rules"].items()],
        "",
        "Legacy columns duplicate a uniform column (same values wherever they are filled); "
        "they are kept for compatibility and will be dropped in a later release.",
        "",
        "| layer | kind | name from | names | commune rule | communes | legacy columns |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in schema["layers"]:
        legacy = ", ".join(f"`{k}` = `{v}`" for k, v in s["legacy_columns"].items())
        filled = "" if s["communes_filled"] is None else f"{s['communes_filled']:,}"
        lines.append(
            f"| {s['name']} | {s['kind']} | {s['name_from']} | {s['names_filled']:,} | "
            f"{s['commune_rule'] or 'does not apply'} | {filled} | {legacy} |"
        )
    pits = p["pitheads"]
    bz = p["buffer_zone"]
    lines += [
        "",
        "## Measured figures against quoted ones",
        "",
        "- The basin contour measures "
        f"{next(x['area_ha'] for x in p['layers'] if x['name'] == 'perimeter'):,} ha; the "
        "press and UNESCO's 2012 list quote 120,000 ha, the layer's own attribute 1,790 km².",
        "- The listed property measures "
        f"{next(x['area_ha'] for x in p['layers'] if x['name'] == 'property'):,} ha "
        "(UNESCO states 3,943 ha; the polygons' surface_ha attribute sums to 3,974.8 ha).",
        f"- The buffer zone layer measures {bz['buffer_zone_ha']:,} ha alone: it has "
        f"{bz['holes']} holes, and {bz['components_mostly_in_holes']} of the "
        f"{bz['components']} listed components lie (by more than half their area) in them. "
        "Buffer zone ∪ property measures "
        f"**{bz['buffer_zone_with_property_ha']:,} ha** (the two overlap by "
        f"{bz['overlap_ha']} ha): {bz['difference_pct']:+} % from the "
        f"{bz['quoted_buffer_zone_ha']:,.0f} ha quoted for the buffer zone, consistent with "
        "that figure counting the property inside the buffer zone; the layer is not "
        f"incomplete. Quoted at: {bz['quoted_at']}.",
        f"- The 109 listed components overlap {p['property_communes']['overlapping']} communes "
        f"({p['property_communes']['overlap_over_100_m2']} by more than 100 m², "
        f"{p['property_communes']['overlap_over_1_ha']} by more than 1 ha); UNESCO says the 353 "
        "elements lie in 87 communes. Commune boundaries are simplified, so the smallest "
        "overlaps are slivers along a boundary.",
        "",
        "## What the flags mean",
        "",
        *[f"- `{k}`: {v}." for k, v in p["column_definitions"].items()],
        "",
        "| layer | features | listed | buffer-zone inventory | both | neither | rows with "
        "merged copies |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {name} | {f['features']} | {f['listed']} | {f['buffer_zone_inventory']} | "
            f"{f['listed_and_buffer_zone_inventory']} | {f['neither']} | {f['merged_copies']} |"
            for name, f in p["flags"].items()
            if "listed" in f
        ],
        "",
        "## One row per feature: copies merged",
        "",
        "Rule: " + p["duplicates"]["rule"] + ". Merged (kept id ← merged-away id, "
        "symmetric difference as a share of the union):",
        "",
        *[
            f"- {m['layer']}: `{m['kept']}` ← `{m['merged']}` {m['name']} "
            f"({m['symmetric_difference']:.2%}; {m['rule']})"
            for m in p["duplicates"]["merged"]
        ],
        "",
        "## Input files",
        "",
        "Every input is checked against `tools/sources.toml` (URL, retrieval date, licence, "
        "SHA-256) before the build reads it; a file that differs stops the build.",
        "",
        "| file | retrieved | licence | sha256 |",
        "|---|---|---|---|",
        *[
            f"| [{e['path']}]({e['url']}) | {e['retrieved']} | {e['licence']} | `{e['sha256']}` |"
            if e["url"].startswith("http")
            else f"| {e['path']} ({e['url']}) | {e['retrieved']} | {e['licence']} | "
            f"`{e['sha256']}` |"
            for e in p["inputs"]
        ],
        "",
        "## Notes on the source files",
        "",
        *[f"- {n}" for n in p["source_notes"]],
        "",
        "## Tour de France 2025",
        "",
        "`tdf2025_stages.csv` is copied unchanged from the compiled source table (one source "
        "URL per row); its notes are in `tdf2025_stages.SOURCES.md`. The stage lines that "
        "`bassin_geo.load_stage` draws through these communes are approximations "
        "(`approximate: true`), shorter than the official stages.",
        "",
        "## Pitheads",
        "",
        f"{pits['pits']} pits from {pits['shafts']} shafts. Grouping: {pits['grouping']}. "
        f"Each pit is the centroid of its shafts. `headframe` (legacy): {pits['headframe_rule']} "
        f"({pits['with_headframe_building']} pits): a listed headframe *or* pit building. "
        f"`listed_headframe`: the building is of typology Chevalement "
        f"({p['flags']['pitheads']['listed_headframe']} pits); `listed_pit_building`: of "
        f"typology Fosse ({p['flags']['pitheads']['listed_pit_building']} pits). UNESCO: the "
        f"pit or one of its shafts lies in a listed component ({pits['unesco']} pits).",
        "",
        f"`in_contour` (pitheads, shafts, sites): the point lies inside the basin contour. "
        f"{len(p['flags']['pitheads']['outside_contour'])} pits lie outside it (name, "
        "commune, year sunk): "
        + "; ".join(
            f"{o['name']} ({o['commune']}, {o['sunk']})"
            for o in p["flags"]["pitheads"]["outside_contour"]
        )
        + ".",
        "",
        "Names people use that the shaft inventory lacks are added to the pits' `aliases`, "
        "each with its source (`alias_sources`): "
        + "; ".join(
            f"{a['alias']} ({a['pit']}, {a['commune']}: {a['source']})"
            for a in pits["sourced_aliases"]
        )
        + ".",
        "",
        "## Rows whose source commune differs from the commune polygon that holds them",
        "",
        'The source names old or associated communes ("Douai-Dorignies"), uses another '
        "spelling, or the point lies a few metres across a simplified boundary. They are "
        "listed, not corrected.",
        "",
        "| layer | site_id | name | source commune | polygon commune |",
        "|---|---|---|---|---|",
    ]
    for d in p["commune_disagreements"]:
        lines.append(
            f"| {d['layer']} | {d['site_id']} | {d['name'] or ''} | {d['source_commune']} | "
            f"{d['polygon_commune'] or '(outside Nord and Pas-de-Calais)'} |"
        )
    return "\n".join(lines)
