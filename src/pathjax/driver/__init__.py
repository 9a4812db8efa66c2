"""The one driver: every solve in pathjax goes through here.

One way down, one way up: a caller (`simulate`, `sensitivity`, `calibrate`, and
`therapy`/`population` through `simulate`) validates its input and builds a `Problem`
(times, initial states, parameters, the compiled protocol, tolerances, the step-size
`Controller`); the driver cuts it into chunks, pads them, splits each over the devices,
resolves initial states, pre-equilibration and initial doses (`resolve`), runs the
engine, evaluates the observables and merges the status, and hands back NumPy arrays
that the caller turns into its result.

* `run`: the host loop over chunks with one progress display; what it computes per
  chunk is a kernel: `Trajectories` (states, observables, status) or `Sensitivities`
  (forward- or reverse-mode derivatives).
* `solve`, `resolve`, `preequilibrated`, `observables`: the traced pieces, for callers
  that build the problem inside `jax.jit` (calibration builds it from the fitted
  parameters and differentiates through it).
* `resolve_devices`: the devices a run is split over; `progress_display`: the one
  progress bar (also used by `population.run` over its streamed chunks).

No module outside the driver calls the engine or `jax.shard_map`.
"""

from ..solvers._problem import Controller as Controller
from ..solvers._problem import Problem as Problem
from ._kernels import Sensitivities as Sensitivities
from ._kernels import Trajectories as Trajectories
from ._progress import progress_display as progress_display
from ._run import run as run
from ._solve import REVERSE_CHECKPOINTS as REVERSE_CHECKPOINTS
from ._solve import Options as Options
from ._solve import Solution as Solution
from ._solve import initial_states as initial_states
from ._solve import observables as observables
from ._solve import preequilibrated as preequilibrated
from ._solve import resolve as resolve
from ._solve import solve as solve
from ._split import resolve_devices as resolve_devices
