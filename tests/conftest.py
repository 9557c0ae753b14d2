"""Shared fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
# The data build is a maintainer's tool, not part of the package: import it from tools/.
sys.path.insert(0, str(TESTS.parent / "tools"))


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Folder of the small data files used by the tests."""
    return DATA
