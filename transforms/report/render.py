"""Lays one week's report out as Markdown (charts linked by file name) and as one self-contained HTML page
(charts as SVG data URIs, CSS inline: it opens offline with nothing beside it). The site's week page is
the same template with files beside it (`week_page_context`)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from transforms.report.apps import APPS_STEM, AppsText, apps_chart, apps_stamp, describe_apps, write_apps_text
from transforms.report.charts import CHARTS, LAYOUTS
from transforms.report.data import ReportData, Row
from transforms.report.facets import FacetsText, write_facets_text
from transforms.report.snapshots import SnapshotsText, write_snapshots_text
from transforms.report.svg import Stamp, SvgImage
from transforms.report.templating import LICENCE, environment
from transforms.report.text import ReportText, format_as_of, write_text

NARROW = "-narrow"


@dataclass(frozen=True)
class ChartImage:
    """One chart in both layouts, with what the page says about it."""

    stem: str
    alt: str
    """The chart's point, in words: the <img> alt text (also the SVG's <desc>)."""
    caption: str | None
    layouts: dict[str, SvgImage]
    """File-name suffix ('' wide, '-narrow') -> the drawn image."""

    def file_name(self, suffix: str = "") -> str:
        return f"{self.stem}{suffix}.svg"


@dataclass(frozen=True)
class RenderedReport:
    """One week's report, ready to write."""

    week_start: dt.date
    text: ReportText
    images: list[ChartImage]
    markdown: str
    """The content of report.md; charts are linked by file name, relative to the report's directory."""
    artifact_markdown: str
    """The same text without chart links, for a Prefect markdown artifact (it cannot see the files)."""
    html: str
    """The self-contained report.html."""
    synthetic: bool

    @property
    def charts(self) -> dict[str, bytes]:
        """File name -> SVG bytes of the wide charts (the files beside report.md)."""
        return {image.file_name(): image.layouts[""].svg.encode("utf-8") for image in self.images}

    @property
    def chart_files(self) -> dict[str, bytes]:
        """File name -> SVG bytes of every chart in every layout (the files beside a site page)."""
        return {image.file_name(suffix): drawn.svg.encode("utf-8")
                for image in self.images for suffix, drawn in image.layouts.items()}

    @property
    def top10(self) -> list[Row]:
        return self.text.top10

    @property
    def headline(self) -> str:
        """The week's story in one paragraph ("Total usage rose 18.9% to 27.0T tokens. ...")."""
        return " ".join(self.text.headline)


def stamp(data: ReportData, as_of: dt.datetime | None = None) -> Stamp:
    """The source line every chart of `data` carries (as_of of the report's week unless given)."""
    as_of = data.week_totals["as_of"] if as_of is None else as_of
    return Stamp(citation=f"Source: OpenRouter (openrouter.ai/rankings), as of {format_as_of(as_of)}.",
                 synthetic=data.synthetic)


def chart_images(data: ReportData) -> list[ChartImage]:
    chart_stamp = stamp(data)
    return [
        ChartImage(spec.stem, spec.describe(data), spec.caption,
                   {suffix: spec.draw(data, layout, chart_stamp) for suffix, layout in LAYOUTS.items()})
        for spec in CHARTS
    ] + apps_images(data)


def apps_images(data: ReportData) -> list[ChartImage]:
    """The Apps section's chart, when the week has an overall app list (else none)."""
    if data.apps is None or not data.apps.top10:
        return []
    apps_chart_stamp = apps_stamp(data.apps, data.synthetic)
    return [ChartImage(APPS_STEM, describe_apps(data.apps, data.week_start), None,
                       {suffix: apps_chart(data.apps, data.week_start, layout, apps_chart_stamp)
                        for suffix, layout in LAYOUTS.items()})]


def apps_context(data: ReportData, app_href: Callable[[int], str | None] = lambda app_id: None,
                 apps_index: str | None = None) -> dict | None:
    """The Apps section of the week template: its text and table rows with their links (None: no section)."""
    if data.apps is None:
        return None
    text = write_apps_text(data.apps)
    return {"text": text, "rows": [{**row, "href": app_href(row["app_id"])} for row in text.top10],
            "index": apps_index}


def data_uri(image: SvgImage) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(image.svg.encode("utf-8")).decode("ascii")


def figure(image: ChartImage, source: Callable[[ChartImage, str], str]) -> dict:
    """What the `figure` macro needs: both layouts' sources and sizes, alt text and caption."""
    wide, narrow = image.layouts[""], image.layouts[NARROW]
    return {"src": source(image, ""), "width": wide.width, "height": wide.height,
            "narrow_src": source(image, NARROW), "narrow_width": narrow.width, "narrow_height": narrow.height,
            "alt": image.alt, "caption": image.caption}


def week_page_context(
    text: ReportText,
    images: list[ChartImage],
    source: Callable[[ChartImage, str], str],
    model_href: Callable[[str], str | None] = lambda slug: None,
    country_href: Callable[[str], str | None] = lambda code: None,
    **site: object,
) -> dict:
    """The week template's context. `source(image, suffix)` gives an image's src; the hrefs link the
    table's models and countries (the site's pages; none in report.html). `site` adds `nav`, `pager`
    and `stylesheet`."""
    rows = [
        {**row, "model_href": model_href(row["model_permaslug"]), "country_href": country_href(row["country"])}
        for row in text.top10
    ]
    return {
        "page_title": text.title, "text": text, "top10": rows, "citation": text.citation, "licence": LICENCE,
        "synthetic_notice": text.synthetic_notice,
        "images": {image.stem: figure(image, source) for image in images},
        "nav": None, "pager": None, "stylesheet": None, "apps": None, **site,
    }


def _markdown(text: ReportText, images: list[ChartImage], with_charts: bool, apps: AppsText | None = None,
              facets: FacetsText | None = None, snapshots: SnapshotsText | None = None) -> str:
    by_stem = {image.stem: image for image in images}

    def chart(stem: str) -> str:
        image = by_stem[stem]
        return f"![{image.alt}]({image.file_name()})\n\n" if with_charts else ""

    return environment().get_template("report.md.j2").render(
        text=text, top10=text.top10, chart=chart, licence=LICENCE, apps=apps, facets=facets, snapshots=snapshots
    )


def render(data: ReportData) -> RenderedReport:
    """Text, charts and both layouts of one week's report."""
    text = write_text(data)
    images = chart_images(data)
    apps = apps_context(data)
    facets = None if data.facets is None else write_facets_text(data.facets)
    snapshots = None if data.snapshots is None else write_snapshots_text(data.snapshots)
    html = environment().get_template("week.html.j2").render(
        week_page_context(text, images, lambda image, suffix: data_uri(image.layouts[suffix]), apps=apps,
                          facets=facets, snapshots=snapshots)
    )
    apps_text = None if apps is None else apps["text"]
    return RenderedReport(
        week_start=data.week_start, text=text, images=images,
        markdown=_markdown(text, images, True, apps_text, facets, snapshots),
        artifact_markdown=_markdown(text, images, False, apps_text, facets, snapshots), html=html,
        synthetic=data.synthetic,
    )
