"""Virtual populations: distributions, covariates, correlations, cohorts, plausibility,
seeded sampling and chunked (streamed, resumable) population runs.

Examples:
    >>> import pathjax
    >>> pathjax.population.cohorts("brannmark2013")
    ['healthy', 'insulin_resistant', 't2d', 'reference']
    >>> p = pathjax.population.sample("brannmark2013", "t2d", 3, seed=0, filter=False)
    >>> sorted(p.covariates)
    ['BMI']
"""

from ._calibrate import CalibratedCohort as CalibratedCohort
from ._calibrate import TargetAcceptance as TargetAcceptance
from ._calibrate import calibrate_cohort as calibrate_cohort
from ._cohort import Cohort as Cohort
from ._cohort import Correlation as Correlation
from ._cohort import Covariate as Covariate
from ._cohort import Effect as Effect
from ._cohort import Plausibility as Plausibility
from ._cohort import Range as Range
from ._distributions import Distribution as Distribution
from ._distributions import Fixed as Fixed
from ._distributions import LogitNormal as LogitNormal
from ._distributions import LogNormal as LogNormal
from ._distributions import TruncatedNormal as TruncatedNormal
from ._distributions import Uniform as Uniform
from ._run import dose_response as dose_response
from ._run import run as run
from ._sample import Sample as Sample
from ._sample import cohort as cohort
from ._sample import cohorts as cohorts
from ._sample import sample as sample
from ._targets import MARKERS as MARKERS
from ._targets import Target as Target
from ._targets import Targets as Targets
from ._targets import available_targets as available_targets
from ._targets import ks_distance as ks_distance
from ._targets import ks_report as ks_report
from ._targets import marker_values as marker_values
from ._targets import targets as targets

__all__ = [
    "MARKERS",
    "CalibratedCohort",
    "Cohort",
    "Correlation",
    "Covariate",
    "Distribution",
    "Effect",
    "Fixed",
    "LogNormal",
    "LogitNormal",
    "Plausibility",
    "Range",
    "Sample",
    "Target",
    "TargetAcceptance",
    "Targets",
    "TruncatedNormal",
    "Uniform",
    "available_targets",
    "calibrate_cohort",
    "cohort",
    "cohorts",
    "dose_response",
    "ks_distance",
    "ks_report",
    "marker_values",
    "run",
    "sample",
    "targets",
]
