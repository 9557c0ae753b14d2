"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Folder of the small data files used by the tests."""
    return DATA
