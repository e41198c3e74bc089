"""Items: the barcoded copies of a record, with where they are and whether they can be lent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .records import Record


class Location(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("kho, vị trí")
        verbose_name_plural = _("kho, vị trí")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemType(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    reference_only = models.BooleanField(_("chỉ đọc tại chỗ"), default=False)

    class Meta:
        verbose_name = _("loại tài liệu")
        verbose_name_plural = _("loại tài liệu")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Có sẵn")
    ON_LOAN = "on_loan", _("Đang cho mượn")
    ON_HOLD_SHELF = "on_hold_shelf", _("Trên giá giữ chỗ")
    IN_TRANSIT = "in_transit", _("Đang chuyển")
    LOST = "lost", _("Mất")
    DAMAGED = "damaged", _("Hư hỏng")
    WITHDRAWN = "withdrawn", _("Thanh lý")
    REFERENCE_ONLY = "reference_only", _("Chỉ đọc tại chỗ")


class ItemQuerySet(models.QuerySet):
    def available(self):
        return self.filter(status=ItemStatus.AVAILABLE)

    def on_loan(self):
        return self.filter(status=ItemStatus.ON_LOAN)


class Item(models.Model):
    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, related_name="items", verbose_name=_("biểu ghi")
    )
    barcode = models.CharField(_("mã vạch"), max_length=32, unique=True)
    call_number = models.CharField(_("ký hiệu xếp giá"), max_length=100, blank=True, db_index=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kho")
    )
    item_type = models.ForeignKey(
        ItemType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("loại tài liệu")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ItemStatus.choices,
        default=ItemStatus.AVAILABLE,
        db_index=True,
    )
    price = models.DecimalField(
        _("giá (VNĐ)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    acquired_on = models.DateField(_("ngày nhập"), null=True, blank=True)
    acquisition_source = models.CharField(_("nguồn bổ sung"), max_length=200, blank=True)
    accession_number = models.CharField(
        _("số đăng ký cá biệt"), max_length=50, null=True, blank=True, unique=True
    )
    notes = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày cập nhật"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("bản sách")
        verbose_name_plural = _("bản sách")
        ordering = ["call_number", "barcode"]

    def __str__(self) -> str:
        return f"{self.barcode} — {self.record}"
