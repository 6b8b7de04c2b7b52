import datetime as dt

import pytest

from tests.helpers import FakeTime
from warehouse.request_budget import (
    BudgetSpent,
    BudgetStateError,
    RequestBudget,
    Usage,
    days_needed,
    record,
    utc_day,
    wait_before_next,
)

NOON = dt.datetime(2026, 6, 22, 12, tzinfo=dt.timezone.utc).timestamp()


def test_wait_before_next_is_pure_arithmetic():
    usage = Usage(days={utc_day(NOON): 2}, recent=[NOON - 70, NOON - 50, NOON - 10])
    assert wait_before_next(usage, NOON, per_day=3, per_minute=30) == 0.0
    assert wait_before_next(usage, NOON, per_day=2, per_minute=30) is None  # today's budget spent
    assert wait_before_next(usage, NOON, per_day=500, per_minute=2) == pytest.approx(10.0)  # NOON-50 leaves at NOON+10


def test_record_keeps_a_week_of_days_and_a_minute_of_starts():
    usage = Usage(days={"2026-06-01": 9, "2026-06-21": 4}, recent=[NOON - 61, NOON - 1])
    after = record(usage, NOON, 2)
    assert after.days == {"2026-06-21": 4, "2026-06-22": 2}
    assert after.recent == [NOON - 1, NOON, NOON]


def test_budget_is_shared_through_the_state_file(tmp_path):
    clock = FakeTime(NOON)
    state = tmp_path / "requests.json"
    first = RequestBudget(path=state, per_day=3, per_minute=30, clock=clock.clock, sleep=clock.sleep)
    first.acquire()
    first.acquire()  # a retry the client made is charged like any attempt
    second = RequestBudget(path=state, per_day=3, per_minute=30, clock=clock.clock, sleep=clock.sleep)  # another run
    assert second.used_today() == 2 and second.remaining_today() == 1
    second.acquire()
    with pytest.raises(BudgetSpent, match=r"daily request budget \(3\) spent for 2026-06-22"):
        first.acquire()
    assert first.used_today() == 3
    clock.now += 12 * 3600  # the next UTC day
    assert first.remaining_today() == 3


def test_acquire_paces_to_the_per_minute_limit(tmp_path):
    clock = FakeTime(NOON)
    budget = RequestBudget(path=tmp_path / "r.json", per_day=500, per_minute=2, clock=clock.clock, sleep=clock.sleep)
    for _ in range(3):
        budget.acquire()
    assert clock.sleeps == [pytest.approx(60.0)]


def test_limits_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "3")
    monkeypatch.setenv("TOKENRANK_REQUESTS_PER_MINUTE", "7")
    budget = RequestBudget(path=tmp_path / "r.json")
    assert (budget.per_day, budget.per_minute) == (3, 7)


def test_the_budget_belongs_to_the_account_not_to_a_home(tmp_path, monkeypatch):
    """Two homes, one state directory: their requests add up."""
    monkeypatch.setenv("TOKENRANK_STATE_DIR", str(tmp_path / "state"))
    clock = FakeTime(NOON)
    for home in ("a", "b"):
        monkeypatch.setenv("TOKENRANK_HOME", str(tmp_path / home))
        RequestBudget(per_day=2, clock=clock.clock, sleep=clock.sleep).acquire()
    with pytest.raises(BudgetSpent):
        RequestBudget(per_day=2, clock=clock.clock, sleep=clock.sleep).acquire()
    assert (tmp_path / "state/requests.json").exists() and not (tmp_path / "a").exists()


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"days": [1, 2]}', b'{"days": {"x": "y"}, "recent": []}'])
def test_garbage_state_is_a_one_line_error_naming_the_file(tmp_path, garbage):
    state = tmp_path / "requests.json"
    state.write_bytes(garbage)
    with pytest.raises(BudgetStateError) as info:
        RequestBudget(path=state).acquire()
    assert str(state) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("requests, left_today, per_day, days", [
    (0, 0, 500, 0), (26, 500, 500, 1), (500, 500, 500, 1), (501, 500, 500, 2), (2340, 480, 500, 5),
    (22, 0, 30, 1), (61, 0, 30, 3), (52, 30, 30, 2), (5, 0, 0, None),
])
def test_days_needed_counts_today_and_the_days_after(requests, left_today, per_day, days):
    assert days_needed(requests, left_today, per_day) == days


def test_the_headroom_defaults_to_a_fifth_of_the_day_and_comes_from_the_environment(tmp_path, monkeypatch):
    assert RequestBudget(path=tmp_path / "r.json", per_day=500).headroom == 100
    assert RequestBudget(path=tmp_path / "r.json", per_day=4).headroom == 0
    monkeypatch.setenv("TOKENRANK_REQUEST_HEADROOM", "40")
    assert RequestBudget(path=tmp_path / "r.json", per_day=500).headroom == 40
    assert RequestBudget(path=tmp_path / "r.json", per_day=30).headroom == 30  # never more than the day
    with pytest.raises(ValueError):
        RequestBudget(path=tmp_path / "r.json", headroom=-1)


def test_a_limiter_keeping_the_headroom_stops_short_and_leaves_the_rest_to_others(tmp_path):
    clock = FakeTime(NOON)
    state = tmp_path / "requests.json"
    backfill = RequestBudget(path=state, per_day=5, per_minute=30, headroom=2, clock=clock.clock, sleep=clock.sleep)
    backfill.keep_headroom()
    assert (backfill.usable_per_day, backfill.remaining_today()) == (3, 3)
    for _ in range(3):
        backfill.acquire()
    with pytest.raises(BudgetSpent, match=r"daily request budget \(3; 2 kept for the weekly runs\) spent for 2026-06-22"):
        backfill.acquire()
    weekly = RequestBudget(path=state, per_day=5, per_minute=30, headroom=2, clock=clock.clock, sleep=clock.sleep)
    assert weekly.remaining_today() == 2
    weekly.acquire()
    weekly.acquire()
    with pytest.raises(BudgetSpent, match=r"\(5\)"):
        weekly.acquire()
