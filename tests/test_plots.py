"""What the figures say, read from their matplotlib objects (legend texts, axis labels,
bars and their order), not from pixels: fan charts name their bands and mark the input
steps, index bars are sorted and cut to the largest with a count of the rest, tornado
whiskers are explained, a local sensitivity figure has every output, and ``pathjax
simulate --outputs`` picks the plotted variables."""

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from pathjax import plot


def _population(protocol: str | None) -> xr.Dataset:
    t = np.linspace(0.0, 30.0, 7)
    rng = np.random.default_rng(0)
    y = 1.0 + rng.random((20, 1)) * np.sin(t / 10.0)[None, :]
    insulin = np.where(t < 15.0, 100.0, 0.0)
    ds = xr.Dataset(
        {
            "y": (("patient", "time"), y, {"units": "%"}),
            "insulin": (
                ("patient", "time"),
                np.tile(insulin, (20, 1)),
                {"units": "nM", "kind": "input"},
            ),
            "status": ("patient", np.zeros(20, np.int32)),
        },  # fmt: skip
        coords={"time": ("time", t, {"units": "min"})},
    )
    if protocol is not None:
        ds.attrs["protocol"] = protocol
    return ds


def _legend(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "no legend"
    return [t.get_text() for t in legend.get_texts()]


def test_fan_chart_names_its_bands_and_shades_the_insulin_step():
    ax = Figure().subplots()
    plot.fan_chart(_population("insulin=100.0 on [0.0, 15.0)"), "y", ax=ax)
    labels = _legend(ax)
    assert labels[:3] == ["5–95 % of patients", "25–75 % of patients", "median"]
    assert "insulin 100 nM on" in labels
    span = [p for p in ax.patches if p.get_label() == "insulin 100 nM on"]
    assert len(span) == 1
    x0, x1 = span[0].get_x(), span[0].get_x() + span[0].get_width()  # a Rectangle
    assert (x0, x1) == (0.0, 15.0)
    assert ax.get_ylabel() == "y (%)" and ax.get_xlabel() == "time (min)"


def test_fan_chart_marks_doses_and_inputs_on_all_the_time():
    ax = Figure().subplots()
    plot.fan_chart(
        _population("+75000.0 stomach_solid at 0.0; meal_size=75000.0 at 0.0"), "y", ax=ax
    )
    assert "dose of stomach_solid (75000.0)" in _legend(ax)
    ax = Figure().subplots()
    plot.fan_chart(_population("insulin=10.0 on [-inf, inf)"), "y", ax=ax)
    assert "insulin 10 nM throughout" in _legend(ax)
    shaded = [p for p in ax.patches if "insulin" in p.get_label() and p.get_width() > 0]
    assert not shaded  # an input that never switches is named, not shaded


def test_input_marks_fall_back_to_the_input_variables():
    marks = plot.input_marks(_population(None))
    assert marks == [{"kind": "input", "name": "insulin", "level": "100", "start": 0.0,
                      "stop": 15.0}]  # fmt: skip
    fig = plot.fan_chart_figure(_population(None), ["y"])
    assert "insulin 100 nM on" in _legend(fig.axes[0])


def _sobol(n_par: int) -> xr.Dataset:
    rng = np.random.default_rng(1)
    st = rng.random((n_par, 2))
    return xr.Dataset(
        {
            "S1": (("parameter", "time"), 0.5 * st),
            "S1_conf": (("parameter", "time"), 0.05 * st),
            "ST": (("parameter", "time"), st),
            "ST_conf": (("parameter", "time"), 0.1 * st),
        },
        coords={
            "parameter": [f"p{i}" for i in range(n_par)],
            "time": ("time", [0.0, 60.0], {"units": "min"}),
        },  # fmt: skip
        attrs={"output": "GLUT4_surface", "conf_level": 0.95},
    )


def test_sobol_bars_show_the_top_15_by_total_index_largest_first():
    from pathjax.sensitivity import sobol_bars

    ds = _sobol(40)
    ax = sobol_bars(ds, ax=Figure().subplots())
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert len(shown) == 15
    st = ds["ST"].isel(time=-1).to_series()
    assert shown == list(st.sort_values(ascending=False).index[:15])
    st_bars = [b.get_height() for b in ax.containers[1]]
    assert st_bars == sorted(st_bars, reverse=True) and len(st_bars) == 15
    title = ax.get_title()
    assert "t = 60 min" in title and "top 15 of 40 parameters by ST; 25 not shown" in title
    assert _legend(ax) == ["S1 ± 95% confidence", "ST ± 95% confidence"]


def _local(outputs=("IRS1_pY", "GLUT4_surface"), patients=3) -> xr.DataArray:
    rng = np.random.default_rng(2)
    da = xr.DataArray(
        rng.normal(size=(patients, 4, len(outputs), 5)),
        dims=("patient", "time", "output", "parameter"),
        coords={
            "time": ("time", [0.0, 1.0, 2.0, 3.0], {"units": "min"}),
            "output": list(outputs),
            "parameter": [f"k{i}" for i in range(5)],
        },  # fmt: skip
        attrs={"normalized": 1},
    )
    return da


def test_tornado_says_what_the_bars_and_whiskers_are():
    from pathjax.sensitivity import tornado

    ax = tornado(_local(), ax=Figure().subplots())
    assert _legend(ax) == ["median of 3 patients", "5–95 % of patients"]
    assert ax.get_title() == "IRS1_pY at t = 3 min"


def test_local_sensitivity_figure_has_a_row_per_output():
    from pathjax.cli._sensitivity import figure

    fig = figure("local", _local(), None, "local")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert any(t.startswith("IRS1_pY") for t in titles)
    assert any(t.startswith("GLUT4_surface") for t in titles)


def test_simulate_outputs_choose_the_plotted_variables(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import pathjax.plot
    from pathjax.cli import _simulate, app

    def fake_simulate(model, t, params, protocol, **kw):
        n = len(next(iter(params.values()))) if params else 1
        data = {v: (("patient", "time"), np.ones((n, len(t)))) for v in model.state_names}
        return xr.Dataset({**data, "status": ("patient", np.zeros(n, np.int32))},
                          coords={"time": t})  # fmt: skip

    plotted = []
    monkeypatch.setattr(_simulate, "simulate", fake_simulate)
    monkeypatch.setattr(pathjax.plot, "save_fan_charts",
                        lambda ds, variables, path, title="": plotted.append(list(variables)))  # fmt: skip
    res = CliRunner().invoke(app, [
        "simulate", "--model", "sedaghat2002", "--points", "3", "--out", str(tmp_path / "r.nc"),
        "--plot", str(tmp_path / "r.png"), "--outputs", "IRS1_pY,IR_surface_free",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert plotted == [["IRS1_pY", "IR_surface_free"]]


def test_fan_chart_without_inputs_has_no_input_entries():
    ax = Figure().subplots()
    plot.fan_chart(_population("insulin=100.0 on [0.0, 15.0)"), "y", ax=ax, inputs=False)
    assert _legend(ax) == ["5–95 % of patients", "25–75 % of patients", "median"]


def test_heatmap_and_tornado_take_all_nan_times_quietly():
    # a normalised sensitivity is NaN where the output is 0 (often at t = 0 for every
    # patient); the median of nothing is NaN, without a RuntimeWarning
    from pathjax.sensitivity import heatmap, tornado

    sens = _local()
    sens[:, 0] = np.nan
    heatmap(sens, ax=Figure().subplots())
    tornado(sens, time=0.0, ax=Figure().subplots())


def test_fan_charts_of_two_cohorts_on_one_axes_list_each_entry_once():
    ax = Figure().subplots()
    for color, label in (("C0", "healthy"), ("C1", "T2D")):
        ds = _population("insulin=100.0 on [0.0, 15.0)")
        plot.fan_chart(ds, "y", ax=ax, quantiles=(0.1, 0.5, 0.9), color=color, label=label)
    labels = _legend(ax)
    assert labels == ["10–90 % of patients", "healthy", "insulin 100 nM on", "T2D"]
    assert len([p for p in ax.patches if p.get_label() == "insulin 100 nM on"]) == 1
