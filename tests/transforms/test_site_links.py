"""Site paths and relative links."""

import datetime as dt

from transforms.site.links import folder_names, href, item_path, week_path


def test_folder_names_are_readable_and_never_clash():
    names = folder_names(["qwen/qwen3.6-plus-04-02:free", "qwen/qwen3.6-plus-04-02", "openai/gpt-5", "CN", "unattributed"])
    assert names == {
        "qwen/qwen3.6-plus-04-02:free": "qwen-qwen3.6-plus-04-02-free",
        "qwen/qwen3.6-plus-04-02": "qwen-qwen3.6-plus-04-02",
        "openai/gpt-5": "openai-gpt-5",
        "CN": "cn",
        "unattributed": "unattributed",
    }
    clashing = folder_names(["a/b:c", "a/b-c", "A/B:C", "../..", "/"])
    assert len(set(clashing.values())) == 5
    assert clashing["a/b:c"] == "a-b-c-" + __import__("hashlib").sha1(b"a/b:c").hexdigest()[:8]
    assert all(name and "/" not in name and not name.startswith(".") for name in clashing.values())


def test_links_are_relative_and_name_index_html():
    week = week_path(dt.date(2026, 3, 30))
    assert week == "weeks/2026-03-30/index.html"
    assert href(week, item_path("models", "openai-gpt-5")) == "../../models/openai-gpt-5/index.html"
    assert href("index.html", week) == "weeks/2026-03-30/index.html"
    assert href(week, "assets/site.css") == "../../assets/site.css"
    assert href("models/index.html", "models/x/index.html") == "x/index.html"
