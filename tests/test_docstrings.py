"""Every public name documents itself (numpydoc), and every example in the package runs."""

from __future__ import annotations

import ast
import doctest
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import bassin_geo

# Every module of the package, subpackages included. The CLI documents itself through
# --help; ``__main__`` modules run the program when imported.
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(bassin_geo.__path__, "bassin_geo.")
    if not (m.name == "bassin_geo.cli" or m.name.startswith("bassin_geo.cli."))
    and not m.name.endswith(".__main__")
)

#: Modules whose import needs an optional extra, and the module that extra provides.
OPTIONAL = {"bassin_geo.scale": "dask_geopandas"}

#: The numpydoc checks every public docstring passes: a docstring exists (GL08), every
#: parameter is documented (PR01) and nothing else is (PR02), each with a description
#: (PR07), the return value is documented (RT01) and there is an Examples section (EX01).
CHECKS = ("GL08", "PR01", "PR02", "PR07", "RT01", "EX01")

#: The result objects whose public methods are part of the API.
RESULT_CLASSES = ("Network", "Itinerary", "Route", "Crossings", "Reachable")


def test_every_subpackage_is_walked():
    assert "bassin_geo.bassin_geo" not in MODULES
    for package in ("analysis", "data", "io", "places", "routing", "viz"):
        assert any(m.startswith(f"bassin_geo.{package}.") for m in MODULES), package


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name])
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


def _public_callables() -> list[str]:
    """Dotted names of the public functions and classes, and the result classes' methods."""
    names = []
    for name in bassin_geo.__all__:
        obj = getattr(bassin_geo, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            names.append(f"bassin_geo.{name}")
    for cls_name in RESULT_CLASSES:
        cls = getattr(bassin_geo, cls_name)
        for attr, member in vars(cls).items():
            if attr.startswith("_"):
                continue
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if inspect.isfunction(member):
                names.append(f"bassin_geo.{cls_name}.{attr}")
    return names


def _numpydoc_errors(name: str) -> list[str]:
    validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the test extra")
    report = validate.validate(name)
    return [f"{code}: {message}" for code, message in report["errors"] if code in CHECKS]


@pytest.mark.parametrize("name", _public_callables())
def test_numpydoc(name):
    errors = _numpydoc_errors(name)
    assert not errors, f"{name}:\n  " + "\n  ".join(errors)


def test_result_properties_are_documented():
    missing = []
    for cls_name in RESULT_CLASSES:
        for attr, member in vars(getattr(bassin_geo, cls_name)).items():
            if isinstance(member, property) and not attr.startswith("_"):
                if not (member.__doc__ or "").strip():
                    missing.append(f"{cls_name}.{attr}")
    assert not missing, f"properties without a docstring: {missing}"


# --- the API reference (docs/api), built from these docstrings -----------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api"


def test_api_reference_lists_every_public_name():
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.rst"))
    documented = set(re.findall(r"^\.\. (?:autofunction|autoclass|data):: (\w+)", text, re.M))
    # Modules documented whole (automodule :members:) cover the names they export.
    for module in re.findall(r"^\.\. automodule:: ([\w.]+)", text, re.M):
        documented.update(_literal_all(module))
    public = {
        name for name in bassin_geo.__all__ if not inspect.ismodule(getattr(bassin_geo, name))
    }
    missing = sorted(public - documented)
    assert not missing, f"public names missing from docs/api/*.rst: {missing}"


def _literal_all(module: str) -> list[str]:
    """A module's ``__all__`` read from its source, so optional extras need not be installed."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return list(importlib.import_module(module).__all__)


@pytest.mark.slow
def test_api_reference_builds_without_warnings(tmp_path):
    pytest.importorskip("sphinx", reason="sphinx is in the test extra")
    pytest.importorskip("numpydoc", reason="numpydoc is in the test extra")
    pytest.importorskip("dask_geopandas", reason="the reference documents bassin_geo.scale")
    src = Path(__file__).resolve().parents[1] / "src"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-6000:]
    page = (tmp_path / "html" / "routing.html").read_text(encoding="utf-8")
    assert 'id="bassin_geo.Network.snap"' in page or 'id="bassin_geo.Network"' in page
