"""`tokenrank report`: one-line errors with exit code 1, and `--open`."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.demo_home import GROUP, load_demo
from tests.warehouse.ops_helpers import DAYS, load_days
from warehouse import published
from warehouse.paths import Home

pytestmark = pytest.mark.xdist_group(GROUP)
runner = CliRunner()


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    return load_demo(tmp_path_factory.mktemp("demo") / "home").root


@pytest.fixture
def demo(demo_root, monkeypatch):
    monkeypatch.setenv("TOKENRANK_HOME", str(demo_root))
    return Home(demo_root)


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_missing_derived_tables_end_in_one_line(home):
    root = Home(home)
    load_days(root, DAYS[:1])
    con = duckdb.connect(str(root.warehouse))
    con.execute("DROP TABLE weekly_totals")  # e.g. a warehouse from before a derived table existed
    con.close()
    published.publish(root)
    line = one_line_error(runner.invoke(app, ["report"]))
    assert line.startswith("error: the warehouse lacks a derived table (Catalog Error: Table with name weekly_totals")
    assert line.endswith("derive them with `tokenrank rebuild` or the next run")


def test_an_unwritable_out_folder_ends_in_one_line(demo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = one_line_error(runner.invoke(app, ["report", "--out", str(blocker / "report")]))
    assert line == f"error: cannot write the report to {blocker / 'report'}: Not a directory"


def test_open_opens_the_written_page(demo, tmp_path, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--open"])
    assert result.exit_code == 0, result.output
    assert opened == [(tmp_path / "r" / "report.html").as_uri()]
    no_open = runner.invoke(app, ["report", "--out", str(tmp_path / "r")])
    assert no_open.exit_code == 0 and len(opened) == 1


def test_site_builds_once_then_only_what_changed_and_opens(demo, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    first = runner.invoke(app, ["site"])
    assert first.exit_code == 0, first.output
    # the stylesheet, the index, 26 weeks, 3 section indexes (apps: none loaded), 86 models, 4 countries
    assert first.output.splitlines() == [
        "site: 121 pages drawn, 0 unchanged, 0 files removed", f"  {(demo.site / 'index.html').as_uri()}"
    ]
    assert opened == []
    again = runner.invoke(app, ["site", "--open"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "site: 0 pages drawn, 121 unchanged, 0 files removed"
    assert opened == [(demo.site / "index.html").as_uri()]


def test_site_without_data_ends_in_one_line(home):
    line = one_line_error(runner.invoke(app, ["site"]))
    assert line == "error: nothing loaded yet: run tokenrank demo, tokenrank run or tokenrank backfill first"
