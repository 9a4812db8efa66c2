# %% [markdown]
# # Sensitivity analysis: what controls insulin-stimulated glucose uptake?
#
# A model with dozens of rate constants raises two questions: which of them decide the
# outcome, and does the answer depend on the patient? This notebook asks them of the
# human adipocyte model of Brännmark et al. 2013 (`brannmark2013`, the signalling core of
# the composite model: receptor, IRS1, PKB/AKT, mTORC1/2, AS160, GLUT4) and of the
# composite model's body.
#
# * **Local** sensitivities are derivatives at one patient. pathjax differentiates
#   through the ODE solve (forward-mode automatic differentiation), for every patient of
#   a batch, so we get them for whole cohorts. Normalised, `d ln y / d ln p` is the
#   per-cent change of the output per per-cent change of the parameter.
# * **Global** sensitivities ask how much of the *variation* of an output over a range of
#   parameters each parameter explains: Sobol indices (first order S1, total ST) by
#   Saltelli sampling, and derivative-based measures (DGSM), an upper bound on ST that costs
#   one gradient per sample point.
#
# The experiment is the one behind the model's data: adipocytes at basal steady state,
# then 10 nM insulin; glucose uptake is the readout. The healthy and T2D cohorts differ
# in receptor amount, GLUT4 amount and the strength of the mTORC1 → IRS1-Ser307 feedback
# (`docs/populations.md`), and every rate constant varies between patients.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

import pathjax
from pathjax import population as pop
from pathjax import sensitivity as sa

# Sizes: the full analysis; PATHJAX_NOTEBOOK_SMALL=1 (CI) runs the same code on few points.
SMALL = os.environ.get("PATHJAX_NOTEBOOK_SMALL") == "1"
N_LOCAL = 8 if SMALL else 256  # patients per cohort (local sensitivities)
N_DGSM = 8 if SMALL else 512  # Latin-hypercube points per cohort (DGSM)
N_SOBOL = 8 if SMALL else 512  # Sobol base sample: N_SOBOL * (D + 2) simulations
N_BODY = 8 if SMALL else 512  # Sobol base sample of the composite model
CHUNK = 8 if SMALL else 128  # patients per compiled call (one program for all cohorts)

CELL = pathjax.models.load("brannmark2013")
COHORTS = {"healthy": "tab:green", "t2d": "tab:red"}
LABEL = {"healthy": "healthy", "t2d": "T2D"}
# basal steady state (1000 min without insulin, as the cohorts), then 10 nM insulin
PROTOCOL = pathjax.Protocol.constant(insulin=10.0).with_preequilibration(1000.0)
T = np.array([0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0])  # min
READ = 10.0  # the time at which the tornado charts and indices are read, min
OUTPUT = "glucose_uptake"
# every rate constant and the three quantities the cohorts change (not the readout scales)
WRT = [p.name for p in CELL.param_specs if p.kind == "kinetic"] + [
    "IR_total", "GLUT4_total", "diabetes",
]  # fmt: skip
print(f"{CELL.name}: {len(WRT)} parameters; {N_LOCAL} patients per cohort")

# %% [markdown]
# ## Local log-sensitivities for every patient
#
# `pathjax.sensitivity.local` returns `d ln y / d ln p` for every patient, time, output
# and parameter, differentiating through the 1000-min pre-equilibration as well, so a
# parameter that moves the basal state is credited with it.

# %%
patients = {c: pop.sample(CELL, c, N_LOCAL, seed=5, batch=CHUNK) for c in COHORTS}
local = {}
for c, p in patients.items():
    start = time.perf_counter()
    local[c] = sa.local(CELL, T, dict(p), wrt=WRT, outputs=[OUTPUT],
                        normalized=True, protocol=PROTOCOL, chunk_size=CHUNK)  # fmt: skip
    s = local[c]
    print(f"{LABEL[c]}: {s.sizes['patient']} patients x {s.sizes['time']} times x "
          f"{s.sizes['output']} outputs x {s.sizes['parameter']} parameters "
          f"({s.attrs['mode']} mode) in {time.perf_counter() - start:.1f} s; "
          f"failed: {int((s['status'] != 0).sum())}")  # fmt: skip

# %% [markdown]
# ### Tornado charts at 10 min
#
# Bars are the median log-sensitivity over the cohort's patients, whiskers the 5–95 %
# range: red raises glucose uptake, blue lowers it.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
for ax, c in zip(axes, COHORTS):
    sa.tornado(local[c], output=OUTPUT, time=READ, ax=ax, top=15)
    ax.set_title(f"{LABEL[c]}: glucose uptake at {READ:g} min", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Over time
#
# The heatmap shows how control of uptake moves once insulin arrives. At t = 0 (the basal
# state, no insulin) uptake rests on the small basal signal, so the receptor, its
# phosphatases and the kinases of PKB share the control. Within the first minute of
# 10 nM insulin translocation is driven hard, and control passes to the amount of GLUT4,
# its transport rate and its trafficking between membrane and interior; in T2D cells,
# with less GLUT4 at the membrane, the insulin-independent GLUT1 transport keeps a larger
# share.

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 5.4))
for ax, c in zip(axes, COHORTS):
    sa.heatmap(local[c], output=OUTPUT, ax=ax, top=15)
    ax.set_title(f"{LABEL[c]}: glucose uptake, median d ln y / d ln p", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### How the ranking shifts from healthy to T2D
#
# Parameters ranked by the median |log-sensitivity| of uptake at 10 min in each cohort;
# lines join a parameter's ranks. A line that climbs gains control in the diabetic cell.


# %%
def ranking(s, output, time):
    v = s.sel(output=output).sel(time=time, method="nearest")
    v = v.where(s["status"] == 0)
    return np.abs(v).median("patient").to_series().sort_values(ascending=False)


rank = pd.DataFrame({LABEL[c]: ranking(local[c], OUTPUT, READ) for c in COHORTS})
order = rank.rank(ascending=False)
top = sorted(set(order.index[(order <= 10).any(axis=1)]), key=lambda k: order.loc[k, "healthy"])
fig, ax = plt.subplots(figsize=(7.5, 0.36 * len(top) + 1.5))
for k in top:
    y = order.loc[k].values
    ax.plot([0, 1], y, "o-", color="tab:red" if y[1] < y[0] else "tab:gray", lw=1.2)
    ax.text(-0.04, y[0], k, ha="right", va="center", fontsize=8)
    ax.text(1.04, y[1], k, ha="left", va="center", fontsize=8)
ax.set_xlim(-0.9, 1.9)
ax.set_ylim(order.loc[top].values.max() + 1, 0)
ax.set_xticks([0, 1], ["healthy", "T2D"])
ax.set_yticks([])
ax.set_title("rank of |d ln uptake / d ln p| at 10 min (1 = strongest)", fontsize=10)
for side in ("top", "right", "left"):
    ax.spines[side].set_visible(False)
plt.show()

shift = (order["healthy"] - order["T2D"]).loc[top].sort_values()
print("largest gains in rank in T2D:", ", ".join(f"{k} (+{v:.0f})" for k, v in shift[::-1].items()
                                                 if v > 0)[:400] or "none")  # fmt: skip
print("largest losses:", ", ".join(f"{k} ({v:.0f})" for k, v in shift.items() if v < 0)[:400]
      or "none")  # fmt: skip
rank.loc[top].round(3)

# %% [markdown]
# The heterogeneity of patients matters too: the whiskers of the tornado charts show that
# a parameter's influence differs between patients of one cohort, which a single
# "typical" patient would hide.
#
# ## Global sensitivity across each cohort
#
# Local derivatives hold near one patient. Over the range a cohort spans, the question is
# how much of the cohort's variation in uptake each parameter explains. Each parameter
# varies uniformly over its 2.5–97.5 % range in the cohort (a parameter a cohort holds
# fixed, such as the feedback of healthy cells, over ±1 % around its value).


# %%
def box(p, names):
    out = {}
    for k in names:
        lo, hi = np.quantile(p[k], [0.025, 0.975])
        if not hi > lo * (1 + 1e-9):
            lo, hi = 0.99 * lo, 1.01 * lo
        out[k] = (float(lo), float(hi))
    return out


boxes = {c: box(patients[c], WRT) for c in COHORTS}
dgsm = {}
for c in COHORTS:
    start = time.perf_counter()
    dgsm[c] = sa.dgsm(CELL, T, boxes[c], OUTPUT, n=N_DGSM, seed=7, protocol=PROTOCOL,
                      chunk_size=CHUNK)  # fmt: skip
    print(f"DGSM {LABEL[c]}: {N_DGSM} points x {len(WRT)} parameters in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip

D = 6  # parameters per Sobol analysis: each cohort's top six by DGSM
sobol = {}
for c in COHORTS:
    m = dgsm[c]["dgsm"].sel(time=READ)
    chosen = [str(k) for k in m.sortby(m, ascending=False)["parameter"].values[:D]]
    fixed = {k: float(np.median(v)) for k, v in patients[c].items() if k not in chosen}
    start = time.perf_counter()
    sobol[c] = sa.sobol(CELL, [0.0, READ], {k: boxes[c][k] for k in chosen}, OUTPUT, n=N_SOBOL,
                        seed=7, params=fixed, protocol=PROTOCOL, chunk_size=CHUNK)  # fmt: skip
    print(f"Sobol {LABEL[c]}: {N_SOBOL * (D + 2):,} simulations in "
          f"{time.perf_counter() - start:.1f} s; parameters {', '.join(chosen)}")  # fmt: skip

# %%
fig, axes = plt.subplots(2, 2, figsize=(13, 8.0))
for j, c in enumerate(COHORTS):
    m = dgsm[c].sel(time=READ)
    keep = m["dgsm"].sortby(m["dgsm"], ascending=False)["parameter"].values[:12]
    sa.dgsm_bars(dgsm[c].sel(parameter=keep), time=READ, ax=axes[0, j])
    axes[0, j].set_title(f"{LABEL[c]}: DGSM bound on ST, uptake at {READ:g} min", fontsize=10)
    sa.sobol_bars(sobol[c], time=READ, ax=axes[1, j])
    axes[1, j].set_title(f"{LABEL[c]}: Sobol indices, uptake at {READ:g} min", fontsize=10)
    axes[1, j].set_ylim(-0.1, 1.1)
fig.tight_layout()
plt.show()

rows = []
for c in COHORTS:
    s = sobol[c].sel(time=READ)
    for k in s["parameter"].values:
        rows.append({"cohort": LABEL[c], "parameter": str(k), "S1": float(s["S1"].sel(parameter=k)),
                     "ST": float(s["ST"].sel(parameter=k)),
                     "DGSM bound": float(dgsm[c]["dgsm"].sel(time=READ, parameter=k))})  # fmt: skip
indices = pd.DataFrame(rows).set_index(["cohort", "parameter"])
for c in COHORTS:
    s1 = indices.loc[LABEL[c], "S1"]
    print(f"{LABEL[c]}: the six parameters explain {s1.sum():.0%} of the variance of uptake "
          f"alone (sum of S1); the largest share is {s1.idxmax()} ({s1.max():.0%})")  # fmt: skip
indices.round(3)

# %% [markdown]
# DGSM is an upper bound on the total index (Sobol & Kucherenko 2009): compare the last
# two columns of the table (up to the sampling error of both estimates). It ranks all
# parameters from one gradient per point, which is how the six for the Sobol analysis
# were chosen. Across a cohort, uptake varies mostly with how much GLUT4 the cell has and
# how fast each transporter carries glucose; under 10 nM insulin the signalling rate
# constants explain little of the variation between patients.
#
# ## The body: which disease mechanism drives glucose and insulin?
#
# The composite model adds inflammation, oxidative stress and the body. Over the range of
# the four disease conditions across the healthy, insulin-resistant and T2D cohorts, a
# Sobol analysis of the OGTT tells which mechanism explains the spread of fasting glucose,
# 2-h glucose and fasting insulin. The ranges come from the cohorts' distributions (drawn
# with `filter=False`, which only samples and simulates nothing).

# %%
BODY = pathjax.models.load("insulin_resistance")
CONDITIONS = ["receptor_density", "diabetes", "inflammation", "oxidative_stress"]
draws = [pop.sample(BODY, c, 2_000, seed=1, filter=False) for c in ("healthy", "t2d")]
body_box = {
    k: (float(min(np.quantile(d[k], 0.025) for d in draws)),
        float(max(np.quantile(d[k], 0.975) for d in draws)))
    for k in CONDITIONS
}  # fmt: skip
print(pd.DataFrame(body_box, index=["lower", "upper"]).T.round(3))


def readouts(ds):
    """Fasting glucose, 2-h glucose and fasting insulin of the OGTT, per patient."""
    g0 = ds["plasma_glucose"].sel(time=0.0)
    return xr.concat(
        [g0, ds["plasma_glucose"].sel(time=120.0), ds["plasma_insulin"].sel(time=0.0)],
        dim=pd.Index(["fasting glucose", "2-h glucose", "fasting insulin"], name="readout"),
    ).drop_vars("time")


start = time.perf_counter()
body = sa.sobol(BODY, [0.0, 120.0], body_box, readouts, n=N_BODY, seed=3, chunk_size=CHUNK)
print(f"{N_BODY * (len(CONDITIONS) + 2):,} OGTTs in {time.perf_counter() - start:.1f} s")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for ax, r in zip(axes, body["readout"].values):
    sel = body.sel(readout=r)
    x = np.arange(len(CONDITIONS))
    ax.bar(x - 0.2, sel["S1"], 0.4, yerr=sel["S1_conf"], capsize=2, label="S1")
    ax.bar(x + 0.2, sel["ST"], 0.4, yerr=sel["ST_conf"], capsize=2, label="ST")
    ax.set_xticks(x, CONDITIONS, rotation=25, ha="right", fontsize=8)
    ax.set_title(str(r), fontsize=10)
axes[0].set_ylabel("Sobol index")
axes[0].legend(fontsize=8)
fig.suptitle("Composite model, 75 g OGTT: share of variance per disease condition", fontsize=10)
fig.tight_layout()
plt.show()
body["ST"].to_pandas().T.round(3).rename_axis(index="total index ST")

# %% [markdown]
# ## Summary
#
# * Local sensitivities for whole cohorts show both the typical control of glucose uptake
#   and how it varies between patients; the ranking of the rate constants shifts between
#   healthy and diabetic cells (the slope chart above).
# * Global indices over each cohort's own range answer a different question: which
#   parameters make patients differ. DGSM screens all parameters cheaply from exact
#   gradients; Sobol quantifies the few it selects.
# * In the body, the disease conditions explain the spread of the OGTT readouts in the
#   proportions the last figure shows; all numbers are computed above.
