"""Write ``deu3_synthetic.tsv``: made-up issues in the layout of the prepared DEU III file.

The real DEU III file is not redistributed (see ``tests/data/NOTICE``), so the tests read this
one. It has the same columns in the same order (identification columns, ``p<actor>`` and
``s<actor>`` for the Commission, the Parliament and 28 member states, ``rp``, ``out``), a GDP row
first, and the same kinds of gaps: actors without a position, positions without a salience,
zero saliences, issues without the Commission, without a reference point or without an outcome,
and proposals that share a short name. Every number is drawn from a seeded generator; none is
taken from the real data.

Usage: python tests/data/deu3/make_synthetic.py   (rewrites the file beside this script)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

STATES = ("at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu", "ie",
          "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk")
ACTORS = ("com", "ep", *STATES)
ID_COLUMNS = ("prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc",
              "counvte", "proccde", "issues", "intro", "finact")
# (proposal id, short name, number of issues); two names are shared by two proposals each.
PROPOSALS = (("s0101", "fisheries", 3), ("s0102", "rail", 2), ("s0103", "rail", 2),
             ("s0104", "vat", 3), ("s0105", "vat", 1), ("s0106", "seeds", 4),
             ("s0107", "roaming", 2), ("s0108", "batteries", 3), ("s0109", "asylum", 2),
             ("s0110", "drones", 1), ("s0111", "ports", 3), ("s0112", "cosmetics", 2),
             ("s0113", "ecodesign", 3), ("s0114", "tachograph", 2))
OPTIONS = (0.0, 10.0, 25.0, 30.0, 50.0, 60.0, 75.0, 80.0, 90.0, 100.0)
SALIENCES = (0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0)
SEED = 20261201


def _text(value: float) -> str:
    return "" if np.isnan(value) else f"{value:g}"


def rows(seed: int = SEED) -> list[list[str]]:
    """Header, GDP row and one row per issue, as lists of fields."""
    rng = np.random.default_rng(seed)
    header = [*ID_COLUMNS, *(f"p{a}" for a in ACTORS), *(f"s{a}" for a in ACTORS), "rp", "out"]
    gdp = ["" for _ in ID_COLUMNS] + [f"{v:.2f}" for v in rng.uniform(0.02, 4.1, len(ACTORS))]
    out = [header, gdp + [""] * (len(header) - len(gdp))]
    issue_number = 0
    for k, (prnr, name, n_issues) in enumerate(PROPOSALS):
        for i in range(n_issues):
            issue_number += 1
            x = rng.choice(OPTIONS, len(ACTORS))
            # Positions cluster around a few options, as on a real issue.
            x = np.where(rng.random(len(ACTORS)) < 0.5, rng.choice(x[:3]), x)
            x[rng.random(len(ACTORS)) < 0.2] = np.nan  # no position stated
            if issue_number in (4, 17):
                x[0] = np.nan  # no Commission position
            s = rng.choice(SALIENCES, len(ACTORS))
            s[np.isnan(x)] = np.nan
            s[np.isfinite(x) & (rng.random(len(ACTORS)) < 0.05)] = np.nan  # no salience
            rp = rng.choice(OPTIONS) if rng.random() < 0.3 else np.nan
            present = x[np.isfinite(x)]
            outcome = np.nan if issue_number in (6, 20, 31) else float(np.clip(
                np.round(rng.normal(np.mean(present), 20.0)), 0.0, 100.0))
            ids = [str(k + 1), str(issue_number), prnr, name, f"{prnr}i{i + 1}",
                   "Dir" if k % 3 else "Reg", ("Agri", "Ecofin", "Transport")[k % 3], "COD",
                   "QMV", "3", str(n_issues), f"{1 + k:02d}-03-05", "999"]
            out.append([*ids, *map(_text, x), *map(_text, s), _text(rp), _text(outcome)])
    return out


def main() -> None:
    path = Path(__file__).resolve().parent / "deu3_synthetic.tsv"
    text = "".join("\t".join(row) + "\n" for row in rows())
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(rows()) - 2} issues)")


if __name__ == "__main__":
    main()
