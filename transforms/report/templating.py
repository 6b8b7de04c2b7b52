"""The Jinja2 environment of the report's and the site's pages (templates in `transforms/report/templates/`).

HTML templates (`*.html.j2`) are autoescaped; the Markdown one is not, and escapes table cells with the
`md_cell` filter. Undefined names are errors, so a template never prints an empty gap silently.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import jinja2

LICENCE = "Licensed under CC BY 4.0."
"""Said wherever OpenRouter's rankings (`/datasets/*` data, CC BY 4.0) are republished."""


def md_cell(text: object) -> str:
    """A Markdown table cell: pipes escaped."""
    return str(text).replace("|", "\\|")


@cache
def environment() -> jinja2.Environment:
    """The one environment (built once: templates are part of the code, like the SQL files)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("transforms.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = md_cell
    return env


def stylesheet() -> str:
    """The pages' CSS: inlined in report.html, written as `assets/site.css` for the site."""
    return files("transforms.report").joinpath("templates", "site.css").read_text(encoding="utf-8")
