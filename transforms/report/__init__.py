"""The weekly report, built purely from DataFrames: text, SVG charts, Markdown and a self-contained HTML page.

`warehouse.report_store` reads the derived tables into a `ReportData` and writes what `render` returns;
`transforms.site` lays the same report out as the static site's week pages.
"""

from transforms.report.data import ReportData
from transforms.report.render import RenderedReport, render

__all__ = ["ReportData", "RenderedReport", "render"]
