"""Streamed population runs: atomic chunk commits, resume after SIGKILL at any moment,
checksummed chunks, refused mismatched resumes, NetCDF parts, bounded memory.

The run under test: 40 T2D patients of Brännmark 2013 on an IRS modulator, in 5 chunks
of 8, 7 output times (the programs of test_population/test_therapy). The reference is
an unbroken in-process run; every interrupted-and-resumed run must give the same bytes
in every data file of the store (compression is deterministic) and an identical
Dataset."""

import gc
import json
import random
import shutil
import signal
import time
import tracemalloc
import uuid

import numpy as np
import pytest
import xarray as xr

import pathjax
from helpers import pathjax_command, store_bytes
from pathjax import population as pop
from pathjax._stream import MANIFEST
from pathjax.io import open_result

MODEL, COHORT, N, SEED, CHUNK = "brannmark2013", "t2d", 40, 9, 8
T = np.linspace(0.0, 30.0, 7)
THERAPY = [("irs_modulator", 2.0)]
CLI = ["population", "--model", MODEL, "--cohort", COHORT, "--patients", str(N),
       "--seed", str(SEED), "--chunk-size", str(CHUNK), "--points", "7", "--t-end", "30",
       "--therapy", "irs_modulator", "--dose", "2"]  # fmt: skip


def run(out=None, **kw):
    return pop.run(MODEL, COHORT, N, SEED, T, therapies=THERAPY, chunk_size=CHUNK, out=out, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.zarr"
    ds = run(path)
    return path, ds.load()


def manifest(path):
    f = path / MANIFEST
    return json.loads(f.read_text()) if f.exists() else None


def assert_same_as_reference(path, reference):
    ref_path, ref_ds = reference
    got, want = store_bytes(path), store_bytes(ref_path)
    # named, not dumped: a failure should say which files, not print every byte
    assert sorted(got) == sorted(want), "the stores hold different files"
    assert [k for k in want if got[k] != want[k]] == [], "these files differ"
    ds = open_result(path).load()
    xr.testing.assert_identical(ds, ref_ds)
    assert manifest(path)["complete"] is True


def test_streamed_zarr_equals_the_in_memory_run(reference):
    ref_path, ref_ds = reference
    xr.testing.assert_identical(run().load(), ref_ds)
    m = manifest(ref_path)
    assert m["complete"] and sorted(m["chunks"], key=int) == ["0", "1", "2", "3", "4"]
    files = m["chunk_files"]  # every chunk owns one file per patient variable
    assert "glucose_uptake/{i}.0" in files and "params/{i}.0" in files and "status/{i}" in files
    size = sum((ref_path / f.replace("{i}", "2")).stat().st_size for f in files)
    assert m["chunks"]["2"]["bytes"] == size
    assert ref_ds.sizes["patient"] == N and list(ref_ds["patient"].values) == list(range(N))
    assert ref_ds.attrs["acceptance_rate"] == ref_ds["plausible"].sum() / ref_ds["attempts"].sum()


def test_sigkill_at_a_random_moment_then_resume_is_identical(tmp_path, reference):
    out = tmp_path / "run.zarr"
    proc = pathjax_command(*CLI, "--out", str(out), wait=False)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            m = manifest(out)
            if m and m["chunks"]:
                break
            time.sleep(0.02)
        # somewhere inside the next chunk (each takes a few tenths of a second)
        time.sleep(random.Random(0).uniform(0.0, 0.3))
        assert proc.poll() is None, f"the run ended before it was killed: {proc.stderr.read()}"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    m = manifest(out)
    assert m is not None and not m["complete"] and 1 <= len(m["chunks"]) < 5
    run(out, resume=True)
    assert_same_as_reference(out, reference)


def _crash(out, point, resume=False):
    args = [*CLI, "--out", str(out)] + (["--resume"] if resume else [])
    res = pathjax_command(*args, env={"PATHJAX_CRASH_AT": point})
    assert res.returncode == -signal.SIGKILL, res.stderr


def test_killed_inside_every_step_of_a_commit_resumes_identically(tmp_path, reference):
    out = tmp_path / "run.zarr"
    # 1. killed after writing chunk 0 into the new store, before its manifest: no store
    _crash(out, "data:0")
    assert not out.exists() and (tmp_path / "run.zarr.partial").exists()
    # 2. resumed, killed with chunk 3's manifest written to its temporary file only:
    #    chunk 3's data is on disk but not committed
    _crash(out, "manifest_tmp:3", resume=True)
    assert sorted(manifest(out)["chunks"], key=int) == ["0", "1", "2"]
    assert (out / (MANIFEST + ".tmp")).exists()
    # 2b. a kill inside one of Zarr's own file writes leaves its temporary file
    #     ("<key>.<uuid hex>.partial", written then renamed) beside the chunk file
    stray = (out / "glucose_uptake" / "3.0").with_suffix(f".{uuid.uuid4().hex}.partial")
    stray.write_bytes(b"\x02\x01half a chunk")
    # 3. resumed in this process: leftovers removed, identical to the unbroken run
    run(out, resume=True)
    assert not stray.exists()
    assert_same_as_reference(out, reference)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["manifest_tmp:0", "data:2", "manifest_tmp:4", "finish"])
def test_killed_at_further_points(tmp_path, reference, point):
    out = tmp_path / "run.zarr"
    _crash(out, point)
    m = manifest(out)
    if point == "finish":
        assert len(m["chunks"]) == 5 and not m["complete"]
    run(out, resume=True)
    assert_same_as_reference(out, reference)


def test_a_corrupted_chunk_is_recomputed(tmp_path, reference):
    out = tmp_path / "run.zarr"
    shutil.copytree(reference[0], out)
    f = out / "glucose_uptake" / "1.0"
    f.write_bytes(f.read_bytes()[:-7] + b"garbage")  # a torn write
    (out / "status" / "3").unlink()  # a lost file
    run(out, resume=True)
    assert_same_as_reference(out, reference)


def test_resume_refuses_other_settings_and_foreign_outputs(tmp_path, reference):
    out = tmp_path / "run.zarr"
    shutil.copytree(reference[0], out)
    with pytest.raises(pathjax.InputError, match="seed"):
        pop.run(MODEL, COHORT, N, SEED + 1, T, therapies=THERAPY, chunk_size=CHUNK, out=out,
                resume=True)  # fmt: skip
    with pytest.raises(pathjax.InputError, match="chunk_size"):
        pop.run(MODEL, COHORT, N, SEED, T, therapies=THERAPY, chunk_size=4, out=out, resume=True)
    with pytest.raises(pathjax.InputError, match="--resume"):
        run(out)
    foreign = tmp_path / "foreign.zarr"
    foreign.mkdir()
    with pytest.raises(pathjax.InputError, match="not a pathjax"):
        run(foreign, resume=True)
    assert foreign.exists()  # never removed


class Stop(Exception):
    pass


def test_netcdf_parts_resume_to_the_in_memory_result(tmp_path, reference):
    out = tmp_path / "run.nc"

    def stop_after_two_chunks(done, total):
        if done == 2 * CHUNK:
            raise Stop

    with pytest.raises(Stop):
        run(out, progress=stop_after_two_chunks)
    parts = tmp_path / "run.nc.parts"
    assert not out.exists() and len(json.loads((parts / MANIFEST).read_text())["chunks"]) == 2
    ds = run(out, resume=True).load()
    assert not parts.exists()
    assert ds.attrs.pop("run_fingerprint") and ds.attrs.pop("run_spec")
    xr.testing.assert_identical(ds, reference[1])
    # a finished NetCDF run resumes to itself
    xr.testing.assert_identical(run(out, resume=True).load().drop_attrs(), ds.drop_attrs())


def test_memory_stays_bounded_with_chunks(tmp_path):
    # Python-side memory (tracemalloc: NumPy buffers included; garbage collected first)
    # after each chunk. Streamed to Zarr it stays flat (measured: ~1 kB per chunk, the
    # manifest's record); held in memory it grows by the chunk (~65 kB per chunk).
    def growth(out):
        seen = []

        def after_chunk(done, total):
            gc.collect()
            seen.append(tracemalloc.get_traced_memory()[0])

        tracemalloc.start()
        try:
            pop.run(MODEL, "healthy", 8 * CHUNK, 1, T, chunk_size=CHUNK, out=out, filter=False,
                    progress=after_chunk)  # fmt: skip
        finally:
            tracemalloc.stop()
        return np.polyfit(np.arange(5), seen[2:7], 1)[0]  # bytes per chunk, chunks 3-7

    streamed = growth(tmp_path / "m.zarr")
    held = growth(None)
    assert held > 30_000  # the negative control sees the chunks pile up
    assert streamed < 0.1 * held


def _spec(dose=1.0, **changes):
    regimen = [{"therapy": "irs_modulator", "dose": dose, "dose_unit": "EC50", "start": None}]
    spec = {"model": MODEL, "seed": 1, "n": 4, "therapies": json.dumps(regimen),
            "per_patient_values": "0123456789abcdef", "times": [x.hex() for x in (0.0, 30.0)],
            "rtol": 1e-6, "atol": 1e-9, "solver": "rodas5p"}  # fmt: skip
    spec.update(changes)
    return spec


def test_resume_mismatch_names_every_changed_field_old_to_new_without_digests(tmp_path):
    from pathjax._stream import Sink, open_sink

    out = tmp_path / "run.zarr"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps(Sink(out, _spec(), 4, 2)._manifest()))
    with pytest.raises(pathjax.InputError) as err:
        open_sink(out, _spec(2.0, per_patient_values="fedcba9876543210"), 4, 2,
                  resume=True, overwrite=False)  # fmt: skip
    msg = str(err.value)
    assert "therapies[0].dose: 1.0 -> 2.0" in msg
    assert "0123456789abcdef" not in msg and "fedcba" not in msg and "..." not in msg
    # only a digest differs: said in words, still without the hash
    with pytest.raises(pathjax.InputError, match="per-patient protocol levels or doses") as err:
        open_sink(out, _spec(per_patient_values="fedcba9876543210"), 4, 2,
                  resume=True, overwrite=False)  # fmt: skip
    assert "fedcba" not in str(err.value)
    # many differences: the first few, then how many more
    many = _spec(3.0, seed=2, rtol=1e-8, atol=1e-12, solver="kvaerno5",
                 times=[x.hex() for x in (0.0, 60.0, 120.0)])  # fmt: skip
    with pytest.raises(pathjax.InputError) as err:
        open_sink(out, many, 4, 2, resume=True, overwrite=False)
    msg = str(err.value)
    assert "and 2 more" in msg and "atol: 1e-09 -> 1e-12" in msg
    with pytest.raises(pathjax.InputError) as err:
        open_sink(out, _spec(times=many["times"]), 4, 2, resume=True, overwrite=False)
    assert "times: 2 times from 0 to 30 -> 3 times from 0 to 120" in str(err.value)


def test_resume_of_a_finished_netcdf_names_the_changed_field(tmp_path):
    from pathjax._stream import fingerprint, open_sink

    out = tmp_path / "run.nc"
    attrs = {"run_fingerprint": fingerprint(_spec()), "run_spec": json.dumps(_spec())}
    xr.Dataset({"y": ("patient", np.zeros(4))}, attrs=attrs).to_netcdf(out, engine="netcdf4")
    with pytest.raises(pathjax.InputError, match=r"seed: 1 -> 2"):
        open_sink(out, _spec(seed=2), 4, 2, resume=True, overwrite=False)
