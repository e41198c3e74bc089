from .calendar import ClosedPeriod, SchoolCalendar
from .loans import (
    ClassSetIssue,
    Compensation,
    CompensationKind,
    CompensationStatus,
    Hold,
    HoldStatus,
    Loan,
    PaymentMethod,
)
from .policies import LoanPolicy
from .stocktake import Stocktake, StocktakeScan, StocktakeStatus

__all__ = [
    "ClassSetIssue",
    "ClosedPeriod",
    "Compensation",
    "CompensationKind",
    "CompensationStatus",
    "Hold",
    "HoldStatus",
    "Loan",
    "LoanPolicy",
    "PaymentMethod",
    "SchoolCalendar",
    "Stocktake",
    "StocktakeScan",
    "StocktakeStatus",
]
