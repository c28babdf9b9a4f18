"""The dates of an AOT order: 60-day affidavits and the end date (California),
the end, renewal window and new-order window (New York)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

CA_MAX_MONTHS = 6        # first order: up to 6 months (Welf. & Inst. Code § 5346(d)(5)(B))
CA_AFFIDAVIT_DAYS = 60   # the director's affidavit every 60 days (§ 5346(h))
NY_MAX_MONTHS = 12       # an order or renewal: up to 1 year (OMH renewal page)
NY_RENEWAL_WINDOW_DAYS = 30
NY_NEW_ORDER_MONTHS = 6  # "considered for a new order up to 6 months after" (OSC 2025)


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


def ny_timeline(start: date, months: int) -> NyTimeline:
    end = order_end(start, ("months", months))
    return NyTimeline(start=start, end=end,
                      renew_from=end - timedelta(days=NY_RENEWAL_WINDOW_DAYS),
                      new_order_until=end + relativedelta(months=NY_NEW_ORDER_MONTHS))
