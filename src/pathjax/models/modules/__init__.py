"""Cited modules of the composite insulin-resistance model (`insulin_resistance`).

Each module takes its equations and parameter values from one published model and says,
in its docstring, what was taken unchanged and what was joined or chosen:

* `adipocyte`: receptor, IRS1, PKB/Akt, mTORC1/2, S6K, AS160, GLUT4 (Brännmark 2013).
* `receptor`: receptor density, activation defect, receptor agonist (joins).
* `irs`: IRS1 serine phosphorylation by JNK/IKK and S6K, IRS1 turnover (Smith 2013,
  Huang 2014, Di Camillo 2016).
* `inflammation`: JNK, IKK and DUSP driven by ROS and TNFα (Smith 2013).
* `oxidative`: ROS, PTP1B and PTEN oxidation (Smith 2013).
* `glut4`: GLUT4 expression and the cell's relative transport (joins).
* `glycogen`: Akt -> GSK3β (Kubota 2012).
* `mapk`: Ras -> Raf -> MEK -> ERK (Borisov 2009).
* `whole_body`: glucose and insulin of the body (Dalla Man 2007).
* `beta_cell`: beta-cell mass (Topp 2000).

Modules taken unchanged from a source offer ``standalone(...)``, a `pathjax.Model` of the
module alone driven by the source's inputs, which the tests hold against libRoadRunner on
the source's SBML.
"""
