"""Text helpers shared by the data build and the site search: one normalisation for both.

Examples
--------
>>> fold("Nœux-les-Mines") == fold("noeux-les-mines")
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["compact", "fold", "slug", "tokens"]

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "’": "'"})


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents and ligatures.

    Parameters
    ----------
    text : str
        Any text (other objects are turned into text first).

    Returns
    -------
    str
        The folded text.

    Examples
    --------
    >>> fold("Nœux Évin")
    'noeux evin'
    """
    text = str(text).translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def compact(text: str) -> str:
    """Fold ``text`` and keep letters and digits only, so spellings of one name compare equal.

    Parameters
    ----------
    text : str
        A name as people write it.

    Returns
    -------
    str
        Folded letters and digits, nothing else.

    Examples
    --------
    >>> compact("9 - 9 bis") == compact("9-9bis") == "99bis"
    True
    """
    return re.sub(r"[^a-z0-9]", "", fold(text))


def tokens(text: str) -> list[str]:
    """Folded words and numbers of ``text``.

    Parameters
    ----------
    text : str
        A name or a query.

    Returns
    -------
    list of str
        The words and numbers in order: ``/`` and punctuation separate them, and
        ``n°9`` gives ``"n"`` and ``"9"`` (the gazetteer drops ``"n"`` as a filler word).

    Examples
    --------
    >>> tokens("Fosse n°9"), tokens("11/19")
    (['fosse', 'n', '9'], ['11', '19'])
    """
    folded = re.sub(r"\bn\s*°\s*", " ", fold(text).replace("°", " "))
    return re.findall(r"[a-z]+|\d+", folded)


def slug(text: str) -> str:
    """A readable identifier fragment made of folded words and numbers.

    Parameters
    ----------
    text : str
        A name.

    Returns
    -------
    str
        The words joined with hyphens.

    Examples
    --------
    >>> slug("Fosse 9 - 9 bis")
    'fosse-9-9-bis'
    """
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))
