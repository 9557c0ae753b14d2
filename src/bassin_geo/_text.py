"""Text helpers shared by the data build and the site search: one normalisation for both."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "’": "'"})


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents and ligatures ("Nœux" -> "noeux")."""
    text = str(text).translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def compact(text: str) -> str:
    """Fold ``text`` and keep letters and digits only: "9 - 9 bis" and "9-9bis" -> "99bis"."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def tokens(text: str) -> list[str]:
    """Folded words and numbers of ``text``; "n°9" gives "9", "11/19" gives "11", "19"."""
    folded = re.sub(r"\bn\s*°\s*", " ", fold(text).replace("°", " "))
    return re.findall(r"[a-z]+|\d+", folded)


def slug(text: str) -> str:
    """A readable identifier fragment: "Fosse 9 - 9 bis" -> "fosse-9-9-bis"."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))
