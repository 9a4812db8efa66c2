"""The package's data files and the repository's independence of any folder beside it.

* The files pathjax ships (``py.typed``, the human adipocyte data, the PEtab problems of
  `pathjax.petab.bundled` built from them, the SBML file of `pathjax bench`) exist in the
  installed package and load, found through `importlib.resources` as the package itself
  finds them; the package-data patterns of pyproject.toml cover every one of them, so a
  wheel carries them too.
* No source, test, notebook, benchmark or document reads a folder outside the
  repository: no mention of the old environment variable for it, nor of a path into a
  ``shared`` folder beside the repository.
"""

import fnmatch
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import libsbml
import pandas as pd
import pytest

from helpers import SBML_DIR
from pathjax import bench, petab

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = resources.files("pathjax")
ADIPOCYTE = "cedersund_adipocyte_signalling"


def test_py_typed_is_shipped():
    assert PACKAGE.joinpath("py.typed").is_file()


def test_adipocyte_data_load():
    folder = PACKAGE.joinpath("data", ADIPOCYTE)
    index = json.loads(folder.joinpath("index.json").read_text(encoding="utf-8"))
    assert index["commit"] == "511fef316d594447523cd54f766205d3e6379b30"
    listed = [f for spec in index["datasets"].values() for f in spec["files"]]
    assert len(listed) == 57
    for name in listed:
        with folder.joinpath(name).open("rb") as fh:
            frame = pd.read_csv(fh)
        assert len(frame) > 0 and len(frame.columns) > 0, name
    assert "Brännmark et al. 2013" in folder.joinpath("README.md").read_text(encoding="utf-8")


def test_bundled_petab_problems_are_shipped():
    for name in petab.BUNDLED:
        yaml = petab.bundled(name)
        assert yaml == Path(str(PACKAGE.joinpath("data", "petab", name, "problem.yaml")))
        for table in ("model.xml", "conditions.tsv", "observables.tsv", "measurements.tsv",
                      "parameters.tsv", "README.md"):  # fmt: skip
            assert yaml.with_name(table).is_file(), (name, table)
    # every data set of the Brännmark 2013 problem's measurements is a CSV of the shipped
    # adipocyte data (its provenance), with both arms' columns
    measurements = pd.read_csv(petab.bundled("brannmark2013").with_name("measurements.tsv"),
                               sep="\t")  # fmt: skip
    datasets = {d.rsplit("_", 1)[0] for d in measurements["datasetId"]}
    assert len(datasets) == 18
    for name in datasets:
        with PACKAGE.joinpath("data", ADIPOCYTE, f"{name}.csv").open("rb") as fh:
            assert {"response_n", "sem_n"} <= set(pd.read_csv(fh).columns), name


def test_bench_sbml_loads():
    path = bench.sbml_path()
    assert path == Path(str(PACKAGE.joinpath("data", "sbml", "brannmark2013_normal.xml")))
    doc = libsbml.readSBMLFromFile(str(path))
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert doc.getModel().getNumSpecies() == 27
    # the same BioModels file as the tests' copy (BIOMD0000000448)
    assert path.read_bytes() == (SBML_DIR / "brannmark2013_normal.xml").read_bytes()
    assert "BIOMD0000000448" in path.with_name("README.md").read_text(encoding="utf-8")


def _package_data_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["pathjax"]


def test_package_data_patterns_cover_every_data_file():
    patterns = _package_data_patterns()
    src = ROOT / "src" / "pathjax"
    files = [p.relative_to(src).as_posix() for p in (src / "data").rglob("*") if p.is_file()]
    files.append("py.typed")
    assert len(files) > 60
    uncovered = [f for f in files if not any(fnmatch.fnmatchcase(f, p) for p in patterns)]
    assert not uncovered, f"not matched by package-data {patterns}: {uncovered}"


# ---- no folder beside the repository --------------------------------------------------

_OUTSIDE = re.compile(
    r"PATHJAX_SHARED"
    r"|\.\./shared\b"  # ../shared
    r"|/work/shared\b"
    r"|\bshared[\\/](?:models|data)\b"  # shared/models/..., shared/data/...
    r"|/\s*[\"']shared[\"']"  # parent / "shared"
    r"|[\"']shared[\"']\s*/"  # "shared" / "models"
)
_SCANNED = ("src", "tests", "notebooks", "benchmarks", "docs", "README.md", "Makefile",
            "pyproject.toml")  # fmt: skip
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}
_TEXT = {".py", ".md", ".json", ".toml", ".ipynb", ".txt", ".cfg", ".yml", ".yaml", ".sh", ""}


def _scanned_files():
    for top in _SCANNED:
        path = ROOT / top
        if path.is_file():
            yield path
            continue
        for p in sorted(path.rglob("*")):
            parts = set(p.relative_to(ROOT).parts[:-1])
            if parts & _SKIP_DIRS or any(x.endswith(".egg-info") for x in parts):
                continue
            if p.is_file() and p.suffix in _TEXT and p.resolve() != Path(__file__).resolve():
                yield p


@pytest.mark.parametrize(
    "text, found",
    [
        ('os.environ.get("PATHJAX_SHARED")', True),
        ("--data ../shared/data/cedersund_adipocyte_signalling", True),
        ('Path(__file__).parents[2] / "shared"', True),
        ('SHARED / "models" / "sbml"', False),
        ("see shared/models/reference/index.json", True),
        ('"shared" / "models"', True),
        ("one scale shared by both arms", False),
        ('table["shared"]', False),
    ],
)
def test_the_scan_recognises_outside_paths(text, found):
    assert bool(_OUTSIDE.search(text)) is found


def test_nothing_reads_a_folder_beside_the_repository():
    scanned = 0
    hits = []
    for path in _scanned_files():
        scanned += 1
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert scanned > 50
    assert not hits, "paths outside the repository:\n" + "\n".join(hits)
