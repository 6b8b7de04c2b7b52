"""A small warehouse with two weeks of models and of app rankings, for the report's and the site's Apps tests.

Week 0 (2026-03-02) and week 1 (2026-03-09) are complete model weeks. Apps (tokens in billions):
week 0 overall Alpha 500, Beta 300, Gamma 200; week 1 overall Beta 600, "Alpha Code" (Alpha renamed) 400,
Delta 100, then App 0..App 7 with 90..83 (11 apps: rank 11 is left out of the top 10). Coding: Alpha both
weeks; creative: Gamma, then Beta. Trending (week 1): T0..T5 with 10..15. Week 2 (2026-03-16) has models
and no app row.
"""

from __future__ import annotations

from tests.transforms.conftest import Warehouse, week

B = 10**9
ALPHA, BETA, GAMMA, DELTA = 1, 2, 3, 4


def apps_warehouse() -> Warehouse:
    wh = Warehouse()
    for k in (0, 1, 2):
        wh.week(week(k), {"a/m1": 300 * B, "b/m2": 200 * B}, other=50 * B)
    wh.app_list(week(0), [(ALPHA, "Alpha", 500 * B, 100), (BETA, "Beta", 300 * B, 60), (GAMMA, "Gamma", 200 * B, 10)])
    wh.app_list(week(1), [(BETA, "Beta", 600 * B, 100), (ALPHA, "Alpha Code", 400 * B, 80), (DELTA, "Delta", 100 * B, 50)]
                + [(100 + i, f"App {i}", (90 - i) * B, 10) for i in range(8)])
    wh.app_list(week(0), [(ALPHA, "Alpha", 500 * B, 100)], category="coding")
    wh.app_list(week(1), [(ALPHA, "Alpha Code", 400 * B, 80)], category="coding")
    wh.app_list(week(0), [(GAMMA, "Gamma", 200 * B, 10)], category="creative")
    wh.app_list(week(1), [(BETA, "Beta", 600 * B, 100)], category="creative")
    wh.app_list(week(1), [(200 + i, f"T{i}", (10 + i) * B, 5) for i in range(6)], sort="trending")
    wh.build()
    return wh
