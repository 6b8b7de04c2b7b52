"""Every page of the static site, as `PageSpec`s: what the page shows (its key) and how to draw it.

A page's key is a sha256 of everything it is drawn from — the warehouse rows, the links it carries,
whether the data are synthetic — so `warehouse.site_store` redraws a page only when its key changed.
Drawing (charts above all) is the costly part and happens only in `PageSpec.render`.

Page families with a whole-history page per key are `SECTIONS`: models and countries today. App
rankings slot in as one more `Section` (a folder, a title and a function from `HistoryData` to pages)
once the warehouse loads them; the navigation and the build pick every section up from there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

from transforms.report.charts import CHARTS, LAYOUTS, WeeklySeries, country_label, history_chart
from transforms.report.data import HistoryData, ReportData, Row, group_by, missing
from transforms.report.numbers import chart_unit, count_of, fmt_fixed, fmt_pct, fmt_share
from transforms.report.apps import apps_citation
from transforms.report.render import ChartImage, apps_context, chart_images, figure, stamp, week_page_context
from transforms.report.svg import Stamp
from transforms.report.templating import LICENCE, environment, stylesheet
from transforms.report.text import (
    CITATION, SYNTHETIC_NOTICE, format_as_of, index_sentence, week_span, wow_change, write_text,
)
from transforms.site.links import INDEX, STYLESHEET, folder_names, href, item_path, section_index, week_path

OVERVIEW_CHARTS = ("weekly_models", "country_share")
"""The charts of the index page, drawn over every loaded week."""


@dataclass(frozen=True)
class PageSpec:
    """One page: its site path, the key of the data it shows, and a function drawing its files
    (site path -> bytes; the page itself and its charts)."""

    path: str
    key: str
    render: Callable[[], dict[str, bytes]]


def data_key(*parts: object) -> str:
    """A sha256 over `parts`, each as sorted JSON (rows and their values: floats exact, dates in ISO)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _report_key(data: ReportData) -> list[object]:
    apps = [] if data.apps is None else [data.apps.top10, data.apps.leaders, data.apps.trending, data.apps.as_of]
    return [data.week_start, data.synthetic, data.totals, data.countries, data.models, data.streaks, data.restated,
            data.top9, data.authors, data.country_shares, data.lead, *apps]


@dataclass(frozen=True)
class SiteMap:
    """Where every page is: the weeks loaded, and each model's and country's folder."""

    weeks: list[dt.date]
    models: dict[str, str]
    """permaslug -> folder under models/."""
    countries: dict[str, str]
    """country code -> folder under countries/."""
    apps: dict[int, str] = field(default_factory=dict)
    """app_id -> folder under apps/ (the id: names repeat and change)."""

    @classmethod
    def of(cls, history: HistoryData) -> "SiteMap":
        return cls(
            weeks=[row["week_start"] for row in history.weeks],
            models=folder_names(sorted(row["model_permaslug"] for row in history.model_summary)),
            countries=folder_names(sorted(row["country"] for row in history.country_summary)),
            apps={} if history.app_summary is None else {int(row["app_id"]): str(int(row["app_id"]))
                                                        for row in history.app_summary},
        )

    def app(self, app_id: int) -> str:
        return item_path("apps", self.apps[app_id])

    def model(self, slug: str) -> str:
        return item_path("models", self.models[slug])

    def country(self, code: str) -> str:
        return item_path("countries", self.countries[code])


@dataclass(frozen=True)
class Section:
    """A family of whole-history pages, with an index page listing them."""

    folder: str
    title: str
    pages: Callable[[HistoryData, SiteMap], list[PageSpec]]


def nav(page: str) -> list[dict]:
    """The site's navigation bar as seen from `page` (the same on every page, so it never changes a key)."""
    items = [("tokenrank", INDEX)] + [(section.title, section_index(section.folder)) for section in SECTIONS]
    return [{"label": label, "href": href(page, target), "current": target == page} for label, target in items]


def _chrome(page: str, title: str, as_of: dt.datetime, synthetic: bool) -> dict:
    """What every page has: title, navigation, stylesheet, source line with as_of, licence, SYNTHETIC."""
    return {"page_title": title, "nav": nav(page), "stylesheet": href(page, STYLESHEET),
            "citation": CITATION.format(as_of=format_as_of(as_of)), "licence": LICENCE,
            "synthetic_notice": SYNTHETIC_NOTICE if synthetic else None}


def _render(template: str, context: dict) -> bytes:
    return environment().get_template(template).render(context).encode("utf-8")


def _day(week: dt.date) -> str:
    return f"{week.day} {week:%b %Y}"


def _files(page: str, images: list[ChartImage], prefix: str = "") -> dict[str, bytes]:
    folder = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    return {f"{folder}{prefix}{image.file_name(suffix)}": drawn.svg.encode("utf-8")
            for image in images for suffix, drawn in image.layouts.items()}


def _source(prefix: str = "") -> Callable[[ChartImage, str], str]:
    return lambda image, suffix: f"{prefix}{image.file_name(suffix)}"


# ------------------------------------------------------------------------------------------ weeks


def week_page(data: ReportData, site: SiteMap) -> PageSpec:
    """One week's report with its charts beside it, links to the models and countries in its table, and
    to the weeks before and after it."""
    path = week_path(data.week_start)
    position = site.weeks.index(data.week_start)
    pager = {
        "previous": ({"href": href(path, week_path(site.weeks[position - 1])),
                      "label": f"Week of {_day(site.weeks[position - 1])}"} if position > 0 else None),
        "next": ({"href": href(path, week_path(site.weeks[position + 1])),
                  "label": f"Week of {_day(site.weeks[position + 1])}"} if position + 1 < len(site.weeks) else None),
    }
    top = data.ranked[:10]
    model_links = {row["model_permaslug"]: href(path, site.model(row["model_permaslug"]))
                   for row in top if row["model_permaslug"] in site.models}
    country_links = {row["country"]: href(path, site.country(row["country"]))
                     for row in top if row["country"] in site.countries}
    app_links = ({} if data.apps is None else
                 {int(row["app_id"]): href(path, site.app(int(row["app_id"])))
                  for row in data.apps.top10 if int(row["app_id"]) in site.apps})
    apps_index = href(path, section_index("apps"))

    def render() -> dict[str, bytes]:
        images = chart_images(data)
        context = week_page_context(
            write_text(data), images, _source(), model_links.get, country_links.get,
            nav=nav(path), pager=pager, stylesheet=href(path, STYLESHEET),
            apps=apps_context(data, app_links.get, apps_index),
        )
        return {**_files(path, images), path: _render("week.html.j2", context)}

    return PageSpec(path, data_key(*_report_key(data), pager, model_links, country_links,
                                   {str(k): v for k, v in app_links.items()}), render)


def index_page(weeks: list[ReportData], overview: ReportData, history: HistoryData, site: SiteMap) -> PageSpec:
    """Every loaded week, newest first, each with its headline sentence; the overview charts over all
    weeks; links to the models and countries."""
    entries = [
        {"href": week_path(data.week_start), "title": "W" + week_span(data.week_start)[1:],
         "sentence": index_sentence(data),
         "partial": None if data.is_complete else f"incomplete: {int(data.week_totals['days'])} of 7 days"}
        for data in sorted(weeks, key=lambda d: d.week_start, reverse=True)
    ]
    first, last = site.weeks[0], site.weeks[-1]
    countries = sum(1 for row in history.country_summary if row["country"] != "unattributed")
    summary = (
        f"{count_of(len(history.weeks), 'week')} loaded, from the week of {_day(first)} to the week of {_day(last)}: "
        f"{count_of(len(history.model_summary), 'model')} ranked, by makers from "
        f"{count_of(countries, 'country', 'countries')}."
    )
    sections = [{"href": section_index(s.folder), "title": s.title} for s in SECTIONS]

    def render() -> dict[str, bytes]:
        chart_stamp = stamp(overview)
        images = [
            ChartImage(spec.stem, spec.describe(overview), spec.caption,
                       {suffix: spec.draw(overview, layout, chart_stamp) for suffix, layout in LAYOUTS.items()})
            for spec in CHARTS if spec.stem in OVERVIEW_CHARTS
        ]
        context = {
            **_chrome(INDEX, "tokenrank: OpenRouter usage, week by week", overview.week_totals["as_of"],
                      overview.synthetic),
            "summary": summary, "weeks": entries, "sections": sections,
            "images": [figure(image, _source("charts/")) for image in images],
        }
        return {**_files(INDEX, images, "charts/"), INDEX: _render("index.html.j2", context)}

    return PageSpec(INDEX, data_key(*_report_key(overview), entries, summary, sections), render)


# ------------------------------------------------------------------------------------------ models


def _weeks_between(count: int, first: dt.date, last: dt.date) -> str:
    """'1 week, the week of 30 Mar 2026' or '5 weeks, from the week of 2 Mar 2026 to the week of 30 Mar 2026'."""
    if first == last:
        return f"{count_of(count, 'week')}, the week of {_day(first)}"
    return f"{count_of(count, 'week')}, from the week of {_day(first)} to the week of {_day(last)}"


def _week_link(page: str, week: dt.date) -> dict:
    return {"href": href(page, week_path(week)), "label": _day(week)}


def _history_weeks(site: SiteMap, first: dt.date, last: dt.date) -> list[dt.date]:
    return [week for week in site.weeks if first <= week <= last]


def _as_of(rows: list[Row]) -> dt.datetime:
    """The latest as_of of `rows`."""
    return max(row["as_of"] for row in rows)


def _stamp(as_of: dt.datetime, synthetic: bool) -> Stamp:
    return Stamp(CITATION.format(as_of=format_as_of(as_of)), synthetic)


def _chronological(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: row["week_start"])


def model_page(summary: Row, rows: list[Row], history: HistoryData, site: SiteMap) -> PageSpec:
    """One model's whole history: a chart of its weekly tokens and a row per week it was ranked.
    `summary` is its model_summary row, `rows` its rows of `history.models`."""
    slug = summary["model_permaslug"]
    path = site.model(slug)
    rows = _chronological(rows)
    weeks = _history_weeks(site, summary["first_week"], summary["last_week"])
    unit = chart_unit(max(row["tokens_upper"] for row in rows))
    name = summary["display_name"]
    peak = max(rows, key=lambda row: row["tokens"])
    latest = rows[-1]
    facts = {
        "slug": slug, "author": summary["author"], "country": country_label(summary["country"]),
        "country_href": href(path, site.country(summary["country"])) if summary["country"] in site.countries else None,
        "ranked": (f"Ranked in {_weeks_between(int(summary['weeks']), summary['first_week'], summary['last_week'])}; "
                   f"best rank #{int(summary['best_rank'])}; peak {fmt_fixed(summary['peak_tokens'], unit)} in a week."),
    }
    description = (
        f"Weekly tokens of {name}, ranked in {_weeks_between(int(summary['weeks']), summary['first_week'], summary['last_week'])}: "
        f"{fmt_fixed(latest['tokens'], unit)} (#{int(latest['rank'])}) in the latest, a peak of "
        f"{fmt_fixed(peak['tokens'], unit)} in the week of {_day(peak['week_start'])}."
    )
    series = WeeklySeries(
        title=f"{name}: weekly tokens",
        subtitle=f"Every week from its first to its latest ranked week ({count_of(len(weeks), 'week')}).",
        rows=rows, weeks=weeks, fill_code=summary["country"], has_upper=True,
    )
    as_of = _as_of(rows)
    chart_stamp = _stamp(as_of, history.synthetic)

    def render() -> dict[str, bytes]:
        table = [
            {"week": _week_link(path, row["week_start"]), "partial": not row["is_complete"],
             "rank": f"#{int(row['rank'])}",
             "tokens": fmt_fixed(row["tokens"], unit) + (f" (≤{fmt_fixed(row['tokens_upper'], unit)})"
                                                         if row["tokens_upper"] > row["tokens"] else ""),
             "share": fmt_share(row["share"]), "days": f"{int(row['days_in_top50'])} of {int(row['days'])}",
             "change": wow_change(row)}
            for row in reversed(rows)
        ]
        image = ChartImage("history", description, None,
                           {suffix: history_chart(series, layout, chart_stamp, description)
                            for suffix, layout in LAYOUTS.items()})
        context = {**_chrome(path, f"{name}: weekly tokens on OpenRouter", as_of, history.synthetic),
                   "name": name, "facts": facts, "rows": table, "image": figure(image, _source())}
        return {**_files(path, [image]), path: _render("model.html.j2", context)}

    # The table is drawn from the rows alone: the key need not hold it.
    return PageSpec(path, data_key(rows, summary, weeks, facts, history.synthetic), render)


def model_pages(history: HistoryData, site: SiteMap) -> list[PageSpec]:
    path = section_index("models")
    rows = [
        {"href": href(path, site.model(row["model_permaslug"])), "name": row["display_name"],
         "slug": row["model_permaslug"], "country": country_label(row["country"]), "weeks": int(row["weeks"]),
         "last": _week_link(path, row["last_week"]), "best": f"#{int(row['best_rank'])}",
         "peak": fmt_fixed(row["peak_tokens"], "T")}
        for row in history.model_summary
    ]
    as_of = _as_of(history.weeks)

    def render() -> dict[str, bytes]:
        context = {**_chrome(path, "Every model ranked on OpenRouter", as_of, history.synthetic), "models": rows}
        return {path: _render("models.html.j2", context)}

    index = PageSpec(path, data_key(rows, as_of, history.synthetic), render)
    by_model = group_by(history.models, "model_permaslug")
    return [index, *(model_page(row, by_model[row["model_permaslug"]], history, site) for row in history.model_summary)]


# --------------------------------------------------------------------------------------- countries


def country_page(code: str, rows: list[Row], models: list[Row], history: HistoryData, site: SiteMap) -> PageSpec:
    """One maker country's whole history: weekly tokens and share, and its models in its latest week.
    `rows` are its rows of `history.countries`, `models` its rows of `history.models`."""
    path = site.country(code)
    label = country_label(code)
    rows = _chronological(rows)
    latest_week = rows[-1]["week_start"]
    weeks = _history_weeks(site, rows[0]["week_start"], latest_week)
    unit = chart_unit(max(row["tokens"] for row in rows))
    table = [
        {"week": _week_link(path, row["week_start"]), "partial": not row["is_complete"],
         "tokens": fmt_fixed(row["tokens"], unit), "share": fmt_share(row["share"]),
         "top9": fmt_fixed(row["top9_tokens"], unit), "models": int(row["models"]),
         "change": "–" if missing(row["wow_growth"]) else fmt_pct(row["wow_growth"])}
        for row in reversed(rows)
    ]
    latest_models = sorted((row for row in models if row["week_start"] == latest_week), key=lambda row: row["rank"])
    models = [
        {"rank": f"#{int(row['rank'])}", "name": row["display_name"], "href": href(path, site.model(row["model_permaslug"])),
         "tokens": fmt_fixed(row["tokens"], unit), "share": fmt_share(row["share"])}
        for row in latest_models
    ]
    last = rows[-1]
    description = (
        f"Weekly tokens of every ranked model from makers in {label}, {count_of(len(weeks), 'week')}: "
        f"{fmt_fixed(last['tokens'], unit)} in the week of {_day(latest_week)}, {fmt_share(last['share'])} of all tokens."
    )
    series = WeeklySeries(
        title=f"{label}: weekly tokens of its ranked models",
        subtitle=f"All ranked models by makers in {label} ({count_of(len(weeks), 'week')}).",
        rows=rows, weeks=weeks, fill_code=code,
    )
    as_of = _as_of(rows)
    chart_stamp = _stamp(as_of, history.synthetic)

    def render() -> dict[str, bytes]:
        image = ChartImage("history", description, None,
                           {suffix: history_chart(series, layout, chart_stamp, description)
                            for suffix, layout in LAYOUTS.items()})
        context = {**_chrome(path, f"{label}: weekly tokens on OpenRouter", as_of, history.synthetic),
                   "name": label, "rows": table, "models": models, "latest": _day(latest_week),
                   "image": figure(image, _source())}
        return {**_files(path, [image]), path: _render("country.html.j2", context)}

    return PageSpec(path, data_key(rows, weeks, table, models, history.synthetic), render)


def country_pages(history: HistoryData, site: SiteMap) -> list[PageSpec]:
    path = section_index("countries")
    rows = [
        {"href": href(path, site.country(row["country"])), "name": country_label(row["country"]),
         "weeks": int(row["weeks"]), "share": fmt_share(row["latest_share"]),
         "first": _week_link(path, row["first_week"]), "last": _week_link(path, row["last_week"])}
        for row in history.country_summary
    ]
    as_of = _as_of(history.weeks)

    def render() -> dict[str, bytes]:
        context = {**_chrome(path, "Maker countries on OpenRouter", as_of, history.synthetic), "countries": rows,
                   "latest": _day(site.weeks[-1])}
        return {path: _render("countries.html.j2", context)}

    index = PageSpec(path, data_key(rows, as_of, history.synthetic), render)
    by_country = group_by(history.countries, "country")
    models = group_by(history.models, "country")
    return [index, *(country_page(row["country"], by_country[row["country"]], models.get(row["country"], []),
                                  history, site) for row in history.country_summary)]


# ------------------------------------------------------------------------------------------- apps


def _list_label(category: str, subcategory: str) -> str:
    """'overall', 'coding', 'coding / cli-agent': which popular list a row is from."""
    if category == "all":
        return "overall"
    return category if subcategory == "all" else f"{category} / {subcategory}"


def _app_week(page: str, week: dt.date, site: SiteMap) -> dict:
    """A week's label, linked when the site has a page for it (app weeks need not be model weeks)."""
    return {"href": href(page, week_path(week)) if week in site.weeks else None, "label": _day(week)}


def _apps_chrome(page: str, title: str, as_of: dt.datetime, synthetic: bool) -> dict:
    return {**_chrome(page, title, as_of, synthetic), "citation": apps_citation(as_of)}


def app_page(app: Row, rows: list[Row], history: HistoryData, site: SiteMap) -> PageSpec:
    """One app's whole history: a row per (week, popular list) it was ranked in (`rows`, its `history.apps` rows),
    with the name it had there."""
    app_id = int(app["app_id"])
    path = site.app(app_id)
    weeks = int(app["weeks_overall"])
    first, last = app["first_seen"], app["last_seen"]
    if not rows:
        ranked = f"Ranked only in trending lists, from the week of {_day(first)} to the week of {_day(last)}."
    else:
        ranked = f"Ranked in popular lists in {_weeks_between(len({row['week_start'] for row in rows}), first, last)}"
        ranked += (f"; {count_of(weeks, 'week')} in the overall top 200, best overall rank #{int(app['best_rank'])}."
                   if weeks else "; never in the overall list.")
    facts = {"app_id": app_id, "names": list(app["names_seen"]), "ranked": ranked}
    as_of = max(row["as_of"] for row in (rows or history.apps))

    linked = sorted({row["week_start"] for row in rows} & set(site.weeks))

    def render() -> dict[str, bytes]:
        unit = chart_unit(max(max(int(row["tokens"]) for row in rows), 1)) if rows else "B"
        table = [
            {"week": _app_week(path, row["week_start"], site), "list": _list_label(row["category"], row["subcategory"]),
             "rank": f"#{int(row['rank'])}", "tokens": fmt_fixed(row["tokens"], unit), "change": wow_change(row),
             "name": row["published_name"]}
            for row in sorted(rows, key=lambda row: row["week_start"], reverse=True)
        ]
        context = {**_apps_chrome(path, f"{app['app_name']}: weekly app rankings on OpenRouter", as_of,
                                  history.synthetic),
                   "name": app["app_name"], "facts": facts, "rows": table}
        return {path: _render("app.html.j2", context)}

    # The table is drawn from the rows and links the weeks the site has a page for: the key holds both.
    return PageSpec(path, data_key(rows, facts, linked, as_of, app["app_name"], history.synthetic), render)


def app_pages(history: HistoryData, site: SiteMap) -> list[PageSpec]:
    """The apps index (every app of dim_app, most recently ranked first) and one page per app."""
    path = section_index("apps")
    summary = history.app_summary or []
    rows = [
        {"href": href(path, site.app(int(app["app_id"]))), "name": app["app_name"], "weeks": int(app["weeks_overall"]),
         "best": "–" if missing(app["best_rank"]) else f"#{int(app['best_rank'])}",
         "first": _app_week(path, app["first_seen"], site),
         "last": _app_week(path, app["last_seen"], site)}
        for app in summary
    ]
    as_of = max(row["as_of"] for row in (history.weeks if history.apps is None else history.apps))

    def render() -> dict[str, bytes]:
        chrome = (_chrome if history.apps is None else _apps_chrome)(path, "Every app ranked on OpenRouter", as_of,
                                                                     history.synthetic)
        return {path: _render("apps.html.j2", {**chrome, "apps": rows})}

    index = PageSpec(path, data_key(rows, as_of, history.synthetic), render)
    by_app = group_by(history.apps or [], "app_id")
    return [index, *(app_page(app, by_app.get(app["app_id"], []), history, site) for app in summary)]


SECTIONS = (
    Section("models", "Models", model_pages),
    Section("countries", "Countries", country_pages),
    Section("apps", "Apps", app_pages),
)


def stylesheet_page() -> PageSpec:
    css = stylesheet()
    return PageSpec(STYLESHEET, data_key(css), lambda: {STYLESHEET: css.encode("utf-8")})


def site_pages(weeks: list[ReportData], overview: ReportData, history: HistoryData) -> list[PageSpec]:
    """Every page of the site: the stylesheet, the index, each week, and each section's pages."""
    site = SiteMap.of(history)
    pages = [stylesheet_page(), index_page(weeks, overview, history, site)]
    pages += [week_page(data, site) for data in weeks]
    for section in SECTIONS:
        pages += section.pages(history, site)
    return pages
