"""How names and queries become words: folding, numbers, kind words and filler words.

One tokenisation for both sides of a match, so that a query and a name compare the same
way: accents, case, ligatures and punctuation are folded (:func:`bassin_geo._text.fold`),
"St"/"Ste" read "Saint"/"Sainte", "n°9", "no 9" and "num 9" read "9", a number keeps its
"bis"/"ter" ("9 bis" and "9bis" are one token, ``"9bis"``), and leading zeros go
("T074" is heap ``74``).

Words that say what kind of place is meant (:data:`KIND_WORDS`: "fosse", "terril",
"cité", "commune"...) and filler words (:data:`FILLER_WORDS`: "de", "la", "les"...) are
not name words: a query keeps them apart, and they steer the kind instead of counting in
the match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bassin_geo._text import compact, fold

__all__ = [
    "FILLER_WORDS",
    "KIND_WORDS",
    "Query",
    "literal_key",
    "name_words",
    "parse_query",
    "raw_words",
]

#: Words that name a kind of place rather than a place, and the kinds they point to,
#: the likeliest first ("puits" is a shaft, or the pit it belongs to).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    word: kinds
    for words, kinds in (
        (("fosse", "fosses", "carreau", "siege"), ("pithead",)),
        (("puits",), ("shaft", "pithead")),
        (("chevalement", "chevalements"), ("pithead", "building")),
        (("terril", "terrils", "crassier"), ("slag_heap",)),
        (("cite", "cites", "coron", "corons"), ("mining_estate", "property_component")),
        (("etang", "etangs", "lac", "mare"), ("lake",)),
        (("commune", "ville", "village"), ("commune",)),
        (("ca", "cc", "cu", "communaute", "agglomeration", "agglo"), ("epci",)),
    )
    for word in words
}

#: Words that carry no name: articles, prepositions, number markers, and words such as
#: "site", "base" or "mines" that many kinds of place use ("Base 11/19" is a pit, "Base
#: des Argales" a lake).
FILLER_WORDS = frozenset(
    "a au aux d de des du en et l la le les lez n no num numero sur sous dit site base "
    "mine mines minier miniere".split()
)

_NUMBER_MARK = re.compile(r"\b(?:n|no|num|numero)\s*[°º.]?\s*(?=\d)|[°º]")
_SAINT = {"st": "saint", "ste": "sainte", "sts": "saints"}
# A number with its bis/ter, a heap number (t074a), a number with one letter (25b), a word.
_TOKEN = re.compile(r"\bt(\d+)([a-z]?)\b|(\d+)(?:\s*(bis|ter)\b|([a-z])\b)?|([a-z]+)")


def raw_words(text: str) -> list[str]:
    """Every folded word and number of ``text``, kind and filler words included.

    Parameters
    ----------
    text : str
        A name or a query.

    Returns
    -------
    list of str
        Words and numbers in order; a number keeps its ``bis``/``ter`` or letter suffix
        and loses its leading zeros, and a heap number ``T074`` gives ``"t74"``.

    Examples
    --------
    >>> raw_words("Fosse n°9 - 9 bis de St-Pierre")
    ['fosse', '9', '9bis', 'de', 'saint', 'pierre']
    >>> raw_words("Terril T074a")
    ['terril', 't74a']
    """
    folded = _NUMBER_MARK.sub(" ", fold(text))
    words: list[str] = []
    for heap, heap_suffix, number, suffix, letter, word in _TOKEN.findall(folded):
        if heap:
            words.append(f"t{int(heap)}{heap_suffix}")
        elif number:
            words.append(f"{int(number)}{suffix or letter}")
        else:
            words.append(_SAINT.get(word, word))
    return words


def name_words(text: str) -> tuple[str, ...]:
    """The words of a name that identify it: without kind words and filler words.

    Parameters
    ----------
    text : str
        A name as a layer spells it.

    Returns
    -------
    tuple of str
        Its identifying words and numbers, in order.

    Examples
    --------
    >>> name_words("Fosse 9 - 9 bis de Warenghien")
    ('9', '9bis', 'warenghien')
    >>> name_words("Cité du n°7 de Béthune")
    ('7', 'bethune')
    """
    return tuple(w for w in raw_words(text) if w not in KIND_WORDS and w not in FILLER_WORDS)


def literal_key(text: str) -> str:
    """A name or query folded to letters and digits, every word kept, to compare in full.

    Parameters
    ----------
    text : str
        A name or a query.

    Returns
    -------
    str
        The words of :func:`raw_words` run together.

    Examples
    --------
    >>> literal_key("Fosse n°9-9 bis") == literal_key("fosse 9 - 9bis")
    True
    """
    return compact(" ".join(raw_words(text)))


@dataclass(frozen=True)
class Query:
    """A query as the gazetteer reads it.

    Parameters
    ----------
    text : str
        The query as typed.
    words : tuple of str
        Its identifying words and numbers (heap numbers such as ``T074`` read ``74``).
    kinds : frozenset of str
        The kinds its kind words point to ("fosse" → pithead); empty without one.
    heap_number : bool
        Whether a number may be a slag heap's number: a ``T`` number, or a number next
        to "terril".
    preferred : tuple of str
        The same kinds, the likeliest first, to choose among places of one commune.
    key : str
        The whole query folded to letters and digits, to recognise a name typed in full.
    generic : tuple of str
        The kind words it holds, to say why a query of kind words alone finds nothing.

    Examples
    --------
    >>> q = parse_query("Terril n°74")
    >>> q.words, sorted(q.kinds), q.heap_number
    (('74',), ['slag_heap'], True)
    """

    text: str
    words: tuple[str, ...]
    kinds: frozenset[str]
    heap_number: bool
    key: str
    generic: tuple[str, ...] = field(default=())
    preferred: tuple[str, ...] = field(default=())


def parse_query(text: str) -> Query:
    """Split a query into its name words and its kind hints.

    Parameters
    ----------
    text : str
        The query as typed ("Fosse 9 de Lens", "terril 74", "T074", "62498").

    Returns
    -------
    Query
        The identifying words, the hinted kinds and the folded whole.

    Examples
    --------
    >>> q = parse_query("Fosse 9 de Lens")
    >>> q.words, sorted(q.kinds)
    (('9', 'lens'), ['pithead'])
    >>> parse_query("T074").words, parse_query("T074").heap_number
    (('74',), True)
    """
    raw = raw_words(text)
    generic = tuple(w for w in raw if w in KIND_WORDS)
    preferred = tuple(dict.fromkeys(k for w in generic for k in KIND_WORDS[w]))
    heap = any(re.fullmatch(r"t\d+[a-z]?", w) for w in raw)
    words = tuple(
        w[1:] if re.fullmatch(r"t\d+[a-z]?", w) else w
        for w in raw
        if w not in KIND_WORDS and w not in FILLER_WORDS
    )
    if heap and "slag_heap" not in preferred:
        preferred = ("slag_heap", *preferred)
    kinds = frozenset(preferred)
    return Query(
        text=text,
        words=words,
        kinds=kinds,
        heap_number=heap or "slag_heap" in kinds,
        key=literal_key(text),
        generic=generic,
        preferred=preferred,
    )
