"""Loan policy matrix: patron category (optionally a grade) x item type."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from library.accounts.models import PatronCategory

# Precedence, most specific first. A policy's score is the sum of the weights of the
# dimensions it names; the matching policy with the highest score wins. Item type outweighs
# category and grade together, so "student x reference book" beats "grade 6 students":
#   category+grade+item type (7) > category+item type (6) > item type (4)
#   > category+grade (3) > category (2) > default (0)
WEIGHT_ITEM_TYPE = 4
WEIGHT_CATEGORY = 2
WEIGHT_GRADE = 1


class LoanPolicy(models.Model):
    name = models.CharField(_("tên quy định"), max_length=200)
    patron_category = models.CharField(
        _("đối tượng bạn đọc"),
        max_length=16,
        choices=PatronCategory.choices,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi đối tượng."),
    )
    grade = models.PositiveSmallIntegerField(
        _("khối"), null=True, blank=True, help_text=_("Để trống: mọi khối.")
    )
    item_type = models.ForeignKey(
        "catalog.ItemType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("loại tài liệu"),
        help_text=_("Để trống: mọi loại tài liệu."),
    )
    loan_days = models.PositiveSmallIntegerField(_("số ngày mượn"), default=14)
    max_items = models.PositiveSmallIntegerField(_("số bản mượn tối đa"), default=3)
    max_renewals = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=1)
    holds_allowed = models.BooleanField(_("cho phép đặt trước"), default=True)
    hold_shelf_days = models.PositiveSmallIntegerField(
        _("số ngày giữ trên giá đặt trước (ngày mở cửa)"), default=3
    )
    lost_multiplier = models.DecimalField(
        _("hệ số bồi thường mất sách (x giá)"), max_digits=4, decimal_places=2, default=1
    )
    damage_percent = models.PositiveSmallIntegerField(
        _("bồi thường hư hỏng (phần trăm giá)"), default=50
    )
    processing_fee = models.PositiveIntegerField(_("phí xử lý (VNĐ)"), default=0)
    minimum_compensation = models.PositiveIntegerField(
        _("mức bồi thường tối thiểu (VNĐ)"),
        default=20000,
        help_text=_("Dùng khi bản sách không có giá."),
    )

    class Meta:
        verbose_name = _("quy định mượn")
        verbose_name_plural = _("quy định mượn")
        ordering = ["patron_category", "grade", "item_type__name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        """How specific the policy is; the highest-scoring matching policy applies."""
        score = 0
        if self.item_type_id:
            score += WEIGHT_ITEM_TYPE
        if self.patron_category:
            score += WEIGHT_CATEGORY
        if self.grade is not None:
            score += WEIGHT_GRADE
        return score

    def matches(self, *, category: str, grade: int | None, item_type_id: int | None) -> bool:
        if self.patron_category and self.patron_category != category:
            return False
        if self.grade is not None and self.grade != grade:
            return False
        return not (self.item_type_id and self.item_type_id != item_type_id)

    def clean(self):
        if self.grade is not None and self.patron_category not in ("", PatronCategory.STUDENT):
            raise ValidationError({"grade": _("Chỉ đặt khối cho đối tượng học sinh.")})
        if self.grade is not None and not self.patron_category:
            self.patron_category = PatronCategory.STUDENT
        same = LoanPolicy.objects.filter(
            patron_category=self.patron_category, grade=self.grade, item_type=self.item_type
        ).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(
                _("Đã có quy định cho cùng đối tượng, khối và loại tài liệu: hãy sửa quy định đó.")
            )
