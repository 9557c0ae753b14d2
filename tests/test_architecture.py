"""The house rules, checked: one-way imports, no private names across modules, small
modules, strict types and an ``__all__`` everywhere."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bassin_geo

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "bassin_geo"
MAX_LINES = 800

#: Modules whose import needs an optional extra, and the module that extra provides.
OPTIONAL = {"bassin_geo.scale": "dask_geopandas"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


SOURCES = sorted(PACKAGE.rglob("*.py"))
MODULES = {_module_name(p): p for p in SOURCES}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of bassin_geo (private ones included)."""
    return dotted in MODULES


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # The checks read the source tree, wherever the package is installed.
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kwargs
    )


# --- (a) import contracts -----------------------------------------------------------------


def test_import_contracts_are_kept():
    pytest.importorskip("importlinter", reason="import-linter is in the test extra")
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(no_cache=True, no_logo=True))\n"
    )
    result = _run([sys.executable, "-c", code])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


def test_contracts_cover_every_subpackage():
    """A new top-level module or subpackage must take its place in the layers."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pytest brings tomli there
        tomllib = pytest.importorskip("tomli")

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layered = set()
    for contract in contracts:
        for layer in contract.get("layers", []):
            layered.update(name.strip() for name in layer.replace(":", "|").split("|"))
    top = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem not in {"__init__", "__main__"})
        or (p.is_dir() and (p / "__init__.py").exists())
    }
    missing = sorted(top - layered)
    assert not missing, f"modules outside the import layers in pyproject.toml: {missing}"


# --- (b) no private names across modules --------------------------------------------------


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` reads from."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _private_uses(module: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    # Local names bound to bassin_geo modules: alias -> dotted module name.
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "bassin_geo" or alias.name.startswith("bassin_geo."):
                    if alias.asname:
                        modules[alias.asname] = alias.name
                    else:
                        modules["bassin_geo"] = "bassin_geo"
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node, is_package)
            if not (source == "bassin_geo" or source.startswith("bassin_geo.")):
                continue
            for alias in node.names:
                target = f"{source}.{alias.name}"
                if _is_module(target):
                    modules[alias.asname or alias.name] = target
                elif _is_private(alias.name):
                    found.append(f"{module}:{node.lineno}: from {source} import {alias.name}")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
            continue
        owner = _dotted(node.value)
        if owner is None:
            continue
        head, _, rest = owner.partition(".")
        if head not in modules:
            continue
        resolved = modules[head] + (f".{rest}" if rest else "")
        if _is_module(resolved) and not _is_module(f"{resolved}.{node.attr}"):
            if resolved != module:
                found.append(f"{module}:{node.lineno}: {owner}.{node.attr}")
    return found


def test_no_private_names_across_modules():
    found = []
    for module, path in MODULES.items():
        found += _private_uses(module, path)
    assert not found, "private names used across modules:\n  " + "\n  ".join(found)


def test_the_private_name_scan_sees_what_it_must(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from bassin_geo.data.layers import _read, load_layer\n"
        "from bassin_geo import _compat\n"
        "from bassin_geo.routing import network as net\n"
        "import bassin_geo.analysis.distances\n"
        "net._snap(1)\n"
        "bassin_geo.analysis.distances._check_method('x')\n"
        "_compat.keyword_only\n"
        "net.__name__\n",
        encoding="utf-8",
    )
    found = _private_uses("bassin_geo.sample", sample)
    assert [f.split(": ", 1)[1] for f in found] == [
        "from bassin_geo.data.layers import _read",
        "net._snap",
        "bassin_geo.analysis.distances._check_method",
    ]


# --- (c) small modules --------------------------------------------------------------------


def test_no_module_over_800_lines():
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in SOURCES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


# --- (d) strict types ---------------------------------------------------------------------


@pytest.mark.slow
def test_mypy_strict_is_clean():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it is in the test extra: pip install -e '.[test]')")
    # The configuration (strict, files, overrides) is read from pyproject.toml.
    result = _run([sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"])
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 0, (
        f"mypy --strict: {len(errors)} error(s)\n" + "\n".join(errors[:60]) + result.stderr
    )


# --- (e) public names ---------------------------------------------------------------------


def test_every_public_name_resolves():
    unresolved = []
    for name in bassin_geo.__all__:
        try:
            getattr(bassin_geo, name)
        except AttributeError:
            unresolved.append(name)
    assert not unresolved, f"names in bassin_geo.__all__ that do not resolve: {unresolved}"
    assert len(set(bassin_geo.__all__)) == len(bassin_geo.__all__), "duplicates in __all__"
    assert set(bassin_geo.__all__) <= set(dir(bassin_geo))


def test_every_module_declares_all():
    """``__all__`` in every module (``__main__`` entry points aside), assigned literally."""
    missing = []
    for module, path in MODULES.items():
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned = any(
            (isinstance(node, ast.Assign) and any(_dotted(t) == "__all__" for t in node.targets))
            or (isinstance(node, ast.AnnAssign) and _dotted(node.target) == "__all__")
            for node in tree.body
        )
        if not assigned:
            missing.append(module)
    assert not missing, f"modules without __all__: {missing}"


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items() if p.stem != "__main__"))
def test_names_in_each_all_resolve(module):
    if module in OPTIONAL:
        pytest.importorskip(OPTIONAL[module])
    imported = importlib.import_module(module)
    names = getattr(imported, "__all__", None)
    if names is None:
        pytest.skip("no __all__ (reported by test_every_module_declares_all)")
    missing = [name for name in names if not hasattr(imported, name)]
    assert not missing, f"{module}.__all__ lists names it does not define: {missing}"
