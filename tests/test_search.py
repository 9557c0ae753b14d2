"""Places as people name them: search, get_site and honest ambiguity.

The expected answers are read in the source layers (the ``site_id`` of the pit, heap,
estate, lake or commune a French user means), not taken from the search's own output.
"""

from __future__ import annotations

import doctest
import importlib

import pandas as pd
import pytest

import bassin_geo as bg
from bassin_geo._text import fold
from bassin_geo.places.names import parse_query, raw_words

LOOS_11_19 = "pit:loos-en-gohelle-11-19-pierre-destombes"
LENS_9 = "pit:lens-9-theodore-barrois"
OIGNIES_9_9BIS = "pit:oignies-9-9-bis-declercq-crombez"
DELLOYE = "pit:lewarde-delloye"
ARENBERG = "pit:wallers-arenberg"

# (query, the site_id a French user means), from the layers: pitheads (name, pit_name,
# aliases, compagnie), slag_heaps (terril, nom, nom_usuel), mining_estates, lakes,
# communes_nord_pas_de_calais (name, insee) and epci.
MEANT = [
    # pits, by name, alias, number and company
    ("Arenberg", ARENBERG),
    ("arenberg", ARENBERG),
    ("ARENBERG", ARENBERG),
    ("Fosse Arenberg", ARENBERG),
    ("fosse d'Arenberg", ARENBERG),
    ("Arenberg Creative Mine", ARENBERG),
    ("Wallers Arenberg", ARENBERG),
    ("Delloye", DELLOYE),
    ("fosse Delloye", DELLOYE),
    ("Fosse Delloye Lewarde", DELLOYE),
    ("Centre Historique Minier", DELLOYE),
    ("centre historique minier", DELLOYE),
    ("CHM", DELLOYE),
    ("CHM Lewarde", DELLOYE),
    ("9-9bis", OIGNIES_9_9BIS),
    ("9 - 9 bis", OIGNIES_9_9BIS),
    ("9/9bis", OIGNIES_9_9BIS),
    ("Le 9-9bis", OIGNIES_9_9BIS),
    ("11/19", LOOS_11_19),
    ("11-19", LOOS_11_19),
    ("Base 11/19", LOOS_11_19),
    ("base 11-19", LOOS_11_19),
    ("fosse 11/19", LOOS_11_19),
    ("Pierre Destombes", LOOS_11_19),
    ("Fosse 9 de Lens", LENS_9),
    ("fosse 9 Lens", LENS_9),
    ("fosse n°9 de Lens", LENS_9),
    ("Fosse no 9 de Lens", LENS_9),
    ("puits 9 de Lens", "shaft:102"),
    ("Puits 19 Loos-en-Gohelle", "shaft:119"),
    ("Théodore Barrois", LENS_9),
    ("Louvre-Lens", LENS_9),
    ("louvre lens", LENS_9),
    ("Fosse 2 de Lens", "pit:lens-2-grand-conde"),
    ("Fosse 1 Jules Casteleyn", "pit:lens-1-jules-casteleyn"),
    ("Fosse 1 Bruay-la-Buissière", "pit:bruay-la-buissiere-1"),
    ("Fosse 9 bis de Lens", "pit:lievin-9-bis-anatole-descamps"),
    ("fosse Sainte-Pauline", "pit:eleu-dit-leauwette-3-sainte-pauline"),
    ("fosse Ste Pauline", "pit:eleu-dit-leauwette-3-sainte-pauline"),
    ("Louis Bigo", "pit:lens-saint-louis"),
    # slag heaps, by number and by name
    ("terril 74", "slag:T074"),
    ("T074", "slag:T074"),
    ("T74", "slag:T074"),
    ("t074", "slag:T074"),
    ("terril n°74", "slag:T074"),
    ("Terril T074", "slag:T074"),
    ("T074a", "slag:T074a"),
    ("terril 74a", "slag:T074a"),
    ("terril 110", "slag:T110"),
    ("Terril du Pinchonvalles", "slag:T075"),
    ("terril Pinchonvalles", "slag:T075"),
    ("Pinchonvalles", "slag:T075"),
    ("Loisinord", "slag:T042"),
    ("terril Arenberg", "slag:T160"),
    # estates and lakes
    ("Cité des Électriciens", "estate:listed-3"),
    ("cite des electriciens", "estate:listed-3"),
    ("Cité des Provinces Lens", "estate:listed-19"),
    ("Cité Bruno", "estate:listed-73"),
    ("Mare à Goriaux", "lake:listed-0"),
    ("Étang d'Amaury", "lake:listed-1"),
    ("etang d amaury", "lake:listed-1"),
    ("Base des Argales", "lake:listed-4"),
    ("Parc de la Glissoire", "lake:buffer-ENZT07"),
    # communes by name (with and without accents) and INSEE code, EPCI
    ("Lens", "commune:62498"),
    ("62498", "commune:62498"),
    ("commune de Lens", "commune:62498"),
    ("Liévin", "commune:62510"),
    ("Lievin", "commune:62510"),
    ("LIÉVIN", "commune:62510"),
    ("Béthune", "commune:62119"),
    ("Bethune", "commune:62119"),
    ("Arras", "commune:62041"),
    ("Lille", "commune:59350"),
    ("59350", "commune:59350"),
    ("Douai", "commune:59178"),
    ("Valenciennes", "commune:59606"),
    ("Oignies", "commune:62637"),
    ("Wallers", "commune:59632"),
    ("Loos-en-Gohelle", "commune:62528"),
    ("Noeux-les-Mines", "commune:62617"),
    ("Nœux les Mines", "commune:62617"),
    ("Saint-Amand-les-Eaux", "commune:59526"),
    ("St Amand les Eaux", "commune:59526"),
    ("Condé-sur-l'Escaut", "commune:59153"),
    ("conde sur l escaut", "commune:59153"),
    ("Henin Beaumont", "commune:62427"),
    ("CA de Lens - Liévin", "epci:246200364"),
    ("CA de Lens-Liévin", "epci:246200364"),
    ("Métropole Européenne de Lille", "epci:200093201"),
]


@pytest.mark.parametrize(("query", "site_id"), MEANT)
def test_the_place_people_mean(query, site_id):
    assert bg.get_site(query)["site_id"] == site_id
    assert bg.search(query)["site_id"].iloc[0] == site_id or site_id in set(
        bg.search(query)["site_id"].iloc[:3]
    )


# (query, site_ids that must all be among the candidates), from the layers.
PITS_NUMBERED_1 = [
    "pit:annezin-1",
    "pit:bruay-la-buissiere-1",
    "pit:marles-les-mines-1",
    "pit:lieres-1",
    "pit:noeux-les-mines-1-de-bracquemont",
    "pit:bully-les-mines-1",
    "pit:bouvigny-boyeffles-1-de-marqueffles",
    "pit:lievin-1",
    "pit:vimy-1",
    "pit:lens-1-jules-casteleyn",
    "pit:bauvin-1",
    "pit:henin-beaumont-1-la-parisienne",
    "pit:carvin-1",
    "pit:courrieres-1-poussiere",
    "pit:oignies-1-auguste-dupire",
    "pit:flines-lez-raches-1-saint-charles",
    "pit:henin-beaumont-1",
    "pit:roeux-1",
]
AMBIGUOUS = [
    ("Fosse 1", PITS_NUMBERED_1),
    ("fosse 2", ["pit:annezin-2", "pit:bully-les-mines-2"]),
    ("9", ["pit:annequin-9", LENS_9]),
    ("Bonnel", ["pit:barlin-7-7-bis-bonnel", "pit:lallaing-bonnel"]),
    ("Fosse Saint-Louis", ["pit:lens-saint-louis", "pit:anzin-saint-louis"]),
    ("Cité des Provinces", ["estate:listed-19", "estate:buffer-18"]),
    ("Cité du Moulin", ["estate:listed-26", "estate:listed-49", "estate:listed-119"]),
    ("Terrils 109/113", ["slag:T109", "slag:T113"]),
    ("Rieulay", ["commune:59501", "slag:T144"]),
]


@pytest.mark.parametrize(("query", "expected"), AMBIGUOUS)
def test_ambiguous_names_list_their_candidates(query, expected):
    with pytest.raises(bg.AmbiguousSiteError) as err:
        bg.get_site(query)
    candidates = err.value.candidates
    assert set(expected) <= set(candidates["site_id"])
    assert list(candidates.columns) == list(bg.search("Lens").columns)
    message = str(err.value)
    # The message names the candidates with kind and commune, and how to choose.
    first = candidates.iloc[0]
    assert f"{first['kind']}, {first['commune']}" in message
    assert "site_id" in message and "commune" in message


def test_fosse_1_is_never_a_silent_pick():
    with pytest.raises(bg.AmbiguousSiteError) as err:
        bg.get_site("Fosse 1")
    assert set(err.value.candidates["kind"]) == {"pithead"}
    assert isinstance(err.value, bg.UnknownSiteError)  # old handlers still catch it
    # Narrowed by the commune, one pit: the commune in the query or as commune=.
    assert bg.get_site("Fosse 1", commune="Annezin")["site_id"] == "pit:annezin-1"
    assert bg.get_site("Fosse 1 Marles-les-Mines")["site_id"] == "pit:marles-les-mines-1"


REFUSED = ["a", "x", "fosse", "Fosse ", "terril", "cité", "puits", "de la", "n°", "la fosse"]


@pytest.mark.parametrize("query", REFUSED)
def test_generic_words_and_noise_find_nothing(query):
    assert bg.search(query).empty
    with pytest.raises(bg.UnknownSiteError, match="no site matches") as err:
        bg.get_site(query)
    assert not isinstance(err.value, bg.AmbiguousSiteError)


@pytest.mark.parametrize("query", ["zzzzqqq", "Atlantis", "pit:atlantis"])
def test_unknown_names(query):
    with pytest.raises(bg.UnknownSiteError, match="no site matches"):
        bg.get_site(query)


@pytest.mark.parametrize(
    ("query", "suggested"), [("Arenbreg", "Arenberg"), ("Pinchonvale", "Pinchonvalles")]
)
def test_a_typo_is_suggested_not_picked(query, suggested):
    with pytest.raises(bg.UnknownSiteError) as err:
        bg.get_site(query)
    assert suggested in err.value.suggestions
    assert suggested in str(err.value)
    assert fold(bg.search(query)["matched"].iloc[0]) == fold(suggested)


def test_search_frame():
    found = bg.search("Fosse 9 de Lens")
    assert list(found.columns) == [
        "site_id",
        "name",
        "kind",
        "commune",
        "insee",
        "score",
        "matched",
    ]
    assert found["site_id"].iloc[0] == LENS_9
    assert found["score"].is_monotonic_decreasing
    assert found["score"].between(0, 100).all()
    assert len(found) <= 10 and len(bg.search("Fosse 1", limit=3)) == 3
    assert len(bg.search("Fosse 1", limit=None)) > 18
    # The kind word steers: the pit first, the slag heap "9 de Lens" below it.
    heap = found.index[found["site_id"] == "slag:T068"]
    assert len(heap) == 0 or heap[0] > 0
    assert bg.search("terril 74")["matched"].iloc[0] == "T074"
    assert bg.search("pit:wallers-arenberg")[["site_id", "score"]].values.tolist() == [
        ["pit:wallers-arenberg", 100.0]
    ]
    assert bg.search("62498")["matched"].iloc[0] == "62498"


def test_kind_and_commune_narrow():
    assert bg.get_site("Arenberg", kind="slag_heap")["site_id"] == "slag:T160"
    assert bg.get_site("Arenberg", kind="building")["site_id"] == "building:89"
    assert set(bg.search("Lens", kind="commune")["kind"]) == {"commune"}
    assert set(bg.search("Fosse 1", commune="62498")["commune"]) == {"Lens"}
    with pytest.raises(bg.InvalidInputError, match="unknown kind"):
        bg.search("Lens", kind="castle")
    with pytest.raises(bg.InvalidInputError, match="no commune"):
        bg.search("Fosse 1", commune="Atlantis")
    with pytest.raises(bg.InvalidInputError):
        bg.search("Lens", limit=0)
    with pytest.raises(bg.InvalidInputError):
        bg.search("   ")


def test_every_place_is_found_by_its_id():
    from bassin_geo.places.index import places_table

    table = places_table()
    rows = [bg.get_site(sid) for sid in table["site_id"]]
    got = pd.DataFrame(rows).reset_index(drop=True)
    expected = pd.DataFrame(table).reset_index(drop=True)

    def plain(frame: pd.DataFrame) -> pd.DataFrame:  # one spelling of "missing"
        values = frame.drop(columns="geometry").astype(object)
        return values.where(values.notna(), None)

    pd.testing.assert_frame_equal(plain(got), plain(expected))
    assert all(a.equals(b) for a, b in zip(got["geometry"], expected["geometry"], strict=True))


def test_get_site_of_a_sites_row_is_that_row():
    sites = bg.load_sites()
    for _, row in sites.iloc[::25].iterrows():
        got = bg.get_site(row["site_id"])
        assert got[list(sites.columns)].drop("geometry").equals(row.drop("geometry"))


@pytest.mark.parametrize(
    "text", ["Nœux-les-Mines", "Fosse n°9 - 9 bis", "T074a", "Cité de l'Œuvre", "St-Éloi", "11/19"]
)
def test_folding_is_idempotent(text):
    once = raw_words(text)
    assert raw_words(" ".join(once)) == once
    assert fold(fold(text)) == fold(text)
    assert parse_query(" ".join(once)).words == parse_query(text).words


# ------------------------------------------------------------------ places everywhere
def test_an_ambiguous_name_in_a_distance_raises_with_candidates():
    with pytest.raises(bg.AmbiguousSiteError) as err:
        bg.distance("Fosse 1", "Arenberg")
    assert "pit:marles-les-mines-1" in set(err.value.candidates["site_id"])
    with pytest.raises(bg.UnknownSiteError, match="too short"):
        bg.distance("a", "Arenberg")


def test_a_commune_is_its_outline_for_distances():
    # Lens and Liévin share a border: 0 m between their outlines.
    assert bg.distance("Lens", "Liévin") == 0.0
    inside = bg.within_distance("Loos-en-Gohelle", 0, layer="pitheads")
    pits = bg.load_pitheads()
    assert set(inside["site_id"]) == set(pits.loc[pits["commune"] == "Loos-en-Gohelle", "site_id"])
    # Centre to centre: the row's point, inside the commune.
    lens, lievin = bg.get_site("Lens"), bg.get_site("62510")
    between = bg.distance(lens["geometry"], lievin["geometry"])
    assert 1_000 < between < 10_000
    assert bg.as_places("Lens").geometry.iloc[0].equals(lens["geometry"])


def test_search_results_are_places():
    found = bg.search("Fosse 1", commune="Lens")
    places = bg.as_places(found.iloc[:1])
    assert places["site_id"].tolist() == ["pit:lens-1-jules-casteleyn"]
    communes = bg.as_places(bg.search("Lens", kind="commune", limit=1), resolve_polygons=True)
    assert communes.geometry.iloc[0].geom_type in {"Polygon", "MultiPolygon"}


def test_heap_number_column_is_used_when_present(monkeypatch):
    import bassin_geo.places.index as index
    from bassin_geo.data.layers import read_cached

    heaps = read_cached("slag_heaps").copy()
    heaps["heap_number"] = heaps["terril"].where(heaps["site_id"] != "slag:T075", "T999")
    real = index.read_cached

    def fake(name: str) -> pd.DataFrame:
        return heaps if name == "slag_heaps" else real(name)

    monkeypatch.setattr(index, "read_cached", fake)
    index.name_index.cache_clear()
    try:
        assert bg.get_site("terril 999")["site_id"] == "slag:T075"
    finally:
        index.name_index.cache_clear()


@pytest.mark.parametrize(
    "name",
    [
        "bassin_geo.places.aliases",
        "bassin_geo.places.gazetteer",
        "bassin_geo.places.index",
        "bassin_geo.places.names",
        "bassin_geo.places.resolve",
        "bassin_geo.cli.layers",
        "bassin_geo.cli.parsing",
    ],
)
def test_examples_of_the_places_modules_run(name):
    # tests/test_docstrings.py runs the top-level modules' examples; these live deeper.
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_id_of_a_merged_copy_still_names_the_place():
    from bassin_geo.data.layers import read_cached

    estates = read_cached("mining_estates")
    if "other_ids" not in estates or estates["other_ids"].isna().all():
        pytest.skip("this data has no merged copies")
    row = estates[estates["other_ids"].notna()].iloc[0]
    old = str(row["other_ids"]).split(";")[0].strip()
    assert bg.get_site(old)["site_id"] == row["site_id"]
    places = bg.as_places(pd.DataFrame({"site_id": [old]}))
    assert places["site_id"].tolist() == [row["site_id"]]
