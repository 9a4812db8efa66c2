"""Writing and reading results: NetCDF (``.nc``) or Zarr (``.zarr``) by extension."""

from pathlib import Path

import xarray as xr

from ._errors import InputError

__all__ = ["check_out_path", "open_result", "write"]

FORMATS = {".nc": "netcdf", ".zarr": "zarr"}


def check_out_path(path: str | Path) -> Path:
    """Validate an output path's extension (before any work is done)."""
    p = Path(path)
    if p.suffix not in FORMATS:
        raise InputError(f"output {str(p)!r} must end in .nc (NetCDF) or .zarr (Zarr)")
    if not p.parent.exists():
        raise InputError(f"output folder {str(p.parent)!r} does not exist")
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
