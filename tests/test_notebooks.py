"""Every notebook runs from a clean kernel, and is stored without outputs.

A notebook runs in its own folder, as Jupyter runs it, so a path relative to the notebook
(``../tests/data/...``) works; a FutureWarning (an old argument form or name) is an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{path.name} is stored with outputs: clear them before committing"
    )
    # The notebooks show the current API: a deprecated form fails the run.
    strict = nbformat.v4.new_code_cell(
        "import warnings\nwarnings.simplefilter('error', FutureWarning)"
    )
    nb.cells.insert(0, strict)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
