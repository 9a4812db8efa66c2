"""Stiff solvers for ensembles of small systems.

* `ensemble_solve`: the batch-native Rosenbrock loop that `pathjax.driver` runs on a
  `Problem` (with its step-size `Controller`).
* `steady_state`: steady states of a batch by pseudo-transient continuation and Newton
  on the system reduced by its `conservation_laws`, differentiable by the implicit
  function theorem.
* `Rodas5P`, `Rodas4`, `Rosenbrock23`, `Ros3P`: the same methods as Diffrax solvers
  (`diffrax.AbstractAdaptiveSolver`), for `diffrax.diffeqsolve` users (Diffrax's own
  adjoints included).
* `RODAS5P`, `RODAS4`, `ROSENBROCK23`, `ROS3P`: the tableaux, as data.
"""

from ._batch import model_structure as model_structure
from ._diffrax import Rodas4 as Rodas4
from ._diffrax import Rodas5P as Rodas5P
from ._diffrax import Ros3P as Ros3P
from ._diffrax import Rosenbrock23 as Rosenbrock23
from ._ensemble import DEFAULT_MAX_STEPS as DEFAULT_MAX_STEPS
from ._ensemble import EnsembleResult as EnsembleResult
from ._ensemble import ensemble_solve as ensemble_solve
from ._problem import Controller as Controller
from ._problem import Problem as Problem
from ._sparse import JacobianStructure as JacobianStructure
from ._sparse import SparseLU as SparseLU
from ._sparse import jacobian_structure as jacobian_structure
from ._steady import ConservationLaws as ConservationLaws
from ._steady import SteadyState as SteadyState
from ._steady import conservation_laws as conservation_laws
from ._steady import reached as reached
from ._steady import residual as residual
from ._steady import steady_state as steady_state
from ._tableau import RODAS4 as RODAS4
from ._tableau import RODAS5P as RODAS5P
from ._tableau import ROS3P as ROS3P
from ._tableau import ROSENBROCK23 as ROSENBROCK23
from ._tableau import TABLEAUX as TABLEAUX
from ._tableau import RosenbrockTableau as RosenbrockTableau

METHODS = tuple(TABLEAUX)
"""Names accepted by ``simulate(..., solver=...)`` for the ensemble engine."""
