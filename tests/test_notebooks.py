"""Both notebooks run top to bottom, and are stored without outputs."""

from __future__ import annotations

import pytest

from conftest import ROOT

pytestmark = pytest.mark.integration
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_two_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == ["chatbot.ipynb", "explore.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executes(path, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any(o.output_type in ("execute_result", "display_data", "stream") for o in outputs)
    warnings = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr" and "Warning" in o.text]
    assert warnings == []  # e.g. tqdm's "IProgress not found" on importing bm25s
    if path.name == "explore.ipynb":  # the heatmap and the map are drawn
        assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
