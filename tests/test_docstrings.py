"""Every public function documents itself with an example, and every example runs."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import bassin_geo

MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(bassin_geo.__path__, "bassin_geo.")
    if m.name not in {"bassin_geo.cli"}  # the CLI documents itself through --help
)


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    if name == "bassin_geo.scale":
        pytest.importorskip("dask_geopandas")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_public_functions_have_an_example():
    missing = []
    for name in bassin_geo.__all__:
        obj = getattr(bassin_geo, name)
        if inspect.isfunction(obj) and "Examples" not in (obj.__doc__ or ""):
            missing.append(name)
    assert not missing, f"public functions without an Examples section: {missing}"
