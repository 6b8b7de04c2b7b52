"""Lays the report out as Markdown (charts linked by file name) and as one self-contained HTML page
(charts as base64 data URIs, inline CSS: it opens offline, with nothing beside it)."""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass

import pandas as pd

from transforms.report.charts import CHART_SIZE_PX, CHARTS
from transforms.report.data import ReportData
from transforms.report.text import ReportText, write_text

CHART_ALT = {
    "weekly_tokens.png": "Weekly tokens, up to the last 26 weeks: total, and China vs US (top-9 models)",
    "top10_models.png": "The week's top 10 models: tokens and week-on-week change, coloured by maker's country",
    "cn_vs_us_lead.png": "China minus US tokens week by week (top-9 models), current streak marked",
}
TABLE_HEADER = ["#", "Model", "Country", "Tokens", "Week on week", "Rank change"]

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1f23; margin: 0; background: #fafafa; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 1.6em; margin-top: 0; }
.synthetic { background: #fff3cd; border: 2px solid #d39e00; color: #5c4400; padding: 12px 16px;
             font-weight: 600; margin-bottom: 16px; }
.notice { background: #eef3fb; border-left: 4px solid #1f77b4; padding: 8px 12px; }
.headline { font-size: 1.1em; line-height: 1.5; }
figure { margin: 24px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 32px; border-top: 1px solid #ddd; padding-top: 8px; color: #333; }
"""


@dataclass(frozen=True)
class RenderedReport:
    """One week's report, ready to write: file name -> PNG bytes, Markdown, HTML, and the top-10 table."""

    week_start: dt.date
    markdown: str
    """The content of report.md; charts are linked by file name, relative to the report's directory."""
    artifact_markdown: str
    """The same text without chart links, for a Prefect markdown artifact (it cannot see the PNG files)."""
    html: str
    charts: dict[str, bytes]
    top10: pd.DataFrame
    synthetic: bool
    headline: str
    """The week's story in one paragraph ("Total usage rose 18.9% to 27.0T tokens. ...")."""


def _table_cells(row: pd.Series) -> list[str]:
    return [str(row["rank"]), row["model"], row["country"], row["tokens_T"], row["wow_change"], row["rank_change"]]


def to_markdown(text: ReportText, chart_files: list[str] | None) -> str:
    """The report as Markdown; with `chart_files` None, charts are left out."""

    def chart(name: str) -> list[str]:
        return [f"![{CHART_ALT[name]}]({name})", ""] if chart_files and name in chart_files else []

    lines = [f"# {text.title}", ""]
    if text.synthetic_notice:
        lines += [f"> **{text.synthetic_notice}**", ""]
    for notice in text.notices:
        lines += [f"> {notice}", ""]
    lines += [" ".join(text.headline), "", text.basis_note, ""]
    lines += chart("weekly_tokens.png")
    lines += ["## Top 10 models", ""]
    lines += ["| " + " | ".join(TABLE_HEADER) + " |", "|---:|---|---|---:|---:|:---:|"]
    for _, row in text.top10.iterrows():
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in _table_cells(row)) + " |")
    lines.append("")
    lines += [f"{note}\n" for note in (text.table_note, text.bounds_note) if note]
    lines += chart("top10_models.png")
    lines += ["## China vs US", "", text.lead_note, ""]
    lines += chart("cn_vs_us_lead.png")
    lines += ["## Unattributed models", "", text.unattributed, ""]
    lines += ["## Restated figures", "", text.restated_intro, ""]
    if text.restated:
        lines += [f"- {line}" for line in text.restated] + [""]
    lines += ["---", "", text.citation, ""]
    return "\n".join(lines)


def to_html(text: ReportText, charts: dict[str, bytes]) -> str:
    """The report as one HTML page that needs no other file: charts are embedded as data URIs."""
    e = html.escape
    width, height = CHART_SIZE_PX

    def figure(name: str) -> str:
        if name not in charts:
            return ""
        data = base64.b64encode(charts[name]).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{e(CHART_ALT[name])}" '
            f'width="{width}" height="{height}"><figcaption>{e(CHART_ALT[name])}</figcaption></figure>'
        )

    numeric = {0, 3, 4}
    header = "".join(f'<th{" class=num" if i in numeric else ""}>{e(h)}</th>' for i, h in enumerate(TABLE_HEADER))
    rows = "".join(
        "<tr>" + "".join(
            f'<td{" class=num" if i in numeric else ""}>{e(cell)}</td>' for i, cell in enumerate(_table_cells(row))
        ) + "</tr>"
        for _, row in text.top10.iterrows()
    )
    parts = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(text.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>"]
    if text.synthetic_notice:
        parts.append(f'<div class="synthetic" role="alert">{e(text.synthetic_notice)}</div>')
    parts.append(f"<h1>{e(text.title)}</h1>")
    parts += [f'<p class="notice">{e(notice)}</p>' for notice in text.notices]
    parts += [f'<p class="headline">{e(" ".join(text.headline))}</p>', f"<p>{e(text.basis_note)}</p>"]
    parts.append(figure("weekly_tokens.png"))
    parts += ["<h2>Top 10 models</h2>", f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"]
    parts += [f"<p>{e(note)}</p>" for note in (text.table_note, text.bounds_note) if note]
    parts.append(figure("top10_models.png"))
    parts += ["<h2>China vs US</h2>", f"<p>{e(text.lead_note)}</p>", figure("cn_vs_us_lead.png")]
    parts += ["<h2>Unattributed models</h2>", f"<p>{e(text.unattributed)}</p>"]
    parts += ["<h2>Restated figures</h2>", f"<p>{e(text.restated_intro)}</p>"]
    if text.restated:
        parts.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in text.restated) + "</ul>")
    parts += [f'<footer><p class="citation">{e(text.citation)}</p></footer>', "</main>", "</body>", "</html>", ""]
    return "\n".join(part for part in parts if part)


def render(data: ReportData) -> RenderedReport:
    """Text, charts and both layouts of one week's report."""
    text = write_text(data)
    charts = {name: draw(data) for name, draw in CHARTS.items()}
    return RenderedReport(
        week_start=data.week_start,
        markdown=to_markdown(text, list(charts)),
        artifact_markdown=to_markdown(text, None),
        html=to_html(text, charts),
        charts=charts,
        top10=text.top10,
        synthetic=data.synthetic,
        headline=" ".join(text.headline),
    )
