"""Loans, holds, textbook class sets and compensation (bồi thường)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from library.accounts.models import PatronCategory


class LoanQuerySet(models.QuerySet):
    def open(self):
        return self.filter(returned_at__isnull=True)

    def returned(self):
        return self.filter(returned_at__isnull=False)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class ClassSetIssue(models.Model):
    """One action lending a grade's textbooks to a whole class for the school year."""

    school_class = models.CharField(_("lớp"), max_length=20)
    school_year = models.CharField(_("năm học"), max_length=9)
    records = models.ManyToManyField(
        "catalog.Record", related_name="+", verbose_name=_("sách giáo khoa")
    )
    to_teacher = models.ForeignKey(
        "accounts.Patron",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("giáo viên chủ nhiệm nhận cả bộ"),
    )
    due_on = models.DateField(_("hạn trả"))
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )

    class Meta:
        verbose_name = _("bộ sách giáo khoa cho lớp")
        verbose_name_plural = _("bộ sách giáo khoa cho lớp")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.school_year}"


class Loan(models.Model):
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, related_name="loans", verbose_name=_("bản sách")
    )
    # Null once the loan history is anonymised; category/grade/class stay for statistics.
    patron = models.ForeignKey(
        "accounts.Patron",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("bạn đọc"),
    )
    patron_category = models.CharField(
        _("đối tượng"), max_length=16, choices=PatronCategory.choices, blank=True
    )
    patron_grade = models.PositiveSmallIntegerField(_("khối"), null=True, blank=True)
    patron_class = models.CharField(_("lớp"), max_length=20, blank=True)
    borrowed_at = models.DateTimeField(_("ngày mượn"), db_index=True)
    due_on = models.DateField(_("hạn trả"), db_index=True)
    returned_at = models.DateTimeField(_("ngày trả"), null=True, blank=True, db_index=True)
    renewals = models.PositiveSmallIntegerField(_("số lần đã gia hạn"), default=0)
    override_reason = models.CharField(_("lý do cho mượn ngoại lệ"), max_length=300, blank=True)
    class_set = models.ForeignKey(
        ClassSetIssue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("bộ sách lớp"),
    )
    last_notice_on = models.DateField(_("ngày gửi nhắc gần nhất"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("ngày ẩn danh"), null=True, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt mượn")
        verbose_name_plural = _("lượt mượn")
        ordering = ["-borrowed_at", "-id"]
        constraints = [
            # The database itself refuses a second open loan of one copy.
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(returned_at__isnull=True),
                name="loan_one_open_per_item",
            )
        ]
        indexes = [models.Index(fields=["patron", "returned_at"])]

    def __str__(self) -> str:
        return f"{self.item.barcode} → {self.patron or _('(ẩn danh)')}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class HoldStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    READY = "ready", _("Đã có sách, chờ nhận")
    FULFILLED = "fulfilled", _("Đã nhận")
    CANCELLED = "cancelled", _("Đã hủy")
    EXPIRED = "expired", _("Quá hạn nhận")


ACTIVE_HOLD_STATUSES = (HoldStatus.WAITING, HoldStatus.READY)


class HoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_HOLD_STATUSES)

    def queue(self):
        return self.filter(status=HoldStatus.WAITING).order_by("placed_at", "id")


class Hold(models.Model):
    record = models.ForeignKey(
        "catalog.Record", on_delete=models.CASCADE, related_name="holds", verbose_name=_("biểu ghi")
    )
    patron = models.ForeignKey(
        "accounts.Patron", on_delete=models.CASCADE, related_name="holds", verbose_name=_("bạn đọc")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=HoldStatus.choices,
        default=HoldStatus.WAITING,
        db_index=True,
    )
    placed_at = models.DateTimeField(_("ngày đặt"))
    item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("bản sách giữ"),
    )
    ready_at = models.DateTimeField(_("ngày sẵn sàng"), null=True, blank=True)
    pickup_by = models.DateField(_("hạn nhận sách"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày kết thúc"), null=True, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("đặt trước")
        verbose_name_plural = _("đặt trước")
        ordering = ["placed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "patron"],
                condition=models.Q(status__in=["waiting", "ready"]),
                name="hold_one_active_per_patron_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} ← {self.patron}"


class CompensationKind(models.TextChoices):
    LOST = "lost", _("Mất sách")
    DAMAGED = "damaged", _("Hư hỏng")


class CompensationStatus(models.TextChoices):
    DUE = "due", _("Chưa nộp")
    PAID = "paid", _("Đã nộp")
    WAIVED = "waived", _("Miễn")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản (VietQR)")


class Compensation(models.Model):
    """Bồi thường for a lost or damaged copy, computed from the loan policy and the price."""

    receipt_number = models.CharField(_("số biên lai"), max_length=20, unique=True)
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("bản sách")
    )
    loan = models.ForeignKey(
        Loan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compensations",
        verbose_name=_("lượt mượn"),
    )
    patron = models.ForeignKey(
        "accounts.Patron",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compensations",
        verbose_name=_("bạn đọc"),
    )
    kind = models.CharField(_("loại"), max_length=16, choices=CompensationKind.choices)
    amount = models.PositiveIntegerField(_("số tiền (VNĐ)"))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=CompensationStatus.choices,
        default=CompensationStatus.DUE,
    )
    method = models.CharField(
        _("hình thức nộp"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    created_at = models.DateTimeField(_("ngày lập"), auto_now_add=True)
    paid_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bồi thường")
        verbose_name_plural = _("bồi thường")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.receipt_number}: {self.amount:,} đ"
