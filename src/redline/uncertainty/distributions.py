"""Distributions a scenario may put on any numeric input.

YAML forms (each a one-key mapping in place of a number):

* ``{uniform: [low, high]}`` — a range;
* ``{triangular: [low, mode, high]}``;
* ``{normal: {mean: m, sd: s, low: a, high: b}}`` — a normal truncated to [a, b] (the field's
  own range when omitted);
* ``{choice: {values: [v1, v2, ...], p: [p1, p2, ...]}}`` — discrete, probabilities summing to 1.

A plain number is a degenerate distribution. The deterministic analysis uses each distribution's
mean; a sweep draws from it. Sampling is vectorised: ``sample(rng, n)`` returns ``n`` values.
The truncated normal is drawn by inversion (Acklam's rational approximation of the normal
quantile, relative error below 1.2e-9), so one uniform number gives one draw whatever the
truncation.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def support(self) -> tuple[float, float]:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class Uniform(_Dist):
    uniform: tuple[float, float] = Field(description="[low, high]")

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        low, high = self.uniform
        if not high >= low:
            raise ValueError(f"uniform [low, high] needs low <= high, got [{low:g}, {high:g}] "
                             "(a negative width)")
        return self

    def mean(self) -> float:
        return (self.uniform[0] + self.uniform[1]) / 2

    def support(self) -> tuple[float, float]:
        return self.uniform

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        low, high = self.uniform
        return low + (high - low) * rng.random(n)


class Triangular(_Dist):
    triangular: tuple[float, float, float] = Field(description="[low, mode, high]")

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        low, mode, high = self.triangular
        if not low <= mode <= high:
            raise ValueError(f"triangular [low, mode, high] needs low <= mode <= high, got "
                             f"[{low:g}, {mode:g}, {high:g}]")
        return self

    def mean(self) -> float:
        return sum(self.triangular) / 3

    def support(self) -> tuple[float, float]:
        return self.triangular[0], self.triangular[2]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        low, mode, high = self.triangular
        u = rng.random(n)
        if high == low:
            return np.full(n, low)
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        return np.where(u < cut, left, right)


class NormalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
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
    normal: NormalSpec

    def bounds(self) -> tuple[float, float]:
        spec = self.normal
        return (-math.inf if spec.low is None else spec.low,
                math.inf if spec.high is None else spec.high)

    def support(self) -> tuple[float, float]:
        return self.bounds()

    def mean(self) -> float:
        spec = self.normal
        low, high = self.bounds()
        if spec.sd == 0:
            return float(min(max(spec.mean, low), high))
        a, b = (low - spec.mean) / spec.sd, (high - spec.mean) / spec.sd
        mass = _phi_cdf(b) - _phi_cdf(a)
        if mass <= 0:
            return float(min(max(spec.mean, low), high))
        return spec.mean + spec.sd * (_phi_pdf(a) - _phi_pdf(b)) / mass

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        spec = self.normal
        low, high = self.bounds()
        u = rng.random(n)
        if spec.sd == 0:
            return np.full(n, min(max(spec.mean, low), high))
        lo_p = _phi_cdf((low - spec.mean) / spec.sd)
        hi_p = _phi_cdf((high - spec.mean) / spec.sd)
        p = lo_p + u * (hi_p - lo_p)
        x = spec.mean + spec.sd * normal_quantile(np.clip(p, 1e-300, 1 - 1e-16))
        return np.clip(x, low, high)


class ChoiceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
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
    choice: ChoiceSpec

    def probabilities(self) -> np.ndarray:
        spec = self.choice
        if spec.p is None:
            return np.full(len(spec.values), 1 / len(spec.values))
        return np.asarray(spec.p, dtype=float)

    def mean(self) -> float:
        return float(np.dot(self.choice.values, self.probabilities()))

    def support(self) -> tuple[float, float]:
        return min(self.choice.values), max(self.choice.values)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        cdf = np.cumsum(self.probabilities())
        cdf[-1] = 1.0
        index = np.searchsorted(cdf, rng.random(n), side="right")
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


def point(value: float | _Dist) -> float:
    """The value the deterministic analysis uses: the number, or the distribution's mean."""
    return float(value) if not isinstance(value, _Dist) else value.mean()


def is_uncertain(value: object) -> bool:
    return isinstance(value, _Dist)


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
