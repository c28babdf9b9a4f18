"""California court days, for "the hearing within 5 court days of the petition"
(the number is content/legal_numbers.yml: ca_hearing_days).

The calendar is the `holidays` package's California calendar, corrected by
content/court_holidays.yml to match the courts' own published lists (which the
tests check day by day for the years listed there).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import yaml

from bot import i18n, states
from bot.content import CONTENT_DIR, legal_number

# Welf. & Inst. Code § 5346(d)(1): the same number the answers' prose uses.
HEARING_COURT_DAYS = legal_number("ca_hearing_days")
OBSERVED = " (observed)"  # how the holidays package and court_holidays() mark a moved day


@functools.lru_cache(maxsize=1)
def _config() -> dict:
    with open(CONTENT_DIR / "court_holidays.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def checked_years() -> list[int]:
    return sorted(int(y) for y in _config()["checked"])


def _observed(d: date) -> date:
    """Cal. Rules of Court, rule 1.11: Saturday -> the Friday before, Sunday -> the Monday after."""
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


@functools.lru_cache(maxsize=32)
def court_holidays(year: int) -> dict[date, str]:
    """Weekdays in `year` on which California courts are closed for a holiday."""
    cfg = _config()
    removed = set(cfg.get("remove", []))
    out: dict[date, str] = {}
    for day, names in holidays.US(subdiv=states.CA, years=year).items():  # type: ignore[attr-defined]
        kept = [n for n in names.split("; ") if n.replace(OBSERVED, "") not in removed]
        if kept and day.weekday() < 5:
            out[day] = "; ".join(kept)
    for extra in cfg.get("add", []):
        if "day" in extra:
            actual = date(year, extra["month"], extra["day"])
        else:
            actual = _nth_weekday(year, extra["month"], extra["weekday"], extra["nth"])
        observed = _observed(actual)
        name = extra["name"] if observed == actual else extra["name"] + OBSERVED
        if observed.year == year:
            out[observed] = name
    return dict(sorted(out.items()))


@functools.lru_cache(maxsize=None)
def local_names(lang: str) -> dict[str, str]:
    """English holiday name -> its name in `lang`, from content/court_holidays.yml and its
    twin: the names in `add`, and the courts' own lists (`checked`), paired by date, both
    as the list writes them and as the calendar above names that day (the holidays
    package says "Day After Thanksgiving"). A name the twin does not have stays in English
    (the caller marks "(observed)" in the turn's language)."""
    if i18n.normal(lang) == i18n.DEFAULT:
        return {}  # English: the calendar's own names, as they have always been shown
    english, local = i18n.read("court_holidays.yml"), i18n.read("court_holidays.yml", lang)
    pairs = {e["name"]: t["name"] for e, t in zip(english.get("add", []), local.get("add", []))}
    for year, days in english.get("checked", {}).items():
        for day, name in days.items():
            theirs = local.get("checked", {}).get(year, {}).get(day, name)
            for ours in (name, court_holidays(int(year)).get(day, "")):
                if ours and OBSERVED not in ours and ";" not in ours:
                    pairs.setdefault(ours, theirs)
    return pairs


def holiday_name(d: date) -> str | None:
    return court_holidays(d.year).get(d)


def is_court_day(d: date) -> bool:
    return d.weekday() < 5 and holiday_name(d) is None


@dataclass
class Deadline:
    filed: date
    deadline: date
    skipped_holidays: list[tuple[date, str]] = field(default_factory=list)
    unchecked_years: list[int] = field(default_factory=list)

    @property
    def filed_on_closed_day(self) -> bool:
        return not is_court_day(self.filed)


def hearing_deadline(filed: date, court_days: int | None = None) -> Deadline:
    """The latest hearing date: the Nth court day after the filing date (N from content)."""
    court_days = HEARING_COURT_DAYS if court_days is None else court_days
    result = Deadline(filed=filed, deadline=filed)
    day, counted = filed, 0
    while counted < court_days:
        day += timedelta(days=1)
        name = holiday_name(day) if day.weekday() < 5 else None
        if name:
            result.skipped_holidays.append((day, name))
        elif day.weekday() < 5:
            counted += 1
    result.deadline = day
    years = sorted({filed.year, day.year})
    result.unchecked_years = [y for y in years if y not in checked_years()]
    return result
