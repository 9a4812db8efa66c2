"""``pathjax models``: the bundled models."""

from rich.table import Table

from .. import models as _models
from . import app, out

COLUMNS = {"name": "name", "states": "states", "parameters": "params", "observables": "obs",
           "inputs": "inputs", "time": "time", "source": "source"}  # fmt: skip
WIDE = 120  # narrower terminals get one record per model instead of a table


def _plain(rows: list[dict[str, str]]) -> str:
    """Aligned plain text, nothing cut: the listing when the output is not a terminal
    (piped, redirected), where a table would be fitted to 80 columns."""
    keys = list(COLUMNS)
    width = {k: max([len(COLUMNS[k])] + [len(r[k]) for r in rows]) for k in keys[:-1]}
    lines = []
    for r in [COLUMNS, *rows]:
        cells = [r[k].ljust(width[k]) for k in keys[:-1]] + [r["source"]]
        lines.append("  ".join(cells))
    return "\n".join(lines)


@app.command("models")
def models_command() -> None:
    """List the bundled models with their sizes, time unit and source."""
    rows = _models.table()
    if not out.is_terminal:
        out.print(_plain(rows), highlight=False, soft_wrap=True, markup=False)
        return
    if out.width < WIDE:  # a narrow terminal: one record per model, wrapped at words
        for r in rows:
            out.print(
                f"[bold]{r['name']}[/]: {r['states']} states, {r['parameters']} parameters, "
                f"{r['observables']} observables, inputs {r['inputs']}, time in {r['time']}",
                highlight=False,
            )
            out.print(f"  {r['source']}", highlight=False, markup=False)
        return
    table = Table(title="pathjax models", show_lines=False)
    table.add_column("name", no_wrap=True)
    for key in list(COLUMNS)[1:]:  # every other cell folds rather than being cut
        table.add_column(COLUMNS[key], overflow="fold")
    for row in rows:
        table.add_row(*(row[k] for k in COLUMNS))
    out.print(table)
