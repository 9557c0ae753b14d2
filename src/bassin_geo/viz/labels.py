"""The words of the maps in French and English: one table, keyed by the English text.

The maps speak French by default (``lang="fr"``), English on request (``lang="en"``).
Every text a map shows that bassin_geo writes itself (layer names of the style table,
legend, popup field labels, controls, start/finish, kilometre markers) goes through
:func:`label`; a text the table does not know (a user's own layer name) is shown as it is.

Examples
--------
>>> label("Pitheads"), label("Pitheads", "en"), label("My walks")
('Puits de mine', 'Pitheads', 'My walks')
"""

from __future__ import annotations

from bassin_geo.styles import FRENCH_LABELS, LANGUAGES, Lang, check_lang

__all__ = ["LABELS", "LANGUAGES", "Lang", "check_lang", "label"]


#: English text -> French text, for every word the maps write themselves.
LABELS: dict[str, str] = {
    # Layers and legend entries: the style table's French labels, shared with the
    # GeoPackage, KML and strip, except where the maps have used other words so far.
    **FRENCH_LABELS,
    "Basin contour": "Contour du bassin minier",
    "Listed property (UNESCO)": "Bien inscrit (UNESCO)",
    "Pitheads": "Puits de mine",
    "Pitheads with a headframe": "Puits avec chevalement",
    "Other pitheads": "Autres puits",
    "Mine shafts": "Puits (BRGM)",
    "Enters the basin": "Entrée dans le bassin",
    "Leaves the basin": "Sortie du bassin",
    "Stop": "Étape",
    "Kilometre markers": "Points kilométriques",
    # kinds of sites, in popups
    "Pithead": "Puits de mine",
    "Slag heap": "Terril",
    "Mining estate": "Cité minière",
    "Listed building": "Bâtiment inscrit",
    "Neo-natural space": "Espace néo-naturel",
    "Component of the listed property": "Élément du bien inscrit",
    "Mine shaft": "Puits",
    "Mining railway": "Cavalier",
    "Listed railway component": "Cavalier inscrit",
    "Intercommunality (EPCI)": "Intercommunalité (EPCI)",
    # popup field labels
    "Kind": "Nature",
    "Commune": "Commune",
    "Section": "Section",
    "Slag heap number": "Numéro de terril",
    "UNESCO element": "Élément UNESCO",
    "In the listed property": "Dans le bien inscrit",
    "Listed slag heap": "Terril inscrit",
    "Headframe / pit building": "Chevalement / bâtiment de puits",
    "Listed headframe": "Chevalement inscrit",
    "Listed pit building": "Bâtiment de puits inscrit",
    "Basin contour (in)": "Contour du bassin",
    "outside the basin contour": "hors du contour du bassin",
    "Type": "Type",
    "Company": "Compagnie",
    "Concession": "Concession",
    "Sunk": "Fonçage",
    "Closed": "Fermeture",
    "Depth": "Profondeur",
    "Shafts": "Puits",
    "Period": "Période",
    "Interest": "Intérêt",
    "Protection (MH)": "Protection (MH)",
    "Area": "Surface",
    "Length": "Longueur",
    "Population": "Population",
    "EPCI": "EPCI",
    "km": "km",
    "Method": "Méthode",
    "Travel time": "Temps de parcours",
    "Duration": "Durée",
    "Mode": "Mode",
    "Approximate": "Approximatif",
    "approximate": "approximatif",
    "Source": "Source",
    "yes": "oui",
    "no": "non",
    "BRGM sheet": "fiche BRGM",
    "Shaft": "Puits",
    # the page and its controls
    "Legend": "Légende",
    "Mining Basin of Nord-Pas de Calais": "Bassin minier du Nord-Pas de Calais",
    "Data": "Données",
    "Search a site or a commune": "Chercher un site, une commune",
    "No match": "Aucun résultat",
    "Reset the view": "Revenir à la vue d'ensemble",
    "Full screen": "Plein écran",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "Show or hide the legend": "Afficher ou masquer la légende",
    "Background map unavailable (no network)": "Fond de carte indisponible (pas de réseau)",
    "Layer": "Couche",
    "Itinerary": "Itinéraire",
    "Network": "Réseau",
    "Reachable": "Zone accessible",
    "Crossings": "Traversées",
}


def label(text: str, lang: Lang = "fr") -> str:
    """Return ``text`` (English, as bassin_geo writes it) in ``lang``.

    Parameters
    ----------
    text : str
        An English text of the table, or any text.
    lang : {"fr", "en"}, default "fr"
        The language of the map.

    Returns
    -------
    str
        The French text of the table for ``lang="fr"``; ``text`` itself in English or
        when the table does not know it.

    Examples
    --------
    >>> label("Finish"), label("Finish", "en")
    ('Arrivée', 'Finish')
    """
    if lang == "en":
        return text
    return LABELS.get(text, text)
