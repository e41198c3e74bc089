"""Errors of lending. Every message says what is wrong and what the librarian can do."""

from __future__ import annotations


class CirculationError(Exception):
    """Root of every lending error; `code` names the rule, `message` is shown to the user."""

    code = "circulation"

    def __init__(self, message, *, code: str | None = None, overridable: bool = False):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.overridable = overridable


class CheckoutRefused(CirculationError):
    code = "checkout_refused"


class RenewalRefused(CirculationError):
    code = "renewal_refused"


class HoldRefused(CirculationError):
    code = "hold_refused"


class NotFound(CirculationError):
    code = "not_found"


class PaymentError(CirculationError):
    code = "payment"


class RolloverRefused(CirculationError):
    code = "rollover_refused"
