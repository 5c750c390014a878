"""Readable names for a scenario's numeric inputs and claims, in the analyst's terms.

Every numeric input of a scenario has a *path* (``positions.ukraine.donbas.salience``,
``red_lines.ru-ukraine-out-of-donbas.require.at_least``), the key under which sweeps draw it and
rank its sensitivity; a claim's truth is ``claim:<id>``. :func:`numeric_fields` walks a scenario
and yields each input's path, value and readable name in one pass, so the paths the compiler
draws (:func:`redline.scenario.compile.numeric_inputs`) and the names shown beside them cannot
drift apart. Shells name inputs with :func:`input_label` / :func:`input_labels`:

* ``actors.russia.outside_option`` → "Russia's outside option"
* ``positions.ukraine.donbas.salience`` → "Ukraine's salience on Control of the Donbas"
* ``red_lines.ru-ukraine-out-of-donbas.require.at_least`` → "Russia's red line: Ukrainian
  forces leave the Donbas (private position), threshold"
* ``claim:ft-guarantees-for-donbas`` → "claim: The US will give Ukraine security guarantees ..."

A rule's name is its ``description`` (else its id in words); a rule with several numeric
inputs names each by its issue ("threshold on Control of the Donbas"), and by the condition or the
side of the threshold where that is needed to tell them apart.
Names are distinct within a scenario (a repeat gets " (2)", " (3)", ...). A path the scenario does
not have is returned as it is, so the functions are total. ``width`` shortens the free text (a
rule's description, a claim's text) with an ellipsis, keeping who and what the input is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.scenario.model import Condition, Scenario

RULE_GROUPS = ("red_lines", "linkages", "ratification")
CONDITION_KEYS = ("never", "require", "unless", "gives", "only_if", "when", "requires")
CLAIM_PREFIX = "claim:"
ELLIPSIS = "…"

RULE_NOUN = {"red_lines": "red line", "linkages": "conditional offer",
             "ratification": "ratification"}
"""How each rule group is named."""
CONDITION_WORDS = {"never": "", "require": "", "unless": "exception", "gives": "what it gives",
                   "only_if": "its condition", "when": "when it applies",
                   "requires": "what it requires"}
"""How each condition of a rule is named when a rule has inputs in several of them."""
BOUND_WORDS = {"at_least": "at least", "at_most": "at most"}


@dataclass(frozen=True)
class Label:
    """A readable name in three parts: ``head`` + ``text`` + ``tail``; ``text`` is the free
    text (a description, a claim) that may be shortened."""

    head: str
    text: str = ""
    tail: str = ""

    def render(self, width: int | None = None) -> str:
        """The name, with ``text`` cut after a whole word (and an ellipsis) so it fits
        ``width`` characters where that is possible."""
        full = f"{self.head}{self.text}{self.tail}"
        if width is None or len(full) <= width or not self.text:
            return full
        room = width - len(self.head) - len(self.tail) - len(ELLIPSIS)
        if room <= 0:
            return f"{self.head}{self.text[:1]}{ELLIPSIS}{self.tail}"
        cut = self.text[:room]
        if " " in cut and not self.text[room:room + 1].isspace():  # end on a whole word
            cut = cut.rsplit(" ", 1)[0]
        return f"{self.head}{cut.rstrip(' ,;:(')}{ELLIPSIS}{self.tail}"


def possessive(name: str) -> str:
    """``name`` + "'s" ("Russia's"), or + "'" after an s ("United States'")."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def words(identifier: str) -> str:
    """An id in words: ``ru-no-nato-style-guarantee`` → "ru no nato style guarantee"."""
    return identifier.replace("-", " ").replace("_", " ")


def _condition_fields(spec: Condition, path: str) -> Iterator[tuple[str, object, str, str]]:
    """``(path, value, bound key, issue id)`` of every threshold in a condition tree."""
    for key in ("at_least", "at_most"):
        value = getattr(spec, key)
        if value is not None:
            yield f"{path}.{key}", value, key, spec.issue or ""
    for key, group in (("all", spec.all), ("any", spec.any)):
        for j, child in enumerate(group or []):
            yield from _condition_fields(child, f"{path}.{key}[{j}]")
    if spec.not_ is not None:
        yield from _condition_fields(spec.not_, f"{path}.not")


def numeric_fields(scenario: Scenario) -> Iterator[tuple[str, object, Label]]:
    """Every numeric input of ``scenario`` as ``(path, value, label)``, in a fixed order.

    The order and the paths are those of :func:`redline.scenario.compile.numeric_inputs`
    (which reads them from here): each actor's capability and outside option, then each
    actor's stance on each issue (position, private position when given, salience), then the
    thresholds of the red lines, linkages and ratification steps.
    """
    actors = {a.id: a.name for a in scenario.actors}
    issues = {i.id: i.name for i in scenario.issues}
    for actor in scenario.actors:
        who = possessive(actor.name)
        yield f"actors.{actor.id}.capability", actor.capability, Label(f"{who} capability")
        yield (f"actors.{actor.id}.outside_option", actor.outside_option,
               Label(f"{who} outside option"))
    for actor in scenario.actors:
        who = possessive(actor.name)
        for issue in scenario.issues:
            stance = scenario.positions[actor.id][issue.id]
            base = f"positions.{actor.id}.{issue.id}"
            yield f"{base}.position", stance.position, Label(f"{who} position on {issue.name}")
            if stance.private is not None:
                yield (f"{base}.private", stance.private,
                       Label(f"{who} private position on {issue.name}"))
            yield f"{base}.salience", stance.salience, Label(f"{who} salience on {issue.name}")
    for group in RULE_GROUPS:
        for rule in getattr(scenario, group):
            yield from _rule_fields(group, rule, actors, issues)


def _rule_fields(group: str, rule, actors: dict[str, str], issues: dict[str, str]
                 ) -> Iterator[tuple[str, object, Label]]:
    """The numeric inputs of one rule, named after its holder and its description."""
    found: list[tuple[str, object, str, str, str]] = []  # path, value, condition, bound, issue
    for key in CONDITION_KEYS:
        spec = getattr(rule, key, None)
        if spec is not None:
            found.extend((path, value, key, bound, issue) for path, value, bound, issue
                         in _condition_fields(spec, f"{group}.{rule.id}.{key}"))
    min_utility = getattr(rule, "min_utility", None)
    head = f"{possessive(actors.get(rule.actor, rule.actor))} {RULE_NOUN[group]}: "
    text = (rule.description or words(rule.id)).strip().rstrip(".")
    several = len(found) + (min_utility is not None) > 1
    conditions = {key for _, _, key, _, _ in found}
    bounds = {(key, issue, bound) for _, _, key, bound, issue in found}
    for path, value, key, bound, issue in found:
        tail = ", threshold"
        if several:
            tail += f" on {issues.get(issue, issue)}"
            notes = [CONDITION_WORDS[key]] if len(conditions) > 1 and CONDITION_WORDS[key] \
                else []
            other = "at_most" if bound == "at_least" else "at_least"
            if (key, issue, other) in bounds:
                notes.append(BOUND_WORDS[bound])
            if notes:
                tail += " (" + ", ".join(notes) + ")"
        yield path, value, Label(head, text, tail)
    if min_utility is not None:
        yield (f"{group}.{rule.id}.min_utility", min_utility,
               Label(head, text, ", acceptance threshold (utility)"))


def claim_label(scenario: Scenario, claim_id: str) -> Label:
    """The name of a claim: "claim: " and its text (its id when the scenario has no such
    claim)."""
    for claim in scenario.claims:
        if claim.id == claim_id:
            return Label("claim: ", " ".join(claim.text.split()).rstrip("."))
    return Label(f"claim: {claim_id}")


def _labels(scenario: Scenario) -> dict[str, Label]:
    """Every path of ``scenario`` (numeric inputs and claims) and its label, names made
    distinct (a repeat gets " (2)", " (3)", ... in its tail)."""
    out: dict[str, Label] = {}
    seen: dict[str, int] = {}
    entries = [(path, label) for path, _, label in numeric_fields(scenario)]
    entries += [(f"{CLAIM_PREFIX}{c.id}", claim_label(scenario, c.id)) for c in scenario.claims]
    for path, label in entries:
        name = label.render()
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count > 1:
            label = Label(label.head, label.text, f"{label.tail} ({count})")
        out[path] = label
    return out


def input_labels(scenario: Scenario, paths: Iterable[str], width: int | None = None
                 ) -> list[str]:
    """The readable names of ``paths`` (see the module docstring), in order.

    Parameters
    ----------
    scenario
        The scenario the paths come from.
    paths
        Input paths (:func:`redline.scenario.compile.uncertain_inputs`) or ``claim:<id>``.
    width
        Shorten each name's free text so the name fits this many characters (where the parts
        that say who and what leave room); ``None`` keeps names whole.

    Returns
    -------
    list of str
        One name per path; a path the scenario does not have is returned unchanged.
    """
    known = _labels(scenario)
    out = []
    for path in paths:
        if path in known:
            out.append(known[path].render(width))
        elif path.startswith(CLAIM_PREFIX):
            out.append(claim_label(scenario, path[len(CLAIM_PREFIX):]).render(width))
        else:
            out.append(path)
    return out


def input_label(scenario: Scenario, path: str, width: int | None = None) -> str:
    """The readable name of one input path or ``claim:<id>`` (:func:`input_labels`).

    Examples
    --------
    ``input_label(donbas, "red_lines.ru-ukraine-out-of-donbas.require.at_least")`` is
    "Russia's red line: Ukrainian forces leave the Donbas (private position), threshold".
    """
    return input_labels(scenario, [path], width)[0]
