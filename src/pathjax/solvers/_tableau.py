"""Rosenbrock (Rodas-class) tableaux as data.

All methods are written in the *W-transformed* form (Hairer & Wanner, Solving ODEs II,
IV.7, eq. 7.25) used by RODAS and by the published Rodas5P coefficients:

    (1/(h*gamma) I - J) k_i = f(t + c_i h, y + sum_j a_ij k_j)
                              + sum_j (C_ij / h) k_j + h * d_i * f_t(t, y)
    y_new = y + sum_i b_i k_i,      error = sum_i e_i k_i

`a` below is already cumulative, i.e. row i gives the full stage argument
``y + sum_j a[i, j] k_j``; for the stiffly accurate Rodas methods the last rows are
the previous row plus the previous stage (the "u = u + k" updates of the papers).

Dense output (Rodas): with ``Q_m = sum_j H[m, j] k_j``,

    y(theta) = (1 - theta) y0 + theta (y1 + (1 - theta)(Q_0 + theta (Q_1 + theta Q_2)))

Ros3P and Rosenbrock23 have no dense output of this form; they use cubic Hermite
interpolation from ``f(t0, y0)`` and ``f(t1, y1)``.

A caution on Ros3P: its embedded second-order solution has the same linear stability
function as the method itself, so on a *linear* autonomous problem its error estimate
is identically zero and the step size grows unchecked. It is kept for comparison;
Rosenbrock23 (ode23s) is the low-order method to use.
"""

import math
from typing import NamedTuple

import numpy as np

__all__ = ["RODAS4", "RODAS5P", "ROS3P", "ROSENBROCK23", "RosenbrockTableau", "TABLEAUX"]


class RosenbrockTableau(NamedTuple):
    """Coefficients of a W-transformed Rosenbrock method.

    Attributes:
        name: method name.
        gamma: diagonal coefficient.
        a: (s, s) cumulative stage coefficients (row i: argument of stage i).
        C: (s, s) strictly lower ``C_ij`` coefficients.
        c: (s,) stage time fractions.
        d: (s,) time-derivative coefficients (``gamma_i`` of the untransformed form).
        b: (s,) solution weights.
        e: (s,) error-estimate weights.
        H: (m, s) dense-output coefficients, or None for Hermite interpolation.
        order: order of the solution.
        error_order: order of the embedded method (the error estimate is
            O(h^(error_order + 1))).
        reference: where the coefficients come from.
    """

    name: str
    gamma: float
    a: np.ndarray
    C: np.ndarray
    c: np.ndarray
    d: np.ndarray
    b: np.ndarray
    e: np.ndarray
    H: np.ndarray | None
    order: int
    error_order: int
    reference: str

    @property
    def stages(self) -> int:
        return int(self.c.shape[0])


def _lower(rows: list[list[float]], s: int) -> np.ndarray:
    m = np.zeros((s, s))
    for i, row in enumerate(rows):
        m[i, : len(row)] = row
    return m


def _stiffly_accurate(a_rows: list[list[float]], s: int, n_plain: int) -> tuple[np.ndarray, ...]:
    """Cumulative `a`, `b`, `e` for Rodas methods whose last ``s - n_plain`` stages are
    evaluated at ``u_prev + k_prev`` and whose error estimate is the last stage."""
    a = _lower(a_rows, s)
    for i in range(n_plain, s):
        a[i] = a[i - 1]
        a[i, i - 1] = 1.0
    b = a[s - 1].copy()
    b[s - 1] = 1.0
    e = np.zeros(s)
    e[s - 1] = 1.0
    return a, b, e


# ---- Rodas5P: Steinebach G., BIT Numer. Math. 63:27 (2023) ---------------------------------
_R5P_A = [
    [],
    [3.0],
    [2.849394379747939, 0.45842242204463923],
    [-6.954028509809101, 2.489845061869568, -10.358996098473584],
    [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
    [
        -7.502846399306121,
        2.561846144803919,
        -11.627539656261098,
        -0.18268767659942256,
        0.030198172008377946,
    ],
]
_R5P_C = [
    [],
    [-14.155112264123755],
    [-17.97296035885952, -2.859693295451294],
    [147.12150275711716, -1.41221402718213, 71.68940251302358],
    [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
    [
        24.854864614690072,
        -3.0009227002832186,
        47.4931110020768,
        5.5814197821558125,
        -0.6610691825249471,
    ],
    [
        30.91273214028599,
        -3.1208243349937974,
        77.79954646070892,
        34.28646028294783,
        -19.097331116725623,
        -28.087943162872662,
    ],
    [
        37.80277123390563,
        -3.2571969029072276,
        112.26918849496327,
        66.9347231244047,
        -40.06618937091002,
        -54.66780262877968,
        -9.48861652309627,
    ],
]
_R5P_H = [
    [
        25.948786856663858,
        -2.5579724845846235,
        10.433815404888879,
        -2.3679251022685204,
        0.524948541321073,
        1.1241088310450404,
        0.4272876194431874,
        -0.17202221070155493,
    ],
    [
        -9.91568850695171,
        -0.9689944594115154,
        3.0438037242978453,
        -24.495224566215796,
        20.176138334709044,
        15.98066361424651,
        -6.789040303419874,
        -6.710236069923372,
    ],
    [
        11.419903575922262,
        2.8879645146136994,
        72.92137995996029,
        80.12511834622643,
        -52.072871366152654,
        -59.78993625266729,
        -0.15582684282751913,
        4.883087185713722,
    ],
]
_a, _b, _e = _stiffly_accurate(_R5P_A, 8, 6)
RODAS5P = RosenbrockTableau(
    name="Rodas5P",
    gamma=0.21193756319429014,
    a=_a,
    C=_lower(_R5P_C, 8),
    c=np.array(
        [
            0.0,
            0.6358126895828704,
            0.4095798393397535,
            0.9769306725060716,
            0.4288403609558664,
            1.0,
            1.0,
            1.0,
        ]
    ),
    d=np.array(
        [
            0.21193756319429014,
            -0.42387512638858027,
            -0.3384627126235924,
            1.8046452872882734,
            2.325825639765069,
            0.0,
            0.0,
            0.0,
        ]
    ),
    b=_b,
    e=_e,
    H=np.array(_R5P_H),
    order=5,
    error_order=4,
    reference="Steinebach G. (2023), Construction of Rosenbrock-Wanner method Rodas5P and "
    "numerical benchmarks within the Julia Differential Equations package, BIT Numer. "
    "Math. 63:27, doi:10.1007/s10543-023-00967-x",
)

# ---- Rodas4: Hairer & Wanner, Solving ODEs II (RODAS coefficients, 1996) ------------------
_R4_A = [
    [],
    [1.544],
    [0.9466785280815826, 0.2557011698983284],
    [3.314825187068521, 2.896124015972201, 0.9986419139977817],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950],
]
_R4_C = [
    [],
    [-5.6688],
    [-2.430093356833875, -0.2063599157091915],
    [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
    [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
    [
        8.083246795921522,
        -7.981132988064893,
        -31.52159432874371,
        16.31930543123136,
        -6.058818238834054,
    ],
]
_R4_H = [
    [
        10.12623508344586,
        -7.487995877610167,
        -34.80091861555747,
        -7.992771707568823,
        1.025137723295662,
        0.0,
    ],
    [
        -0.6762803392801253,
        6.087714651680015,
        16.43084320892478,
        24.76722511418386,
        -6.594389125716872,
        0.0,
    ],
]
_a, _b, _e = _stiffly_accurate(_R4_A, 6, 5)
RODAS4 = RosenbrockTableau(
    name="Rodas4",
    gamma=0.25,
    a=_a,
    C=_lower(_R4_C, 6),
    c=np.array([0.0, 0.386, 0.21, 0.63, 1.0, 1.0]),
    d=np.array([0.25, -0.1043, 0.1035, -0.0362, 0.0, 0.0]),
    b=_b,
    e=_e,
    H=np.array(_R4_H),
    order=4,
    error_order=3,
    reference="Hairer E., Wanner G. (1996), Solving Ordinary Differential Equations II, "
    "2nd ed., Springer, Section IV.7 (RODAS)",
)


# ---- Ros3P: Lang J., Verwer J. (2001), BIT 41:731-738 -------------------------------------
def _ros3p() -> RosenbrockTableau:
    g = 0.5 + math.sqrt(3.0) / 6.0
    ig = 1.0 / g
    a = np.zeros((3, 3))
    a[1, 0] = ig
    a[2, 0] = ig
    C = np.zeros((3, 3))
    C[1, 0] = -(ig**2)
    tmp = -ig * (2.0 - 0.5 * ig)
    C[2, 0] = -ig * (1.0 - tmp)
    C[2, 1] = tmp
    tmp = ig * (2.0 / 3.0 - ig / 6.0)
    b = np.array([ig * (1.0 + tmp), tmp, ig / 3.0])
    # embedded second-order solution (Lang & Verwer 2001, Table 1, transformed)
    b_hat = np.array([2.113248654051871, 1.0, 0.4226497308103742])
    return RosenbrockTableau(
        name="Ros3P",
        gamma=g,
        a=a,
        C=C,
        c=np.array([0.0, 1.0, 1.0]),
        d=np.array([0.7886751345948129, -0.2113248654051871, -1.077350269189626]),
        b=b,
        e=b - b_hat,
        H=None,
        order=3,
        error_order=2,
        reference="Lang J., Verwer J. (2001), ROS3P - an accurate third-order Rosenbrock "
        "solver designed for parabolic problems, BIT Numer. Math. 41:731-738",
    )


ROS3P = _ros3p()


# ---- Rosenbrock23: Shampine L.F., Reichelt M.W. (1997), SIAM J Sci Comput 18:1-22 --------
def _from_general_form(
    gamma_matrix: np.ndarray, alpha: np.ndarray, b: np.ndarray, b_err: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Transform a Rosenbrock method from the general form (Hairer & Wanner IV.7.4,
    stages k_i with coefficients alpha_ij, gamma_ij) to the W-transformed form used here
    (HW IV.7.25): a = alpha Gamma^-1, C = -offdiag(Gamma^-1), b = b Gamma^-1."""
    inv = np.linalg.inv(gamma_matrix)
    a = alpha @ inv
    C = -np.tril(inv, -1)
    return a, C, b @ inv, b_err @ inv


def _rosenbrock23() -> RosenbrockTableau:
    # ode23s: W = I - h d J, d = 1/(2 + sqrt 2); written in the general form with
    # k_i = h * (ode23s k_i): gamma_21 = -d, gamma_31 = d (e32 - 2), gamma_32 = -d e32.
    d = 1.0 / (2.0 + math.sqrt(2.0))
    e32 = 6.0 + math.sqrt(2.0)
    gamma_matrix = np.array([[d, 0.0, 0.0], [-d, d, 0.0], [d * (e32 - 2.0), -d * e32, d]])
    alpha = np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 1.0, 0.0]])
    b = np.array([0.0, 1.0, 0.0])  # y_new = y + k2
    err = np.array([1.0, -2.0, 1.0]) / 6.0  # h/6 (k1 - 2 k2 + k3)
    a, C, bt, et = _from_general_form(gamma_matrix, alpha, b, err)
    return RosenbrockTableau(
        name="Rosenbrock23",
        gamma=d,
        a=a,
        C=C,
        c=np.array([0.0, 0.5, 1.0]),
        d=gamma_matrix.sum(axis=1),
        b=bt,
        e=et,
        H=None,
        order=2,
        error_order=2,
        reference="Shampine L.F., Reichelt M.W. (1997), The MATLAB ODE suite, SIAM J. Sci. "
        "Comput. 18:1-22 (ode23s), transformed to the W form of Hairer & Wanner IV.7",
    )


ROSENBROCK23 = _rosenbrock23()

TABLEAUX: dict[str, RosenbrockTableau] = {
    "rodas5p": RODAS5P,
    "rodas4": RODAS4,
    "rosenbrock23": ROSENBROCK23,
    "ros3p": ROS3P,
}
