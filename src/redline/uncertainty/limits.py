"""How many draws a sweep takes and which seeds it accepts: one home for every shell.

Plain constants, without numpy, so the CLI can name them in its options without loading the
sweep (``redline --help`` stays fast).
"""

MAX_DRAWS = 1_000_000  # every draw's inputs and forecast are kept
DEFAULT_DRAWS = 10_000  # `redline sweep`, `check` and the library's `sweep()`
SEED_MAX = 2**31 - 1  # the largest seed anywhere (CLI, web app, library): a seed works everywhere
DRAWS_HINT = "P(agreement)'s sampling error is at most 0.5/sqrt(draws): 0.16 points at 100,000"
ADVICE_OBJECTIVES = ("accept", "value", "probe")  # `redline advise --objective`
DEFAULT_ADVICE_TOP = 5  # ranked candidates `advise` lists
MAX_ADVICE_TOP = 1000
