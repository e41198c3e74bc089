"""The school calendar: closed weekdays and closed periods (Tết, holidays, summer break)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_closed_weekdays() -> list[int]:
    return [6]  # Sunday (Monday = 0)


class SchoolCalendar(models.Model):
    name = models.CharField(_("tên lịch"), max_length=100, default="Lịch thư viện")
    closed_weekdays = models.JSONField(
        _("ngày nghỉ trong tuần"),
        default=default_closed_weekdays,
        blank=True,
        help_text=_("Danh sách số: 0 = thứ Hai ... 5 = thứ Bảy, 6 = Chủ nhật."),
    )

    class Meta:
        verbose_name = _("lịch thư viện")
        verbose_name_plural = _("lịch thư viện")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        days = self.closed_weekdays or []
        if not isinstance(days, list) or any(d not in range(7) for d in days):
            raise ValidationError({"closed_weekdays": _("Chỉ dùng các số từ 0 đến 6.")})
        if len(set(days)) == 7:
            raise ValidationError({"closed_weekdays": _("Thư viện phải mở ít nhất một ngày.")})


class ClosedPeriod(models.Model):
    calendar = models.ForeignKey(
        SchoolCalendar,
        on_delete=models.CASCADE,
        related_name="closed_periods",
        verbose_name=_("lịch"),
    )
    name = models.CharField(_("tên kỳ nghỉ"), max_length=100)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày (kể cả)"))

    class Meta:
        verbose_name = _("kỳ nghỉ")
        verbose_name_plural = _("kỳ nghỉ")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="closed_period_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%d/%m/%Y}–{self.end:%d/%m/%Y})"
