"""The words of the stage strip in French and English, and numbers written as each language does.

A strip is printed for French organisers first: every word on it comes from :data:`WORDS`,
so the French and English pictures say the same things. Layer styles keep their English
labels in :mod:`bassin_geo.styles`, whose :data:`~bassin_geo.styles.FRENCH_LABELS` gives
their French names on the strip as in the other products.

Examples
--------
>>> word("inside", "fr"), word("inside", "en")
('Contour du Bassin minier', 'Basin contour')
>>> number(1234.5, "fr", decimals=1), number(1234.5, "en", decimals=1)
('1\\u202f234,5', '1,234.5')
"""

from __future__ import annotations

from typing import Final

from bassin_geo.styles import LANGUAGES, check_lang, translated

__all__ = ["LANGS", "WORDS", "check_lang", "number", "style_label", "word"]

#: The languages a strip is drawn in.
LANGS: Final = LANGUAGES

#: Every word of the strip, by key then language.
WORDS: Final[dict[str, dict[str, str]]] = {
    "inside": {"fr": "Contour du Bassin minier", "en": "Basin contour"},
    "buffer_zone": {"fr": "Zone tampon", "en": "Buffer zone"},
    "property": {"fr": "Bien inscrit (UNESCO)", "en": "Listed property (UNESCO)"},
    "areas": {"fr": "Patrimoine mondial", "en": "World Heritage"},
    "communes": {"fr": "Communes", "en": "Communes"},
    "events": {"fr": "Course", "en": "Race"},
    "elevation": {"fr": "Altitude (m)", "en": "Elevation (m)"},
    "km": {"fr": "km", "en": "km"},
    "start": {"fr": "Départ", "en": "Start"},
    "finish": {"fr": "Arrivée", "en": "Finish"},
    "sprint": {"fr": "Sprint intermédiaire", "en": "Intermediate sprint"},
    "climb": {"fr": "Côte", "en": "Climb"},
    "category": {"fr": "cat.", "en": "cat."},
    "official_km": {"fr": "km officiel", "en": "official km"},
    "stage": {
        "fr": "Tour de France {year}, étape {number}",
        "en": "Tour de France {year}, stage {number}",
    },
    "approximate": {"fr": "approximatif", "en": "approximate"},
    "approximate_note": {
        "fr": (
            "Tracé approximatif, reconstruit commune par commune : {length} km contre "
            "{official} km officiels. Les bandes et les sites sont mesurés sur ce tracé ; "
            "les km officiels des événements sont donnés entre parenthèses."
        ),
        "en": (
            "Approximate line, rebuilt commune by commune: {length} km against an official "
            "{official} km. Bands and sites are measured on this line; the official km of "
            "the race events are given in brackets."
        ),
    },
    "approximate_short": {
        "fr": "Tracé approximatif ({method}).",
        "en": "Approximate line ({method}).",
    },
    "segments_note": {
        "fr": "{segments} segments joints dans l'ordre du fichier ({gap} km de raccords droits).",
        "en": "{segments} segments joined in file order ({gap} km of straight joins).",
    },
    "summary": {
        "fr": "{length} km · {communes} communes traversées · {inside} km dans le Bassin minier "
        "· {sites} {layer} à moins de {within} m",
        "en": "{length} km · {communes} communes crossed · {inside} km inside the Mining Basin "
        "· {sites} {layer} within {within} m",
    },
    "sites": {"fr": "Sites", "en": "Sites"},
    "no_sites": {
        "fr": "Aucun site à moins de {within} m du tracé ({layer}).",
        "en": "No site within {within} m of the route ({layer}).",
    },
    "thinned": {
        "fr": "Détail {detail} : {shown} noms sur {total} passages de communes, {sites_shown} "
        "noms sur {sites_total} sites (les noms qui se chevaucheraient sont omis).",
        "en": "Detail {detail}: {shown} names for {total} commune passages, {sites_shown} "
        "names for {sites_total} sites (names that would overlap are left out).",
    },
    "full": {"fr": "complet", "en": "full"},
    "summary_detail": {"fr": "résumé", "en": "summary"},
    "credit": {
        "fr": "Contour, zone tampon, bien et sites : données embarquées de bassin_geo.",
        "en": "Contour, buffer zone, property and sites: bassin_geo's embedded data.",
    },
}


def word(key: str, lang: str) -> str:
    """Return one word (or sentence pattern) of the strip in ``lang``.

    Parameters
    ----------
    key : str
        A key of :data:`WORDS`.
    lang : str
        ``"fr"`` or ``"en"``.

    Returns
    -------
    str
        The text; patterns hold ``{name}`` fields for :meth:`str.format`.

    Examples
    --------
    >>> word("finish", "fr")
    'Arrivée'
    """
    return WORDS[key][check_lang(lang)]


def style_label(label: str, lang: str) -> str:
    """Return a style table label in ``lang`` (the English label when no French one is known).

    Parameters
    ----------
    label : str
        A :class:`bassin_geo.styles.Style` label.
    lang : str
        ``"fr"`` or ``"en"``.

    Returns
    -------
    str
        The label in that language.

    Examples
    --------
    >>> style_label("Pitheads with a headframe", "fr")
    'Fosses avec chevalement'
    """
    return translated(label, check_lang(lang))


def number(value: float, lang: str, *, decimals: int = 0) -> str:
    """Write a number as ``lang`` does: ``1 234,5`` in French, ``1,234.5`` in English.

    Parameters
    ----------
    value : float
        The number.
    lang : str
        ``"fr"`` or ``"en"``.
    decimals : int, default 0
        Digits after the decimal mark.

    Returns
    -------
    str
        The number; French groups thousands with a narrow no-break space.

    Examples
    --------
    >>> number(87.46, "fr", decimals=1)
    '87,5'
    """
    text = f"{value:,.{decimals}f}"
    if check_lang(lang) == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
