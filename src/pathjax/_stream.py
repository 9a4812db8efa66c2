"""Streaming chunked results to disk with atomic chunk commits and a resume manifest.

A run of N patients in chunks of C is written chunk by chunk. The *manifest*
(``pathjax_manifest.json``) is the only record of what is finished: a chunk counts as
done only once its data files have been written and fsync'ed *and* a new manifest
naming it (with the size and CRC-32 of every file of the chunk) has atomically
replaced the old one (write to a temporary file, fsync, ``os.replace``, fsync the
folder). A process killed at any moment therefore leaves either the old manifest or
the new one; data of a chunk that the manifest does not name is simply rewritten on
resume, and a named chunk whose files no longer match their checksums is recomputed.

Zarr (``.zarr``): one store (Zarr format 2, consolidated metadata) whose arrays are
chunked along ``patient`` exactly like the run, so each run chunk owns its own files.
The store is created, with the first chunk, in ``<out>.partial`` and renamed into
place, so ``<out>`` always holds a manifest. Nothing but the chunk being written is
held in memory. Zarr writes each file through a temporary ``<name>.<hex>.partial``
beside it; a kill in the middle of that write leaves one behind, and resuming removes
these leftovers.

NetCDF (``.nc``, for small runs): each chunk is committed as its own file in
``<out>.parts/`` (same manifest); when all are done they are joined (in memory) into a
temporary file that replaces ``<out>`` atomically, and the parts are removed.

The run's *spec* (model, cohort, seed, N, C, times, protocol, therapies, outputs,
tolerances, version) is stored in the manifest; resuming under another spec is refused.
"""

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import warnings
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ._errors import InputError
from ._runspec import describe_differences

__all__ = ["MANIFEST", "Sink", "fingerprint", "open_sink"]

MANIFEST = "pathjax_manifest.json"
FORMAT = "pathjax-chunked-run/1"


def fingerprint(spec: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of `spec`."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _crash_point(name: str, index: int | None = None) -> None:
    """Test hook: ``PATHJAX_CRASH_AT=name[:index]`` kills this process with SIGKILL there,
    so the tests can interrupt a run between any two steps of a commit."""
    want = os.environ.get("PATHJAX_CRASH_AT")
    if not want:
        return
    tag, _, idx = want.partition(":")
    if tag == name and (not idx or (index is not None and int(idx) == index)):
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def _quiet_zarr():
    """The manifest in a store is not a Zarr node, which zarr reports as a warning
    whenever it lists the store; that is expected here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not recognized as a component.*")
        yield


def _consolidate(root: Path) -> None:
    import zarr

    with _quiet_zarr():
        zarr.consolidate_metadata(str(root), zarr_format=2)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a folder
        pass
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for f in files:
            _fsync_file(Path(dirpath) / f)
        _fsync_dir(Path(dirpath))


# Zarr's temporary file of an unfinished write: "<key>.<uuid4 hex>.partial"
_STRAY_WRITE = re.compile(r"\.[0-9a-f]{32}\.partial$")


def _remove_stray_writes(root: Path) -> None:
    """Delete Zarr's temporary files left under `root` by a write that was killed."""
    for dirpath, _, files in os.walk(root):
        for f in files:
            if _STRAY_WRITE.search(f):
                (Path(dirpath) / f).unlink(missing_ok=True)


def _digest(paths: list[Path]) -> list[int] | None:
    """[total bytes, CRC-32 of the files' bytes in order], or None if one is missing."""
    size, crc = 0, 0
    for p in paths:
        if not p.is_file():
            return None
        data = p.read_bytes()
        size += len(data)
        crc = zlib.crc32(data, crc)
    return [size, crc]


def _write_json_atomic(path: Path, obj: Any, index: int | None = None) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    _crash_point("manifest_tmp", index)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Sink:
    """Where the chunks of one run go (see module docstring). Subclasses: Zarr, NetCDF.

    Attributes:
        path: the output.
        spec: the run's description (JSON-ready).
        n, chunk: patients and patients per chunk.
        committed: ``{chunk index: record}`` of finished chunks.
    """

    def __init__(self, path: Path, spec: Mapping[str, Any], n: int, chunk: int):
        self.path = Path(path)
        self.spec = dict(spec)
        self.n, self.chunk = int(n), int(chunk)
        self.n_chunks = -(-self.n // self.chunk)
        self.committed: dict[int, dict] = {}
        self.chunk_files: list[str] = []  # file names of chunk i, with "{i}" for i

    def files(self, root: Path, index: int) -> list[Path]:
        """The files that hold chunk `index`."""
        return [root / f.replace("{i}", str(index)) for f in self.chunk_files]

    def _record(self, root: Path, index: int, extra: Mapping[str, Any]) -> None:
        """fsync chunk `index`'s files and note their size and checksum as committed."""
        paths = self.files(root, index)
        for p in paths:
            _fsync_file(p)
        for d in sorted({p.parent for p in paths}):
            _fsync_dir(d)
        start, stop = self.bounds(index)
        size, crc = _digest(paths)
        self.committed[index] = {"start": start, "stop": stop, "bytes": size, "crc32": crc,
                                 **extra}  # fmt: skip

    # ---- manifest ----------------------------------------------------------------------
    def _manifest(self, complete: bool = False) -> dict:
        return {
            "format": FORMAT,
            "spec": self.spec,
            "fingerprint": fingerprint(self.spec),
            "n": self.n,
            "chunk_size": self.chunk,
            "n_chunks": self.n_chunks,
            "chunk_files": self.chunk_files,
            "chunks": {str(k): v for k, v in sorted(self.committed.items())},
            "complete": complete,
        }

    def _check_manifest(self, manifest: Mapping[str, Any], where: Path) -> None:
        if manifest.get("format") != FORMAT:
            raise InputError(f"{str(where)!r} is not a pathjax chunked run (format)")
        old = manifest.get("spec", {})
        if old != self.spec:
            raise InputError(
                f"cannot resume {str(self.path)!r}: it was started with other settings "
                f"({describe_differences(old, self.spec)}); use the same settings, or "
                "--overwrite to start again"
            )

    def _verify(self, root: Path, manifest: Mapping[str, Any]) -> None:
        """Keep the committed chunks whose files still match their size and checksum."""
        self.chunk_files = list(manifest.get("chunk_files", []))
        self.committed = {}
        for key, rec in manifest.get("chunks", {}).items():
            if _digest(self.files(root, int(key))) == [rec.get("bytes"), rec.get("crc32")]:
                self.committed[int(key)] = rec

    # ---- interface ---------------------------------------------------------------------
    def bounds(self, index: int) -> tuple[int, int]:
        start = index * self.chunk
        return start, min(self.n, start + self.chunk)

    def pending(self) -> list[int]:
        return [i for i in range(self.n_chunks) if i not in self.committed]

    def commit(self, index: int, ds: xr.Dataset, extra: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def finish(self, attrs: Mapping[str, Any]) -> xr.Dataset:
        raise NotImplementedError


class ZarrSink(Sink):
    """Chunks written in place into one Zarr store."""

    def __init__(self, path, spec, n, chunk, *, resume: bool, overwrite: bool):
        super().__init__(path, spec, n, chunk)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.initialised = False
        if self.path.exists():
            mf = self.path / MANIFEST
            if overwrite:
                shutil.rmtree(self.path) if self.path.is_dir() else self.path.unlink()
            elif not resume:
                raise InputError(
                    f"output {str(self.path)!r} exists; pass --resume to continue it or "
                    "--overwrite to replace it"
                )
            elif not mf.is_file():
                raise InputError(
                    f"{str(self.path)!r} exists but has no {MANIFEST}: it is not a pathjax "
                    "streamed run; remove it or choose another output"
                )
            else:
                manifest = json.loads(mf.read_text())
                self._check_manifest(manifest, mf)
                _remove_stray_writes(self.path)
                self._verify(self.path, manifest)
                self.initialised = True
        if self.partial.exists():  # an interrupted creation: never committed
            shutil.rmtree(self.partial)

    def _template(self, root: Path, ds: xr.Dataset) -> list[str]:
        """Chunk file names of every patient variable, "{i}" standing for the index."""
        import zarr

        g = zarr.open_group(str(root), mode="r", zarr_format=2)
        out = []
        for name in ds.variables:
            if name == "patient" or "patient" not in ds[name].dims:
                continue
            arr = g[str(name)]
            key = arr.metadata.encode_chunk_key((999_999_999,) + (0,) * (arr.ndim - 1))
            out.append(f"{name}/{key}".replace("999999999", "{i}"))
        return out

    def commit(self, index, ds, extra):
        start, stop = self.bounds(index)
        if not self.initialised:
            if index != 0:
                raise RuntimeError("a new Zarr store starts with chunk 0")
            self._create(ds)
            self.chunk_files = self._template(self.partial, ds)
            self._record(self.partial, 0, extra)
            _crash_point("data", index)
            _write_json_atomic(self.partial / MANIFEST, self._manifest(), 0)
            os.rename(self.partial, self.path)
            _fsync_dir(self.path.parent)
            self.initialised = True
            return
        body = ds.drop_vars([v for v in ds.variables if "patient" not in ds[v].dims])
        body = body.drop_vars("patient")
        with _quiet_zarr():
            body.to_zarr(
                self.path,
                region={"patient": slice(start, stop)},
                mode="r+",
                consolidated=False,
                write_empty_chunks=True,
            )
        self._record(self.path, index, extra)
        _crash_point("data", index)
        _write_json_atomic(self.path / MANIFEST, self._manifest(), index)

    def _create(self, ds: xr.Dataset) -> None:
        import zarr

        enc: dict[str, dict] = {}
        for v in ds.variables:
            if "patient" in ds[v].dims:
                shape = ds[v].shape
                enc[v] = {"chunks": (self.chunk,) + tuple(shape[1:])}
        ds.to_zarr(
            self.partial,
            mode="w",
            encoding=enc,
            consolidated=False,
            zarr_format=2,
            write_empty_chunks=True,
        )
        g = zarr.open_group(str(self.partial), mode="r+", zarr_format=2)
        for name in ds.variables:
            arr = g[str(name)]
            if "patient" in ds[name].dims and arr.shape[0] != self.n:
                arr.resize((self.n,) + arr.shape[1:])
        g["patient"][:] = np.arange(self.n)
        _consolidate(self.partial)
        _fsync_tree(self.partial)

    def finish(self, attrs):
        import zarr

        _crash_point("finish")
        g = zarr.open_group(str(self.path), mode="r+", zarr_format=2)
        g.attrs.update(dict(attrs))
        _consolidate(self.path)
        for f in (".zattrs", ".zmetadata"):
            _fsync_file(self.path / f)
        _write_json_atomic(self.path / MANIFEST, self._manifest(complete=True))
        with _quiet_zarr():
            return xr.open_zarr(self.path)


def _fsync_tree_dirs(root: Path) -> None:
    for dirpath, _, _ in os.walk(root):
        _fsync_dir(Path(dirpath))


class NetCDFSink(Sink):
    """Chunks committed as part files, joined into one NetCDF file at the end."""

    def __init__(self, path, spec, n, chunk, *, resume: bool, overwrite: bool):
        super().__init__(path, spec, n, chunk)
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.chunk_files = ["chunk-{i}.nc"]
        mf = self.parts / MANIFEST
        if overwrite:
            if self.path.exists():
                self.path.unlink()
            if self.parts.exists():
                shutil.rmtree(self.parts)
        if self.path.exists() and not self.parts.exists():
            if not resume:
                raise InputError(
                    f"output {str(self.path)!r} exists; pass --resume to continue it or "
                    "--overwrite to replace it"
                )
            import netCDF4

            with netCDF4.Dataset(self.path) as done:
                same = getattr(done, "run_fingerprint", None) == fingerprint(self.spec)
                written = getattr(done, "run_spec", None)
            if not same:
                detail = (
                    f" ({describe_differences(json.loads(written), self.spec)})"
                    if isinstance(written, str)
                    else ""
                )
                raise InputError(
                    f"cannot resume {str(self.path)!r}: it was written with other settings"
                    f"{detail}; use the same settings, or --overwrite to start again"
                )
            self.committed = {i: {} for i in range(self.n_chunks)}
            self.done = True
            return
        self.done = False
        if self.parts.exists():
            if not resume and not overwrite:
                raise InputError(
                    f"an interrupted run of {str(self.path)!r} exists ({self.parts.name}); "
                    "pass --resume to continue it or --overwrite to replace it"
                )
            if mf.is_file():
                manifest = json.loads(mf.read_text())
                self._check_manifest(manifest, mf)
                self._verify(self.parts, manifest)
        else:
            self.parts.mkdir()
            _write_json_atomic(mf, self._manifest())

    def _part(self, index: int) -> Path:
        return self.files(self.parts, index)[0]

    def commit(self, index, ds, extra):
        part = self._part(index)
        tmp = part.with_name(part.name + ".tmp")
        ds.to_netcdf(tmp, engine="netcdf4")
        _fsync_file(tmp)
        os.replace(tmp, part)
        self._record(self.parts, index, extra)
        _crash_point("data", index)
        _write_json_atomic(self.parts / MANIFEST, self._manifest(), index)

    def finish(self, attrs):
        if not self.done:  # (a finished file keeps the attributes it was written with)
            _crash_point("finish")
            pieces = []
            for i in range(self.n_chunks):
                with xr.open_dataset(self._part(i), engine="netcdf4") as d:
                    pieces.append(d.load())
            ds = xr.concat(pieces, dim="patient", data_vars="minimal", coords="minimal",
                           compat="override", join="override")  # fmt: skip
            ds.attrs.update(dict(attrs))
            ds.attrs["run_fingerprint"] = fingerprint(self.spec)
            ds.attrs["run_spec"] = json.dumps(self.spec, sort_keys=True, default=str)
            encoding = {
                name: {"zlib": True, "complevel": 4}
                for name, var in ds.data_vars.items()
                if var.dtype.kind == "f"
            }
            tmp = self.path.with_name(self.path.name + ".tmp")
            ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
            _fsync_file(tmp)
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
            shutil.rmtree(self.parts)
        # loaded and closed: a NetCDF run is small, and no handle outlives the call
        with xr.open_dataset(self.path, engine="netcdf4") as ds:
            return ds.load()


def open_sink(path: Path, spec, n: int, chunk: int, *, resume: bool, overwrite: bool) -> Sink:
    """The sink for `path`'s format (``.zarr`` or ``.nc``)."""
    cls = ZarrSink if Path(path).suffix == ".zarr" else NetCDFSink
    return cls(Path(path), spec, n, chunk, resume=resume, overwrite=overwrite)
