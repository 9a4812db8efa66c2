# %% [markdown]
# # A population study of insulin resistance
#
# Insulin resistance is not one defect but a chain of them. Insulin binds its receptor
# on the cell surface; the receptor phosphorylates IRS1 on tyrosine; IRS1 recruits PI3K,
# which makes PIP3 and activates AKT; AKT releases GLUT4 vesicles to the plasma
# membrane, and glucose enters the cell. In obesity and type 2 diabetes (T2D) the
# receptor is down-regulated, inflammatory kinases (JNK, IKK, driven by TNF-α and by
# reactive oxygen species) phosphorylate IRS1 on serine, which blocks its tyrosine
# phosphorylation and marks it for degradation, and the feedback from mTORC1 onto IRS1
# is weakened. The body answers with more insulin: hyperinsulinaemia keeps glucose near
# normal for years, until the beta cells cannot keep up.
#
# pathjax's composite model `insulin_resistance` follows the whole chain, from the
# receptor in an adipocyte to plasma glucose and insulin (58 states; see
# `docs/insulin_resistance.md` for every module and its source). This notebook draws
# three virtual cohorts, **healthy**, **insulin resistant** and **T2D**, simulates a
# 75 g oral glucose tolerance test (OGTT) for every patient from their own fasting steady
# state, and asks:
#
# 1. how the cohorts differ along the chain, from receptor density and inflammation to
#    IRS1 phosphorylation, AKT, surface GLUT4, glucose uptake, plasma glucose and insulin;
# 2. how their OGTT curves differ over time (fan charts);
# 3. which patient features separate the cohorts best.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr

import pathjax
from pathjax import population as pop
from pathjax.plot import fan_chart

# Sizes: the full study below; PATHJAX_NOTEBOOK_SMALL=1 (CI) runs the same code on a few
# patients. One chunk size means one compiled program for every cohort.
SMALL = os.environ.get("PATHJAX_NOTEBOOK_SMALL") == "1"
N = 64 if SMALL else 10_000  # patients per cohort
CHUNK = 8 if SMALL else 2_000  # patients per compiled solve

MODEL = pathjax.models.load("insulin_resistance")
COHORTS = ["healthy", "insulin_resistant", "t2d"]
LABEL = {"healthy": "healthy", "insulin_resistant": "insulin resistant", "t2d": "T2D"}
COLOR = {"healthy": "tab:green", "insulin_resistant": "tab:orange", "t2d": "tab:red"}
SEED = {"healthy": 1, "insulin_resistant": 2, "t2d": 3}
T = np.linspace(0.0, 240.0, 25)  # OGTT, min (every 10 min)
print(f"{MODEL.name}: {len(MODEL.state_names)} states, {len(MODEL.param_names)} parameters")
print(f"{N:,} patients per cohort, chunks of {CHUNK:,}")

# %% [markdown]
# ## The cohorts
#
# Each cohort is a distribution over the model's disease conditions (receptor density,
# the strength of the mTORC1 → IRS1 feedback, inflammation, oxidative stress) and body-mass
# index, which raises inflammation and oxidative stress; every rate constant varies
# between patients too. A drawn patient is kept only if their OGTT is physiologically
# plausible; a rejected one is redrawn. Here is how pathjax describes them:

# %%
for name in COHORTS:
    c = pop.cohort(MODEL, name)
    print(f"{LABEL[name]}: {c.description}\n")
print("Plausibility:", pop.cohort(MODEL, "t2d").plausibility.description)

# %% [markdown]
# ## Simulating the cohorts
#
# `pathjax.population.run` samples the patients (seeded: patient *i* depends only on the
# seed and *i*), checks their plausibility, and simulates the OGTT chunk by chunk. It
# also keeps per-patient summaries (peak, area under the curve, time to peak, value at
# the last time) of the main readouts.

# %%
OUTPUTS = [
    "IRS1_pY", "IRS1_pS", "IRS1_total", "AKT_active", "GLUT4_surface", "glucose_uptake",
    "plasma_glucose", "plasma_insulin", "HOMA_IR",
]  # fmt: skip
runs = {}
for i, name in enumerate(COHORTS):
    start = time.perf_counter()
    runs[name] = pop.run(MODEL, name, N, seed=SEED[name], t=T, outputs=OUTPUTS, chunk_size=CHUNK)
    took = time.perf_counter() - start
    a = runs[name].attrs
    note = " (includes compiling the solver)" if i == 0 else ""
    print(
        f"{LABEL[name]:>17}: {N:,} patients in {took:6.1f} s{note}; "
        f"acceptance rate {a['acceptance_rate']:.1%}, failed solves {a['n_failed']}"
    )

# %% [markdown]
# ## Per-patient features
#
# From each trajectory we read the quantities a clinic or a laboratory would measure:
# the disease drivers each patient was drawn with, the cell's signalling (IRS1 tyrosine
# and serine phosphorylation, active AKT, surface GLUT4 and glucose uptake at the peak of
# the OGTT, IRS1 content while fasting) and the clinical glucose–insulin readouts
# (fasting and 2-h glucose, fasting and peak insulin, HOMA-IR).


# %%
def features(ds):
    """One row per patient: drivers, cell readouts and clinical readouts."""
    par = ds["params"]
    peak = ds["peak"]
    at = ds.sel(time=[0.0, 120.0])
    df = pd.DataFrame(
        {
            "receptor density": par.sel(parameter="receptor_density").values,
            "feedback (mTORC1→IRS1)": par.sel(parameter="diabetes").values,
            "inflammation": par.sel(parameter="inflammation").values,
            "oxidative stress": par.sel(parameter="oxidative_stress").values,
            "BMI": ds["covariates"].sel(covariate="BMI").values,
            "IRS1 content, fasting (%)": at["IRS1_total"].values[:, 0],
            "IRS1 pSer, fasting (%)": at["IRS1_pS"].values[:, 0],
            "IRS1 pTyr, peak (%)": peak.sel(output="IRS1_pY").values,
            "active AKT, peak (%)": peak.sel(output="AKT_active").values,
            "surface GLUT4, peak (%)": peak.sel(output="GLUT4_surface").values,
            "glucose uptake, peak (a.u.)": peak.sel(output="glucose_uptake").values,
            "fasting glucose (mg/dL)": at["plasma_glucose"].values[:, 0],
            "2-h glucose (mg/dL)": at["plasma_glucose"].values[:, 1],
            "fasting insulin (pmol/L)": at["plasma_insulin"].values[:, 0],
            "peak insulin (pmol/L)": peak.sel(output="plasma_insulin").values,
            "HOMA-IR": at["HOMA_IR"].values[:, 0],
        }
    )
    return df[ds["status"].values == 0]


feat = pd.concat({LABEL[c]: features(runs[c]) for c in COHORTS}, names=["cohort", "patient"])
table = feat.groupby(level="cohort", sort=False).median().T
table.columns.name = "median"
table.round(2)

# %% [markdown]
# ### Disease drivers
#
# The three cohorts were built from different disease drivers; their spread (and the
# patients the plausibility check turned away) is visible below. Body-mass index pushes
# inflammation and oxidative stress up within each cohort.

# %%
DRIVERS = ["receptor density", "feedback (mTORC1→IRS1)", "inflammation", "oxidative stress", "BMI"]
CELL = [
    "IRS1 content, fasting (%)", "IRS1 pSer, fasting (%)", "IRS1 pTyr, peak (%)",
    "active AKT, peak (%)", "surface GLUT4, peak (%)", "glucose uptake, peak (a.u.)",
]  # fmt: skip
CLINIC = [
    "fasting glucose (mg/dL)", "2-h glucose (mg/dL)", "fasting insulin (pmol/L)",
    "peak insulin (pmol/L)", "HOMA-IR",
]  # fmt: skip


def histograms(columns, ncols=3, lines=None):
    rows = -(-len(columns) // ncols)
    fig, axes = plt.subplots(rows, ncols, figsize=(4.2 * ncols, 2.7 * rows), squeeze=False)
    for ax, col in zip(axes.flat, columns):
        x = feat[col]
        lo, hi = np.nanquantile(x, [0.002, 0.998])
        bins = np.linspace(lo, hi, 40) if hi > lo else 10
        for c in COHORTS:
            ax.hist(feat.loc[LABEL[c], col], bins=bins, density=True, alpha=0.45,
                    color=COLOR[c], label=LABEL[c])  # fmt: skip
        for v, text in (lines or {}).get(col, []):
            ax.axvline(v, color="k", ls="--", lw=0.8)
            ax.text(v, ax.get_ylim()[1] * 0.95, f" {text}", fontsize=7, va="top")
        ax.set_xlabel(col)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(columns) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(COHORTS), fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / (2.7 * rows)))
    return fig


histograms(DRIVERS)
plt.show()

# %% [markdown]
# ### The cell
#
# Down the signalling chain the defects add up. Inflammatory serine phosphorylation and
# degradation lower the cell's IRS1, so less of it can be tyrosine-phosphorylated; AKT
# activation, which needs both PDK1 (Thr308) and mTORC2 (Ser473) phosphorylation, falls
# steeply. Surface GLUT4 and glucose uptake fall much less: they are read in the closed
# loop, where each patient's own (higher) insulin drives the cell.

# %%
histograms(CELL)
plt.show()

# %% [markdown]
# ### The body: glucose and compensating insulin
#
# Dashed lines mark the diagnostic thresholds of the American Diabetes Association
# (fasting glucose 100 and 126 mg/dL, 2-h OGTT glucose 140 and 200 mg/dL). The model's
# healthy OGTT, like that of the meal model of Dalla Man et al. 2007 it is built on, ends
# close to the 140 mg/dL cut-off, so part of the healthy cohort lies just above it. In
# relative terms insulin changes far more than glucose: the beta cells secrete more to
# hold glucose near normal (compensating hyperinsulinaemia), as the ratios printed below
# the scatter plot show.

# %%
ADA = {
    "fasting glucose (mg/dL)": [(100, "IFG"), (126, "diabetes")],
    "2-h glucose (mg/dL)": [(140, "IGT"), (200, "diabetes")],
}
histograms(CLINIC, lines=ADA)
plt.show()

fpg, g2h = feat["fasting glucose (mg/dL)"], feat["2-h glucose (mg/dL)"]
status = pd.DataFrame(
    {
        "normal (FPG < 100 and 2-h < 140)": (fpg < 100) & (g2h < 140),
        "prediabetes (IFG or IGT)": ~((fpg < 100) & (g2h < 140)) & (fpg < 126) & (g2h < 200),
        "diabetes (FPG ≥ 126 or 2-h ≥ 200)": (fpg >= 126) | (g2h >= 200),
    }
)
(100 * status.groupby(level="cohort", sort=False).mean()).T.round(1).rename_axis(
    index="% of the cohort (ADA glucose criteria)"
)

# %%
fig, ax = plt.subplots(figsize=(5.6, 4.0))
for c in COHORTS:
    f = feat.loc[LABEL[c]]
    sub = f.sample(min(len(f), 1500), random_state=0)
    ax.scatter(sub["fasting glucose (mg/dL)"], sub["fasting insulin (pmol/L)"], s=4, alpha=0.35,
               color=COLOR[c], label=LABEL[c])  # fmt: skip
ax.set_xlabel("fasting glucose (mg/dL)")
ax.set_ylabel("fasting insulin (pmol/L)")
ax.set_yscale("log")
ax.set_title("Compensation: insulin rises before glucose", fontsize=10)
ax.legend(markerscale=4, fontsize=8)
plt.show()
med = feat.groupby(level="cohort", sort=False).median()
for col in ["fasting insulin (pmol/L)", "peak insulin (pmol/L)", "fasting glucose (mg/dL)"]:
    r = med.loc["T2D", col] / med.loc["healthy", col]
    print(f"median {col}: T2D / healthy = {r:.2f}")

# %% [markdown]
# ## Over time: fan charts of the OGTT
#
# Median (line) and the 10–90 % range over patients (band) of each cohort. The glucose
# load arrives at t = 0; insulin follows, AKT and GLUT4 respond to it within minutes, and
# glucose returns towards fasting over the following hours, slowest in T2D.

# %%
fig, axes = plt.subplots(2, 3, figsize=(13, 6.4))
for ax, var in zip(axes.flat, ["plasma_glucose", "plasma_insulin", "glucose_uptake", "IRS1_pY",
                               "AKT_active", "GLUT4_surface"]):  # fmt: skip
    for c in COHORTS:
        fan_chart(runs[c], var, ax=ax, quantiles=(0.1, 0.5, 0.9), color=COLOR[c], label=LABEL[c])
axes.flat[0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Which features separate the cohorts?
#
# For every feature and every pair of cohorts, the area under the ROC curve (AUC) says how
# well the feature alone tells a patient of one cohort from one of the other: 0.5 is
# chance, 1 (or 0) a perfect separation. It is computed from ranks (the Mann–Whitney
# statistic) and shown as the separation |2·AUC − 1|, from 0 (none) to 1 (perfect).
#
# The drivers separate the cohorts by construction (the cohorts were defined by them), so
# the figure shows what could be *measured* in a patient or in their adipocytes; the
# drivers are listed below it for comparison.


# %%
def auc(a, b):
    """P(a random member of b exceeds a random member of a), ties counting half."""
    r = rankdata(np.concatenate([a, b]))
    return (r[len(a) :].sum() - len(b) * (len(b) + 1) / 2) / (len(a) * len(b))


PAIRS = [("healthy", "insulin_resistant"), ("insulin_resistant", "t2d"), ("healthy", "t2d")]
sep = pd.DataFrame(
    {
        f"{LABEL[a]} vs {LABEL[b]}": [
            2 * abs(auc(feat.loc[LABEL[a], col].values, feat.loc[LABEL[b], col].values) - 0.5)
            for col in DRIVERS + CELL + CLINIC
        ]
        for a, b in PAIRS
    },
    index=DRIVERS + CELL + CLINIC,
)
measured = sep.loc[CELL + CLINIC].sort_values("healthy vs insulin resistant", ascending=False)

fig, ax = plt.subplots(figsize=(6.8, 5.0))
im = ax.imshow(measured.values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
ax.set_xticks(range(measured.shape[1]), measured.columns, rotation=20, ha="right", fontsize=8)
ax.set_yticks(range(measured.shape[0]), measured.index, fontsize=8)
for i in range(measured.shape[0]):
    for j in range(measured.shape[1]):
        v = measured.values[i, j]
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                color="white" if v < 0.6 else "black")  # fmt: skip
fig.colorbar(im, ax=ax, label="separation |2·AUC − 1|")
ax.set_title("How well one measured feature separates two cohorts", fontsize=10)
fig.tight_layout()
plt.show()

for pair in measured.columns:
    best = measured[pair].sort_values(ascending=False).head(3)
    print(f"{pair}: best measured features " + ", ".join(f"{k} ({v:.2f})" for k, v in best.items()))
print()
sep.loc[DRIVERS].round(2).rename_axis(index="drivers (by construction)")

# %% [markdown]
# Read the columns from left to right: which readouts mark the first step into insulin
# resistance, which the step from resistance to diabetes, and which the whole way. In the
# clinical readouts the step from insulin resistance to T2D is the harder one to see (the
# two cohorts overlap; the disease is a continuum), while the cell's IRS1 tyrosine
# phosphorylation and AKT activity still tell them apart: a difference the clinic cannot
# measure, but an adipocyte biopsy could.
#
# ### Within the T2D cohort
#
# Which driver explains why one T2D patient tolerates glucose worse than another? The
# rank (Spearman) correlation of each driver with the 2-h glucose, the fasting insulin and
# the peak AKT activity of the T2D patients:

# %%
t2d = feat.loc["T2D"]
TARGETS = ["2-h glucose (mg/dL)", "fasting insulin (pmol/L)", "active AKT, peak (%)"]
within = pd.DataFrame(
    {target: [spearmanr(t2d[d], t2d[target]).statistic for d in DRIVERS] for target in TARGETS},
    index=DRIVERS,
)
fig, ax = plt.subplots(figsize=(7.5, 3.2))
within.plot.barh(ax=ax, width=0.8)
ax.axvline(0, color="k", lw=0.6)
ax.set_xlabel("Spearman correlation within the T2D cohort")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()
within.round(2)

# %% [markdown]
# Every rate constant varies between patients as well (CV 10 %), in the cell and in the
# body. Ranking all of the model's parameters by their correlation with a readout inside
# the T2D cohort shows where its spread comes from:

# %%
ds = runs["t2d"]
ok = ds["status"].values == 0
P = ds["params"].values[ok]  # (patient, parameter)
names = [str(k) for k in ds["parameter"].values]
varies = np.flatnonzero(np.ptp(P, axis=0) > 0)  # the parameters that differ between patients
top = {}
for target in TARGETS:
    y = t2d[target].values
    rho = pd.Series({names[j]: spearmanr(P[:, j], y).statistic for j in varies})
    top[target] = rho.reindex(rho.abs().sort_values(ascending=False).index)[:6]
pd.concat(
    {t: v.rename("Spearman ρ").rename_axis("parameter").reset_index() for t, v in top.items()},
    axis=1,
).round(2)

# %% [markdown]
# Within the T2D cohort the disease drivers decide the cell's AKT activity, but the spread
# of 2-h glucose and fasting insulin comes as much from the body's own rate constants
# (insulin secretion, hepatic glucose production, gastric emptying) and from GLUT4
# trafficking: patients with the same cellular defect can tolerate glucose quite
# differently.
#
# ## Summary
#
# The key numbers of this run, computed from the tables above:

# %%
m = feat.groupby(level="cohort", sort=False).median()
h, d = m.loc["healthy"], m.loc["T2D"]
best = measured["healthy vs insulin resistant"]
diabetic = status.groupby(level="cohort", sort=False).mean()["diabetes (FPG ≥ 126 or 2-h ≥ 200)"]
pty, akt = "IRS1 pTyr, peak (%)", "active AKT, peak (%)"
uptake, fins, fpg_ = (
    "glucose uptake, peak (a.u.)",
    "fasting insulin (pmol/L)",
    "fasting glucose (mg/dL)",
)
print(f"* IRS1 pTyr at the OGTT peak: T2D {d[pty]:.3g} %, healthy {h[pty]:.3g} % of normal IRS1")
print(f"* active AKT at the OGTT peak: T2D {d[akt]:.3g} %, healthy {h[akt]:.3g} % of PKB")
print(
    f"* glucose uptake at the OGTT peak (closed loop): T2D at {d[uptake] / h[uptake]:.0%} of healthy"
)
print(
    f"* T2D / healthy: fasting insulin {d[fins] / h[fins]:.2f}x, fasting glucose {d[fpg_] / h[fpg_]:.2f}x"
)
print(f"* best measured feature, healthy vs insulin resistant: {best.idxmax()} ({best.max():.2f})")
print("* in the diabetic range (ADA glucose criteria): "
      + ", ".join(f"{k} {v:.0%}" for k, v in diabetic.items()))  # fmt: skip

# %% [markdown]
# * Along the signalling chain the defects compound: IRS1 and active AKT fall far more
#   than surface GLUT4 and glucose uptake, which compensating insulin keeps closer to
#   normal in the closed loop.
# * Hyperinsulinaemia accompanies insulin resistance: insulin rises proportionally more
#   than glucose.
# * Every number above is computed by this notebook; rerun it with another seed or
#   cohort definition (`pathjax.population.Cohort`) to test how robust they are.
