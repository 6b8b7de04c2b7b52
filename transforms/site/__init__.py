"""The static site: every loaded week's report, and a page per model and per country with its whole history.

Pure: `pages` turns `ReportData` / `HistoryData` into `PageSpec`s (a site-relative path, a key naming the
data the page shows, and a function that renders its files); `warehouse.site_store` decides which pages
changed (by key) and writes them. Pages link each other with relative URLs to explicit `index.html`
files, so the site works from `file://` as well as from any static host, and it needs nothing from the
network: the stylesheet and every chart are files beside the pages.
"""
