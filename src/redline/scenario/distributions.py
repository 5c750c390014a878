"""Distributions a scenario may put on any numeric input.

YAML forms (each a one-key mapping in place of a number):

* ``{uniform: [low, high]}`` — a range;
* ``{triangular: [low, mode, high]}``;
* ``{normal: {mean: m, sd: s, low: a, high: b}}`` — a normal truncated to [a, b] (the field's
  own range when omitted);
* ``{choice: {values: [v1, v2, ...], p: [p1, p2, ...]}}`` — discrete, probabilities summing to 1.

A plain number is a degenerate distribution. Every parameter must be a finite number.

A field gives each distribution its range (:func:`as_sampled`): a normal without ``low`` or
``high`` is truncated there. The deterministic analysis uses the mean of that distribution
(:func:`point`) and a sweep draws from the very same one, so the two agree. The mean of a
truncated normal is exact (closed form, evaluated without cancellation or underflow even far in
a tail). Sampling is vectorised: ``sample(rng, n)`` returns ``n`` values. The truncated normal
is drawn by inversion (Acklam's rational approximation of the normal quantile, relative error
below 1.2e-9, on the side of the mean where the interval lies), so one uniform number gives one
draw whatever the truncation; more than ``TAIL_INVERSION_LIMIT`` standard deviations out, where
tail probabilities underflow, the conditional law is inverted by Newton's method.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

FINITE = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
TAIL_INVERSION_LIMIT = 30.0  # standard deviations; beyond, normal tail probabilities underflow


class _Dist(BaseModel):
    model_config = FINITE

    def mean(self) -> float:  # pragma: no cover - overridden
        """The mean of the distribution (the point value of its field)."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:  # pragma: no cover - overridden
        """``(low, high)``: the smallest and largest value it can take."""
        raise NotImplementedError

    def quantile(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        """The values at prior quantiles ``u`` in [0, 1) (the inverse CDF): every draw is one
        uniform number mapped through it, so a draw is a point of the unit cube."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from ``rng``: :meth:`quantile` of ``n`` uniform numbers."""
        return self.quantile(rng.random(n))


class Uniform(_Dist):
    """``{uniform: [low, high]}``: every value in the range equally likely."""
    uniform: tuple[float, float] = Field(description="[low, high]")

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        low, high = self.uniform
        if not high >= low:
            raise ValueError(f"uniform [low, high] needs low <= high, got [{low:g}, {high:g}] "
                             "(a negative width)")
        return self

    def mean(self) -> float:
        """The midpoint of the range."""
        return (self.uniform[0] + self.uniform[1]) / 2

    def support(self) -> tuple[float, float]:
        """``(low, high)``."""
        return self.uniform

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """``low + (high - low) u``."""
        low, high = self.uniform
        return low + (high - low) * np.asarray(u, dtype=float)


class Triangular(_Dist):
    """``{triangular: [low, mode, high]}``."""
    triangular: tuple[float, float, float] = Field(description="[low, mode, high]")

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        low, mode, high = self.triangular
        if not low <= mode <= high:
            raise ValueError(f"triangular [low, mode, high] needs low <= mode <= high, got "
                             f"[{low:g}, {mode:g}, {high:g}]")
        return self

    def mean(self) -> float:
        """``(low + mode + high) / 3``."""
        return sum(self.triangular) / 3

    def support(self) -> tuple[float, float]:
        """``(low, high)``."""
        return self.triangular[0], self.triangular[2]

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The inverse CDF at ``u``."""
        low, mode, high = self.triangular
        u = np.asarray(u, dtype=float)
        if high == low:
            return np.full(u.shape, low)
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        return np.where(u < cut, left, right)


class NormalSpec(BaseModel):
    """The parameters of a normal: mean, standard deviation and optional truncation bounds."""
    model_config = FINITE
    mean: float
    sd: float = Field(description="Standard deviation before truncation (>= 0).")
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _check(self) -> NormalSpec:
        if not self.sd >= 0:
            raise ValueError(f"normal sd must be >= 0 (a negative width), got {self.sd:g}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"normal low ({self.low:g}) > high ({self.high:g})")
        return self


class Normal(_Dist):
    """``{normal: {mean, sd, low, high}}``: a normal truncated to ``[low, high]``."""
    normal: NormalSpec

    def bounds(self) -> tuple[float, float]:
        """The truncation bounds, infinite where not given."""
        spec = self.normal
        return (-math.inf if spec.low is None else spec.low,
                math.inf if spec.high is None else spec.high)

    def support(self) -> tuple[float, float]:
        """The truncation bounds, infinite where not given."""
        return self.bounds()

    def within(self, low: float, high: float) -> Normal:
        """This normal with a missing ``low``/``high`` taken from a field's range."""
        spec = self.normal
        if spec.low is not None and spec.high is not None:
            return self
        return Normal(normal=spec.model_copy(update={
            "low": low if spec.low is None else max(spec.low, low),
            "high": high if spec.high is None else min(spec.high, high)}))

    def mean(self) -> float:
        """The exact mean of the truncated normal."""
        spec = self.normal
        return truncated_normal_mean(spec.mean, spec.sd, *self.bounds())

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The inverse CDF of the truncated normal at ``u`` (see the module docstring)."""
        spec = self.normal
        low, high = self.bounds()
        u = np.asarray(u, dtype=float)
        if spec.sd == 0:
            return np.full(u.shape, min(max(spec.mean, low), high))
        alpha, beta = (low - spec.mean) / spec.sd, (high - spec.mean) / spec.sd
        if alpha >= 0:  # the interval lies above the mean: draw its excess over low
            x = low + spec.sd * _tail_draws(alpha, beta - alpha, u)
        elif beta <= 0:  # below the mean: mirror
            x = high - spec.sd * _tail_draws(-beta, beta - alpha, 1 - u)
        else:
            lo_p, hi_p = _phi_cdf(alpha), _phi_cdf(beta)
            p = lo_p + u * (hi_p - lo_p)
            x = spec.mean + spec.sd * normal_quantile(np.clip(p, 1e-300, 1 - 1e-16))
        return np.clip(x, low, high)


class ChoiceSpec(BaseModel):
    """The values of a discrete distribution and their probabilities (default: equal)."""
    model_config = FINITE
    values: list[float] = Field(min_length=1)
    p: list[float] | None = Field(None, description="Probabilities (default: equal).")

    @model_validator(mode="after")
    def _check(self) -> ChoiceSpec:
        if self.p is not None:
            if len(self.p) != len(self.values):
                raise ValueError(f"choice has {len(self.values)} values but {len(self.p)} "
                                 "probabilities")
            if any(q < 0 for q in self.p):
                raise ValueError("choice probabilities must not be negative")
            if abs(sum(self.p) - 1) > 1e-9:
                raise ValueError(f"choice probabilities sum to {sum(self.p):g}, not 1")
        return self


class Choice(_Dist):
    """``{choice: {values: [...], p: [...]}}``: one of the values, with its probability."""
    choice: ChoiceSpec

    def probabilities(self) -> np.ndarray:
        """The probability of each value (equal when ``p`` is not given)."""
        spec = self.choice
        if spec.p is None:
            return np.full(len(spec.values), 1 / len(spec.values))
        return np.asarray(spec.p, dtype=float)

    def mean(self) -> float:
        """The probability-weighted mean of the values."""
        return float(np.dot(self.choice.values, self.probabilities()))

    def support(self) -> tuple[float, float]:
        """``(smallest value, largest value)``."""
        return min(self.choice.values), max(self.choice.values)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value whose cumulative probability interval holds ``u``."""
        cdf = np.cumsum(self.probabilities())
        cdf[-1] = 1.0
        index = np.searchsorted(cdf, np.asarray(u, dtype=float), side="right")
        return np.asarray(self.choice.values, dtype=float)[np.minimum(index, cdf.size - 1)]


KINDS = ("uniform", "triangular", "normal", "choice")


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = [k for k in KINDS if k in value]
        return keys[0] if len(keys) == 1 else None
    for kind, cls in zip(KINDS, (Uniform, Triangular, Normal, Choice), strict=True):
        if isinstance(value, cls):
            return kind
    return None


Distribution = Annotated[
    Union[  # noqa: UP007
        Annotated[Uniform, Tag("uniform")],
        Annotated[Triangular, Tag("triangular")],
        Annotated[Normal, Tag("normal")],
        Annotated[Choice, Tag("choice")],
    ],
    Discriminator(_kind, custom_error_type="distribution",
                  custom_error_message="expected a number or one of {uniform: [a, b]}, "
                  "{triangular: [a, mode, b]}, {normal: {mean, sd}}, {choice: {values, p}}"),
    Field(description="A distribution: {uniform: [a, b]}, {triangular: [a, mode, b]}, "
          "{normal: {mean, sd, low, high}} or {choice: {values, p}}."),
]


def _number_or_distribution(value: Any) -> str:
    return "distribution" if isinstance(value, (dict, _Dist)) else "number"


Number = Annotated[
    Union[Annotated[float, Tag("number")], Annotated[Distribution, Tag("distribution")]],  # noqa: UP007
    Discriminator(_number_or_distribution),
]


def as_sampled(value: float | _Dist, low: float, high: float) -> float | _Dist:
    """``value`` as it is drawn for a field whose range is ``[low, high]``.

    A normal without ``low`` or ``high`` is truncated to the field's range; any other value is
    returned unchanged (validation has checked that it lies in the range).
    """
    return value.within(low, high) if isinstance(value, Normal) else value


def point(value: float | _Dist, low: float, high: float) -> float:
    """The value the deterministic analysis uses for a field with range ``[low, high]``.

    A number is itself; a distribution gives the mean of :func:`as_sampled`, the distribution a
    sweep draws from.
    """
    if not isinstance(value, _Dist):
        return float(value)
    return float(as_sampled(value, low, high).mean())  # type: ignore[union-attr]


def is_uncertain(value: object) -> bool:
    """Whether ``value`` is a distribution (not a plain number)."""
    return isinstance(value, _Dist)


def truncated_normal_mean(mean: float, sd: float, low: float, high: float) -> float:
    """Exact mean of the normal ``N(mean, sd^2)`` truncated to ``[low, high]``.

    The closed form ``mean + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a))`` (``a``, ``b`` the
    standardised bounds) is evaluated so that nothing cancels or underflows: an interval on
    one side of the mean is measured from its nearer bound with the Mills ratio
    (:func:`_tail_excess`). The result always lies in ``[low, high]``.
    """
    if sd == 0:
        return float(min(max(mean, low), high))
    alpha, beta = (low - mean) / sd, (high - mean) / sd
    if alpha >= 0:
        value = low + sd * _tail_excess(alpha, beta - alpha)
    elif beta <= 0:
        value = high - sd * _tail_excess(-beta, beta - alpha)
    elif math.isinf(alpha) and math.isinf(beta):
        value = mean
    else:
        # phi(alpha) - phi(beta), factored on the larger density so that it cannot underflow
        if abs(alpha) <= abs(beta):
            gap = _phi_pdf(alpha) * -math.expm1(-(beta - alpha) * (beta + alpha) / 2)
        else:
            gap = -_phi_pdf(beta) * -math.expm1(-(alpha - beta) * (alpha + beta) / 2)
        mass = (math.erf(beta / _SQRT2) - math.erf(alpha / _SQRT2)) / 2  # terms of one sign
        value = mean + sd * gap / mass
    return float(min(max(value, low), high))


_SQRT2 = math.sqrt(2)
_SQRT2PI = math.sqrt(2 * math.pi)
_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(24)
_MILLS_FRACTION_FROM = 3.0  # below, erfc is exact enough; above, the continued fraction
_MILLS_TERMS = 60  # enough for full double precision from x = 3 on
_NEWTON_STEPS = 5  # from the starting points used, Newton's method converges in fewer


def _mills(x: float) -> tuple[float, float]:
    """Mills ratio ``M(x) = Q(x) / phi(x)`` (Q the upper tail of the standard normal) and
    ``1 / M(x) - x`` (the mean excess of the tail beyond x), for ``x >= 0``.

    Below ``_MILLS_FRACTION_FROM`` both come from erfc; above, from Laplace's continued fraction
    ``1 / M(x) = x + 1/(x + 2/(x + 3/(x + ...)))``, whose tail after ``x`` is the excess itself,
    so it is found without cancellation.
    """
    if x < _MILLS_FRACTION_FROM:
        ratio = 0.5 * math.erfc(x / _SQRT2) * _SQRT2PI * math.exp(0.5 * x * x)
        return ratio, 1 / ratio - x
    excess = 1 / float(_fraction_tail(np.array(x)))
    return 1 / (x + excess), excess


def _fraction_tail(x: np.ndarray) -> np.ndarray:
    """``x + 2/(x + 3/(x + ...))``, the continued fraction of Laplace after its first term."""
    fraction = np.array(x, dtype=float)
    for k in range(_MILLS_TERMS, 1, -1):
        fraction = x + k / fraction
    return fraction


def _mills_fraction(x: np.ndarray) -> np.ndarray:
    """The Mills ratio of an array with every ``x >= _MILLS_FRACTION_FROM``."""
    return 1 / (x + 1 / _fraction_tail(x))


def _tail_excess(alpha: float, width: float) -> float:
    """``E[Z - alpha | alpha <= Z <= alpha + width]`` for a standard normal Z and alpha >= 0.

    The conditional density of ``t = Z - alpha`` is proportional to ``exp(-alpha t - t^2/2)``
    on ``[0, width]``. Where that exponent stays below 1 over the interval, Gauss-Legendre
    quadrature is exact to rounding. Elsewhere, with ``r = exp(-alpha w - w^2/2)``, M the Mills
    ratio and ``h(x) = 1/M(x) - x``, the excess is
    ``(M(a) h(a) - r M(a+w) (h(a+w) + w)) / (M(a) - r M(a+w))``, where neither difference can
    cancel more than a digit (``r (1 + a w) <= 2/e``).
    """
    if math.isinf(alpha):
        return 0.0
    exponent = alpha * width + width * width / 2
    if exponent <= 1:
        t = width * (_GAUSS_NODES + 1) / 2
        density = _GAUSS_WEIGHTS * np.exp(-alpha * t - t * t / 2)
        return float((t * density).sum() / density.sum())
    ratio, excess = _mills(alpha)
    if math.isinf(width):
        return excess
    drop = math.exp(-exponent)  # phi(alpha + width) / phi(alpha)
    far_ratio, far_excess = _mills(alpha + width)
    numerator = ratio * excess - drop * far_ratio * (far_excess + width)
    return max(0.0, numerator / (ratio - drop * far_ratio))


def _tail_draws(alpha: float, width: float, u: np.ndarray) -> np.ndarray:
    """Draws of ``t = Z - alpha`` given ``alpha <= Z <= alpha + width`` (alpha >= 0), by inversion.

    Three regimes, so that every draw is accurate to rounding relative to the interval:

    * a narrow interval (``alpha width + width^2 / 2 <= 1``): Newton's method on the CDF
      ``G(t) / G(width)``, ``G(t) = int_0^t exp(-alpha s - s^2/2) ds`` by Gauss-Legendre;
    * up to ``TAIL_INVERSION_LIMIT`` standard deviations: the upper-tail probabilities are
      representable, and the normal quantile inverts them;
    * beyond, Newton's method on ``1 - exp(-alpha t - t^2/2) M(alpha + t) / M(alpha)`` (M the
      Mills ratio), started from its exponential approximation.
    """
    if math.isinf(alpha):
        return np.zeros_like(u)
    if alpha * width + width * width / 2 <= 1:
        def integral(t: np.ndarray) -> np.ndarray:
            s = t[..., None] * (_GAUSS_NODES + 1) / 2
            return t * (_GAUSS_WEIGHTS * np.exp(-alpha * s - s * s / 2)).sum(axis=-1) / 2

        target = u * float(integral(np.array(width)))
        t = u * width
        for _ in range(_NEWTON_STEPS):
            t = np.clip(t - (integral(t) - target) / np.exp(-alpha * t - t * t / 2), 0, width)
        return t
    if alpha <= TAIL_INVERSION_LIMIT:
        upper_a = 0.5 * math.erfc(alpha / _SQRT2)
        upper_b = 0.0 if math.isinf(width) else 0.5 * math.erfc((alpha + width) / _SQRT2)
        q = upper_a - u * (upper_a - upper_b)
        t = -normal_quantile(np.clip(q, 1e-300, 0.5)) - alpha
        return np.clip(t, 0.0, width)
    mills_a = _mills(alpha)[0]
    top = 1.0 if math.isinf(width) else \
        1 - math.exp(-alpha * width - width * width / 2) * _mills(alpha + width)[0] / mills_a
    target = u * top  # the value the conditional CDF must reach
    t = -np.log1p(-target) / alpha
    for _ in range(_NEWTON_STEPS):
        t = np.clip(t, 0.0, width)
        density = np.exp(-alpha * t - t * t / 2)
        cdf = 1 - density * _mills_fraction(alpha + t) / mills_a
        t = t - (cdf - target) / (density / mills_a)
    return np.clip(t, 0.0, width)


def _phi_pdf(x: float) -> float:
    if math.isinf(x):
        return 0.0
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _phi_cdf(x: float) -> float:
    if math.isinf(x):
        return 0.0 if x < 0 else 1.0
    return 0.5 * math.erfc(-x / math.sqrt(2))


_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00)


def normal_quantile(p: np.ndarray) -> np.ndarray:
    """Inverse of the standard normal CDF (P. J. Acklam's rational approximation, 2003)."""
    p = np.asarray(p, dtype=float)
    x = np.empty_like(p)
    low, high = 0.02425, 1 - 0.02425
    mid = (p >= low) & (p <= high)
    q = p[mid] - 0.5
    r = q * q
    x[mid] = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q / \
        (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1)
    for side, sign in ((p < low, 1.0), (p > high, -1.0)):
        tail = p[side] if sign > 0 else 1 - p[side]
        q = np.sqrt(-2 * np.log(tail))
        x[side] = sign * (((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q
                          + _C[5]) / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1)
    return x
