"""`redline export genius`: what Genius cannot hold is said, and ids survive round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from redline.cli import app
from redline.io.genius import genius_losses, genius_view, read_genius_folder
from redline.pipeline import load
from redline.space.engine import analyze

runner = CliRunner()

# Two parties and a stakeholder without a veto whose outside option is above some packages.
NO_RULES = """
scenario: {id: trio, title: Trio}
actors:
  - {id: a, name: A, capability: 1, outside_option: 0.4}
  - {id: b, name: B, capability: 1, outside_option: 0.4}
  - {id: watcher, name: W, role: stakeholder, capability: 1, outside_option: 0.9}
issues:
  - {id: x, name: X, scale: {step: 25}}
  - {id: y, name: Y, scale: {step: 50}}
positions:
  a: {x: {position: 0, salience: 1}, y: {position: 0, salience: 0.5}}
  b: {x: {position: 100, salience: 1}, y: {position: 100, salience: 0.5}}
  watcher: {x: {position: 50, salience: 1}, y: {position: 50, salience: 1}}
"""


def export(source: Path, out: Path, *extra: str):
    result = runner.invoke(app, ["export", "genius", str(source), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def test_actor_ids_and_file_names_survive_repeated_exports(tmp_path: Path, examples: Path):
    first, second = tmp_path / "one", tmp_path / "two"
    export(examples / "donbas-2026.yaml", first)
    export(first, second)  # a Genius folder exported again
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == ["donbas-2026-domain.xml", "donbas-2026-europe.xml",
                     "donbas-2026-russia.xml", "donbas-2026-ukraine.xml", "donbas-2026-us.xml"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    back = read_genius_folder(second)
    assert sorted(back.actors) == sorted(load(examples / "donbas-2026.yaml").domain.actors)
    assert back.name == "donbas-2026"


def test_reservation_zero_keeps_acceptance_of_actors_without_a_veto(tmp_path: Path):
    source = tmp_path / "trio.yaml"
    source.write_text(NO_RULES)
    domain = load(source).domain
    assert not domain.party_mask[2]
    export(source, tmp_path / "g")
    back = read_genius_folder(tmp_path / "g")
    order = [back.actors.index(a) for a in domain.actors]
    assert np.allclose(back.disagreement[order], [0.4, 0.4, 0.0])
    ours, theirs = analyze(domain), analyze(back)
    assert ours.acceptable_count == theirs.acceptable_count < domain.n_packages


def test_export_warns_about_roles_rules_claims_and_counts(tmp_path: Path, examples: Path):
    result = export(examples / "donbas-2026.yaml", tmp_path / "g")
    lines = result.stderr.splitlines()
    assert all(line.startswith("warning: ") for line in lines)
    text = result.stderr
    assert "europe (outside option 0.3)" in text
    assert "6 rules have no Genius form" in text and "ua-no-land-without-referendum" in text
    assert "claims are open" in text and "ft-guarantees-for-donbas" in text
    domain = load(examples / "donbas-2026.yaml").domain
    before = analyze(domain).acceptable_count
    after = analyze(genius_view(domain)).acceptable_count
    assert f"{before:,} of 512 packages are acceptable" in text and f"{after:,} reach" in text


def test_export_of_a_genius_folder_loses_nothing(tmp_path: Path, examples: Path):
    export(examples / "donbas-2026.yaml", tmp_path / "one")
    result = export(tmp_path / "one", tmp_path / "two")
    assert result.stderr == ""
    assert genius_losses(read_genius_folder(tmp_path / "one")) == []


def test_export_assume_has_help():
    result = runner.invoke(app, ["export", "genius", "--help"])
    assert "claim branch" in " ".join(result.stdout.split())
