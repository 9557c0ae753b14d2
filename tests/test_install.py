"""What ships: the wheel carries the data and the licences and installs in a fresh virtual
environment; the sdist carries what its own tests, docs and data build need, and its tests run."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The licence files: MIT for the code, the data licences beside it (LICENSES/).
LICENCES = ("LICENSE", "LICENSES/etalab-2.0.md", "LICENSES/ODbL-1.0.md", "LICENSES/README.md")

SCRIPT = """
import bassin_geo as bg, pathlib, sys
where = pathlib.Path(bg.__file__).resolve()
assert str(where).startswith(sys.prefix), where
for name in bg.list_layers()["name"]:
    assert len(bg.load_layer(name)) > 0, name
print(bg.data_dir().relative_to(where.parent), len(bg.load_sites()))
"""


@pytest.mark.install
@pytest.mark.slow
def test_wheel_installs_and_loads_every_layer(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(wheels.glob("bassin_geo-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    # The dependencies come from the running environment (no download in tests): a .pth
    # file appends its site-packages after the venv's own, so the wheel is found first.
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_outer_deps.pth").write_text(
        "\n".join({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}) + "\n"
    )
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [str(py), "-c", SCRIPT], cwd=elsewhere, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out[0] == "data/boundaries"
    assert int(out[1]) > 1000


def _version() -> str:
    """``__version__`` as written in the one version source, read without importing."""
    text = (ROOT / "src" / "bassin_geo" / "__init__.py").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("__version__"))
    return line.split("=", 1)[1].strip().strip("\"'")


def _build(target: str, out: Path) -> Path:
    """Build the wheel or the sdist with hatchling, offline (no build isolation)."""
    pytest.importorskip("hatchling", reason="hatchling is in the test extra")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", target, "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    pattern = "bassin_geo-*.whl" if target == "wheel" else "bassin_geo-*.tar.gz"
    return next(out.glob(pattern))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    return {"wheel": _build("wheel", out), "sdist": _build("sdist", out)}


@pytest.mark.install
def test_wheel_carries_the_licences_types_and_data(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = f"bassin_geo-{_version()}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
    for licence in LICENCES:
        assert f"{info}/licenses/{licence}" in names, licence
    assert "License-Expression: MIT AND etalab-2.0" in metadata
    assert f"Version: {_version()}" in metadata
    assert "bassin_geo/py.typed" in names
    assert "bassin_geo/data/boundaries/bassin_minier.gpkg" in names
    assert "bassin_geo/data/boundaries/PROVENANCE.md" in names
    # The data build is a maintainer's tool: it stays out of the wheel.
    assert not any(n.startswith(("tools/", "bassin_geo/tools/")) for n in names)


#: What the sdist's tests, docs build, notebooks and data build read from the tree.
SDIST_NEEDS = (
    *LICENCES,
    "README.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "CITATION.cff",
    "pyproject.toml",
    "src/bassin_geo/__init__.py",
    "src/bassin_geo/py.typed",
    "data/boundaries/bassin_minier.gpkg",
    "data/boundaries/tdf2025_stages.csv",
    "tools/build_boundaries.py",
    "tests/conftest.py",
    "docs/api/conf.py",
    "docs/api/index.rst",
)


@pytest.mark.install
def test_sdist_carries_what_its_tests_need(built):
    with tarfile.open(built["sdist"]) as sdist:
        top = f"bassin_geo-{_version()}/"
        names = {n.removeprefix(top) for n in sdist.getnames()}
    missing = [n for n in SDIST_NEEDS if n not in names]
    assert not missing, f"missing from the sdist: {missing}"
    for folder, pattern in [
        ("notebooks", "*.ipynb"),
        ("benchmarks", "*.py"),
        ("tests", "test_*.py"),
        ("tests/data", "*"),
        ("docs", "*.md"),
    ]:
        here = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).glob(pattern)}
        assert here, folder
        assert here <= names, f"{folder}: missing {sorted(here - names)}"


@pytest.mark.install
@pytest.mark.slow
def test_sdist_tests_run_from_the_unpacked_sdist(built, tmp_path):
    with tarfile.open(built["sdist"]) as sdist:
        sdist.extractall(tmp_path, filter="data")
    tree = tmp_path / f"bassin_geo-{_version()}"
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    collected = subprocess.run(
        [*run, "--collect-only"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    assert collected.returncode == 0, collected.stdout[-4000:] + collected.stderr[-2000:]
    # A quick subset: the files the tests look for, and the package loading its own data.
    quick = subprocess.run(
        [
            *run,
            "-m",
            "not slow and not browser and not install",
            "tests/test_notebooks.py",
            "tests/test_layers.py",
            "tests/test_docstrings.py::test_api_reference_lists_every_public_name",
            "tests/test_architecture.py::test_contracts_cover_every_subpackage",
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert quick.returncode == 0, quick.stdout[-4000:] + quick.stderr[-2000:]
    imported = subprocess.run(
        [sys.executable, "-c", "import bassin_geo; print(bassin_geo.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(imported.strip()).is_relative_to(tree)
