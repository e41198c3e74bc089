"""Writes for lending. Each function does its work in one transaction with an audit row;
mail goes out on commit. Rules live here and only here: the desk, self-service, the API and
commands all call these functions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Item, ItemStatus, Record
from library.accounts.models import Patron, PatronCategory
from library.core.audit import audit
from library.core.search.queue import index_later

from . import selectors
from .exceptions import (
    CheckoutRefused,
    CirculationError,
    HoldRefused,
    PaymentError,
    RenewalRefused,
    RolloverRefused,
)
from .models import (
    ClassSetIssue,
    Compensation,
    CompensationKind,
    CompensationStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanPolicy,
    PaymentMethod,
    Stocktake,
    StocktakeScan,
    StocktakeStatus,
)

# ---------------------------------------------------------------------------- helpers


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def patron_email(patron: Patron) -> str:
    """Where notices go: the patron's own address, or the guardian's if consent was given."""
    if patron.user.email:
        return patron.user.email
    if patron.consent_contact and patron.guardian_email:
        return patron.guardian_email
    return ""


def _mail_on_commit(patron: Patron, subject: str, body: str) -> None:
    address = patron_email(patron)
    if not address:
        return
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
    )


@dataclass
class Refusal:
    code: str
    message: str
    overridable: bool = True


@dataclass
class CheckinResult:
    item: Item
    loan: Loan | None
    hold: Hold | None = None
    messages: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- check-out

# Statuses from which a copy can never be lent, whatever the override: it must be checked in
# or repaired first.
_BLOCKING_STATUS_MESSAGES = {
    ItemStatus.ON_LOAN: gettext_lazy(
        "Bản sách này đang được mượn: hãy trả sách trước khi cho mượn lại."
    ),
    ItemStatus.LOST: gettext_lazy(
        "Bản sách này đang ghi là mất: hãy trả sách (quét ở ô Trả sách) trước."
    ),
    ItemStatus.WITHDRAWN: gettext_lazy("Bản sách này đã thanh lý, không cho mượn."),
    ItemStatus.IN_TRANSIT: gettext_lazy(
        "Bản sách đang được chuyển: hãy nhận sách (Trả sách) trước."
    ),
    ItemStatus.DAMAGED: gettext_lazy(
        "Bản sách đang ghi là hư hỏng: hãy sửa trạng thái trước khi cho mượn."
    ),
}


def checkout_refusals(
    *, patron: Patron, item: Item, policy: LoanPolicy, today: dt.date
) -> list[Refusal]:
    """Every reason the loan would be refused; the caller decides about overrides."""
    refusals: list[Refusal] = []
    if item.status in _BLOCKING_STATUS_MESSAGES:
        refusals.append(
            Refusal("item_unavailable", str(_BLOCKING_STATUS_MESSAGES[item.status]), False)
        )
    if not patron.user.is_active:
        refusals.append(Refusal("inactive", _("Tài khoản của bạn đọc đã bị khóa."), False))
    if patron.blocked_reason:
        refusals.append(
            Refusal(
                "blocked", _("Thẻ đang bị khóa: %(reason)s.") % {"reason": patron.blocked_reason}
            )
        )
    if patron.expires_on and patron.expires_on < today:
        refusals.append(
            Refusal(
                "expired",
                _("Thẻ đã hết hạn ngày %(day)s: hãy gia hạn thẻ.")
                % {"day": _fmt(patron.expires_on)},
            )
        )
    if item.status == ItemStatus.REFERENCE_ONLY or (
        item.item_type and item.item_type.reference_only
    ):
        refusals.append(
            Refusal("reference_only", _("Tài liệu chỉ đọc tại chỗ, không cho mượn về."))
        )
    if item.status == ItemStatus.ON_HOLD_SHELF:
        hold = Hold.objects.filter(item=item, status=HoldStatus.READY).first()
        if hold is None or hold.patron_id != patron.pk:
            refusals.append(
                Refusal("on_hold", _("Bản sách đang được giữ cho bạn đọc khác đã đặt trước."))
            )
    open_count = Loan.objects.open().filter(patron=patron).count()
    if open_count >= policy.max_items:
        refusals.append(
            Refusal(
                "limit",
                _("Bạn đọc đã mượn %(n)s/%(max)s bản: hãy trả bớt trước khi mượn thêm.")
                % {"n": open_count, "max": policy.max_items},
            )
        )
    return refusals


def loan_checkout(
    *,
    actor,
    patron: Patron,
    item: Item,
    at: dt.datetime | None = None,
    override_reason: str = "",
    due_on: dt.date | None = None,
    class_set: ClassSetIssue | None = None,
) -> Loan:
    """Lend a copy: refused for the reasons in `checkout_refusals`; a librarian may override
    the overridable ones with a reason. Exactly one of two simultaneous desks succeeds."""
    at = _now(at)
    today = timezone.localdate(at)
    override_reason = (override_reason or "").strip()
    # Reads before the write transaction: with SQLite's IMMEDIATE transactions every desk
    # waits for the write lock, so the locked part holds writes and the checks that must see
    # them (the loan count, the hold on the shelf) and nothing else.
    item = selectors.item_current(item)
    policy = selectors.policy_for(patron=patron, item_type_id=item.item_type_id)
    if due_on is None:
        due_on = selectors.calendar_current().due_date(today, policy.loan_days)
    with transaction.atomic():
        refusals = checkout_refusals(patron=patron, item=item, policy=policy, today=today)
        hard = [r for r in refusals if not r.overridable]
        if hard or (refusals and not override_reason):
            first = (hard or refusals)[0]
            message = " ".join(r.message for r in (hard or refusals))
            raise CheckoutRefused(message, code=first.code, overridable=not hard)
        # The conditional UPDATE is the lock: of two desks, only one changes the row, and a
        # copy whose status changed since it was read is not lent on stale checks.
        allowed = [ItemStatus.AVAILABLE, ItemStatus.ON_HOLD_SHELF]
        if override_reason:
            allowed.append(ItemStatus.REFERENCE_ONLY)
        changed = Item.objects.filter(pk=item.pk, status__in=allowed, status=item.status).update(
            status=ItemStatus.ON_LOAN, updated_at=at
        )
        if changed != 1:
            raise CheckoutRefused(str(_BLOCKING_STATUS_MESSAGES[ItemStatus.ON_LOAN]), code="race")
        try:
            loan = Loan.objects.create(
                item=item,
                patron=patron,
                patron_category=patron.category,
                patron_grade=patron.grade,
                patron_class=patron.school_class,
                borrowed_at=at,
                due_on=due_on,
                override_reason=override_reason[:300],
                class_set=class_set,
            )
        except IntegrityError as exc:
            # Leaving the atomic block rolls the whole check-out back.
            raise CheckoutRefused(
                str(_BLOCKING_STATUS_MESSAGES[ItemStatus.ON_LOAN]), code="race"
            ) from exc
        Hold.objects.filter(
            record_id=item.record_id,
            patron=patron,
            status__in=[HoldStatus.READY, HoldStatus.WAITING],
        ).update(status=HoldStatus.FULFILLED, closed_at=at)
        item.status = ItemStatus.ON_LOAN
        details = {
            "barcode": item.barcode,
            "due_on": due_on.isoformat(),
            "card": patron.card_barcode,
        }
        if override_reason:
            details["override_reason"] = override_reason
            details["overridden"] = [r.code for r in refusals]
        audit(actor, "loan.override" if override_reason else "loan.checkout", loan, **details)
    return loan


# ---------------------------------------------------------------------------- check-in


def _release_item(*, item: Item, at: dt.datetime, exclude_hold: Hold | None = None) -> Hold | None:
    """A copy is free: give it to the first patron waiting for its record, or shelve it."""
    today = timezone.localdate(at)
    queue = Hold.objects.queue().filter(record_id=item.record_id).select_related("patron__user")
    if exclude_hold is not None:
        queue = queue.exclude(pk=exclude_hold.pk)
    for hold in queue:
        patron = hold.patron
        if not patron.user.is_active:
            continue
        policy = selectors.policy_for(patron=patron, item_type_id=item.item_type_id)
        if not policy.holds_allowed:
            continue
        hold.status = HoldStatus.READY
        hold.item = item
        hold.ready_at = at
        hold.pickup_by = selectors.calendar_current().add_open_days(today, policy.hold_shelf_days)
        hold.save(update_fields=["status", "item", "ready_at", "pickup_by"])
        Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_HOLD_SHELF, updated_at=at)
        item.status = ItemStatus.ON_HOLD_SHELF
        _mail_on_commit(
            patron,
            _("Sách bạn đặt trước đã có: %(title)s") % {"title": item.record.title},
            _(
                'Chào %(name)s,\n\nSách "%(title)s" bạn đặt trước đã có ở thư viện. '
                "Thư viện giữ sách cho bạn đến hết ngày %(day)s.\n\nThư viện số"
            )
            % {"name": patron.user, "title": item.record.title, "day": _fmt(hold.pickup_by)},
        )
        return hold
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.AVAILABLE, updated_at=at)
    item.status = ItemStatus.AVAILABLE
    return None


def loan_checkin(*, actor, item: Item, at: dt.datetime | None = None) -> CheckinResult:
    """Take a copy back: it goes to the hold shelf if someone waits for its record (they are
    mailed on commit), otherwise back to available."""
    at = _now(at)
    fresh = item.__dict__.pop(selectors.FRESH, False)
    # Read outside the write lock; the conditional close below is what decides.
    loan = (
        Loan.objects.open()
        .filter(item_id=item.pk)
        .select_related("patron__user")
        .only(
            "id",
            "item_id",
            "patron_id",
            "due_on",
            "returned_at",
            "patron__id",
            "patron__card_barcode",
            "patron__user__id",
            "patron__user__username",
            "patron__user__full_name",
        )
        .first()
    )
    if not fresh and (loan is None or "record" not in item._state.fields_cache):
        item = selectors.item_brief(item.pk)
    with transaction.atomic():
        result = CheckinResult(item=item, loan=None)
        if loan is not None:
            # Conditional close: a second desk checking in the same copy changes nothing.
            closed = Loan.objects.filter(pk=loan.pk, returned_at__isnull=True).update(
                returned_at=at
            )
            if closed:
                loan.returned_at = at
                loan.item = item
                result.loan = loan
            else:
                item = selectors.item_brief(item.pk)
                result.item = item
        if result.loan is None and item.status == ItemStatus.AVAILABLE:
            result.messages.append(_("Bản sách này không đang được mượn."))
            return result
        if result.loan is None and item.status in (
            ItemStatus.WITHDRAWN,
            ItemStatus.REFERENCE_ONLY,
            ItemStatus.ON_HOLD_SHELF,
        ):
            result.messages.append(
                _("Bản sách có trạng thái “%(status)s”: không thay đổi.")
                % {"status": item.get_status_display()}
            )
            return result
        result.hold = _release_item(item=item, at=at)
        if result.hold is not None:
            result.messages.append(
                _("Có người đặt trước: để sách lên giá giữ chỗ cho %(name)s (%(card)s).")
                % {"name": result.hold.patron.user, "card": result.hold.patron.card_barcode}
            )
        if result.loan and result.loan.due_on < timezone.localdate(at):
            result.messages.append(
                _("Trả muộn: hạn trả là %(day)s.") % {"day": _fmt(result.loan.due_on)}
            )
        audit(
            actor,
            "loan.checkin",
            result.loan or item,
            barcode=item.barcode,
            hold_id=result.hold.pk if result.hold else None,
        )
        # Status changes go by UPDATE (no save signal): tell search the copy is back.
        index_later(Record, [item.record_id])
    return result


# ---------------------------------------------------------------------------- renew


def loan_renew(*, actor, loan: Loan, at: dt.datetime | None = None) -> Loan:
    """Extend a loan by its policy period: refused when renewals are used up, when another
    patron waits for the record, or when the card is blocked or expired."""
    at = _now(at)
    today = timezone.localdate(at)
    with transaction.atomic():
        loan = Loan.objects.select_related("item__record", "patron__user").get(pk=loan.pk)
        if loan.returned_at is not None or loan.patron is None:
            raise RenewalRefused(_("Lượt mượn này đã kết thúc."), code="closed")
        patron = loan.patron
        policy = selectors.policy_for(patron=patron, item_type_id=loan.item.item_type_id)
        if loan.renewals >= policy.max_renewals:
            raise RenewalRefused(
                _("Đã gia hạn %(n)s/%(max)s lần: hãy trả sách và mượn lại sau.")
                % {"n": loan.renewals, "max": policy.max_renewals},
                code="renewals",
            )
        waiting = Hold.objects.queue().filter(record_id=loan.item.record_id).exclude(patron=patron)
        if waiting.exists():
            raise RenewalRefused(
                _("Không gia hạn được: có bạn đọc khác đang chờ đặt trước cuốn sách này."),
                code="held",
            )
        if patron.blocked_reason or (patron.expires_on and patron.expires_on < today):
            raise RenewalRefused(_("Thẻ bị khóa hoặc đã hết hạn: hãy gặp thủ thư."), code="card")
        old_due = loan.due_on
        loan.due_on = selectors.calendar_current().due_date(today, policy.loan_days)
        loan.renewals += 1
        loan.save(update_fields=["due_on", "renewals"])
        audit(
            actor, "loan.renew", loan, old_due=old_due.isoformat(), due_on=loan.due_on.isoformat()
        )
    return loan


# ---------------------------------------------------------------------------- lost / damaged


def _round_thousand(amount: Decimal) -> int:
    return int((amount / 1000).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 1000)


def compensation_amount(*, policy: LoanPolicy, price: Decimal | None, kind: str) -> int:
    """Lost: price x multiplier + processing fee; damaged: a percentage of the price. Without a
    price, the policy's minimum stands in. Rounded to the nearest 1,000 đ."""
    base = Decimal(price) if price else Decimal(policy.minimum_compensation)
    if kind == CompensationKind.LOST:
        amount = base * Decimal(policy.lost_multiplier) + policy.processing_fee
    else:
        amount = base * Decimal(policy.damage_percent) / 100
    return max(_round_thousand(amount), 0)


def _new_receipt(
    *, item: Item, loan: Loan | None, patron: Patron | None, kind: str, amount: int, at
) -> Compensation:
    comp = Compensation.objects.create(
        receipt_number=f"TMP{timezone.now().timestamp():.6f}"[:20],
        item=item,
        loan=loan,
        patron=patron,
        kind=kind,
        amount=amount,
    )
    comp.receipt_number = f"BT{timezone.localdate(at):%y}{comp.pk:06d}"
    comp.save(update_fields=["receipt_number"])
    return comp


def item_mark_lost_or_damaged(
    *, actor, item: Item, kind: str, at: dt.datetime | None = None, note: str = ""
) -> Compensation | None:
    """Mark a copy lost or damaged; the borrower (open loan, else the last one) owes
    compensation computed from their policy and the price."""
    at = _now(at)
    if kind not in CompensationKind.values:
        raise CirculationError(_("Loại bồi thường không hợp lệ."))
    with transaction.atomic():
        item = Item.objects.select_related("record").get(pk=item.pk)
        loan = Loan.objects.open().filter(item=item).select_related("patron").first()
        if loan is None:
            loan = (
                Loan.objects.filter(item=item, patron__isnull=False)
                .select_related("patron")
                .order_by("-returned_at")
                .first()
            )
        if loan is not None and loan.returned_at is None:
            loan.returned_at = at
            loan.save(update_fields=["returned_at"])
        new_status = ItemStatus.LOST if kind == CompensationKind.LOST else ItemStatus.DAMAGED
        Item.objects.filter(pk=item.pk).update(status=new_status, updated_at=at)
        item.status = new_status
        index_later(Record, [item.record_id])
        comp = None
        patron = loan.patron if loan else None
        if patron is not None:
            policy = selectors.policy_for(patron=patron, item_type_id=item.item_type_id)
            amount = compensation_amount(policy=policy, price=item.price, kind=kind)
            comp = _new_receipt(
                item=item, loan=loan, patron=patron, kind=kind, amount=amount, at=at
            )
            comp.note = note[:300]
            comp.save(update_fields=["note"])
        audit(
            actor,
            f"item.{kind}",
            item,
            barcode=item.barcode,
            receipt=comp.receipt_number if comp else None,
            amount=comp.amount if comp else 0,
        )
    return comp


def compensation_pay(
    *, actor, compensation: Compensation, method: str, at: dt.datetime | None = None, note: str = ""
) -> Compensation:
    """Record a payment (cash with its receipt, or a bank transfer the librarian confirms)."""
    at = _now(at)
    if method not in PaymentMethod.values:
        raise PaymentError(_("Hãy chọn hình thức nộp: tiền mặt hoặc chuyển khoản."))
    with transaction.atomic():
        changed = Compensation.objects.filter(
            pk=compensation.pk, status=CompensationStatus.DUE
        ).update(status=CompensationStatus.PAID, method=method, paid_at=at)
        if not changed:
            raise PaymentError(_("Khoản bồi thường này đã được ghi nhận trước đó."))
        note = (note or "").strip()
        if note:
            # The cash receipt (phiếu thu) or transfer reference stays on the record.
            current = Compensation.objects.values_list("note", flat=True).get(pk=compensation.pk)
            joined = f"{current} · {note}" if current else note
            Compensation.objects.filter(pk=compensation.pk).update(note=joined[:300])
        compensation.refresh_from_db()
        audit(
            actor,
            "compensation.paid",
            compensation,
            method=method,
            amount=compensation.amount,
            note=note[:300],
        )
    return compensation


def compensation_qr_payload(compensation: Compensation) -> str:
    from .vietqr import payload

    return payload(
        bank_bin=settings.LIBRARY_BANK_BIN,
        account=settings.LIBRARY_BANK_ACCOUNT,
        amount=compensation.amount,
        note=f"{compensation.receipt_number} BOI THUONG SACH"[:25],
    )


# ---------------------------------------------------------------------------- holds


def hold_place(*, actor, patron: Patron, record: Record, at: dt.datetime | None = None) -> Hold:
    """Queue a patron for any copy of a record; an available copy is put on the hold shelf at
    once."""
    at = _now(at)
    today = timezone.localdate(at)
    with transaction.atomic():
        if patron.blocked_reason or (patron.expires_on and patron.expires_on < today):
            raise HoldRefused(_("Thẻ bị khóa hoặc đã hết hạn: hãy gặp thủ thư."), code="card")
        if record.deleted_at is not None:
            raise HoldRefused(_("Biểu ghi này không còn trong thư mục."), code="deleted")
        items = list(record.items.select_related("item_type"))
        lendable = [
            i
            for i in items
            if i.status not in (ItemStatus.WITHDRAWN, ItemStatus.LOST, ItemStatus.REFERENCE_ONLY)
            and not (i.item_type and i.item_type.reference_only)
        ]
        if not lendable:
            raise HoldRefused(
                _("Thư viện không có bản nào của sách này để cho mượn."), code="no_copy"
            )
        allowed = [
            selectors.policy_for(patron=patron, item_type_id=i.item_type_id).holds_allowed
            for i in lendable
        ]
        if not any(allowed):
            raise HoldRefused(
                _("Quy định mượn không cho phép đặt trước loại tài liệu này."), code="policy"
            )
        if Loan.objects.open().filter(patron=patron, item__record=record).exists():
            raise HoldRefused(_("Bạn đang mượn sách này rồi."), code="on_loan")
        if Hold.objects.active().filter(patron=patron, record=record).exists():
            raise HoldRefused(_("Bạn đã đặt trước sách này rồi."), code="duplicate")
        hold = Hold.objects.create(record=record, patron=patron, placed_at=at)
        audit(actor, "hold.place", hold, record_id=record.pk, card=patron.card_barcode)
        for item in lendable:
            if item.status != ItemStatus.AVAILABLE:
                continue
            # Claim the shelf copy only if nobody else did in the meantime.
            if Item.objects.filter(pk=item.pk, status=ItemStatus.AVAILABLE).update(
                status=ItemStatus.ON_LOAN, updated_at=at
            ):
                item.status = ItemStatus.ON_LOAN  # placeholder; _release_item sets the real one
                _release_item(item=item, at=at)
                hold.refresh_from_db()
                break
    return hold


def hold_cancel(*, actor, hold: Hold, at: dt.datetime | None = None) -> Hold:
    """Cancel a hold; a copy waiting on the shelf for it passes to the next patron."""
    at = _now(at)
    with transaction.atomic():
        hold = Hold.objects.select_related("item__record").get(pk=hold.pk)
        if hold.status not in (HoldStatus.WAITING, HoldStatus.READY):
            raise HoldRefused(_("Lượt đặt trước này đã kết thúc."), code="closed")
        item = hold.item if hold.status == HoldStatus.READY else None
        hold.status = HoldStatus.CANCELLED
        hold.closed_at = at
        hold.save(update_fields=["status", "closed_at"])
        if item is not None:
            _release_item(item=item, at=at, exclude_hold=hold)
        audit(actor, "hold.cancel", hold, record_id=hold.record_id)
    return hold


def holds_expire(*, actor=None, at: dt.datetime | None = None) -> int:
    """Daily: holds not collected by their pickup day expire; the copy passes to the next."""
    at = _now(at)
    today = timezone.localdate(at)
    count = 0
    expired = Hold.objects.filter(status=HoldStatus.READY, pickup_by__lt=today).select_related(
        "item__record"
    )
    for hold in expired:
        with transaction.atomic():
            changed = Hold.objects.filter(pk=hold.pk, status=HoldStatus.READY).update(
                status=HoldStatus.EXPIRED, closed_at=at
            )
            if not changed:
                continue
            if hold.item is not None:
                _release_item(item=hold.item, at=at, exclude_hold=hold)
            audit(actor, "hold.expire", hold, record_id=hold.record_id)
            count += 1
    return count


# ---------------------------------------------------------------------------- overdues


def overdue_notices_send(*, actor=None, at: dt.datetime | None = None) -> int:
    """Daily: mail each patron with overdue loans one notice a day listing them."""
    at = _now(at)
    today = timezone.localdate(at)
    by_patron: dict[int, list[Loan]] = {}
    for loan in selectors.overdue_loans(today).exclude(last_notice_on=today):
        by_patron.setdefault(loan.patron_id, []).append(loan)
    sent = 0
    for loans in by_patron.values():
        patron = loans[0].patron
        lines = "\n".join(
            f"- {loan.item.record.title} ({loan.item.barcode}), hạn trả {_fmt(loan.due_on)}"
            for loan in loans
        )
        with transaction.atomic():
            Loan.objects.filter(pk__in=[loan.pk for loan in loans]).update(last_notice_on=today)
            _mail_on_commit(
                patron,
                _("Thư viện nhắc trả sách quá hạn"),
                _("Chào %(name)s,\n\nCác sách sau đã quá hạn trả:\n%(lines)s\n\nThư viện số")
                % {"name": patron.user, "lines": lines},
            )
            audit(actor, "loan.overdue_notice", patron, loans=[loan.pk for loan in loans])
        sent += 1
    return sent


HOMEROOM_NOTICE = "overdue.homeroom_list"


def homeroom_overdue_lists_send(*, actor=None, at: dt.datetime | None = None) -> int:
    """Daily: each homeroom teacher of a class with overdue books is mailed, once a day, a link
    to the printable list of their own class (no pupil's name travels in the mail)."""
    from django.urls import reverse

    from library.core.models import AuditEntry

    at = _now(at)
    today = timezone.localdate(at)
    counts = selectors.overdue_counts_by_current_class(today)
    if not counts:
        return 0
    by_class = {name.casefold(): n for name, n in counts.items()}
    teachers = (
        Patron.objects.filter(category=PatronCategory.TEACHER, user__is_active=True)
        .exclude(homeroom_class="")
        .select_related("user")
    )
    done = set(
        AuditEntry.objects.filter(
            action=HOMEROOM_NOTICE, details__day=today.isoformat()
        ).values_list("object_id", flat=True)
    )
    sent = 0
    for teacher in teachers:
        n = by_class.get(teacher.homeroom_class.casefold())
        if not n or str(teacher.pk) in done or not patron_email(teacher):
            continue
        link = settings.LIBRARY_BASE_URL + reverse(
            "circulation:class_overdues", args=[teacher.homeroom_class]
        )
        with transaction.atomic():
            _mail_on_commit(
                teacher,
                _("Danh sách sách quá hạn lớp %(c)s") % {"c": teacher.homeroom_class},
                _(
                    "Chào thầy/cô %(name)s,\n\nLớp %(c)s có %(n)s cuốn sách quá hạn trả tính "
                    "đến ngày %(day)s. Danh sách để in (thầy/cô đăng nhập để xem):\n%(link)s"
                    "\n\nThư viện số"
                )
                % {
                    "name": teacher.user,
                    "c": teacher.homeroom_class,
                    "n": n,
                    "day": _fmt(today),
                    "link": link,
                },
            )
            audit(
                actor,
                HOMEROOM_NOTICE,
                teacher,
                day=today.isoformat(),
                school_class=teacher.homeroom_class,
                loans=n,
            )
        sent += 1
    return sent


# ---------------------------------------------------------------------------- privacy


def loan_history_anonymise(
    *, actor=None, at: dt.datetime | None = None, days: int | None = None
) -> int:
    """Daily: loans returned more than LIBRARY_LOAN_HISTORY_DAYS ago lose their patron link
    (category, grade and class stay for statistics), unless the patron's guardian consented to
    keeping the reading history. Loans with unpaid compensation are kept until settled."""
    at = _now(at)
    days = settings.LIBRARY_LOAN_HISTORY_DAYS if days is None else days
    cutoff = at - dt.timedelta(days=days)
    loans = (
        Loan.objects.filter(returned_at__lt=cutoff, patron__isnull=False)
        .exclude(patron__consent_reading_history=True)
        .exclude(compensations__status=CompensationStatus.DUE)
    )
    with transaction.atomic():
        count = loans.update(patron=None, anonymised_at=at)
        if count:
            audit(actor, "loan.anonymise", None, count=count, cutoff=cutoff.isoformat())
    return count


def patron_export(*, actor, patron: Patron) -> str:
    """Everything the library holds about one patron, as JSON (a data subject's request)."""
    user = patron.user
    data = {
        "exported_at": timezone.now(),
        "patron": {
            "full_name": user.full_name,
            "username": user.username,
            "email": user.email,
            "category": patron.category,
            "school_class": patron.school_class,
            "grade": patron.grade,
            "card_barcode": patron.card_barcode,
            "student_identifier": patron.student_identifier,
            "date_of_birth": patron.date_of_birth,
            "citizen_id": patron.citizen_id,
            "guardian_phone": patron.guardian_phone,
            "guardian_email": patron.guardian_email,
            "expires_on": patron.expires_on,
            "blocked_reason": patron.blocked_reason,
            "consent": {
                "photo": patron.consent_photo,
                "contact": patron.consent_contact,
                "reading_history": patron.consent_reading_history,
                "recorded_at": patron.consent_recorded_at,
                "given_by": patron.consent_given_by,
            },
        },
        "loans": [
            {
                "barcode": loan.item.barcode,
                "title": loan.item.record.title,
                "borrowed_at": loan.borrowed_at,
                "due_on": loan.due_on,
                "returned_at": loan.returned_at,
                "renewals": loan.renewals,
            }
            for loan in Loan.objects.filter(patron=patron).select_related("item__record")
        ],
        "holds": [
            {"title": h.record.title, "status": h.status, "placed_at": h.placed_at}
            for h in Hold.objects.filter(patron=patron).select_related("record")
        ],
        "compensations": [
            {
                "receipt_number": c.receipt_number,
                "kind": c.kind,
                "amount": c.amount,
                "status": c.status,
                "paid_at": c.paid_at,
            }
            for c in Compensation.objects.filter(patron=patron)
        ],
    }
    with transaction.atomic():
        audit(actor, "patron.export", patron)
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------------------- rollover


@dataclass
class RolloverResult:
    promoted: int = 0
    expired: int = 0
    with_loans: list[Patron] = field(default_factory=list)


def _next_class(school_class: str, grade: int) -> str:
    """6A1 -> 7A1: the leading grade number of the class name goes up by one."""
    digits = ""
    for ch in school_class:
        if ch.isdigit():
            digits += ch
        else:
            break
    if digits and int(digits) == grade:
        return f"{grade + 1}{school_class[len(digits) :]}"
    return school_class


def patron_rollover(
    *,
    actor,
    final_grade: int,
    expires_on: dt.date,
    confirm_with_loans: bool = False,
    at: dt.datetime | None = None,
) -> RolloverResult:
    """Year end: students move up a grade and class; those in the final grade leave (card
    expires). Refused while leavers hold loans unless the librarian confirms."""
    at = _now(at)
    students = Patron.objects.filter(category=PatronCategory.STUDENT, grade__isnull=False)
    leavers = students.filter(grade__gte=final_grade)
    leavers_with_loans = list(
        leavers.filter(pk__in=Loan.objects.open().values("patron_id")).select_related("user")
    )
    if leavers_with_loans and not confirm_with_loans:
        raise RolloverRefused(
            _(
                "%(n)s học sinh ra trường vẫn còn sách chưa trả. Hãy thu hồi sách, hoặc xác "
                "nhận chuyển năm học dù còn sách."
            )
            % {"n": len(leavers_with_loans)},
            code="leavers_with_loans",
        )
    result = RolloverResult(with_loans=leavers_with_loans)
    with transaction.atomic():
        result.expired = leavers.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gt=timezone.localdate(at))
        ).update(expires_on=timezone.localdate(at))
        for patron in students.filter(grade__lt=final_grade):
            patron.school_class = _next_class(patron.school_class, patron.grade)
            patron.grade += 1
            patron.expires_on = expires_on
            patron.save(update_fields=["school_class", "grade", "expires_on"])
            result.promoted += 1
        audit(
            actor,
            "patron.rollover",
            None,
            promoted=result.promoted,
            expired=result.expired,
            leavers_with_loans=[p.card_barcode for p in leavers_with_loans],
        )
    return result


# ---------------------------------------------------------------------------- class sets


@dataclass
class ClassSetResult:
    issue: ClassSetIssue
    loans: int = 0
    shortages: list[str] = field(default_factory=list)


def class_set_issue(
    *,
    actor,
    school_class: str,
    school_year: str,
    records: list[Record],
    due_on: dt.date,
    to_teacher: Patron | None = None,
    at: dt.datetime | None = None,
) -> ClassSetResult:
    """Lend one copy of each textbook to every student of a class (or the whole set to the
    homeroom teacher) for the school year, in one action; shortages are listed, not fatal."""
    at = _now(at)
    students = list(selectors.class_students(school_class))
    if not students and to_teacher is None:
        raise CirculationError(_("Lớp %(c)s chưa có học sinh nào.") % {"c": school_class})
    if not records:
        raise CirculationError(_("Hãy chọn ít nhất một sách giáo khoa."))
    with transaction.atomic():
        issue = ClassSetIssue.objects.create(
            school_class=school_class,
            school_year=school_year,
            to_teacher=to_teacher,
            due_on=due_on,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        issue.records.set(records)
        result = ClassSetResult(issue=issue)
        borrowers = [to_teacher] * len(students or [None]) if to_teacher else students
        for record in records:
            free = list(
                Item.objects.filter(record=record, status=ItemStatus.AVAILABLE)
                .order_by("barcode")
                .values_list("pk", flat=True)[: len(borrowers)]
            )
            for patron, item_pk in zip(borrowers, free, strict=False):
                if not Item.objects.filter(pk=item_pk, status=ItemStatus.AVAILABLE).update(
                    status=ItemStatus.ON_LOAN, updated_at=at
                ):
                    continue
                Loan.objects.create(
                    item_id=item_pk,
                    patron=patron,
                    patron_category=patron.category,
                    patron_grade=patron.grade,
                    patron_class=patron.school_class or school_class,
                    borrowed_at=at,
                    due_on=due_on,
                    class_set=issue,
                )
                result.loans += 1
            if len(free) < len(borrowers):
                result.shortages.append(
                    _("%(title)s: thiếu %(n)s bản")
                    % {"title": record.title, "n": len(borrowers) - len(free)}
                )
        audit(
            actor,
            "classset.issue",
            issue,
            loans=result.loans,
            shortages=result.shortages,
            records=[r.pk for r in records],
        )
    return result


# ---------------------------------------------------------------------------- stocktake


def stocktake_start(*, actor, location, at: dt.datetime | None = None) -> Stocktake:
    """Open a stocktake of one location (one open stocktake per location)."""
    at = _now(at)
    with transaction.atomic():
        if Stocktake.objects.filter(location=location, status=StocktakeStatus.OPEN).exists():
            raise CirculationError(_("Kho này đang có một đợt kiểm kê chưa kết thúc."))
        stocktake = Stocktake.objects.create(
            location=location,
            started_at=at,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit(actor, "stocktake.start", stocktake, location=location.code)
    return stocktake


def stocktake_scan(
    *, actor, stocktake: Stocktake, barcodes: list[str], at: dt.datetime | None = None
) -> int:
    """Record scanned or pasted barcodes (duplicates count once)."""
    at = _now(at)
    if stocktake.status != StocktakeStatus.OPEN:
        raise CirculationError(_("Đợt kiểm kê đã kết thúc: hãy mở đợt mới."))
    wanted = list(dict.fromkeys(b.strip() for b in barcodes if b and b.strip()))
    known = dict(Item.objects.filter(barcode__in=wanted).values_list("barcode", "pk"))
    already = set(stocktake.scans.filter(barcode__in=wanted).values_list("barcode", flat=True))
    new = [
        StocktakeScan(stocktake=stocktake, barcode=b[:32], item_id=known.get(b), scanned_at=at)
        for b in wanted
        if b not in already
    ]
    with transaction.atomic():
        StocktakeScan.objects.bulk_create(new, ignore_conflicts=True)
        audit(actor, "stocktake.scan", stocktake, count=len(new))
    return len(new)


def stocktake_confirm_missing(
    *, actor, stocktake: Stocktake, item_ids: list[int], at: dt.datetime | None = None
) -> int:
    """Missing copies become lost only when the librarian confirms them, one by one."""
    at = _now(at)
    report = selectors.stocktake_report(stocktake)
    missing = {item.pk for item in report.missing}
    chosen = [pk for pk in item_ids if pk in missing]
    with transaction.atomic():
        count = Item.objects.filter(pk__in=chosen).update(status=ItemStatus.LOST, updated_at=at)
        audit(actor, "stocktake.lost", stocktake, items=chosen)
    return count


def stocktake_close(*, actor, stocktake: Stocktake, at: dt.datetime | None = None) -> Stocktake:
    at = _now(at)
    with transaction.atomic():
        Stocktake.objects.filter(pk=stocktake.pk).update(
            status=StocktakeStatus.CLOSED, closed_at=at
        )
        stocktake.refresh_from_db()
        audit(actor, "stocktake.close", stocktake)
    return stocktake
