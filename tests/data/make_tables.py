"""Write the planners' tables in tests/data from the embedded pitheads (maintainer script).

Run from the repository root: ``PYTHONPATH=src python tests/data/make_tables.py``. The
files are committed; tests/test_tables.py reads them and checks them against pyproj and
the embedded layer, so they never hold invented places.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import bassin_geo as bg

HERE = Path(__file__).parent
PITS = ["Arenberg", "9-9bis", "11/19", "Delloye", "pit:bruay-la-buissiere-1"]


def pits() -> pd.DataFrame:
    """The five pits, with WGS84 and Lambert-93 coordinates."""
    rows = [bg.get_site(name) for name in PITS]
    wgs = bg.as_places([row["site_id"] for row in rows])
    l93 = wgs.to_crs("EPSG:2154")
    return pd.DataFrame(
        {
            "Identifiant": [f"P{i + 1:02d}" for i in range(len(rows))],
            "Nom": [row["name"] for row in rows],
            "Commune": [row["commune"] for row in rows],
            "lon": wgs.geometry.x.round(6),
            "lat": wgs.geometry.y.round(6),
            "X": l93.geometry.x.round(1),
            "Y": l93.geometry.y.round(1),
        }
    )


def main() -> None:
    """Write every fixture."""
    table = pits()
    # A French Excel's "CSV (séparateur: point-virgule)": cp1252, ';', decimal commas.
    french = table[["Identifiant", "Nom", "Commune", "X", "Y"]].rename(
        columns={"X": "Coord X (m)", "Y": "Coord Y (m)"}
    )
    french.to_csv(
        HERE / "adresses_fr.csv",
        sep=";",
        decimal=",",
        index=False,
        encoding="cp1252",
        lineterminator="\r\n",
    )
    # Longitude/latitude in UTF-8 with a BOM, commas, accented header names.
    table[["Nom", "Commune", "lat", "lon"]].rename(
        columns={"lat": "Latitude", "lon": "Longitude"}
    ).to_csv(HERE / "sites_bom.csv", index=False, encoding="utf-8-sig")
    # Tab separated, E/N in Lambert-93 with no CRS said.
    table[["Identifiant", "Nom", "X", "Y"]].rename(columns={"X": "E", "Y": "N"}).to_csv(
        HERE / "lambert93.tsv", sep="\t", index=False
    )
    # A workbook written by pandas/openpyxl: a data sheet and a notes sheet.
    with pd.ExcelWriter(HERE / "visites.xlsx", engine="openpyxl") as book:
        table[["Identifiant", "Nom", "Commune", "lon", "lat"]].to_excel(
            book, sheet_name="visites", index=False
        )
        pd.DataFrame({"note": ["coordonnées WGS84"]}).to_excel(
            book, sheet_name="notes", index=False
        )
    # An OpenDocument sheet with the X/Y columns, and a name that looks like a formula.
    ods = table[["Nom", "X", "Y"]].copy()
    ods.loc[0, "Nom"] = "=Arenberg"
    ods.to_excel(HERE / "terrain.ods", engine="odf", sheet_name="terrain", index=False)


if __name__ == "__main__":
    main()
