"""``pathjax bench``: the ensemble benchmark, quickly."""

import typer

from .. import io as _io
from . import app, guarded


@app.command("bench")
@guarded
def bench_command(
    patients: int = typer.Option(500, "--patients"),
    out_json: str = typer.Option(None, "--json", help="also write the results as JSON"),
) -> None:
    """Brännmark 2013 ensemble vs libRoadRunner and scipy on the same patients."""
    if out_json is not None:
        _io.check_out_file(out_json, (".json",), "--json")
    from ..bench import run_quick

    run_quick(patients=patients, json_path=out_json)
