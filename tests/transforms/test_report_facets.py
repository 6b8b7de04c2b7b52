"""The report's facets section: tool calling (exact) and programming (an estimate) by country, worked by hand;
"estimate" on every sampled figure; each dataset's own citation line and the licence; both layouts."""

from __future__ import annotations

import datetime as dt

from transforms.report.facets import FacetsData, write_facets_text
from transforms.report.templating import environment

AS_OF = dt.datetime(2026, 4, 6, 2)


def table(rows: list[tuple], columns: list[str]) -> list[dict]:
    return [dict(zip(columns, row)) for row in rows]


def data(**overrides) -> FacetsData:
    countries = table([
        # tool calling top 9: CN 210, US 140, unattributed 98 of 448
        ("modality", "tool_calling", "chart_top9", "CN", 210, 210 / 448),
        ("modality", "tool_calling", "chart_top9", "US", 140, 140 / 448),
        ("modality", "tool_calling", "chart_top9", "unattributed", 98, 98 / 448),
        ("category", "programming", "estimate", "CN", 600, 600 / 900),
        ("category", "programming", "estimate", "US", 300, 300 / 900),
    ], ["facet", "facet_value", "basis", "country", "tokens", "share"])
    usage = table([("modality", "tool_calling", False, 490, 0.7), ("category", "programming", True, 1000, 0.8)],
                  ["facet", "facet_value", "is_estimate", "tokens", "share"])
    streaks = table([("category:programming", "CN", "US", "estimate", 2),
                     ("modality:tool_calling", "CN", "US", "chart_top9", 1),
                     ("modality:audio", "US", "CN", "chart_top9", 4)],
                    ["scope", "subject", "rival", "basis", "streak_weeks"])
    fields = dict(countries=countries, usage=usage, streaks=streaks,
                  as_of={"rankings-daily-facets": AS_OF, "rankings-weekly-estimates": AS_OF})
    return FacetsData(**{**fields, **overrides})


def test_country_shares_of_the_top9_with_estimates_marked():
    text = write_facets_text(data())
    assert text.rows == [
        {"label": "Tool calling", "basis": "exact", "china": "46.9%", "us": "31.2%", "others": "21.9%",
         "traffic": "70.0% of all tokens"},
        {"label": "Programming (estimate)", "basis": "estimate", "china": "66.7% (estimate)",
         "us": "33.3% (estimate)", "others": "0.0% (estimate)",
         "traffic": "80.0% of the categorised tokens (estimate)"},
    ]
    assert text.notes[2:] == ["Programming: China's models ahead of the US's for 2 consecutive weeks (estimate)",
                              "Tool calling: China's models ahead of the US's this week"]  # audio is not shown
    assert text.citations == [
        "Tool calling (exact): Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z. "
        "Licensed under CC BY 4.0.",
        "Programming (estimate): Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z. "
        "Licensed under CC BY 4.0.",
    ]


def test_a_facet_not_loaded_says_so_and_only_loaded_datasets_are_cited():
    empty = data(countries=data().countries[:3], as_of={"rankings-daily-facets": AS_OF,
                                                              "rankings-weekly-estimates": None})
    text = write_facets_text(empty)
    assert text.rows[1]["china"] == "not loaded" and len(text.citations) == 1


def test_both_layouts_show_the_section():
    text = write_facets_text(data())
    markdown = environment().get_template("_facets.md.j2").render(facets=text)
    assert "| Programming (estimate) | estimate | 66.7% (estimate) | 33.3% (estimate) |" in markdown
    assert markdown.count("Licensed under CC BY 4.0.") == 2
    html = environment().get_template("_facets.html.j2").render(facets=text)
    assert "<strong>estimate</strong>" in html and html.count('class="citation"') == 2


def test_others_is_the_rest_of_the_top9_never_a_negative_zero():
    # 0.064 + 0.936 is a hair over 1 in floating point: 1 - 0.064 - 0.936 printed "-0.0%"
    countries = table([("modality", "tool_calling", "chart_top9", "CN", 64, 64 / 1000),
                       ("modality", "tool_calling", "chart_top9", "US", 936, 936 / 1000)],
                      ["facet", "facet_value", "basis", "country", "tokens", "share"])
    assert write_facets_text(data(countries=countries)).rows[0]["others"] == "0.0%"
