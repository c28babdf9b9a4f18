"""The date logic of the guided tools: reading dates, California court days,
and order timelines. Every expected date here was counted by hand on a calendar."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.content import CONTENT_DIR
from bot.tools import court_days, timeline
from bot.tools.dates import DateProblem, ParsedDate, long_date, parse_date, parse_length

TODAY = date(2026, 11, 22)  # a Sunday


# ---- reading dates --------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("March 3", date(2026, 3, 3)),
    ("march 3rd", date(2026, 3, 3)),
    ("Mar. 3, 2025", date(2025, 3, 3)),
    ("the 14th of april", date(2026, 4, 14)),
    ("3 march 2026", date(2026, 3, 3)),
    ("3/4/2026", date(2026, 3, 4)),          # U.S. order: March 4
    ("3/4/26", date(2026, 3, 4)),
    ("11/18", date(2026, 11, 18)),
    ("2026-03-04", date(2026, 3, 4)),
    ("today", TODAY),
    ("yesterday", date(2026, 11, 21)),
    ("the day before yesterday", date(2026, 11, 20)),
    ("3 days ago", date(2026, 11, 19)),
    ("two weeks ago", date(2026, 11, 8)),
    ("last Friday", date(2026, 11, 20)),
    ("on friday", date(2026, 11, 20)),
    ("sunday", TODAY),                        # a bare weekday can be today
    ("last sunday", date(2026, 11, 15)),      # "last" never means today
    ("next monday", date(2026, 11, 23)),
    ("the county filed on friday, when is my hearing?", date(2026, 11, 20)),
    ("Dec 31 2025", date(2025, 12, 31)),
    ("Feb 29 2024", date(2024, 2, 29)),       # a real leap day
])
def test_dates_people_write_are_read(text, expected):
    found = parse_date(text, TODAY)
    assert isinstance(found, ParsedDate), found
    assert found.value == expected


@pytest.mark.parametrize("text,kind", [
    ("Feb 30", "impossible"),
    ("February 29 2026", "impossible"),       # 2026 is not a leap year
    ("April 31", "impossible"),
    ("13/45/2026", "unreadable"),
    ("20/11/2026", "day_first"),              # day first: said so, never turned around
    ("next blursday", "unreadable"),
    ("on the 3rd", "unreadable"),             # no month: ask, never guess
    ("", "unreadable"),
    ("asdf 🙂", "unreadable"),
    ("March 3 1925", "too_far"),
    ("Jan 5 2031", "too_far"),
])
def test_bad_dates_are_refused_not_guessed(text, kind):
    found = parse_date(text, TODAY)
    assert isinstance(found, DateProblem)
    assert found.kind == kind


def test_impossible_date_says_which_month_and_day():
    found = parse_date("Feb 30", TODAY)
    assert (found.month_name, found.year, found.day) == ("February", 2026, 30)


def test_dates_are_written_out_in_words():
    assert long_date(date(2026, 11, 20)) == "Friday, November 20, 2026"


@pytest.mark.parametrize("text,expected", [
    ("6 months", ("months", 6)), ("six months", ("months", 6)), ("6", ("months", 6)),
    ("a year", ("months", 12)), ("1 year", ("months", 12)), ("180 days", ("days", 180)),
    ("half a year", ("months", 6)), ("not sure", "unsure"), ("idk", "unsure"),
    ("a while", None), ("", None),
])
def test_order_lengths(text, expected):
    assert parse_length(text) == expected


# ---- California court days -----------------------------------------------------------
def _checked_lists() -> dict:
    with open(CONTENT_DIR / "court_holidays.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["checked"]


@pytest.mark.parametrize("year", sorted(_checked_lists()))
def test_court_calendar_matches_the_courts_published_list(year):
    """The holidays package's California calendar, corrected, equals the courts' list."""
    assert sorted(court_days.court_holidays(year)) == sorted(_checked_lists()[year])


def test_the_package_alone_would_be_wrong():
    """Why the corrections exist: without them, Lincoln's Birthday and Native American
    Day would be counted as court days."""
    import holidays

    plain = holidays.US(subdiv="CA", years=2026)
    assert date(2026, 2, 12) not in plain and date(2026, 9, 25) not in plain
    assert not court_days.is_court_day(date(2026, 2, 12))
    assert not court_days.is_court_day(date(2026, 9, 25))


@pytest.mark.parametrize("filed,deadline,skipped", [
    # an ordinary week: Mon -> next Mon
    (date(2026, 3, 2), date(2026, 3, 9), []),
    # Thanksgiving and the day after
    (date(2026, 11, 20), date(2026, 12, 1), [date(2026, 11, 26), date(2026, 11, 27)]),
    # Lincoln's Birthday (Thu) and Presidents' Day (Mon)
    (date(2026, 2, 10), date(2026, 2, 19), [date(2026, 2, 12), date(2026, 2, 16)]),
    # Independence Day on a Saturday: courts close Friday July 3
    (date(2026, 7, 2), date(2026, 7, 10), [date(2026, 7, 3)]),
    # Christmas, and the deadline on the last day of the year
    (date(2026, 12, 23), date(2026, 12, 31), [date(2026, 12, 25)]),
    # across the year end and New Year's Day
    (date(2026, 12, 29), date(2027, 1, 6), [date(2027, 1, 1)]),
    # across a leap day
    (date(2024, 2, 28), date(2024, 3, 6), []),
    (date(2024, 2, 29), date(2024, 3, 7), []),
    # month end: Friday Jan 30 -> Friday Feb 6
    (date(2026, 1, 30), date(2026, 2, 6), []),
])
def test_hearing_deadline_is_the_fifth_court_day(filed, deadline, skipped):
    result = court_days.hearing_deadline(filed)
    assert result.deadline == deadline
    assert [d for d, _ in result.skipped_holidays] == skipped


def test_filed_on_a_weekend_is_flagged_and_counted_from_the_next_days():
    result = court_days.hearing_deadline(date(2026, 3, 7))  # Saturday
    assert result.filed_on_closed_day
    assert result.deadline == date(2026, 3, 13)


def test_years_not_on_the_checked_list_are_flagged():
    assert court_days.hearing_deadline(date(2026, 12, 29)).unchecked_years == [2027]
    assert court_days.hearing_deadline(date(2026, 3, 2)).unchecked_years == []


# ---- order timelines -----------------------------------------------------------------
def test_california_affidavits_every_60_days_until_the_end():
    tl = timeline.ca_timeline(date(2026, 3, 3), ("months", 6))
    assert tl.affidavits == [date(2026, 5, 2), date(2026, 7, 1), date(2026, 8, 30)]
    assert tl.end == date(2026, 9, 3)
    assert tl.next_affidavit(date(2026, 5, 3)) == date(2026, 7, 1)
    assert tl.next_affidavit(date(2026, 9, 1)) is None


@pytest.mark.parametrize("start,months,end", [
    (date(2026, 8, 31), 6, date(2027, 2, 28)),   # no Feb 31: the last day of February
    (date(2023, 8, 29), 6, date(2024, 2, 29)),   # lands on a leap day
    (date(2024, 2, 29), 6, date(2024, 8, 29)),
    (date(2026, 12, 15), 6, date(2027, 6, 15)),  # across a year end
    (date(2026, 1, 10), 2, date(2026, 3, 10)),
])
def test_order_end_dates(start, months, end):
    assert timeline.ca_timeline(start, ("months", months)).end == end


def test_short_order_has_no_affidavit_after_it_ends():
    tl = timeline.ca_timeline(date(2026, 1, 10), ("months", 2))  # 59 days
    assert tl.affidavits == []


def test_new_york_renewal_window_and_new_order_window():
    tl = timeline.ny_timeline(date(2026, 3, 3), 12)
    assert tl.end == date(2027, 3, 3)
    assert tl.renew_from == date(2027, 2, 1)           # 30 days before
    assert tl.new_order_until == date(2027, 9, 3)      # 6 months after
