"""The mediator's next move: rank candidate packages by what tabling them would achieve.

Everything here works on weighted draws of the uncertain inputs (the posterior's, or the
prior's with equal weights): per draw ``d`` a weight ``w_d`` (summing to 1) and, per candidate
package ``m``, whether each actor accepts it and whether every veto holder does. Three
objectives:

``accept``
    P(every veto holder accepts) ``= sum_d w_d acceptable[d, m]``, with Wilson's 95% score
    interval (:mod:`redline.uncertainty.intervals`) at the effective sample size
    ``ESS = 1 / sum_d w_d^2`` (Kish 1965) in place of the number of draws.
``value``
    The expected utility for one actor: per draw, its utility when the package is acceptable
    and its outside option when it is not, ``sum_d w_d (a_dm u_dm + (1 - a_dm) o_d)``.
``probe``
    The expected information gain, in bits, about the uncertain inputs from the responses
    ``Y = (Y_1, ..., Y_R)`` of the responding actors to the package (Lindley 1956, "On a
    measure of the information provided by an experiment"; MacKay 2003, *Information
    Theory, Inference, and Learning Algorithms*, ch. 2 and 8). Each answer is the draw's
    verdict ``z_r(d)`` (accept or reject), flipped with the tremble ``eps``:
    ``p(y | d) = prod_r (1 - eps if y_r = z_r(d) else eps)``. The mutual information between
    the draw (the inputs, a discrete distribution with weights ``w``) and ``Y`` is exactly

        I = H(Y) - E_d[H(Y | d)],   p(y) = sum_d w_d prod_r p(y_r | d),

    and since every answer is flipped independently, ``H(Y | d) = R h(eps)`` in every draw
    (``h``: the binary entropy). ``p(y)`` depends on the draws only through the weighted
    histogram ``q`` of their verdict patterns ``z(d)`` (``2^R`` patterns): ``p = K q`` with the
    channel ``K`` the tensor product of ``R`` binary symmetric channels, applied one axis at a
    time. So ``I`` is computed from one weighted histogram per candidate, vectorised over the
    candidates. It lies in ``[0, min(H(w), H(z), R)]`` bits; it is 0 when every draw gives the
    same verdicts or when ``eps = 1/2``.

The functions are pure (arrays in, arrays out); :func:`tally` folds one chunk of draws into
running sums, so memory does not grow with the number of draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.errors import RedlineError
from redline.scenario.compile import Draws
from redline.scenario.model import Scenario
from redline.uncertainty.executors import ChunkMap, map_in_process
from redline.uncertainty.limits import ADVICE_OBJECTIVES as OBJECTIVES
from redline.uncertainty.limits import DEFAULT_ADVICE_TOP as DEFAULT_TOP
from redline.uncertainty.weighted import weighted_interval

MAX_RESPONDENTS = 12
"""Responding actors ``probe`` accepts: their answers have ``2^R`` patterns per candidate."""
MAX_HISTOGRAM_CELLS = 1 << 24
"""Candidates x ``2^R`` patterns held by ``probe``'s histograms (128 MB of float64)."""


# ---------------------------------------------------------------- weights and shares

def weighted_share(mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_d w_d mask[d, ...]``: the weighted share of draws where ``mask`` holds.

    Parameters
    ----------
    mask
        ``(D, ...)`` bool (or 0/1) per draw.
    weights
        ``(D,)`` the draws' weights.

    Returns
    -------
    numpy.ndarray
        ``mask.shape[1:]`` floats.
    """
    mask = np.asarray(mask)
    return np.tensordot(np.asarray(weights, dtype=float), mask.astype(float, copy=False),
                        axes=(0, 0))


def _interval(p: float, ess: float) -> tuple[float, float]:
    """Wilson's interval of a weighted share at the effective sample size (the one rule,
    :func:`redline.uncertainty.weighted.weighted_interval`)."""
    cell = weighted_interval(p, ess)
    return cell["low"], cell["high"]


def expected_values(acceptable: np.ndarray, utility: np.ndarray, outside: np.ndarray,
                    weights: np.ndarray) -> np.ndarray:
    """One actor's expected utility per candidate: its utility where the candidate is
    acceptable, its outside option where it is not, weighted over the draws.

    Parameters
    ----------
    acceptable
        ``(D, M)`` bool: every veto holder accepts the candidate in the draw.
    utility
        ``(D, M)`` the actor's utility of each candidate.
    outside
        ``(D,)`` its outside option.
    weights
        ``(D,)``.

    Returns
    -------
    numpy.ndarray
        ``(M,)``.
    """
    outcome = np.where(acceptable, utility, np.asarray(outside, dtype=float)[:, None])
    return np.asarray(weights, dtype=float) @ outcome


# ---------------------------------------------------------------- information

def entropy_bits(p: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy in bits along ``axis`` (``0 log 0 = 0``)."""
    p = np.asarray(p, dtype=float)
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=axis)


def binary_entropy(p: float | np.ndarray) -> np.ndarray:
    """``h(p) = -p log2 p - (1 - p) log2 (1 - p)`` in bits."""
    p = np.asarray(p, dtype=float)
    return entropy_bits(np.stack([p, 1 - p], axis=-1))


def check_respondents(count: int, candidates: int = 1) -> None:
    """Refuse more than :data:`MAX_RESPONDENTS` responding actors, or histograms above
    :data:`MAX_HISTOGRAM_CELLS` cells, before any work."""
    if count > MAX_RESPONDENTS:
        raise RedlineError(
            f"probe weighs the 2^{count} answer patterns of {count} responding actors; it "
            f"accepts at most {MAX_RESPONDENTS}", parameter="objective",
            hint="use objective=accept or value, or drop actors from the scenario")
    cells = candidates * (1 << count)
    if cells > MAX_HISTOGRAM_CELLS:
        raise RedlineError(
            f"probe needs {candidates:,} candidates x {1 << count:,} answer patterns = "
            f"{cells:,} histogram cells, above its limit of {MAX_HISTOGRAM_CELLS:,}",
            parameter="objective", hint="list fewer packages with packages= or proposals=")


def pattern_codes(accepts: np.ndarray) -> np.ndarray:
    """Each draw's verdict pattern per candidate as a number: bit ``r`` is respondent ``r``'s
    acceptance.

    Parameters
    ----------
    accepts
        ``(D, R, M)`` bool.

    Returns
    -------
    numpy.ndarray
        ``(D, M)`` int64 in ``[0, 2^R)``.
    """
    accepts = np.asarray(accepts, dtype=bool)
    codes = np.zeros((accepts.shape[0], accepts.shape[2]), dtype=np.int64)
    for r in range(accepts.shape[1]):  # R <= MAX_RESPONDENTS bit planes
        codes |= accepts[:, r, :].astype(np.int64) << r
    return codes


def pattern_histogram(codes: np.ndarray, weights: np.ndarray, n_respondents: int
                      ) -> np.ndarray:
    """The weighted histogram of verdict patterns per candidate, ``(M, 2^R)``.

    One ``bincount`` over all candidates at once: candidate ``m``'s patterns are offset by
    ``m 2^R``.
    """
    codes = np.asarray(codes, dtype=np.int64)
    n_draws, n_candidates = codes.shape
    size = 1 << n_respondents
    offsets = np.arange(n_candidates, dtype=np.int64) * size
    flat = (codes + offsets).ravel()
    w = np.broadcast_to(np.asarray(weights, dtype=float)[:, None], codes.shape).ravel()
    counts = np.bincount(flat, weights=w, minlength=n_candidates * size)
    return counts.reshape(n_candidates, size)


def answer_distribution(histogram: np.ndarray, n_respondents: int, tremble: float
                        ) -> np.ndarray:
    """``p(y)`` per candidate: the verdict histogram through ``R`` independent binary symmetric
    channels that flip each answer with probability ``tremble``.

    Parameters
    ----------
    histogram
        ``(M, 2^R)`` weights of the verdict patterns (:func:`pattern_histogram`).
    n_respondents
        ``R``.
    tremble
        ``eps`` in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray
        ``(M, 2^R)``, same total per candidate as ``histogram``.
    """
    histogram = np.asarray(histogram, dtype=float)
    m = histogram.shape[0]
    cube = histogram.reshape(m, *([2] * n_respondents))
    for axis in range(1, n_respondents + 1):  # one binary axis per respondent
        cube = (1 - tremble) * cube + tremble * np.flip(cube, axis=axis)
    return cube.reshape(m, 1 << n_respondents)


def information_bits(histogram: np.ndarray, n_respondents: int, tremble: float
                     ) -> np.ndarray:
    """The mutual information, in bits, between the draws and the noisy answers, per
    candidate: ``H(Y) - R h(eps)`` (see the module docstring).

    Parameters
    ----------
    histogram
        ``(M, 2^R)`` weighted verdict histograms, each summing to 1.
    n_respondents, tremble
        ``R`` and ``eps``.

    Returns
    -------
    numpy.ndarray
        ``(M,)`` bits, at least 0 (rounding below 0 is cut off).
    """
    answers = answer_distribution(histogram, n_respondents, tremble)
    gain = entropy_bits(answers) - n_respondents * float(binary_entropy(tremble))
    return np.maximum(gain, 0.0)


def answer_information(shares: np.ndarray, tremble: float) -> np.ndarray:
    """The information, in bits, of one respondent's noisy answer alone, from the weighted
    share of draws where it accepts: ``h((1 - eps) s + eps (1 - s)) - h(eps)``."""
    shares = np.asarray(shares, dtype=float)
    noisy = (1 - tremble) * shares + tremble * (1 - shares)
    return np.maximum(binary_entropy(noisy) - binary_entropy(tremble), 0.0)


# ---------------------------------------------------------------- running sums

@dataclass(frozen=True)
class Tallies:
    """Weighted sums over draws, per candidate; chunks of draws add up (:meth:`plus`).

    Attributes
    ----------
    acceptable
        ``(M,)`` weight of the draws where every veto holder accepts.
    value
        ``(M,)`` the advised actor's weighted outcome (utility or outside option), or
        ``None`` (not asked for).
    histogram
        ``(M, 2^R)`` weighted verdict patterns of the respondents, or ``None`` (no probe).
    weight
        The total weight seen.
    own
        ``(M,)`` weight of the draws where the advised actor itself accepts, or ``None``.
    """

    acceptable: np.ndarray
    value: np.ndarray | None
    histogram: np.ndarray | None
    weight: float
    own: np.ndarray | None = None

    def plus(self, other: Tallies) -> Tallies:
        """The sums of both (the draws of two chunks)."""
        value = None if self.value is None else self.value + other.value
        histogram = None if self.histogram is None else self.histogram + other.histogram
        own = None if self.own is None else self.own + other.own
        return Tallies(self.acceptable + other.acceptable, value, histogram,
                       self.weight + other.weight, own)


def tally(accepts: np.ndarray, acceptable: np.ndarray, weights: np.ndarray, *,
          utility: np.ndarray | None = None, outside: np.ndarray | None = None,
          respondents: np.ndarray | None = None, actor: int | None = None) -> Tallies:
    """One chunk of draws folded into weighted sums.

    Parameters
    ----------
    accepts
        ``(D, A, M)`` bool: each actor accepts each candidate.
    acceptable
        ``(D, M)`` bool: every veto holder does.
    weights
        ``(D,)`` the chunk's draws' weights (the whole run's sum to 1).
    utility, outside
        ``(D, M)`` the advised actor's utility and ``(D,)`` its outside option, for the
        expected value; ``None``: no value sums.
    respondents
        Indices of the responding actors whose answers ``probe`` weighs; ``None``: no
        histogram.
    actor
        The advised actor's index, for the weight of the draws where it accepts; ``None``:
        not summed.
    """
    histogram = None
    if respondents is not None:
        respondents = np.asarray(respondents, dtype=np.int64)
        codes = pattern_codes(np.asarray(accepts)[:, respondents, :])
        histogram = pattern_histogram(codes, weights, int(respondents.size))
    value = None
    if utility is not None and outside is not None:
        value = expected_values(acceptable, utility, outside, weights)
    own = None if actor is None else weighted_share(np.asarray(accepts)[:, actor, :], weights)
    return Tallies(weighted_share(acceptable, weights), value, histogram,
                   float(np.asarray(weights, dtype=float).sum()), own)


def tally_verdicts(verdict, weights: np.ndarray, *, actor: int,
                   respondents: tuple[int, ...] | None, valuing: bool) -> Tallies:
    """One chunk's :class:`redline.uncertainty.acceptance.Verdicts` folded into weighted sums,
    as :func:`tally` folds them, from only the verdicts computed: the value sums when
    ``valuing``, the respondents' histogram and the actor's own share when ``respondents`` is
    given (``probe``)."""
    weights = np.asarray(weights, dtype=float)
    acceptable = verdict.acceptable
    histogram = own = None
    if respondents is not None:
        codes = pattern_codes(np.stack([verdict.accepts[r] for r in respondents], axis=1))
        histogram = pattern_histogram(codes, weights, len(respondents))
        own = weighted_share(verdict.accepts[actor], weights)
    value = expected_values(acceptable, verdict.utilities[actor], verdict.outside[:, actor],
                            weights) if valuing else None
    return Tallies(weighted_share(acceptable, weights), value, histogram, float(weights.sum()),
                   own)


def scores(tallies: Tallies, objective: str, n_respondents: int = 0,
           tremble: float = 0.0) -> np.ndarray:
    """``(M,)`` each candidate's score under ``objective`` (higher is better): P(acceptable),
    the expected value, or the information in bits (the histogram is normalised by the total
    weight first)."""
    if objective == "accept":
        return tallies.acceptable / tallies.weight
    if objective == "value":
        if tallies.value is None:
            raise ValueError("value needs the advised actor's sums")
        return tallies.value / tallies.weight
    if objective == "probe":
        if tallies.histogram is None:
            raise ValueError("probe needs the respondents' histogram")
        return information_bits(tallies.histogram / tallies.weight, n_respondents, tremble)
    raise ValueError(f"unknown objective {objective!r}")


def best_in_groups(values: np.ndarray, groups: np.ndarray,
                   secondary: np.ndarray | None = None,
                   eligible: np.ndarray | None = None) -> np.ndarray:
    """Per group, the position of its highest value (ties: the higher ``secondary``, then the
    first); an ``eligible`` candidate comes before any that is not.

    Parameters
    ----------
    values
        ``(M,)`` scores.
    groups
        ``(M,)`` group numbers ``0..G-1`` (a listed partial package's completions share one).
    secondary
        ``(M,)`` the tie-break score, or ``None``.
    eligible
        ``(M,)`` bool, or ``None`` (all are).

    Returns
    -------
    numpy.ndarray
        ``(G,)`` positions into ``values``.
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    second = np.zeros(values.size) if secondary is None else np.asarray(secondary, float)
    barred = np.zeros(values.size, bool) if eligible is None else ~np.asarray(eligible, bool)
    order = np.lexsort((np.arange(values.size), -second, -values, barred, groups))
    first = np.ones(order.size, dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    return order[first]


def ranking(values: np.ndarray, secondary: np.ndarray | None = None,
            eligible: np.ndarray | None = None) -> np.ndarray:
    """Positions sorted best first, the ``eligible`` ones (``None``: all) before the others;
    ties by the higher ``secondary``, then in their order (package or listing order)."""
    values = np.asarray(values, dtype=float)
    second = np.zeros(values.size) if secondary is None else np.asarray(secondary, float)
    barred = np.zeros(values.size, bool) if eligible is None else ~np.asarray(eligible, bool)
    return np.lexsort((np.arange(values.size), -second, -values, barred))


TIE_BREAKS = {"accept": "value", "value": "accept", "probe": "accept"}
"""The objective that orders candidates with equal scores: among packages equally likely to be
accepted, the one better for the advised actor first; otherwise the likelier one."""


# ---------------------------------------------------------------- the run over the draws

MAX_CANDIDATES = 100_000
"""Candidates ranked in one run; a larger space is refused (list packages, or coarsen)."""
CHUNK_BYTES = 64 * 2**20
"""One chunk of draws' verdict and utility arrays stay within this."""
CHUNK_DRAWS = 8192
"""At most this many draws per chunk: a few thousand draws' compiled scenario stays in the
processor's cache (the reasons' pass over a few packages would otherwise compile every draw at
once, half as fast again)."""
REASON_ACTORS = 2
"""Rejecting actors (``accept``, ``value``) or answers (``probe``) a reason names."""


@dataclass(frozen=True)
class CandidateSet:
    """The packages a run evaluates, and the candidates they belong to.

    Attributes
    ----------
    indices
        ``(M,)`` package numbers evaluated.
    options
        ``(M, I)`` their option indices.
    groups
        ``(M,)`` the candidate of each package: a listed partial package's completions share
        one; with every package of the space, each package is its own.
    listed
        Per candidate, ``{"proposal": id or None, "package": {issue: option}}`` as the user
        listed it; ``None`` when the candidates are every package of the space.
    """

    indices: np.ndarray
    options: np.ndarray
    groups: np.ndarray
    listed: tuple[dict, ...] | None = None

    @property
    def count(self) -> int:
        """The number of candidates."""
        return int(self.indices.size) if self.listed is None else len(self.listed)


def check_candidates(count: int, n_draws: int, n_columns: int) -> None:
    """Refuse more than :data:`MAX_CANDIDATES` candidates, or more evaluations than a sweep
    may make (:data:`redline.uncertainty.sweep.MAX_SWEEP_WORK`), before any work."""
    from redline.space.domain import approximate
    from redline.uncertainty.sweep import MAX_SWEEP_WORK

    if count > MAX_CANDIDATES:
        raise RedlineError(
            f"the space has {approximate(count)} packages; advise ranks at most "
            f"{MAX_CANDIDATES:,} candidates", field="issues",
            hint="list candidates with packages= or proposals=, or coarsen the issues' steps")
    work = n_draws * count * n_columns
    if work > MAX_SWEEP_WORK:
        fit = MAX_SWEEP_WORK // max(1, count * n_columns)
        raise RedlineError(
            f"{n_draws:,} draws x {count:,} candidates x {n_columns} actors and rules is "
            f"{approximate(work)} evaluations, above the limit of "
            f"{approximate(MAX_SWEEP_WORK)}", parameter="draws",
            hint=(f"use draws={fit:,} or fewer, or " if fit >= 1 else "")
            + "list fewer candidates")


def draw_slices(n_draws: int, n_packages: int, n_actors: int, n_columns: int,
                lean: bool = False) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` chunks of at most :data:`CHUNK_DRAWS` draws whose arrays stay
    within :data:`CHUNK_BYTES`: per draw and package, float64 utilities and a bool verdict per
    actor and a bool per rejection column; ``lean`` (the ranking pass, on
    :func:`redline.uncertainty.acceptance.verdicts`): the acceptable mask, one actor's
    utility, the sums' two float copies and a verdict per actor (the verdicts' own blocks are
    bounded by :data:`redline.uncertainty.acceptance.BLOCK_ELEMENTS`)."""
    per_package = 8 * 3 + n_actors + 1 if lean else 8 * n_actors * 2 + n_actors + n_columns + 16
    per_draw = max(1, n_packages * per_package)
    size = int(max(1, min(CHUNK_DRAWS, CHUNK_BYTES // per_draw)))
    return [(start, min(start + size, n_draws)) for start in range(0, n_draws, size)]


def draw_slice(draws: Draws, start: int, stop: int) -> Draws:
    """Draws ``start:stop`` of ``draws``."""
    return Draws(stop - start, {k: v[start:stop] for k, v in draws.values.items()},
                 {k: v[start:stop] for k, v in draws.claims.items()})


@dataclass(frozen=True)
class Advice:
    """Candidates ranked for the mediator (see the module docstring).

    Attributes
    ----------
    objective
        ``accept``, ``value`` or ``probe``.
    actor
        The index of the actor advised (whose ``value`` counts).
    respondents
        The indices of the actors whose answers ``probe`` weighs (every actor but ``actor``).
    tremble
        ``probe``'s ``eps``.
    ess
        The draws' effective sample size (the intervals' ``n``).
    candidates
        What was evaluated.
    tallies
        Per evaluated package, the weighted sums.
    scores
        ``(G,)`` each candidate's score: its best completion's.
    best
        ``(G,)`` the position (in ``candidates.indices``) of each candidate's best completion.
    order
        Candidate numbers, best first (ties by :data:`TIE_BREAKS`, then in candidate order).
    reasons
        For the first ``top`` of ``order``, what the reason texts are made of
        (:func:`explain`).
    actors
        The actor ids.
    n_draws
        The number of draws.
    """

    objective: str
    actor: int
    respondents: tuple[int, ...]
    tremble: float
    ess: float
    candidates: CandidateSet
    tallies: Tallies
    scores: np.ndarray
    best: np.ndarray
    order: np.ndarray
    reasons: tuple[dict, ...]
    actors: tuple[str, ...]
    n_draws: int


def advise(scenario: Scenario, draws: Draws, weights: np.ndarray, candidates: CandidateSet,
           *, actor: int, objective: str = "accept", top: int = DEFAULT_TOP,
           tremble: float = 0.0, ess: float | None = None,
           inputs: np.ndarray | None = None, input_names: tuple[str, ...] = (),
           executor: ChunkMap = map_in_process) -> Advice:
    """Rank ``candidates`` for the mediator advising actor ``actor``.

    One pass over the draws in chunks (:func:`draw_slices`) folds the verdicts of
    :func:`redline.uncertainty.acceptance.acceptance` into :class:`Tallies`; a second pass,
    on the first ``top`` candidates' best completions only, gathers their reasons
    (:func:`explain`).

    Parameters
    ----------
    scenario
        The scenario.
    draws, weights
        The draws (e.g. the posterior's particles) and their weights ``(D,)``, summing to 1.
    candidates
        The packages to rank (:class:`CandidateSet`).
    actor
        The index of the actor advised.
    objective
        One of :data:`OBJECTIVES`.
    top
        How many ranked candidates get reasons.
    tremble
        ``probe``'s ``eps``: the chance an answer is the opposite of the draw's verdict.
    ess
        The effective sample size for the intervals (default: Kish's, from ``weights``).
    inputs, input_names
        ``(D, P)`` the draws' uncertain inputs (claims 0/1) and their names, for ``probe``'s
        reasons (which input an answer is most tied to); ``None`` leaves that out.
    executor
        Where the chunks of draws of both passes run (a chunk map,
        :mod:`redline.uncertainty.executors`); their sums are added in chunk order, so any
        executor gives the same numbers.

    Returns
    -------
    Advice
    """
    if objective not in OBJECTIVES:
        raise RedlineError(f"unknown objective {objective!r}", parameter="objective",
                           hint=f"use one of {', '.join(OBJECTIVES)}")
    weights = np.asarray(weights, dtype=float)
    n_actors = len(scenario.actors)
    respondents = tuple(a for a in range(n_actors) if a != actor)
    n_columns = _column_count(scenario)
    check_candidates(int(candidates.indices.size), draws.size, n_columns)
    probing = objective == "probe"
    if probing:
        check_respondents(len(respondents), int(candidates.indices.size))
    # Only what the objective and its tie-break need: the acceptable mask always, the
    # advised actor's utility for the value sums (accept's tie-break, value), the
    # respondents' and the actor's own verdicts for probe.
    valuing = "value" in (objective, TIE_BREAKS[objective])
    whole = candidates.listed is None  # every package, in package order
    total: Tallies | None = None
    slices = draw_slices(draws.size, int(candidates.indices.size), n_actors, n_columns,
                         lean=True)
    shared = _Ranking(scenario, candidates.options, whole, actor, respondents, probing,
                      valuing)
    for part in executor(_rank_chunk, shared, [(draw_slice(draws, start, stop),
                                                weights[start:stop])
                                               for start, stop in slices]):
        total = part if total is None else total.plus(part)
    assert total is not None
    per_package = scores(total, objective, len(respondents), tremble)
    tie_break = scores(total, TIE_BREAKS[objective])
    # probe: a text the advised actor refuses in every draw is no move it could table, however
    # much the others' answers would teach; such texts rank after every other.
    eligible = total.own > 0 if probing and total.own is not None else None
    best = best_in_groups(per_package, candidates.groups, tie_break, eligible)
    group_scores = per_package[best]
    order = ranking(group_scores, tie_break[best],
                    None if eligible is None else eligible[best])
    if ess is None:
        ess = float(1.0 / (weights @ weights))
    chosen = best[order[:top]]
    reasons = explain(scenario, draws, weights, candidates.options[chosen], actor=actor,
                      respondents=respondents, tremble=tremble, ess=ess, inputs=inputs,
                      input_names=input_names, executor=executor)
    return Advice(objective, actor, respondents, float(tremble), float(ess), candidates, total,
                  group_scores, best, order, reasons,
                  tuple(a.id for a in scenario.actors), int(draws.size))


@dataclass(frozen=True)
class _Ranking:
    """What every chunk of :func:`advise`'s ranking pass needs (sent to a worker once)."""

    scenario: Scenario
    options: np.ndarray
    whole: bool
    actor: int
    respondents: tuple[int, ...]
    probing: bool
    valuing: bool


def _rank_chunk(shared: _Ranking, chunk: tuple[Draws, np.ndarray]) -> Tallies:
    """One chunk of draws of :func:`advise`'s ranking pass, folded into :class:`Tallies`."""
    from redline.scenario.compile import compile_batch
    from redline.uncertainty.acceptance import verdicts

    draws, weights = chunk
    batch = compile_batch(shared.scenario, draws)
    verdict = verdicts(batch, shared.options, shared.whole,
                       accepting=(*shared.respondents, shared.actor) if shared.probing else (),
                       utilities=(shared.actor,) if shared.valuing else ())
    return tally_verdicts(verdict, weights, actor=shared.actor,
                          respondents=shared.respondents if shared.probing else None,
                          valuing=shared.valuing)


def _column_count(scenario: Scenario) -> int:
    """Rejection columns per package: the rules (ratification counts twice, as the sweep
    counts it) and an outside option per actor."""
    return (len(scenario.red_lines) + len(scenario.linkages) + 2 * len(scenario.ratification)
            + len(scenario.actors))


def explain(scenario: Scenario, draws: Draws, weights: np.ndarray, options: np.ndarray, *,
            actor: int, respondents: tuple[int, ...], tremble: float, ess: float,
            inputs: np.ndarray | None = None, input_names: tuple[str, ...] = (),
            executor: ChunkMap = map_in_process) -> tuple[dict, ...]:
    """What each of a few packages' reasons is made of, from one more pass over the draws
    (its chunks mapped over ``executor`` and added in chunk order).

    Per package (a row of ``options``): P(acceptable) with its interval at ``ess``; per
    actor, the weighted share of draws where it accepts and, among its own rejection columns
    (its rules and its outside option, :func:`redline.space.kernel.columns`), the one that
    rejects in the most weight; the advised actor's expected utility if accepted and its
    outside option if not; and per respondent, the information of its answer alone
    (:func:`answer_information`) and the uncertain input its verdict is most correlated with
    (weighted Pearson correlation over the draws).

    Returns
    -------
    tuple of dict
        One per package: ``p_acceptable``, ``interval``, ``accepts`` (A,), ``rule``
        (per actor: ``(column id, kind, share)`` or ``None``), ``ratification`` (the
        ratification steps that fail in some draws, ``(id, share)``, most often first),
        ``expected_value`` (the
        advised actor's, weights summing to 1), ``value_if_accepted``,
        ``outside_if_not``, ``answer_bits`` (R,), ``tied_to`` (per respondent:
        ``(input name, correlation)`` or ``None``).
    """
    options = np.asarray(options)
    k_count = int(options.shape[0])
    if k_count == 0:
        return ()
    n_actors = len(scenario.actors)
    labels: tuple = ()
    column_share = None
    accept_share = np.zeros((n_actors, k_count))
    acceptable_share = np.zeros(k_count)
    value_accepted = np.zeros(k_count)
    outside_rejected = np.zeros(k_count)
    wanted = inputs is not None and inputs.shape[1] > 0
    cross = np.zeros((inputs.shape[1] if wanted else 0, n_actors, k_count))
    chunks = [(draw_slice(draws, start, stop), weights[start:stop],
               inputs[start:stop] if wanted else None)
              for start, stop in draw_slices(draws.size, k_count, n_actors,
                                             _column_count(scenario))]
    for part in executor(_explain_chunk, (scenario, options, actor), chunks):
        labels, shares, accepts, acceptable, valued, outside, crossed = part
        column_share = shares if column_share is None else column_share + shares
        accept_share += accepts
        acceptable_share += acceptable
        value_accepted += valued
        outside_rejected += outside
        if wanted:
            cross += crossed
    assert column_share is not None
    holders = np.array([c.actor for c in labels])
    tied = _correlations(inputs, weights, accept_share, cross) if wanted else None
    out = []
    for k in range(k_count):
        rules: list = []
        for a in range(n_actors):
            mine = np.flatnonzero(holders == a)
            top_column = mine[np.argmax(column_share[mine, k])] if mine.size else None
            share = 0.0 if top_column is None else float(column_share[top_column, k])
            rules.append(None if top_column is None or share <= 0 else
                         (labels[top_column].id, labels[top_column].kind, share))
        steps = sorted(((labels[c].id, float(column_share[c, k])) for c in range(len(labels))
                        if labels[c].kind == "ratification" and labels[c].binding
                        and column_share[c, k] > 0), key=lambda step: (-step[1], step[0]))
        p = float(acceptable_share[k])
        ties = []
        for a in respondents:
            if tied is None:
                ties.append(None)
                continue
            j = int(np.argmax(np.abs(tied[:, a, k])))
            rho = float(tied[j, a, k])
            ties.append((input_names[j], rho) if rho != 0 else None)
        out.append({
            "p_acceptable": p,
            "interval": _interval(p, ess),
            "accepts": accept_share[:, k].copy(),
            "rule": tuple(rules),
            "ratification": tuple(steps),
            "expected_value": float(value_accepted[k] + outside_rejected[k]),
            "value_if_accepted": float(value_accepted[k] / p) if p > 0 else None,
            "outside_if_not": float(outside_rejected[k] / (1 - p)) if p < 1 else None,
            "answer_bits": answer_information(accept_share[list(respondents), k], tremble),
            "tied_to": tuple(ties),
        })
    return tuple(out)


def _explain_chunk(shared: tuple[Scenario, np.ndarray, int],
                   chunk: tuple[Draws, np.ndarray, np.ndarray | None]) -> tuple:
    """One chunk of draws of :func:`explain`: the rejection columns' labels and, weighted
    over the chunk, each column's rejecting share ``(C, K)``, each actor's accepting share
    ``(A, K)``, the acceptable share, the advised actor's value if accepted and outside
    option if not ``(K,)`` each, and the inputs' cross moments with the verdicts ``(P, A, K)``
    (``None`` without inputs)."""
    from redline.scenario.compile import compile_batch
    from redline.space import kernel
    from redline.uncertainty.acceptance import actor_rejections, package_utilities

    scenario, options, actor = shared
    draws, w, x = chunk
    n_actors = len(scenario.actors)
    k_count = int(options.shape[0])
    batch = compile_batch(scenario, draws)
    utility = package_utilities(batch.tables, options)
    labels = kernel.columns(batch.constraints, batch.actors, batch.parties)
    rejected = kernel.rejections(batch.constraints, options, utility, batch.disagreement,
                                 np.arange(len(labels)), active=batch.active)
    shape = (batch.size, k_count)
    shares = np.stack([w @ hit for hit in rejected])  # (C, K)
    accepts = np.stack([~mine for mine in actor_rejections(labels, rejected, shape,
                                                           n_actors)], axis=1)
    binding = [rejected[k] for k, c in enumerate(labels) if c.binding]
    ok = kernel.broken_counts(binding, shape) == 0
    crossed = None if x is None else np.tensordot(x * w[:, None], accepts.astype(float),
                                                  axes=(0, 0))
    return (labels, shares, weighted_share(accepts, w), w @ ok,
            w @ np.where(ok, utility[..., actor], 0.0),
            w @ np.where(ok, 0.0, batch.disagreement[:, actor][:, None]), crossed)


def _correlations(inputs: np.ndarray, weights: np.ndarray, accept_share: np.ndarray,
                  cross: np.ndarray) -> np.ndarray:
    """``(P, A, K)`` weighted Pearson correlations between each input and each actor's
    verdict on each package, from the weighted sums ``E[x]``, ``E[y]`` (``accept_share``)
    and ``E[x y]`` (``cross``); 0 where either is constant (a verdict within
    :data:`SHARE_TOLERANCE` of always or never, an input within :data:`CORRELATION_FLOOR`)."""
    mean_x = weights @ inputs  # (P,)
    var_x = weights @ (inputs - mean_x) ** 2
    y = np.where((accept_share > SHARE_TOLERANCE) & (accept_share < 1 - SHARE_TOLERANCE),
                 accept_share, 0.0)
    var_y = y * (1 - y)  # the verdict is 0/1
    covariance = cross - mean_x[:, None, None] * accept_share[None]
    scale = np.sqrt(np.where(var_x > CORRELATION_FLOOR, var_x, 0.0)[:, None, None] * var_y[None])
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(scale > 0, covariance / np.where(scale > 0, scale, 1.0), 0.0)
    return np.clip(rho, -1.0, 1.0)


CORRELATION_FLOOR = 1e-12
"""An input whose weighted variance is below this counts as constant (no correlation)."""


def candidate_set(domain, listed: list[tuple[str | None, dict[str, str]]] | None = None
                  ) -> CandidateSet:
    """The candidates: every package of ``domain``'s space, or the listed ones.

    Parameters
    ----------
    domain
        The agreement space (:class:`redline.space.domain.Domain`): its issues' options.
    listed
        ``[(proposal id or None, {issue id: option label}), ...]``; a partial package stands
        for its completions (:func:`redline.space.proposals.completions`). ``None`` or empty:
        every package.

    Raises
    ------
    RedlineError
        An unknown issue or option (one line), a partial package with too many completions,
        or more than :data:`MAX_CANDIDATES` packages.
    """
    from redline.space.packages import decode
    from redline.space.proposals import completions, fixed_options

    radices = domain.radices
    if not listed:
        check_candidates(int(domain.n_packages), 0, 0)
        indices = np.arange(domain.n_packages, dtype=np.int64)
        return CandidateSet(indices, decode(indices, radices), np.arange(indices.size))
    parts, groups = [], []
    for g, (proposal, package) in enumerate(listed):
        field = f"proposals.{proposal}.package" if proposal else "packages"
        try:
            numbers = completions(domain, fixed_options(domain, package, field))
        except RedlineError as error:
            raise (error if proposal else error.about("packages")) from None
        parts.append(numbers)
        groups.append(np.full(numbers.size, g, dtype=np.int64))
    indices = np.concatenate(parts)
    check_candidates(int(indices.size), 0, 0)
    return CandidateSet(indices, decode(indices, radices), np.concatenate(groups),
                        tuple({"proposal": p, "package": dict(k)} for p, k in listed))


_KIND_WORDS = {"red_line": "red line", "linkage": "linkage", "ratification": "ratification"}


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def _rejection(name: str, share: float, rule: tuple[str, str, float] | None) -> str:
    """``Russia rejects in 38% of draws, mostly by red line X (31%)``."""
    text = f"{name} rejects in {_percent(share)} of draws"
    if rule is not None:
        column, kind, rule_share = rule
        what = "its outside option" if kind == "outside_option" else \
            f"{_KIND_WORDS.get(kind, kind)} {column}"
        text += f", mostly by {what} ({_percent(rule_share)})"
    return text


def reason_text(objective: str, reason: dict, *, names: tuple[str, ...], veto: np.ndarray,
                actor: int, respondents: tuple[int, ...], score: float,
                labels: dict[str, str] | None = None) -> str:
    """The reason for one ranked candidate, in words and numbers, from :func:`explain`'s
    entry ``reason``.

    ``accept`` names the P(every veto holder accepts) with its interval and the veto holders
    who reject most often, with the column that rejects most; ``value`` the advised actor's
    expected utility, what it is if accepted and its outside option otherwise; ``probe`` the
    information in bits and how the most informative answers split the draws, with the input
    each is most tied to (named by ``labels``, ``{input path: readable name}``, where given).
    """
    low, high = reason["interval"]
    p = reason["p_acceptable"]
    odds = f"P(all veto holders accept) {p:.2f} [{low:.2f}, {high:.2f}]"
    rejecting = sorted((a for a in range(len(names)) if veto[a]
                        and reason["accepts"][a] < 1 - SHARE_TOLERANCE),
                       key=lambda a: (reason["accepts"][a], a))[:REASON_ACTORS]
    refusals = [_rejection(names[a], 1 - float(reason["accepts"][a]), reason["rule"][a])
                for a in rejecting]
    refusals += [f"ratification {step} fails in {_percent(share)} of draws"
                 for step, share in reason["ratification"][:REASON_ACTORS]]
    if objective == "accept":
        if refusals:
            return "; ".join([odds, *refusals])
        return f"{odds}; every veto holder accepts in every draw" if p >= 1 - SHARE_TOLERANCE \
            else odds
    if objective == "value":
        parts = [f"expected value for {names[actor]} {score:.3f}"]
        if reason["value_if_accepted"] is not None:
            parts.append(f"{reason['value_if_accepted']:.3f} if accepted")
        if reason["outside_if_not"] is not None:
            parts.append(f"outside option {reason['outside_if_not']:.3f} otherwise")
        return ", ".join(parts) + f"; {odds}" + "".join(f"; {r}" for r in refusals[:1])
    bits = reason["answer_bits"]
    order = sorted(range(len(respondents)), key=lambda r: (-float(bits[r]), r))
    answers = []
    for r in order[:REASON_ACTORS]:
        a = respondents[r]
        if bits[r] <= 0:
            break
        share = float(reason["accepts"][a])
        text = (f"{names[a]}'s answer splits the draws {_percent(share)}/"
                f"{_percent(1 - share)} (accept/reject)")
        tie = reason["tied_to"][r]
        if tie is not None:
            text += f", most tied to {(labels or {}).get(tie[0], tie[0])} (r = {tie[1]:+.2f})"
        answers.append(text)
    head = f"{score:.3f} bits expected about the uncertain inputs"
    return "; ".join([head, *answers]) if answers else \
        f"{head}: every draw predicts the same answers"


SHARE_TOLERANCE = 1e-9
"""A weighted share within this of 1 counts as 'in every draw' (sums of float weights)."""
