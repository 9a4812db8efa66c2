"""``pathjax models``: the bundled models."""

from rich.table import Table

from .. import models as _models
from . import app, out


@app.command("models")
def models_command() -> None:
    """List the bundled models with their sizes, time unit and source."""
    table = Table(title="pathjax models", show_lines=False)
    table.add_column("name", no_wrap=True)
    for col in ("states", "params", "obs", "inputs", "time"):
        table.add_column(col, no_wrap=True)
    table.add_column("source", overflow="fold")
    for row in _models.table():
        table.add_row(*row.values())
    out.print(table)
