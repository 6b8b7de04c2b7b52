"""Where each page of the site lives, and relative links between them.

    index.html                      every week, newest first
    assets/site.css
    weeks/<YYYY-MM-DD>/index.html   one week's report, its charts beside it
    models/index.html               every model ever ranked
    models/<name>/index.html        one model's whole history (<name>: see `folder_names`)
    countries/index.html, countries/<code>/index.html

Links always name `index.html`: a browser opening `file://` shows a folder listing for a bare folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter

INDEX = "index.html"
STYLESHEET = "assets/site.css"


def week_path(week: dt.date) -> str:
    return f"weeks/{week:%Y-%m-%d}/{INDEX}"


def section_index(section: str) -> str:
    return f"{section}/{INDEX}"


def item_path(section: str, folder: str) -> str:
    return f"{section}/{folder}/{INDEX}"


def _safe(key: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", key.lower()).strip("-.")


def folder_names(keys: list[str]) -> dict[str, str]:
    """A folder name per key (a permaslug, a country code): lower case, every run of characters outside
    [a-z0-9._-] turned into '-' ('qwen/qwen3.6-plus-04-02:free' -> 'qwen-qwen3.6-plus-04-02-free').
    Keys whose names would clash, differing only in case or punctuation, get '-' and 8 hex digits of
    their sha1 instead, so every key has its own folder and the common ones stay readable."""
    names = {key: _safe(key) for key in keys}
    taken = Counter(names.values())
    return {
        key: name if name and taken[name] == 1 else f"{name}-{hashlib.sha1(key.encode()).hexdigest()[:8]}".lstrip("-")
        for key, name in names.items()
    }


def href(page: str, target: str) -> str:
    """The relative URL from the page at site path `page` to the file at site path `target` (site paths are
    relative to the site's root, with no '.' or '..' parts; no file system is consulted)."""
    folders, parts = page.split("/")[:-1], target.split("/")
    shared = 0
    while shared < min(len(folders), len(parts) - 1) and folders[shared] == parts[shared]:
        shared += 1
    return "/".join([".."] * (len(folders) - shared) + parts[shared:])
