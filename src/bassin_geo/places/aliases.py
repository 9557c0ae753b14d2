"""Names people use for places that the source layers do not spell, each with its source.

The data build already adds a few to the pits' ``aliases`` ("Louvre-Lens", "Centre
Historique Minier", "Arenberg Creative Mine", with ``alias_sources``). This table adds
the names of the search, in the same spirit: an alias enters only with a public page
that uses it for that place.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["SOURCED_ALIASES", "SourcedAlias"]


class SourcedAlias(NamedTuple):
    """One name people use for a place, and a public page that uses it so.

    Parameters
    ----------
    site_id : str
        The place it names.
    alias : str
        The name as people write it.
    source : str
        The URL of a page that uses the name for that place.

    Examples
    --------
    >>> SOURCED_ALIASES[0].alias
    'Base 11/19'
    """

    site_id: str
    alias: str
    source: str


_LOOS = "https://loos-en-gohelle.fr/ressources/zoom-sur-la-base-11-19/"
_OIGNIES = "https://proscitec.hypotheses.org/le-9-9bis"
_LEWARDE = "https://www.chm-lewarde.com/fr/le-centre-historique-minier/le-musee/"

#: The sourced aliases of the search (see the module's docstring).
SOURCED_ALIASES: tuple[SourcedAlias, ...] = (
    SourcedAlias("pit:loos-en-gohelle-11-19-pierre-destombes", "Base 11/19", _LOOS),
    SourcedAlias("pit:loos-en-gohelle-11-19-pierre-destombes", "11/19", _LOOS),
    SourcedAlias("pit:oignies-9-9-bis-declercq-crombez", "9-9bis", _OIGNIES),
    SourcedAlias("pit:oignies-9-9-bis-declercq-crombez", "Le 9-9bis", _OIGNIES),
    # The museum's own site is chm-lewarde.com: the initials are the name it goes by.
    SourcedAlias("pit:lewarde-delloye", "CHM", _LEWARDE),
    SourcedAlias("pit:lewarde-delloye", "CHM Lewarde", _LEWARDE),
)
