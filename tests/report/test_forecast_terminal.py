"""`redline forecast` on a scenario reads each value against the options, as the report does."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from redline import pipeline
from redline.report.forecasts import compare_forecasts, verdict_text
from redline.report.terminal import render_forecast


def _text(forecast, domain=None) -> str:
    console = Console(width=250, record=True, color_system=None)
    render_forecast(console, forecast, domain)
    return console.export_text()


def test_scenario_forecast_names_the_nearest_options_and_the_verdict(examples: Path):
    loaded = pipeline.load(examples / "donbas-2026.yaml")
    domain = loaded.require_domain()
    forecast = pipeline.run_forecast(loaded, "bdm").forecast
    text = _text(forecast, domain)
    (reading,) = compare_forecasts(domain, {"bdm": forecast}).readings
    for placement in reading.point.placements:
        assert placement.describe() in text
    assert verdict_text(domain, reading.point) in " ".join(text.split())
    assert "nearest options" in text


def test_a_table_file_has_no_options_to_read_against(reference_data: Path):
    loaded = pipeline.load(reference_data / "ktab" / "dummyData_3Dim.csv")
    text = _text(pipeline.run_forecast(loaded, "smp").forecast)
    assert "nearest options" not in text and "Rounded" not in text


def test_forecast_json_adds_the_nearest_options_for_a_scenario(examples: Path,
                                                               reference_data: Path):
    from redline.space.options import read_forecast

    loaded = pipeline.load(examples / "camp-david-1978.yaml")
    run = pipeline.run_forecast(loaded, "median")
    data = run.to_dict()
    domain = loaded.require_domain()
    expected = read_forecast(domain, run.forecast.point).to_dict(domain)
    assert data["nearest_options"] == expected
    assert set(expected["issues"]) == {i.id for i in domain.issues}
    assert {k: v for k, v in data.items() if k != "nearest_options"} == \
        run.forecast.to_dict()  # every other field as before
    ktab = pipeline.run_forecast(pipeline.load(reference_data / "ktab" / "dummyData_3Dim.csv"),
                                 "smp").to_dict()
    assert "nearest_options" not in ktab
