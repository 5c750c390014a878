"""`redline report`: one offline HTML file with every figure, escaped text, PNGs for slides."""

import base64
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("plotly")
pytest.importorskip("matplotlib")

from plotly.offline import get_plotlyjs  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from redline.cli import app  # noqa: E402
from redline.cli import report as _report  # noqa: E402,F401  (registers the command)
from redline.pipeline import load, run_analysis  # noqa: E402
from redline.report.html import build_report  # noqa: E402
from redline.scenario.compile import uncertain_inputs  # noqa: E402
from redline.scenario.load import load_scenario  # noqa: E402

runner = CliRunner()
FT = "ft-guarantees-for-donbas"
SOLUTIONS = {"nash", "kalai_smorodinsky", "utilitarian", "egalitarian"}
FIGURES = {"deal_space", "parallel", "blockers", "trajectories_smp", "trajectories_bdm",
           "forecast_distribution", "nash_distribution", "p_agreement", "tornado",
           "timeline"}  # the example records rounds: the timeline after each one
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def donbas_report(tmp_path_factory, examples: Path):
    out = tmp_path_factory.mktemp("report_html")
    html_dir, png_dir = out / "html", out / "png"
    result = runner.invoke(app, ["report", str(examples / "donbas-2026.yaml"),
                                 "-o", str(html_dir / "report.html"), "--draws", "300",
                                 "--assume", f"{FT}=true", "--png", str(png_dir)])
    assert result.exit_code == 0, result.output
    return html_dir, png_dir, (html_dir / "report.html").read_text(encoding="utf-8")


def figure_traces(html: str, key: str) -> list[dict]:
    """The trace list passed to Plotly.newPlot for the figure ``key``."""
    match = re.search(r'Plotly\.newPlot\(\s*"fig-' + re.escape(key) + r'",\s*', html)
    assert match, f"no figure {key}"
    traces, _ = json.JSONDecoder().raw_decode(html, match.end())
    return traces


def roles(traces: list[dict]) -> list[str]:
    return [t.get("meta", {}).get("role") for t in traces]


def test_one_self_contained_file(donbas_report):
    html_dir, _, html = donbas_report
    assert [p.name for p in html_dir.iterdir()] == ["report.html"]
    assert html.count(get_plotlyjs()) == 1
    shell = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", html, flags=re.S)
    external = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*"
                          r"[\"']?\s*(?:https?:)?//", shell, flags=re.I)
    assert external == []
    assert "@import" not in shell and not re.search(r"url\(\s*[\"']?https?:", shell)


def test_every_figure_is_present(donbas_report):
    _, _, html = donbas_report
    for key in FIGURES:
        assert f'id="fig-{key}"' in html and f'data-figure="{key}"' in html
    for section in ("scenario", "deal-space", "blockers", "forecasts", "uncertainty"):
        assert f'data-section="{section}"' in html


def test_deal_space_has_frontier_and_four_solutions(donbas_report):
    traces = figure_traces(donbas_report[2], "deal_space")
    assert {"acceptable", "unacceptable", "frontier"} <= set(roles(traces))
    marked = {t["meta"]["solution"] for t in traces if t["meta"]["role"] == "solution"}
    assert marked == SOLUTIONS
    assert figure_traces(donbas_report[2], "parallel")[0]["type"] == "parcoords"


def test_blockers_and_trajectories(donbas_report, examples: Path):
    html = donbas_report[2]
    analysis = run_analysis(load(examples / "donbas-2026.yaml", assume={FT: True})).analysis
    traces = figure_traces(html, "blockers")
    rejecting = [t for t in traces if t["meta"]["role"] == "rejects"]
    shown = [rule for t in rejecting for rule in t["meta"]["rules"]]
    assert sorted(shown) == sorted(b.id for b in analysis.blockers if b.rejects)
    described = {b.id for b in analysis.blockers if b.rejects and b.description}
    axis = [y for t in rejecting for y in t["y"]]
    assert not described & set(axis)  # rules are named in words, not by id
    assert "alone" in roles(traces)
    for model in ("smp", "bdm"):
        lines = [t for t in figure_traces(html, f"trajectories_{model}")
                 if t["meta"]["role"] == "actor"]
        assert len(lines) == 4 * 5  # actors x issues
        assert {t["meta"]["actor"] for t in lines} == {"Ukraine", "Russia", "United States",
                                                      "Europe (EU and UK)"}


def test_sweep_figures(donbas_report, examples: Path):
    html = donbas_report[2]
    scenario = load_scenario(examples / "donbas-2026.yaml")
    tornado = figure_traces(html, "tornado")
    assert len(tornado) == 1
    assert len(tornado[0]["y"]) == min(15, len(uncertain_inputs(scenario))
                                       + len(scenario.claims))
    assert len(figure_traces(html, "forecast_distribution")) == len(scenario.issues)
    bars, numbers = figure_traces(html, "p_agreement")
    assert bars["x"] == ["integrated over claims", f"{FT}=true"]
    assert numbers["meta"]["role"] == "interval" and numbers["mode"] == "text"
    assert roles(figure_traces(html, "nash_distribution")) == ["nash", "interval"]


def test_uncertainty_lead_gives_wilson_intervals(donbas_report, examples: Path):
    """The lead states each P(agreement) of the figure with the interval the sweep itself
    gives: Wilson's, at the effective sample size of the rounds' posterior (the example has
    rounds), integrated and in the FT branch."""
    from redline.pipeline import run_sweep

    html = donbas_report[2]
    lead = re.search(r'<section id="uncertainty".*?<p class="lead">(.*?)</p>', html,
                     flags=re.S).group(1)
    bars, _ = figure_traces(html, "p_agreement")
    y = bars["y"]  # plotly's typed array: {"dtype": "f8", "bdata": base64}
    shares = np.frombuffer(base64.b64decode(y["bdata"]), y["dtype"]) if isinstance(y, dict) \
        else np.asarray(y)
    sweep = run_sweep(load(examples / "donbas-2026.yaml", assume={FT: True}), draws=300)
    expected = [sweep.integrated, sweep.assumed]
    assert shares.size == len(expected)
    for p, result in zip(shares, expected, strict=True):
        assert p == pytest.approx(result.p_agreement)
        low, high = result.p_agreement_interval
        assert f"{p:.3f} (95% interval {low:.3f}–{high:.3f})" in lead


def test_claims_table_shows_sources_and_the_branch(donbas_report):
    html = donbas_report[2]
    table = re.search(r'<table class="claims">.*?</table>', html, flags=re.S).group(0)
    row = next(r for r in table.split("<tr>") if f"<b>{FT}</b>" in r)
    assert "Financial Times" in row and "[ft]" in row
    assert "Anna Kelly, White House" in row and "[wh-kelly]" in row
    assert "true (--assume)" in row


def test_pngs_are_written(donbas_report):
    png_dir = donbas_report[1]
    files = {p.stem: p.read_bytes() for p in png_dir.glob("*.png")}
    assert set(files) == FIGURES
    assert all(data.startswith(PNG_MAGIC) for data in files.values())


def test_user_text_is_escaped(tmp_path: Path, examples: Path):
    text = (examples / "donbas-2026.yaml").read_text(encoding="utf-8")
    text = text.replace('title: "US-Russia-Ukraine talks, Abu Dhabi (2026)"',
                        'title: "<script>alert(1)</script>"')
    text = text.replace("    name: Ukraine\n", '    name: "<b onmouseover=x>Ukr</b>"\n')
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    html = build_report(path, models=("bdm",))
    assert "<script>alert(1)</script>" not in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=x&gt;Ukr&lt;/b&gt;" in html


def test_bad_input_is_one_line(tmp_path: Path, examples: Path):
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(tmp_path / "missing.yaml"), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("actors: [\n", encoding="utf-8")
    result = runner.invoke(app, ["report", str(bad), "-o", str(out)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["report", str(examples / "donbas-2026.yaml"), "-o", str(out),
                                 "--x", "nobody"])
    assert result.exit_code == 2 and "unknown actor 'nobody'" in result.stderr
    assert not out.exists()


def test_missing_plotly_gives_the_install_hint(tmp_path: Path, examples: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)
    result = runner.invoke(app, ["report", str(examples / "donbas-2026.yaml"),
                                 "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "pip install 'redline[report]'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_genius_folder_has_no_scenario_sections(tmp_path: Path, reference_data: Path):
    folder = reference_data / "genius" / "anac_y2012_LaptopA"
    html = build_report(folder, draws=10)
    assert 'id="fig-deal_space"' in html and 'id="fig-blockers"' in html
    assert 'data-section="forecasts"' not in html
    assert "Sweeps need a scenario file" in html


def test_p_agreement_bars_show_the_wilson_interval_the_text_states(examples: Path):
    from redline.pipeline import run_sweep
    from redline.report.figures import as_figure, p_agreement_figure
    from redline.report.png import to_matplotlib

    run = run_sweep(load(examples / "donbas-2026.yaml", assume={FT: True}), draws=200, seed=3)
    main, branch = run.integrated, run.assumed
    bars = as_figure(p_agreement_figure(main, branch)).data[0]
    p = np.array([main.p_agreement, branch.p_agreement])
    low, high = np.array([main.p_agreement_interval, branch.p_agreement_interval]).T
    assert bars.error_y.symmetric is False
    np.testing.assert_allclose(p + np.asarray(bars.error_y.array), high, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p - np.asarray(bars.error_y.arrayminus), low, rtol=0, atol=1e-15)
    # The slide PNG draws the same asymmetric bars.
    axes = to_matplotlib(p_agreement_figure(main, branch)).axes[0]
    (bar_lines,) = axes.collections  # the error bars: one vertical segment per bar
    ends = np.sort(np.array([seg[:, 1] for seg in bar_lines.get_segments()]), axis=1)
    np.testing.assert_allclose(ends, np.column_stack([low, high]), atol=1e-12)


def test_the_next_move_is_advises_ranking_for_the_actor_asked(tmp_path: Path, examples: Path):
    """``--advise-for ACTOR`` adds the mediator's next move: per objective, the first
    ADVICE_ROWS packages and reasons exactly as ``redline advise`` ranks them (same draws and
    seed, on the posterior of the scenario's rounds); an unknown actor is one line."""
    import html as html_module

    from redline.pipeline import run_advise
    from redline.report.html import ADVICE_ROWS

    colombia = examples / "colombia-2016.yaml"
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(colombia), "-o", str(out), "--draws", "300",
                                 "--seed", "4", "--advise-for", "government"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<a href="#advice">Next move</a>' in page
    section = page[page.index('data-section="advice"'):]
    loaded = load(colombia)
    for objective in ("accept", "value", "probe"):
        expected = run_advise(loaded, "government", objective=objective, top=ADVICE_ROWS,
                              draws=300, seed=4).to_dict()
        part = section[section.index(f'data-objective="{objective}"'):]
        part = part[:part.index("</table>")]
        for row in expected["ranked"]:
            assert html_module.escape(row["reason"], quote=True) in part
        assert part.count("<tr>") == ADVICE_ROWS + 1  # the header and the ranked rows
    assert "the posterior after 5 round(s)" in section

    plain = runner.invoke(app, ["report", str(colombia), "-o", str(tmp_path / "p.html")])
    assert plain.exit_code == 0 and 'data-section="advice"' not in (
        tmp_path / "p.html").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["report", str(colombia), "-o", str(tmp_path / "b.html"),
                              "--advise-for", "atlantis"])
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1
    assert "--advise-for: unknown actor 'atlantis' (hint: actors: government" in bad.stderr
    assert not (tmp_path / "b.html").exists()
