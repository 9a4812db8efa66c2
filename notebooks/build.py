"""Build the notebooks from their sources and execute them.

Each notebook is written as a plain Python file in ``notebooks/src/`` in the "percent"
format (cells start with ``# %%``; markdown cells with ``# %% [markdown]`` and their
lines with ``# ``), which reviews and diffs well. This script turns each source into
``notebooks/<name>.ipynb`` and executes it top to bottom on a fresh kernel, so the
committed notebooks carry the outputs of a full-size run:

    python notebooks/build.py                          # all notebooks, full size
    python notebooks/build.py --small 01_population_study   # small sizes (as CI)
    python notebooks/build.py --no-execute             # sources -> .ipynb, no outputs
    python notebooks/build.py --refresh 03_sensitivity # prose edits only: keep the outputs

``--small`` sets ``PATHJAX_NOTEBOOK_SMALL=1`` for the kernel, so every notebook runs at
the small sizes CI uses. The kernel runs on the interpreter running this script (an
IPython kernel started with ``sys.executable``), so the notebooks see the same
environment. Figures are stored as PNG only, and the per-cell timing metadata
nbclient would record is left out, so a rebuilt notebook differs from the committed one
only where its content does.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
SMALL_ENV = "PATHJAX_NOTEBOOK_SMALL"

# Run first in every kernel (not stored in the notebook): PNG figures only, at a fixed
# resolution, so the committed notebooks stay small and render on any viewer.
_SETUP = (
    "from matplotlib_inline.backend_inline import set_matplotlib_formats as _fmt\n"
    "_fmt('png')\n"
    "import matplotlib as _mpl\n"
    "_mpl.rcParams.update({'figure.dpi': 90, 'savefig.dpi': 90})\n"
    "del _fmt, _mpl"
)


def names() -> list[str]:
    """Names of every notebook source (``notebooks/src/<name>.py``), sorted."""
    return sorted(p.stem for p in SOURCES.glob("*.py"))


def parse(text: str) -> nbformat.NotebookNode:
    """Percent-format Python source -> notebook (no outputs)."""
    nb = nbformat.v4.new_notebook()
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("# %%"):
            kind = "markdown" if "[markdown]" in line else "code"
            cells.append((kind, []))
            continue
        if not cells:
            continue
        cells[-1][1].append(line)
    for kind, lines in cells:
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            body = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines)
            nb.cells.append(nbformat.v4.new_markdown_cell(body))
        elif lines:
            nb.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    # stable cell ids, so that rebuilding does not rewrite every cell
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
    return nb


class _Client(NotebookClient):
    """A NotebookClient whose kernel is this interpreter and runs `_SETUP` before the
    first cell."""

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        # This interpreter, whichever ``python3`` kernel spec the Jupyter paths list first
        # (a user-wide one may point at another Python).
        km.kernel_spec.argv = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ]
        return km

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        reply = await kc.execute_interactive(_SETUP, silent=True, store_history=False)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"notebook setup failed: {reply['content']}")
        return kc


def execute(
    nb: nbformat.NotebookNode, small: bool | None = None, timeout: int = 3600
) -> nbformat.NotebookNode:
    """Execute `nb` top to bottom on a fresh ``python3`` kernel of this interpreter.

    Args:
        nb: the notebook (changed in place: outputs are added).
        small: True sets ``PATHJAX_NOTEBOOK_SMALL=1`` for the kernel, False removes it,
            None leaves the environment as it is.
        timeout: seconds allowed per cell.

    Returns:
        The executed notebook. A cell that raises raises `nbclient.exceptions.CellExecutionError`.
    """
    saved = os.environ.get(SMALL_ENV)
    if small is True:
        os.environ[SMALL_ENV] = "1"
    elif small is False:
        os.environ.pop(SMALL_ENV, None)
    try:
        client = _Client(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            # the kernel's own log (e.g. its note on unencrypted local TCP) is not output
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            resources={"metadata": {"path": str(HERE)}},
        )
        client.execute()
    finally:
        if saved is None:
            os.environ.pop(SMALL_ENV, None)
        else:
            os.environ[SMALL_ENV] = saved
    return nb


def build(name: str, execute_: bool = True, timeout: int = 3600, small: bool | None = None) -> Path:
    """Turn ``src/<name>.py`` into ``<name>.ipynb``, executed unless `execute_` is False."""
    src = SOURCES / f"{name}.py"
    nb = parse(src.read_text())
    out = HERE / f"{name}.ipynb"
    if execute_:
        start = time.perf_counter()
        execute(nb, small=small, timeout=timeout)
        print(f"{name}: executed in {time.perf_counter() - start:.0f} s", flush=True)
    nb.metadata["language_info"] = {
        k: v for k, v in nb.metadata.get("language_info", {}).items() if k in ("name", "version")
    }
    nbformat.write(nb, out)
    return out


def refresh(name: str) -> Path:
    """Update the markdown of the executed ``<name>.ipynb`` from its source, keeping the
    outputs: for prose edits that do not need a (possibly long) full-size run.

    Raises:
        SystemExit: a code cell differs from the one that was executed (rebuild instead).
    """
    out = HERE / f"{name}.ipynb"
    old = nbformat.read(out, as_version=4)
    new = parse((SOURCES / f"{name}.py").read_text())
    old_code = [c for c in old.cells if c.cell_type == "code"]
    new_code = [c for c in new.cells if c.cell_type == "code"]
    if [c.source for c in old_code] != [c.source for c in new_code]:
        raise SystemExit(f"{name}: the code changed since it was executed; rebuild it")
    for before, after in zip(old_code, new_code):
        after.outputs = before.outputs
        after.execution_count = before.execution_count
    new.metadata = old.metadata
    nbformat.write(new, out)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("names", nargs="*", help="notebook names (default: all)")
    ap.add_argument("--no-execute", action="store_true", help="write the notebooks without outputs")
    ap.add_argument("--small", action="store_true", help=f"run at small sizes ({SMALL_ENV}=1)")
    ap.add_argument(
        "--refresh",
        action="store_true",
        help="update only the markdown of executed notebooks (their code must be unchanged)",
    )
    ap.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    args = ap.parse_args(argv)
    known = names()
    for name in args.names:
        if name not in known:
            ap.error(f"unknown notebook {name!r}; known: {', '.join(known)}")
    for name in args.names or known:
        if args.refresh:
            print(refresh(name))
        else:
            print(build(name, not args.no_execute, args.timeout, True if args.small else None))


if __name__ == "__main__":
    sys.exit(main())
