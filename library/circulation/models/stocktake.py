"""Stocktake (kiểm kê) of one location: scanned barcodes compared with the expected items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("Đang kiểm kê")
    CLOSED = "closed", _("Đã kết thúc")


class Stocktake(models.Model):
    location = models.ForeignKey(
        "catalog.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("kho")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=StocktakeStatus.choices,
        default=StocktakeStatus.OPEN,
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người kiểm kê"),
    )
    closed_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đợt kiểm kê")
        verbose_name_plural = _("đợt kiểm kê")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.location} · {self.started_at:%d/%m/%Y}"


class StocktakeScan(models.Model):
    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.CASCADE, related_name="scans", verbose_name=_("đợt kiểm kê")
    )
    barcode = models.CharField(_("mã vạch"), max_length=32)
    item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bản sách"),
    )
    scanned_at = models.DateTimeField(_("thời điểm quét"))

    class Meta:
        verbose_name = _("mã đã quét")
        verbose_name_plural = _("mã đã quét")
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "barcode"], name="stocktake_scan_once")
        ]

    def __str__(self) -> str:
        return self.barcode
