"""Bibliographic records: the MARC21 record is the source of truth.

The columns beside it are regenerated from the MARC on every save by
`catalog.services.record_save`; they exist only so that the site can sort and filter.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordSource(models.TextChoices):
    LOCAL = "local", _("Thư viện này")
    PARTNER = "partner", _("Trường đối tác")


class RecordQuerySet(models.QuerySet):
    def discoverable(self):
        """Records shown in the public catalogue: not deleted."""
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class Record(models.Model):
    marc = models.JSONField(_("bản ghi MARC21"), help_text=_("MARC-in-JSON (leader và mọi trường)"))

    # Denormalised from the MARC (never edited directly).
    title = models.CharField(_("nhan đề"), max_length=1000, blank=True)
    title_sort = models.CharField(
        _("khóa sắp xếp nhan đề"), max_length=1000, blank=True, db_index=True
    )
    statement_of_responsibility = models.CharField(
        _("thông tin trách nhiệm"), max_length=500, blank=True
    )
    authors = models.JSONField(_("tác giả"), default=list, blank=True)
    main_author = models.CharField(_("tác giả chính"), max_length=300, blank=True)
    publisher = models.CharField(_("nhà xuất bản"), max_length=300, blank=True)
    place = models.CharField(_("nơi xuất bản"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("năm xuất bản"), null=True, blank=True, db_index=True)
    edition = models.CharField(_("lần xuất bản"), max_length=200, blank=True)
    isbns = models.JSONField(_("ISBN"), default=list, blank=True)
    languages = models.JSONField(_("ngôn ngữ"), default=list, blank=True)
    classification_scheme = models.CharField(_("khung phân loại"), max_length=40, blank=True)
    classification = models.CharField(
        _("ký hiệu phân loại"), max_length=100, blank=True, db_index=True
    )
    subjects = models.JSONField(_("chủ đề, từ khóa"), default=list, blank=True)
    series = models.JSONField(_("tùng thư"), default=list, blank=True)
    grade_levels = models.JSONField(_("khối lớp"), default=list, blank=True)
    mon_hoc = models.JSONField(_("môn học"), default=list, blank=True)
    textbook_series = models.CharField(_("bộ sách giáo khoa"), max_length=200, blank=True)
    links = models.JSONField(_("liên kết (856)"), default=list, blank=True)
    record_type = models.CharField(_("loại bản ghi"), max_length=40, blank=True, db_index=True)
    control_number = models.CharField(
        _("số kiểm soát (001)"), max_length=100, blank=True, db_index=True
    )
    control_number_identifier = models.CharField(_("mã cơ quan (003)"), max_length=100, blank=True)
    match_key = models.CharField(
        _("khóa trùng nhan đề/tác giả/năm"), max_length=300, blank=True, db_index=True
    )
    notes = models.TextField(_("phụ chú"), blank=True)
    physical_description = models.CharField(_("mô tả vật lý"), max_length=300, blank=True)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)

    source = models.CharField(
        _("nguồn"), max_length=16, choices=RecordSource.choices, default=RecordSource.LOCAL
    )
    source_node = models.CharField(_("mã trường nguồn"), max_length=64, blank=True)
    remote_id = models.CharField(_("mã bản ghi ở nguồn"), max_length=100, blank=True)

    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày cập nhật"), auto_now=True, db_index=True)
    deleted_at = models.DateTimeField(_("ngày xóa"), null=True, blank=True, db_index=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("biểu ghi")
        verbose_name_plural = _("biểu ghi")
        ordering = ["title_sort", "id"]
        indexes = [
            models.Index(fields=["control_number_identifier", "control_number"]),
        ]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return f"/records/{self.pk}/"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RecordIsbn(models.Model):
    """One row per normalised ISBN-13 of a record, for matching and direct look-up."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="isbn_rows")
    isbn = models.CharField(_("ISBN-13"), max_length=13, db_index=True)

    class Meta:
        verbose_name = _("ISBN của biểu ghi")
        verbose_name_plural = _("ISBN của biểu ghi")
        constraints = [
            models.UniqueConstraint(fields=["record", "isbn"], name="record_isbn_unique")
        ]

    def __str__(self) -> str:
        return self.isbn
