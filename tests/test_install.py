"""The built wheel carries the data: install it in a fresh virtual environment and load."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

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
