"""The dates of an AOT order: 60-day affidavits and the end date (California),
the end, renewal window and new-order window (New York)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bot.content import legal_number

# The numbers live in content/legal_numbers.yml (each with its citation), so the
# answers' prose and these calculations always use the same values.
CA_MAX_MONTHS = legal_number("ca_first_order_months")       # first order, § 5346(d)(5)(B)
CA_EXTENSION_DAYS = legal_number("ca_extension_days")       # each added period, § 5346
CA_AFFIDAVIT_DAYS = legal_number("ca_affidavit_days")       # the director's affidavit, § 5346(h)
# A first order (since the 2013 amendments) or a renewal: up to 1 year.
NY_MAX_MONTHS = max(legal_number("ny_first_order_max_months"), legal_number("ny_renewal_max_months"))
NY_FIRST_ORDER_MAX_MONTHS = legal_number("ny_first_order_max_months")
NY_RENEWAL_WINDOW_DAYS = legal_number("ny_renewal_window_days")
NY_NEW_ORDER_MONTHS = legal_number("ny_new_order_months")   # 2022 amendment (OSC 2025 audit)


def order_end(start: date, length: tuple[str, int]) -> date:
    unit, n = length
    return start + (relativedelta(months=n) if unit == "months" else timedelta(days=n))


@dataclass
class CaTimeline:
    start: date
    end: date
    affidavits: list[date]

    def next_affidavit(self, today: date) -> date | None:
        return next((d for d in self.affidavits if d >= today), None)


def ca_timeline(start: date, length: tuple[str, int]) -> CaTimeline:
    end = order_end(start, length)
    affidavits, k = [], 1
    while start + timedelta(days=CA_AFFIDAVIT_DAYS * k) < end:
        affidavits.append(start + timedelta(days=CA_AFFIDAVIT_DAYS * k))
        k += 1
    return CaTimeline(start=start, end=end, affidavits=affidavits)


@dataclass
class NyTimeline:
    start: date
    end: date
    renew_from: date
    new_order_until: date


def ny_timeline(start: date, months: int | None = None,
                length: tuple[str, int] | None = None) -> NyTimeline:
    """End, renewal window and new-order window; `length` may be in days instead of months."""
    end = order_end(start, length if length else ("months", months or 0))
    return NyTimeline(start=start, end=end,
                      renew_from=end - timedelta(days=NY_RENEWAL_WINDOW_DAYS),
                      new_order_until=end + relativedelta(months=NY_NEW_ORDER_MONTHS))
