"""Open and closed days of the library: pure date arithmetic, no ORM."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

# A closed period longer than this (summer break is about three months) is a data error.
MAX_CLOSED_RUN = 400


@dataclass(frozen=True)
class Calendar:
    closed_weekdays: frozenset[int] = frozenset({6})
    closed_periods: tuple[tuple[date, date], ...] = field(default_factory=tuple)

    @classmethod
    def build(cls, weekdays: Iterable[int], periods: Iterable[tuple[date, date]]) -> Calendar:
        return cls(frozenset(int(d) for d in weekdays), tuple(sorted(periods)))

    def is_open(self, day: date) -> bool:
        if day.weekday() in self.closed_weekdays:
            return False
        return not any(start <= day <= end for start, end in self.closed_periods)

    def next_open_day(self, day: date) -> date:
        """`day` itself when the library is open, otherwise the first open day after it."""
        for _ in range(MAX_CLOSED_RUN):
            if self.is_open(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"Thư viện đóng cửa hơn {MAX_CLOSED_RUN} ngày liền: hãy kiểm tra lịch.")

    def due_date(self, start: date, loan_days: int) -> date:
        """Start + loan period, moved to the next open day when it falls on a closed day."""
        return self.next_open_day(start + timedelta(days=loan_days))

    def add_open_days(self, start: date, days: int) -> date:
        """The `days`-th open day after `start` (the hold-shelf wait counts open days only)."""
        day = start
        for _ in range(max(days, 1)):
            day = self.next_open_day(day + timedelta(days=1))
        return day
