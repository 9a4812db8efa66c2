# %% [markdown]
# # Therapies for the T2D cohort
#
# Each step of the insulin signalling chain that fails in type 2 diabetes is a possible
# drug target. pathjax maps five therapy classes onto the composite model
# `insulin_resistance`:
#
# * **receptor agonist**: an insulin-mimetic that activates the insulin receptor without
#   insulin (as the small-molecule activator of Zhang et al. 1999);
# * **IRS modulator**: protects IRS1 from inhibitory serine phosphorylation by JNK, IKK and
#   S6K and inhibits the phosphatase PTP1B (Hirosumi et al. 2002; Elchebly et al. 1999);
# * **anti-inflammatory**: removes the TNF-α/IKK-β drive on IRS1 (salicylate, Yuan et
#   al. 2001);
# * **antioxidant**: removes the excess of reactive oxygen species (Houstis et al. 2006);
# * **insulin sensitiser**: a thiazolidinedione that raises GLUT4 expression
#   (Yki-Järvinen 2004).
#
# The first four act on the signalling chain, the fifth on the amount of the glucose
# transporter. A dose is given in multiples of the class's EC50 (dose 1 gives half the
# maximal effect, dose 3 three quarters, dose 10 91 %).
#
# Two experiments judge a therapy. In the **body** (a 75 g OGTT from each patient's
# fasting steady state) compensating insulin secretion hides part of any change in the
# cell: a better cell lets the beta cells secrete less. The cellular effect is therefore
# measured **ex vivo**, as in the adipocyte experiments of Brännmark et al. 2013: the
# patient's adipocytes, in the chronic state the disease (and the chronic therapy) put
# them in, are stimulated with 1 nM insulin for 10 min (the model's `assay` protocol).

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import pathjax
from pathjax import population as pop
from pathjax import summaries, therapy
from pathjax.models import insulin_resistance as ir

# Sizes: the full study; PATHJAX_NOTEBOOK_SMALL=1 (CI) runs the same code on a few patients.
SMALL = os.environ.get("PATHJAX_NOTEBOOK_SMALL") == "1"
N = 8 if SMALL else 1_000  # patients per cohort, each given every arm below
CHUNK = 8 if SMALL else 1_000  # patients per compiled solve (one program per protocol)

MODEL = pathjax.models.load("insulin_resistance")
CLASSES = therapy.available(MODEL)
NAME = {
    "receptor_agonist": "receptor agonist",
    "irs_modulator": "IRS modulator",
    "anti_inflammatory": "anti-inflammatory",
    "antioxidant": "antioxidant",
    "insulin_sensitizer": "insulin sensitiser",
}
COLOR = {c: f"C{i}" for i, c in enumerate(CLASSES)}
DOSES = [0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]  # multiples of the EC50
ASSAY = ir.assay(1.0)  # adipocytes at 1 nM insulin from t = 0
T_ASSAY = [0.0, 10.0]  # read at 10 min
T_OGTT = [0.0, 120.0]  # fasting and 2-h values of the OGTT
SEED = {"healthy": 11, "t2d": 12}
print(f"{N:,} patients per cohort; therapy classes: {', '.join(CLASSES)}")

# %% [markdown]
# ## The therapy classes
#
# Each class acts on the model's intervention parameters through an Emax relation,
# `effect = Emax · d / (EC50 + d)`, added to the parameter (or multiplying it):

# %%
rows = []
for c in CLASSES:
    cls = therapy.describe(MODEL, c)
    for tg in cls.targets:
        rows.append(
            {
                "class": NAME[c],
                "parameter": tg.parameter,
                "Emax": tg.emax,
                "mode": tg.mode,
                "chronic only": tg.chronic_only,
                "unit of dose": cls.dose_unit,
            }
        )
pd.DataFrame(rows).set_index(["class", "parameter"])

# %% [markdown]
# ## The cell's defect at fixed insulin
#
# First the untreated patients: healthy and T2D cohorts, their adipocytes at 1 nM
# insulin. `pathjax.population.sample` draws plausible patients (each passes the cohort's
# OGTT check); `pathjax.therapy.simulate` runs them with or without therapies.

# %%
start = time.perf_counter()
patients = {c: pop.sample(MODEL, c, N, seed=SEED[c], batch=CHUNK) for c in SEED}
untreated = {
    c: therapy.simulate(MODEL, T_ASSAY, dict(p), ASSAY, chunk_size=CHUNK)
    for c, p in patients.items()
}
print(f"sampled and simulated {2 * N:,} patients in {time.perf_counter() - start:.1f} s")

CELL = {
    "IRS1_pY": "IRS1 pTyr (% of normal IRS1)",
    "AKT_active": "active AKT (% of PKB)",
    "GLUT4_surface": "surface GLUT4 (% of the cell's)",
    "glucose_uptake": "glucose uptake (a.u.)",
}
fig, axes = plt.subplots(1, 4, figsize=(13, 3.0))
for ax, (var, label) in zip(axes, CELL.items()):
    data = [untreated[c][var].values[:, -1] for c in ("healthy", "t2d")]
    ax.boxplot(data, tick_labels=["healthy", "T2D"], widths=0.6)
    ax.set_title(label, fontsize=9)
fig.suptitle("Adipocytes at 1 nM insulin for 10 min", fontsize=10)
fig.tight_layout()
plt.show()

healthy_uptake = float(np.median(untreated["healthy"]["glucose_uptake"].values[:, -1]))
t2d_uptake = untreated["t2d"]["glucose_uptake"].values[:, -1]
for var, label in CELL.items():
    h, d = (float(np.median(untreated[c][var].values[:, -1])) for c in ("healthy", "t2d"))
    print(f"median {label}: healthy {h:.3g}, T2D {d:.3g} ({d / h:.0%} of healthy)")

# %% [markdown]
# AKT activity collapses in the T2D cell, while glucose uptake falls much less: GLUT4
# translocation in the adipocyte core saturates at a small fraction of the maximal AKT
# activity. Any therapy therefore has a small gap to close in uptake, and a large one
# upstream.
#
# ## Dose–response in the cell
#
# `pathjax.population.dose_response` gives the same T2D patients every dose in one batch
# and fits the EC50 of the cohort median. Below, each patient's uptake relative to their
# own untreated value (median and 25–75 % range over patients); the table adds the share
# of the patient's gap to the healthy median uptake that dose 10 closes.

# %%
start = time.perf_counter()
dr = {
    c: pop.dose_response(
        MODEL,
        "t2d",
        c,
        DOSES,
        N,
        seed=SEED["t2d"],
        output="glucose_uptake",
        t=T_ASSAY,
        protocol=ASSAY,
        chunk_size=CHUNK,
    )  # fmt: skip
    for c in CLASSES
}
print(f"{len(CLASSES)} dose–responses of {N:,} patients x {len(DOSES)} doses in "
      f"{time.perf_counter() - start:.1f} s")  # fmt: skip

fig, axes = plt.subplots(1, 2, figsize=(12, 4.0))
x = np.array(DOSES[1:])
for c in CLASSES:
    r = dr[c]["response"].values  # (patient, dose)
    rel = 100 * (r[:, 1:] / r[:, :1] - 1)
    q25, q50, q75 = np.nanpercentile(rel, [25, 50, 75], axis=0)
    ax = axes[1] if c == "insulin_sensitizer" else axes[0]
    ax.plot(x, q50, "o-", color=COLOR[c], label=NAME[c], ms=4)
    ax.fill_between(x, q25, q75, color=COLOR[c], alpha=0.2, lw=0)
axes[0].set_title("the four signalling classes", fontsize=9)
axes[1].set_title("the insulin sensitiser (GLUT4 expression)", fontsize=9)
for ax in axes:
    ax.set_xscale("log")
    ax.set_xlabel("dose (multiples of EC50)")
    ax.set_ylabel("glucose uptake, change from untreated (%)")
    ax.legend(fontsize=8)
fig.suptitle("T2D adipocytes at 1 nM insulin, 10 min (median and 25–75 % of patients)",
             fontsize=10)  # fmt: skip
fig.tight_layout()
plt.show()


def gap_closed(r):
    """Share (%) of each patient's gap to the healthy median uptake closed by the dose."""
    return 100 * (r[:, 1:] - r[:, :1]) / (healthy_uptake - r[:, :1])


i10 = DOSES.index(10.0)
pd.DataFrame(
    {
        NAME[c]: {
            "EC50 of the median (dose)": dr[c].attrs["ec50"],
            "uptake change at dose 10 (%)": float(
                np.nanmedian(
                    100 * (dr[c]["response"].values[:, i10] / dr[c]["response"].values[:, 0] - 1)
                )
            ),
            "gap to healthy closed at dose 10 (%)": float(
                np.nanmedian(gap_closed(dr[c]["response"].values)[:, i10 - 1])
            ),
        }
        for c in CLASSES
    }
).T.round(2)

# %% [markdown]
# The fitted EC50 of the cohort median lies close to the drug's own EC50 (dose 1) where
# the cell responds about linearly to the intervention parameter; it is smaller where the
# cell's response saturates before the drug's effect does, and larger where the response
# steepens at high effect. The signalling therapies
# move uptake by a few per cent; only the insulin sensitiser, which adds transporters
# rather than signal, closes the gap to healthy uptake, and overshoots it.
#
# ## In the body: fasting glucose, 2-h glucose and insulin
#
# Now the same T2D patients take each therapy chronically and undergo the OGTT. To run
# every arm in one batch, the cohort is repeated once per arm and each therapy gets a dose
# per patient (zero in the arms where it is not given): one simulation, one compiled
# program.


# %%
def run_arms(arms, protocol, t):
    """Simulate the T2D patients under every arm ({class: dose}); returns
    {output: (arm, patient) array at each time} as a dict of DataArrays."""
    k = len(arms)
    params = {name: np.tile(v, k) for name, v in patients["t2d"].items()}
    regimen = [(c, np.repeat([float(a.get(c, 0.0)) for a in arms], N)) for c in CLASSES]
    ds = therapy.simulate(MODEL, t, params, protocol, regimen, chunk_size=CHUNK)
    assert int(ds.attrs["n_failed"]) == 0, ds.attrs["n_failed"]
    return {v: ds[v].values.reshape(k, N, len(t)) for v in ds.data_vars if ds[v].ndim == 2
            and ds[v].dims == ("patient", "time")}  # fmt: skip


BODY_DOSES = [1.0, 3.0, 10.0, 30.0]
body_arms = [{}] + [{c: d} for c in CLASSES for d in BODY_DOSES]
start = time.perf_counter()
body = run_arms(body_arms, None, T_OGTT)  # None: the model's default protocol, the OGTT
print(f"{len(body_arms)} arms x {N:,} patients (OGTT) in {time.perf_counter() - start:.1f} s")

fpg = body["plasma_glucose"][:, :, 0]  # (arm, patient)
g2h = body["plasma_glucose"][:, :, 1]
homa = body["HOMA_IR"][:, :, 0]
fins = body["plasma_insulin"][:, :, 0]

fig, axes = plt.subplots(1, 4, figsize=(15, 3.4))
for ax, (y, label) in zip(axes, [(fpg, "fasting glucose (mg/dL)"), (g2h, "2-h glucose (mg/dL)"),
                                  (fins, "fasting insulin (pmol/L)"), (homa, "HOMA-IR")]):  # fmt: skip
    ax.axhline(np.median(y[0]), color="k", lw=0.8, ls=":", label="untreated")
    for c in CLASSES:
        idx = [body_arms.index({c: d}) for d in BODY_DOSES]
        ax.plot(BODY_DOSES, np.median(y[idx], axis=1), "o-", color=COLOR[c], label=NAME[c], ms=4)
    ax.set_xscale("log")
    ax.set_xlabel("dose (multiples of EC50)")
    ax.set_title(label, fontsize=9)
axes[0].legend(fontsize=7)
fig.suptitle("T2D cohort, 75 g OGTT (medians)", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# The receptor agonist and the insulin sensitiser lower glucose and, above all, the
# insulin the body needs: with a stronger cell the beta cells secrete less. The
# IRS-targeted, anti-inflammatory and antioxidant therapies barely move the body's
# readouts; in the model they raise insulin-stimulated signalling but also lower the
# cell's fasting GLUT4 a little, and the two effects cancel in the OGTT
# (`docs/insulin_resistance.md`, known limitations).
#
# ## Responders
#
# Patients differ, and so do their responses. Three responder criteria, the first two
# clinical (ADA thresholds), the third cellular; the cut-offs of the second and third are
# choices made here:
#
# * **normal glucose tolerance**: 2-h OGTT glucose below 140 mg/dL;
# * **HOMA-IR down by at least 25 %** from the patient's own untreated value;
# * **cellular**: insulin-stimulated uptake (assay) up by at least 10 %.


# %%
def fraction(mask):
    return 100.0 * np.mean(mask, axis=-1)


fig, axes = plt.subplots(1, 3, figsize=(14, 3.4))
resp = {}
for c in CLASSES:
    idx = [body_arms.index({c: d}) for d in BODY_DOSES]
    resp[c] = {
        "2-h glucose < 140": fraction(g2h[idx] < 140.0),
        "HOMA-IR −25 %": fraction(homa[idx] <= 0.75 * homa[0]),
    }
    r = dr[c]["response"].values
    cell = fraction((r[:, 1:] >= 1.10 * r[:, :1]).T)  # per dose
    resp[c]["uptake +10 %"] = cell[[DOSES[1:].index(d) for d in BODY_DOSES]]
    for ax, (key, y) in zip(axes, resp[c].items()):
        ax.plot(BODY_DOSES, y, "o-", color=COLOR[c], label=NAME[c], ms=4)
        ax.set_title(f"responders: {key}", fontsize=9)
axes[0].axhline(fraction(g2h[0] < 140.0), color="k", lw=0.8, ls=":", label="untreated")
for ax in axes:
    ax.set_xscale("log")
    ax.set_xlabel("dose (multiples of EC50)")
    ax.set_ylabel("% of the T2D cohort")
    ax.set_ylim(-3, 103)
axes[0].legend(fontsize=7)
fig.tight_layout()
plt.show()

pd.DataFrame(
    {NAME[c]: {k: v[BODY_DOSES.index(10.0)] for k, v in resp[c].items()} for c in CLASSES}
).T.round(1).rename_axis(index="% responders at dose 10")

# %% [markdown]
# Who responds? For the receptor agonist, the HOMA-IR responders can be compared with the
# non-responders on the disease drivers each patient carries:

# %%
p = patients["t2d"]
drivers = {
    "receptor density": p["receptor_density"],
    "feedback": p["diabetes"],
    "inflammation": p["inflammation"],
    "oxidative stress": p["oxidative_stress"],
    "BMI": p.covariates["BMI"],
}
responder = homa[body_arms.index({"receptor_agonist": 10.0})] <= 0.75 * homa[0]
pd.DataFrame(
    {
        "responders (median)": {k: np.median(v[responder]) if responder.any() else np.nan
                                for k, v in drivers.items()},
        "non-responders (median)": {k: np.median(v[~responder]) if (~responder).any() else np.nan
                                    for k, v in drivers.items()},
    }
).round(3).rename_axis(index=f"receptor agonist, dose 10: {responder.sum()} of {N} respond")  # fmt: skip

# %% [markdown]
# A receptor agonist acts above IRS1: in a patient whose inflammation and oxidative stress
# have removed more of the cell's IRS1 (compare the two columns), the extra receptor
# activity has less to act on.
#
# ## Combinations
#
# Pairs of classes, each at dose 3 (75 % of its maximal effect), against the single
# drugs. If two drugs act independently, their fold changes of uptake multiply (Bliss
# independence on the fold-change scale): `(1 + e_AB) = (1 + e_A)(1 + e_B)`; a pair is
# synergistic where it does better than that. In the body the effect is the fall in 2-h
# OGTT glucose, whose independent expectation is the sum of the single falls.

# %%
D = 3.0
pairs = [(a, b) for i, a in enumerate(CLASSES) for b in CLASSES[i + 1 :]]
signalling = [c for c in CLASSES if c != "insulin_sensitizer"]
combo_arms = (
    [{}]
    + [{c: D} for c in CLASSES]
    + [{a: D, b: D} for a, b in pairs]
    + [dict.fromkeys(signalling, D), dict.fromkeys(CLASSES, D)]
)
start = time.perf_counter()
cell = run_arms(combo_arms, ASSAY, T_ASSAY)
glu = run_arms(combo_arms, None, T_OGTT)["plasma_glucose"][:, :, 1]
print(f"{len(combo_arms)} arms x {N:,} patients, assay and OGTT, in "
      f"{time.perf_counter() - start:.1f} s")  # fmt: skip

u = cell["glucose_uptake"][:, :, -1]  # (arm, patient)
fold = u / u[0]  # fold change of uptake against the patient untreated
drop = glu[0] - glu  # fall in 2-h glucose, mg/dL


def arm(*cs):
    return combo_arms.index(dict.fromkeys(cs, D))


k = len(CLASSES)
obs_cell, excess_cell, obs_body, excess_body = (np.full((k, k), np.nan) for _ in range(4))
for i, a in enumerate(CLASSES):
    obs_cell[i, i] = 100 * (np.median(fold[arm(a)]) - 1)
    obs_body[i, i] = np.median(drop[arm(a)])
for a, b in pairs:
    i, j = CLASSES.index(a), CLASSES.index(b)
    ab = arm(a, b)
    obs_cell[i, j] = obs_cell[j, i] = 100 * (np.median(fold[ab]) - 1)
    excess_cell[i, j] = excess_cell[j, i] = 100 * np.median(fold[ab] - fold[arm(a)] * fold[arm(b)])
    obs_body[i, j] = obs_body[j, i] = np.median(drop[ab])
    excess_body[i, j] = excess_body[j, i] = np.median(drop[ab] - drop[arm(a)] - drop[arm(b)])

labels = [NAME[c] for c in CLASSES]
fig, axes = plt.subplots(2, 2, figsize=(11, 8.6))
for ax, m, title, diverging in [
    (axes[0, 0], obs_cell, "cell: uptake change (%)", False),
    (axes[0, 1], excess_cell, "cell: excess over independence (% points)", True),
    (axes[1, 0], obs_body, "body: fall in 2-h glucose (mg/dL)", False),
    (axes[1, 1], excess_body, "body: excess over independence (mg/dL)", True),
]:
    lim = float(np.nanmax(np.abs(m))) or 1.0
    kw = {"cmap": "RdBu_r", "vmin": -lim, "vmax": lim} if diverging else {"cmap": "viridis"}
    im = ax.imshow(m, **kw)
    for i in range(k):
        for j in range(k):
            if np.isfinite(m[i, j]):
                ax.text(j, i, f"{m[i, j]:.1f}", ha="center", va="center", fontsize=7,
                        color="black" if diverging else "white")  # fmt: skip
    ax.set_xticks(range(k), labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(k), labels, fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.75)
fig.suptitle(f"Pairs at dose {D:g} each (diagonal: the single drug; medians over patients)",
             fontsize=10)  # fmt: skip
fig.tight_layout()
plt.show()

i, j = np.unravel_index(np.nanargmax(excess_body), excess_body.shape)
print(f"largest excess in the body: {labels[i]} + {labels[j]}, {excess_body[i, j]:+.1f} mg/dL "
      "2-h glucose beyond the sum of the single drugs")  # fmt: skip
i, j = np.unravel_index(np.nanargmax(excess_cell), excess_cell.shape)
print(f"largest excess in the cell: {labels[i]} + {labels[j]}, {excess_cell[i, j]:+.1f} % points")

summary = pd.DataFrame(
    {
        "uptake change (%)": 100 * (np.median(fold, axis=1) - 1),
        "active AKT (% of PKB)": np.median(cell["AKT_active"][:, :, -1], axis=1),
        "2-h glucose (mg/dL)": np.median(glu, axis=1),
        "2-h glucose < 140 (%)": fraction(glu < 140.0),
    },
    index=["untreated"]
    + [NAME[c] for c in CLASSES]
    + [f"{NAME[a]} + {NAME[b]}" for a, b in pairs]
    + ["the four signalling classes", "all five"],
)
summary.sort_values("2-h glucose (mg/dL)").round(1)

# %% [markdown]
# A receptor agonist and a sensitiser complement each other: one supplies signal, the
# other transporters for the signal to move, and in the body their pair lowers 2-h
# glucose by more than the two single drugs together (see the printed excess above). The
# signalling classes, which act on neighbouring steps of one chain, combine roughly
# independently in the cell.
#
# ## Summary
#
# * In the cell, the signalling therapies raise insulin-stimulated glucose uptake of T2D
#   adipocytes dose-dependently but only by a few per cent: the T2D cell's AKT deficit is
#   large, yet GLUT4 translocation needs little AKT. The insulin sensitiser adds
#   transporters and closes the gap.
# * In the body, the receptor agonist and the sensitiser lower HOMA-IR and glucose; most of
#   a better cell shows as less insulin needed, not as more glucose taken up.
# * Combinations: drugs on different steps (signal and transporter) reinforce each other
#   in the body; every number above is computed here and changes with the cohort
#   definitions and the Emax assumptions of `pathjax.therapy`.
