"""Sphinx configuration of the API reference, generated from the docstrings.

Build it with ``python -m sphinx -W -b html docs/api build/docs`` (the test suite does,
in ``tests/test_docstrings.py``, so the reference never rots).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

import bassin_geo  # noqa: E402

project = "bassin_geo"
author = "bassin_geo developers"
copyright = "bassin_geo developers; code MIT, data Licence Ouverte 2.0"  # noqa: A001
release = bassin_geo.__version__
version = release

extensions = ["sphinx.ext.autodoc", "numpydoc"]
exclude_patterns = ["_build"]
# The reference is read offline: no intersphinx inventories fetched, plain HTML theme.
html_theme = "basic"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the docstrings' Parameters sections say the types in words
numpydoc_show_class_members = False  # members are listed by autodoc's :members:
numpydoc_class_members_toctree = False
