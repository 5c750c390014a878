"""Redline: analyse and forecast multi-party, multi-issue negotiations.

The library in four lines:

```python
import redline
neg = redline.load("examples/donbas-2026.yaml")  # a scenario, a Genius folder, a dict
res = neg.analyze()                              # what `redline analyze --json` finds
fc = neg.forecast("smp")                         # fc.point: {issue id: value}
```

Importing ``redline`` is cheap: [`load`][redline.api.load],
[`Negotiation`][redline.api.Negotiation] and the result classes are imported on first use
(numpy and the engine load then), and nothing here imports plotly, FastAPI or Dask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redline.errors import RedlineError

__version__ = "0.1.0"

# Public names served by redline.api, imported on first access (PEP 562).
_API_NAMES = ("load", "Negotiation", "AdviceResult", "AnalysisResult", "EvaluationResult",
              "ForecastResult", "SimulationResult", "SweepResult", "TournamentResult",
              "UpdateResult", "tournament")

__all__ = ["AdviceResult", "AnalysisResult", "EvaluationResult", "ForecastResult", "Negotiation",
           "RedlineError", "SimulationResult", "SweepResult", "TournamentResult", "UpdateResult",
           "__version__", "example_path", "load", "tournament"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from redline.api import (
        AdviceResult,
        AnalysisResult,
        EvaluationResult,
        ForecastResult,
        Negotiation,
        SimulationResult,
        SweepResult,
        TournamentResult,
        UpdateResult,
        load,
        tournament,
    )
    from redline.bundled import example_path


def __getattr__(name: str) -> Any:
    if name in _API_NAMES:
        from redline import api

        value = getattr(api, name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name == "example_path":  # the bundled examples, for a pip install without a clone
        from redline.bundled import example_path

        globals()[name] = example_path
        return example_path
    raise AttributeError(f"module 'redline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | {name for name in globals() if name.startswith("__")})
