import json

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.ops_helpers import copy_loaded
from warehouse import published
from warehouse.export import Notice, export
from warehouse.paths import Home
from warehouse.query import QueryRefused

runner = CliRunner()

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z."
NOTICE = f"{CITATION}\nLicensed under CC BY 4.0.\n"
SQL = ("SELECT model_permaslug, sum(total_tokens) AS total_tokens, min(date) AS first_day FROM fact_model_daily "
       "WHERE NOT is_other GROUP BY 1 ORDER BY 2 DESC")
EXPECTED = [("qwen/qwen3.6-plus-04-02:free", 13_800_000_000_000, "2026-03-30"),  # 3 days x 4.6T
            ("xiaomi/mimo-v2-pro-20260318", 9_240_000_000_000, "2026-03-30")]  # 3 days x 3.08T


@pytest.fixture
def loaded(home, tmp_path_factory):
    copy_loaded(home, tmp_path_factory)
    return home


def test_export_csv_with_its_licence_notice(loaded, tmp_path):
    out = tmp_path / "usage.csv"
    result = runner.invoke(app, ["export", SQL, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines() == ["model_permaslug,total_tokens,first_day"] + [f"{m},{t},{d}" for m, t, d in EXPECTED]
    assert (tmp_path / "usage.csv.license.txt").read_text() == NOTICE
    assert "wrote 2 rows" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "usage.csv", "usage.csv.license.txt"]  # no temp file left


def test_export_json_format_from_the_extension(loaded, tmp_path):
    out = tmp_path / "usage.json"
    assert runner.invoke(app, ["export", SQL, "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text()) == [{"model_permaslug": m, "total_tokens": t, "first_day": d} for m, t, d in EXPECTED]
    assert (tmp_path / "usage.json.license.txt").read_text() == NOTICE


def test_export_parquet_keeps_types_and_carries_the_notice_as_metadata(loaded, tmp_path):
    out = tmp_path / "usage.parquet"
    assert runner.invoke(app, ["export", SQL, "-f", "parquet", "-o", str(out)]).exit_code == 0
    table = pq.read_table(out)
    assert [(m, int(t), d.isoformat()) for m, t, d in zip(*table.to_pydict().values())] == EXPECTED
    assert str(table.schema.field("first_day").type) == "date32[day]"
    assert table.schema.metadata == {b"source": CITATION.encode(), b"license": b"Licensed under CC BY 4.0."}
    assert (tmp_path / "usage.parquet.license.txt").read_text() == NOTICE


def test_export_a_whole_table_by_name(loaded, tmp_path):
    out = tmp_path / "facts.parquet"
    assert runner.invoke(app, ["export", "fact_model_daily", "-o", str(out)]).exit_code == 0
    (facts,) = duckdb.sql(f"SELECT count(*), count(DISTINCT date), sum(total_tokens) FROM '{out}'").fetchall()
    assert facts == (9, 3, 23_043_000_000_000)  # 3 days x (4.6T + 3.08T + 1B other)


def test_export_reads_sql_from_stdin(loaded, tmp_path):
    out = tmp_path / "n.csv"
    result = runner.invoke(app, ["export", "-", "-o", str(out)], input="SELECT count(*) AS n FROM fact_model_daily")
    assert result.exit_code == 0, result.output
    assert out.read_text() == "n\n9\n"


def test_export_refuses_to_overwrite_without_force(loaded, tmp_path):
    out = tmp_path / "usage.csv"
    out.write_text("precious\n")
    refused = runner.invoke(app, ["export", SQL, "-o", str(out)])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == f"refused: {out} exists: choose another --out, or pass --force to replace it"
    assert out.read_text() == "precious\n" and not (tmp_path / "usage.csv.license.txt").exists()
    forced = runner.invoke(app, ["export", SQL, "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert out.read_text().startswith("model_permaslug,") and (tmp_path / "usage.csv.license.txt").read_text() == NOTICE
    again = runner.invoke(app, ["export", SQL, "-o", str(tmp_path / "other.csv")])
    assert again.exit_code == 0
    (tmp_path / "other.csv").unlink()
    assert runner.invoke(app, ["export", SQL, "-o", str(tmp_path / "other.csv")]).exit_code == 2  # its notice is still there


@pytest.mark.parametrize("sql", ["DELETE FROM fact_model_daily", "WITH d AS (DELETE FROM ingest_log RETURNING *) SELECT * FROM d",
                                 "SELECT * FROM read_text('/proc/self/environ')", "COPY fact_model_daily TO '/tmp/x.csv'"])
def test_export_sql_goes_through_the_read_only_guard_and_sandbox(loaded, tmp_path, sql):
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["export", sql, "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith("refused:") and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # nothing written, no temp file left


def test_export_format_must_be_known(loaded, tmp_path):
    assert runner.invoke(app, ["export", "fact_model_daily", "-o", str(tmp_path / "x.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["export", "fact_model_daily", "-o", str(tmp_path / "x"), "-f", "xlsx"]).exit_code == 2


def test_export_of_demo_data_says_it_is_synthetic(loaded, tmp_path):
    home = Home.from_env()
    con = duckdb.connect(str(home.warehouse))
    con.execute("UPDATE ingest_log SET source = 'demo (synthetic)'")
    con.close()
    published.publish(home)
    done = export(home, "dim_model", "parquet", tmp_path / "models.parquet")
    assert done.notice == Notice(as_of=done.notice.as_of, synthetic=True)
    notice = (tmp_path / "models.parquet.license.txt").read_text().splitlines()
    assert notice[:2] == [CITATION, "Licensed under CC BY 4.0."]
    assert notice[2].startswith("SYNTHETIC: these rows come from tokenrank's demo dataset")
    assert pq.read_schema(tmp_path / "models.parquet").metadata[b"synthetic"].decode() == notice[2]
    result = runner.invoke(app, ["export", "dim_model", "-o", str(tmp_path / "models.csv")])
    assert "SYNTHETIC" in result.stdout


def test_export_without_force_never_replaces_a_file_created_meanwhile(loaded, tmp_path, monkeypatch):
    from warehouse import export as export_module

    out = tmp_path / "late.csv"
    real = export_module.write_csv

    def racing_writer(rows, handle, max_rows=None):  # another process creates the file while the rows stream
        out.write_text("theirs\n")
        return real(rows, handle, max_rows)

    monkeypatch.setattr(export_module, "write_csv", racing_writer)
    with pytest.raises(QueryRefused, match="late.csv exists"):
        export(Home.from_env(), "dim_model", "csv", out)
    assert out.read_text() == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "late.csv"]  # our notice and temp file are gone
