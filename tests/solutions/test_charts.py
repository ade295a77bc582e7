"""The sizing charts: valid SVG a screen reader can describe, the target where it belongs, labels escaped."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.solutions.charts import MARGIN, nice_ticks, response_time_chart, utilisation_chart
from salesdesk.solutions.workload import catalog_items, run_sizing

SVG = "{http://www.w3.org/2000/svg}"
CATALOG = catalog_items(
    [
        {"sku": "WEB-L", "name": "Web large", "price": "1700.00", "specs": {"cores": 4}},
        {"sku": "DB-2", "name": "DB pair", "price": "5500.00", "specs": {"cores": 2}},
    ]
)


def sized(tier_name="web"):
    return run_sizing(
        {
            "peak_arrival_rate": 40,
            "growth_per_year": 0.2,
            "years": 3,
            "response_time": 0.25,
            "tiers": [
                {"name": tier_name, "service_demand": 0.05, "skus": ["WEB-L"], "max_units": 8},
                {"name": "db", "service_demand": 0.02, "skus": ["DB-2"], "max_units": 2},
            ],
        },
        [],
        CATALOG,
    )


@pytest.fixture(scope="module")
def result():
    return sized()


def parse(svg):
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_response_chart_is_described_for_screen_readers(result):
    root = parse(response_time_chart(result))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title").text
    desc = root.find(f"{SVG}desc").text
    assert title == "Response time (p95) against load"
    assert "p95 ≤ 250 ms" in desc and "year 1 at 40.0 requests/s" in desc.lower()
    assert root.get("aria-labelledby") == "response-chart-title response-chart-desc"


def test_response_chart_draws_the_requirement_line_at_the_target(result):
    svg = response_time_chart(result)
    root = parse(svg)
    labels = texts(root)
    assert "Requirement: p95 ≤ 250 ms" in labels
    assert "Peak load (requests per second)" in labels and "p95 response time (s)" in labels
    # The target line sits at 0.25 s on the y axis whose ticks are labelled 0 … 0.5.
    target = next(line for line in root.iter(f"{SVG}line") if line.get("class") == "target")
    y_labels = [
        el for el in root.iter(f"{SVG}text") if el.get("text-anchor") == "end" and el.text in ("0", "0.5")
    ]
    ticks = {el.text: float(el.get("y")) - 3.5 for el in y_labels}
    y_zero, y_half = ticks["0"], ticks["0.5"]
    assert float(target.get("y1")) == pytest.approx(y_zero + (y_half - y_zero) / 2, abs=0.2)
    assert any(label.startswith("target breaks at 60.6") for label in labels)


def test_each_contract_year_is_a_point_on_the_curve(result):
    root = parse(response_time_chart(result))
    years = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "year"]
    notes = [c.find(f"{SVG}title").text for c in years]
    assert notes == [
        "Year 1: 40.0 requests/s, p95 188 ms, headroom 51 %",
        "Year 2: 48.0 requests/s, p95 201 ms, headroom 26 %",
        "Year 3: 57.6 requests/s, p95 233 ms, headroom 5 %",
    ]
    assert {"Y1", "Y2", "Y3"} <= set(texts(root))


def test_the_curve_rises_and_is_cut_at_the_top_of_the_plot(result):
    root = parse(response_time_chart(result))
    curve = next(p for p in root.iter(f"{SVG}polyline") if p.get("class") == "curve")
    points = [tuple(map(float, xy.split(","))) for xy in curve.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # SVG y grows downwards: the time only rises
    assert min(ys) >= MARGIN["top"] - 0.1  # never drawn above the plot area


def test_utilisation_chart_has_a_line_per_tier_and_the_cap(result):
    root = parse(utilisation_chart(result))
    tiers = [p for p in root.iter(f"{SVG}polyline") if p.get("class") == "tier"]
    assert [p.find(f"{SVG}title").text for p in tiers] == [
        "web: year 1 50 %, year 2 60 %, year 3 72 %",
        "db: year 1 40 %, year 2 48 %, year 3 58 %",
    ]
    labels = texts(root)
    assert "Cap: 80 % utilisation" in labels and "100 %" in labels
    assert "web is the busiest tier" in root.find(f"{SVG}desc").text


def test_tier_names_are_escaped():
    hostile = sized(tier_name='<script>alert("x")</script>')
    for svg in (response_time_chart(hostile), utilisation_chart(hostile)):
        assert "<script>" not in svg
        parse(svg)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in utilisation_chart(hostile)


def test_no_configuration_no_chart():
    failed = {"ok": False, "error": "no configuration", "objective": {"statistic": "p95"}}
    assert response_time_chart(failed) == "" and utilisation_chart(failed) == ""


@given(
    low=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    span=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
)
def test_nice_ticks_cover_the_range_in_even_round_steps(low, span):
    high = low + span
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low + 1e-9 * max(1.0, abs(low)) and ticks[-1] >= high - 1e-9 * max(1.0, abs(high))
    assert 2 <= len(ticks) <= 12
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert max(steps) - min(steps) <= 1e-6 * max(steps)


def test_on_a_page_the_chart_scales_to_its_column(result):
    page = parse(response_time_chart(result, responsive=True))
    document = parse(response_time_chart(result))
    assert (page.get("width"), page.get("height")) == ("100%", None)
    assert (document.get("width"), document.get("height")) == ("640", "340")
    assert page.get("viewBox") == document.get("viewBox") == "0 0 640 340"


def test_years_too_close_to_label_apart_share_one_label():
    # 5, 6 and 7.2 requests/s on a system that saturates at 80: the markers are pixels apart.
    light = run_sizing(
        {
            "peak_arrival_rate": 5,
            "growth_per_year": 0.2,
            "years": 3,
            "response_time": 0.25,
            "tiers": [
                {"name": "web", "service_demand": 0.05, "skus": ["WEB-L"], "max_units": 8},
                {"name": "db", "service_demand": 0.02, "skus": ["DB-2"], "max_units": 2},
            ],
        },
        [],
        CATALOG,
    )
    for svg in (response_time_chart(light), utilisation_chart(light)):
        labels = [t for t in texts(parse(svg)) if t.startswith("Y")]
        assert labels == ["Y1–Y3"]
    # Far apart, each year has its own label (the 40 requests/s example).
    assert [t for t in texts(parse(response_time_chart(sized()))) if t.startswith("Y")] == ["Y1", "Y2", "Y3"]
