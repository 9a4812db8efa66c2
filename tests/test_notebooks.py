"""The notebooks: every source in notebooks/src runs top to bottom on a fresh kernel at
the small sizes CI uses (PATHJAX_NOTEBOOK_SMALL=1), without an error or a warning, and
shows at least one figure (a PNG output).

The kernel runs on this interpreter (`notebooks/build.py`), so it sees the installed
pathjax; it inherits ``PATHJAX_NO_CACHE`` from conftest, so every notebook compiles from a
cold cache, as on a fresh CI machine. Each notebook runs in a few minutes at most on two
cores (15-65 s measured; 04_calibration about 4 minutes, most of it compiling the
70-parameter reverse-mode objective once); the per-cell timeout only catches a hang.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CELL_TIMEOUT_S = 600


def _load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()

# what a notebook needs beyond the package (its data ship with it): libRoadRunner
NEEDS_MODULES = {"05_performance": ["roadrunner"]}


def test_every_notebook_source_is_listed():
    names = build.names()
    assert len(names) >= 4, names
    assert all((NOTEBOOKS / "src" / f"{n}.py").exists() for n in names)


def test_the_kernel_runs_on_this_interpreter():
    nb = build.parse("# %%\nimport sys\nprint(sys.executable)\n")
    build.execute(nb, small=True, timeout=CELL_TIMEOUT_S)
    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable


@pytest.mark.parametrize("name", build.names())
def test_notebook_runs_at_small_size_and_shows_figures(name):
    missing = [m for m in NEEDS_MODULES.get(name, []) if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{name} needs {', '.join(missing)}")
    nb = build.parse((build.SOURCES / f"{name}.py").read_text())
    build.execute(nb, small=True, timeout=CELL_TIMEOUT_S)  # raises on a failing cell
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert not errors, errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{name} shows no figure"
    stderr = "".join(o["text"] for o in outputs if o.get("name") == "stderr")
    assert "Warning" not in stderr, stderr
