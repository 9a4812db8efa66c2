"""Persistent compilation cache, so a new process reuses compiled solves."""

import os
from pathlib import Path

import jax


def cache_dir() -> Path:
    env = os.environ.get("PATHJAX_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pathjax" / "jax"


def enable_compilation_cache(path: str | os.PathLike | None = None) -> Path | None:
    """Turn on JAX's persistent compilation cache (default ``~/.cache/pathjax/jax``).

    Set ``PATHJAX_CACHE_DIR`` to move it, or ``PATHJAX_NO_CACHE=1`` to disable it.
    Returns the directory used, or None when disabled.
    """
    if os.environ.get("PATHJAX_NO_CACHE") and path is None:
        return None
    target = Path(path) if path is not None else cache_dir()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(target))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return target
