"""Desk (librarians), self-service (patrons): check who asks, call a service, respond."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Record
from library.accounts import services as patron_services
from library.accounts.models import Patron, PatronCategory

from . import selectors, services
from .exceptions import CirculationError
from .forms import (
    CardForm,
    CheckinForm,
    CheckoutForm,
    ClassSetForm,
    LostDamagedForm,
    PaymentForm,
    RolloverForm,
    StocktakeScanForm,
    StocktakeStartForm,
)
from .models import ClassSetIssue, Compensation, Hold, Loan, Stocktake
from .vietqr import svg

SESSION_PATRON = "desk_patron_id"
# Whether the desk patron had holds or unpaid compensation when their card was scanned: the
# page after each later scan asks the database for them only if so (or after a new debt).
SESSION_EXTRAS = "desk_patron_extras"


def librarian_required(view):
    @wraps(view)
    @login_required
    @selectors.rules_cached()
    def wrapper(request, *args, **kwargs):
        if not request.user.is_librarian:
            raise PermissionDenied(_("Chỉ thủ thư được dùng quầy mượn trả."))
        return view(request, *args, **kwargs)

    return wrapper


def _desk_patron(request) -> Patron | None:
    pk = request.session.get(SESSION_PATRON)
    if not pk:
        return None
    return Patron.objects.select_related("user").filter(pk=pk).first()


_UNKNOWN = object()


def _render_desk(request, *, focus="card", result=None, status=200, override=None, patron=_UNKNOWN):
    """The desk page: the scan result and the current patron's loans, holds and dues.
    Views that already loaded the desk patron pass it in."""
    if patron is _UNKNOWN:
        patron = _desk_patron(request)
    holds, dues = [], []
    if patron is not None and request.session.get(SESSION_EXTRAS, True):
        holds = list(selectors.patron_active_holds(patron))
        dues = list(selectors.patron_due_compensations(patron))
        if request.session.get(SESSION_EXTRAS) is None:
            request.session[SESSION_EXTRAS] = bool(holds or dues)
    context = {
        "patron": patron,
        "loans": list(selectors.patron_open_loans(patron).order_by("due_on")) if patron else [],
        "holds": holds,
        "dues": dues,
        "focus": "checkout" if focus == "card" and patron else focus,
        "result": result,
        "override": override,
        "today": timezone.localdate(),
        "card_form": CardForm(),
        "checkout_form": CheckoutForm(),
        "checkin_form": CheckinForm(),
    }
    return render(request, "circulation/desk.html", context, status=status)


def _ok(text, **extra):
    return {"kind": "ok", "text": text, **extra}


def _refused(text, **extra):
    return {"kind": "error", "text": text, **extra}


@require_GET
@librarian_required
def desk(request):
    return _render_desk(request)


@require_POST
@librarian_required
def desk_patron(request):
    form = CardForm(request.POST)
    if not form.is_valid():
        return _render_desk(request, result=_refused(_("Hãy quét thẻ bạn đọc.")), status=400)
    patron = selectors.patron_by_card(form.cleaned_data["card"])
    if patron is None:
        request.session.pop(SESSION_PATRON, None)
        request.session.pop(SESSION_EXTRAS, None)
        return _render_desk(
            request,
            result=_refused(
                _("Không tìm thấy thẻ “%(c)s”: hãy quét lại.") % {"c": form.cleaned_data["card"]}
            ),
            status=404,
        )
    request.session[SESSION_PATRON] = patron.pk
    request.session.pop(SESSION_EXTRAS, None)
    patron_services.patron_viewed(actor=request.user, patron=patron, where="desk")
    notes = []
    if patron.blocked_reason:
        notes.append(_("Thẻ đang bị khóa: %(r)s.") % {"r": patron.blocked_reason})
    if patron.expires_on and patron.expires_on < timezone.localdate():
        notes.append(_("Thẻ đã hết hạn."))
    text = _("Bạn đọc: %(name)s") % {"name": patron.user}
    return _render_desk(request, focus="checkout", result=_ok(text, notes=notes), patron=patron)


@require_POST
@librarian_required
def desk_done(request):
    request.session.pop(SESSION_PATRON, None)
    request.session.pop(SESSION_EXTRAS, None)
    return redirect("circulation:desk")


@require_POST
@librarian_required
def desk_checkout(request):
    patron = _desk_patron(request)
    if patron is None:
        return _render_desk(
            request, result=_refused(_("Hãy quét thẻ bạn đọc trước.")), status=400, patron=None
        )
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _render_desk(
            request,
            focus="checkout",
            result=_refused(_("Hãy quét mã vạch sách.")),
            status=400,
            patron=patron,
        )
    barcode = form.cleaned_data["barcode"].strip()
    item = selectors.item_by_barcode(barcode)
    if item is None:
        return _render_desk(
            request,
            focus="checkout",
            result=_refused(_("Không có bản sách mã “%(b)s”.") % {"b": barcode}),
            status=404,
            patron=patron,
        )
    try:
        loan = services.loan_checkout(
            actor=request.user,
            patron=patron,
            item=item,
            override_reason=form.cleaned_data["override_reason"],
        )
    except CirculationError as exc:
        override = {"barcode": barcode} if exc.overridable else None
        return _render_desk(
            request,
            focus="override" if override else "checkout",
            result=_refused(exc.message),
            status=409,
            override=override,
            patron=patron,
        )
    text = _("Đã cho mượn: %(title)s — hạn trả %(due)s") % {
        "title": item.record.title,
        "due": loan.due_on.strftime("%d/%m/%Y"),
    }
    return _render_desk(request, focus="checkout", result=_ok(text), patron=patron)


@require_POST
@librarian_required
def desk_checkin(request):
    form = CheckinForm(request.POST)
    if not form.is_valid():
        return _render_desk(
            request, focus="checkin", result=_refused(_("Hãy quét mã vạch sách.")), status=400
        )
    barcode = form.cleaned_data["barcode"].strip()
    item = selectors.item_by_barcode(barcode)
    if item is None:
        return _render_desk(
            request,
            focus="checkin",
            result=_refused(_("Không có bản sách mã “%(b)s”.") % {"b": barcode}),
            status=404,
        )
    result = services.loan_checkin(actor=request.user, item=item)
    if result.loan is None:
        return _render_desk(
            request, focus="checkin", result=_refused(" ".join(result.messages)), status=409
        )
    text = _("Đã nhận trả: %(title)s") % {"title": item.record.title}
    kind = "warn" if result.hold else "ok"
    return _render_desk(
        request, focus="checkin", result={"kind": kind, "text": text, "notes": result.messages}
    )


@require_POST
@librarian_required
def desk_renew(request, loan_id):
    loan = get_object_or_404(Loan, pk=loan_id)
    try:
        loan = services.loan_renew(actor=request.user, loan=loan)
    except CirculationError as exc:
        return _render_desk(request, focus="checkout", result=_refused(exc.message), status=409)
    text = _("Đã gia hạn: hạn trả mới %(due)s") % {"due": loan.due_on.strftime("%d/%m/%Y")}
    return _render_desk(request, focus="checkout", result=_ok(text))


@librarian_required
def desk_lost(request):
    form = LostDamagedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = selectors.item_by_barcode(form.cleaned_data["barcode"])
        if item is None:
            form.add_error("barcode", _("Không có bản sách mã này."))
        else:
            comp = services.item_mark_lost_or_damaged(
                actor=request.user,
                item=item,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
            request.session.pop(SESSION_EXTRAS, None)
            if comp is None:
                messages.info(
                    request, _("Đã ghi nhận tình trạng; không có bạn đọc phải bồi thường.")
                )
                return redirect("circulation:desk")
            return redirect("circulation:compensation", pk=comp.pk)
    return render(request, "circulation/lost.html", {"form": form})


@librarian_required
def compensation(request, pk):
    comp = get_object_or_404(
        Compensation.objects.select_related("item__record", "patron__user"), pk=pk
    )
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.compensation_pay(
                actor=request.user,
                compensation=comp,
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request, _("Đã ghi nhận khoản bồi thường %(r)s.") % {"r": comp.receipt_number}
            )
            return redirect("circulation:compensation", pk=comp.pk)
        except CirculationError as exc:
            form.add_error(None, exc.message)
    qr_svg, qr_error = "", ""
    try:
        payload = services.compensation_qr_payload(comp)
        qr_svg = svg(payload, title=_("Mã VietQR chuyển khoản %(r)s") % {"r": comp.receipt_number})
    except ValueError as exc:
        qr_error = str(exc)
    return render(
        request,
        "circulation/compensation.html",
        {"comp": comp, "form": form, "qr_svg": qr_svg, "qr_error": qr_error},
    )


@require_GET
@librarian_required
def overdues(request):
    groups = selectors.overdue_by_class()
    patron_services.patron_list_viewed(
        actor=request.user, what="overdues", count=sum(len(v) for v in groups.values())
    )
    return render(
        request, "circulation/overdues.html", {"groups": groups, "today": timezone.localdate()}
    )


@require_GET
@login_required
def class_overdues(request, school_class):
    """One class's overdue list, printable: for its homeroom teacher and for librarians."""
    if not request.user.is_librarian and (
        selectors.homeroom_class_of(request.user).casefold() != school_class.casefold()
    ):
        raise PermissionDenied(
            _("Chỉ giáo viên chủ nhiệm lớp %(c)s và thủ thư được xem danh sách này.")
            % {"c": school_class}
        )
    today = timezone.localdate()
    loans = selectors.class_overdue_loans(school_class, today)
    for loan in loans:
        loan.days_late = (today - loan.due_on).days
    patron_services.patron_list_viewed(
        actor=request.user, what=f"overdues:{school_class}", count=len(loans)
    )
    return render(
        request,
        "circulation/class_overdues.html",
        {"school_class": school_class, "loans": loans, "today": today},
    )


@librarian_required
def class_set_new(request):
    form = ClassSetForm(request.POST or None)
    records = []
    if form.is_valid():
        records = selectors.textbooks_for_grade(form.cleaned_data["grade"])
        if request.method == "POST" and request.POST.get("confirm"):
            chosen = [r for r in records if str(r.pk) in request.POST.getlist("records")]
            teacher = None
            if form.cleaned_data["teacher_card"]:
                teacher = selectors.patron_by_card(form.cleaned_data["teacher_card"])
                if teacher is None:
                    form.add_error("teacher_card", _("Không tìm thấy thẻ giáo viên này."))
            if form.is_valid():
                try:
                    result = services.class_set_issue(
                        actor=request.user,
                        school_class=form.cleaned_data["school_class"],
                        school_year=form.cleaned_data["school_year"],
                        records=chosen,
                        due_on=form.cleaned_data["due_on"],
                        to_teacher=teacher,
                    )
                except CirculationError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("Đã cho mượn %(n)s bản.") % {"n": result.loans})
                    for shortage in result.shortages:
                        messages.warning(request, shortage)
                    return redirect("circulation:class_set", pk=result.issue.pk)
    return render(request, "circulation/class_set_new.html", {"form": form, "records": records})


@librarian_required
def class_set(request, pk):
    issue = get_object_or_404(ClassSetIssue, pk=pk)
    form = CheckinForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        item = selectors.item_by_barcode(form.cleaned_data["barcode"])
        if item is None or not issue.loans.open().filter(item=item).exists():
            result = _refused(
                _("Mã “%(b)s” không thuộc bộ sách đang mượn của lớp này.")
                % {"b": form.cleaned_data["barcode"]}
            )
        else:
            services.loan_checkin(actor=request.user, item=item)
            result = _ok(_("Đã nhận trả: %(t)s") % {"t": item.record.title})
        form = CheckinForm()
    outstanding = selectors.class_set_outstanding(issue)
    return render(
        request,
        "circulation/class_set.html",
        {"issue": issue, "form": form, "outstanding": outstanding, "result": result},
    )


@librarian_required
def stocktake_list(request):
    form = StocktakeStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            st = services.stocktake_start(
                actor=request.user, location=form.cleaned_data["location"]
            )
            return redirect("circulation:stocktake", pk=st.pk)
        except CirculationError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "circulation/stocktake_list.html",
        {"form": form, "stocktakes": Stocktake.objects.select_related("location")[:50]},
    )


@librarian_required
def stocktake(request, pk):
    st = get_object_or_404(Stocktake.objects.select_related("location"), pk=pk)
    form = StocktakeScanForm()
    if request.method == "POST":
        action = request.POST.get("action", "scan")
        try:
            if action == "scan":
                form = StocktakeScanForm(request.POST)
                if form.is_valid():
                    n = services.stocktake_scan(
                        actor=request.user,
                        stocktake=st,
                        barcodes=form.cleaned_data["barcodes"].split(),
                    )
                    messages.success(request, _("Đã ghi %(n)s mã mới.") % {"n": n})
                    return redirect("circulation:stocktake", pk=st.pk)
            elif action == "lost":
                ids = [int(x) for x in request.POST.getlist("items") if x.isdigit()]
                n = services.stocktake_confirm_missing(
                    actor=request.user, stocktake=st, item_ids=ids
                )
                messages.success(request, _("Đã ghi %(n)s bản là mất.") % {"n": n})
                return redirect("circulation:stocktake", pk=st.pk)
            elif action == "close":
                services.stocktake_close(actor=request.user, stocktake=st)
                return redirect("circulation:stocktake", pk=st.pk)
        except CirculationError as exc:
            messages.error(request, exc.message)
    report = selectors.stocktake_report(st)
    return render(request, "circulation/stocktake.html", {"st": st, "form": form, "report": report})


@librarian_required
def rollover(request):
    form = RolloverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.patron_rollover(actor=request.user, **form.cleaned_data)
        except CirculationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Đã lên lớp %(p)s học sinh, %(e)s học sinh ra trường.")
                % {"p": result.promoted, "e": result.expired},
            )
            return redirect("circulation:desk")
    return render(request, "circulation/rollover.html", {"form": form})


@require_GET
@librarian_required
def patron_export(request, pk):
    patron = get_object_or_404(Patron.objects.select_related("user"), pk=pk)
    data = services.patron_export(actor=request.user, patron=patron)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ban-doc-{patron.card_barcode}.json"'
    return response


# ---------------------------------------------------------------- self-service


def _own_patron(request) -> Patron:
    patron = Patron.objects.select_related("user").filter(user=request.user).first()
    if patron is None:
        raise PermissionDenied(_("Tài khoản này chưa có thẻ bạn đọc: hãy gặp thủ thư."))
    return patron


@require_GET
@login_required
def account(request):
    patron = _own_patron(request)
    history = (
        list(selectors.patron_loan_history(patron)[:100])
        if patron.consent_reading_history
        else None
    )
    holds = list(selectors.patron_active_holds(patron))
    for hold in holds:
        hold.position = selectors.hold_position(hold)
    context = {
        "patron": patron,
        "homeroom_class": patron.homeroom_class
        if patron.category == PatronCategory.TEACHER
        else "",
        "loans": list(selectors.patron_open_loans(patron).order_by("due_on")),
        "holds": holds,
        "history": history,
        "dues": list(selectors.patron_due_compensations(patron)),
        "today": timezone.localdate(),
    }
    return render(request, "circulation/account.html", context)


@require_POST
@login_required
def account_renew(request, loan_id):
    patron = _own_patron(request)
    loan = get_object_or_404(Loan, pk=loan_id, patron=patron)
    try:
        loan = services.loan_renew(actor=request.user, loan=loan)
        messages.success(
            request, _("Đã gia hạn đến %(d)s.") % {"d": loan.due_on.strftime("%d/%m/%Y")}
        )
    except CirculationError as exc:
        messages.error(request, exc.message)
    return redirect("circulation:account")


@require_POST
@login_required
def account_hold_place(request, record_id):
    patron = _own_patron(request)
    record = get_object_or_404(Record.objects.discoverable(), pk=record_id)
    try:
        hold = services.hold_place(actor=request.user, patron=patron, record=record)
        if hold.status == "ready":
            messages.success(request, _("Sách đã có sẵn và đang được giữ cho bạn."))
        else:
            messages.success(request, _("Đã đặt trước. Thư viện sẽ báo khi có sách."))
    except CirculationError as exc:
        messages.error(request, exc.message)
    return redirect("circulation:account")


@require_POST
@login_required
def account_hold_cancel(request, hold_id):
    patron = _own_patron(request)
    hold = get_object_or_404(Hold, pk=hold_id, patron=patron)
    try:
        services.hold_cancel(actor=request.user, hold=hold)
        messages.success(request, _("Đã hủy đặt trước."))
    except CirculationError as exc:
        messages.error(request, exc.message)
    return redirect("circulation:account")
