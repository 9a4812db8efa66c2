"""Writing and reading results: NetCDF (``.nc``) or Zarr (``.zarr``) by extension.

The ``check_*`` functions validate where an output will go before any work is done:
the folder exists, is a folder and can be written to, nothing of the wrong kind is in
the way, and the extension is one that is written.
"""

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import xarray as xr

from ._errors import InputError

__all__ = [
    "check_out_dir",
    "check_out_file",
    "check_out_path",
    "check_plot_path",
    "open_result",
    "write",
]

FORMATS = {".nc": "netcdf", ".zarr": "zarr"}
PLOT_FORMATS = (".png", ".pdf", ".svg")


def _writable_folder(folder: Path, what: str, path: Path) -> None:
    """`InputError` unless `folder` is an existing, writable folder.

    Writability is probed by creating (and removing) an empty file: ``os.access``
    answers yes to root even on read-only pseudo file systems such as ``/proc``.
    """
    if not folder.exists():
        raise InputError(f"{what} {str(path)!r}: folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise InputError(f"{what} {str(path)!r}: {str(folder)!r} is a file, not a folder")
    writable = os.access(folder, os.W_OK | os.X_OK)
    if writable:
        try:
            fd, probe = tempfile.mkstemp(prefix=".pathjax-probe-", dir=folder)
        except OSError:
            writable = False
        else:
            os.close(fd)
            os.unlink(probe)
    if not writable:
        raise InputError(f"{what} {str(path)!r}: folder {str(folder)!r} is not writable")


def check_out_file(path: str | Path, suffixes: Sequence[str], what: str = "output") -> Path:
    """Validate an output file before any work is done.

    Args:
        path: the file to be written.
        suffixes: accepted extensions (e.g. ``(".png", ".pdf")``), compared ignoring case.
        what: how the message names the item (e.g. ``"--plot"``).

    Returns:
        `path` as a `Path`.

    Raises:
        InputError: another extension, a missing, non-folder or read-only parent, or a
            folder where the file should go.
    """
    p = Path(path)
    if p.suffix.lower() not in [s.lower() for s in suffixes]:
        raise InputError(f"{what} {str(p)!r} must end in {' or '.join(suffixes)}")
    _writable_folder(p.parent, what, p)
    if p.is_dir():
        raise InputError(f"{what} {str(p)!r} is a folder; give a file name")
    return p


def check_out_path(path: str | Path, what: str = "output") -> Path:
    """Validate a result path (``.nc`` or ``.zarr``) before any work is done.

    Raises:
        InputError: another extension, a parent folder that is missing, a file or not
            writable, or an existing folder where a ``.nc`` file should go.
    """
    p = Path(path)
    if p.suffix not in FORMATS:
        raise InputError(f"{what} {str(p)!r} must end in .nc (NetCDF) or .zarr (Zarr)")
    _writable_folder(p.parent, what, p)
    if p.suffix == ".nc" and p.is_dir():
        raise InputError(f"{what} {str(p)!r} is a folder; give a file name")
    return p


def check_plot_path(path: str | Path, what: str = "--plot") -> Path:
    """Validate a figure path (``.png``, ``.pdf`` or ``.svg``) before any work is done."""
    return check_out_file(path, PLOT_FORMATS, what)


def check_out_dir(path: str | Path, what: str = "output folder") -> Path:
    """Validate an output folder (created later if missing) before any work is done.

    Raises:
        InputError: a file where the folder should be, or a nearest existing ancestor
            that is not a writable folder.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{what} {str(p)!r} is a file, not a folder")
    existing = p
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise InputError(f"{what} {str(p)!r}: {str(existing)!r} is a file, not a folder")
    _writable_folder(existing, what, p)
    return p


def write(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `ds` to `path` (NetCDF or Zarr by extension); returns the path."""
    p = check_out_path(path)
    if FORMATS[p.suffix] == "netcdf":
        encoding = {
            name: {"zlib": True, "complevel": 4}
            for name, var in ds.data_vars.items()
            if var.dtype.kind == "f"
        }
        ds.to_netcdf(p, engine="netcdf4", encoding=encoding)
    else:
        ds.to_zarr(p, mode="w")
    return p


def open_result(path: str | Path) -> xr.Dataset:
    """Open a result written by `write` (or a streamed population run)."""
    p = Path(path)
    if p.suffix == ".zarr":
        return xr.open_zarr(p)
    return xr.open_dataset(p, engine="netcdf4")
