"""Digital resources: a catalogue record with files, its pages and their processing state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from library.core.access import AccessLevel, viewer_for, visible_levels

from .choices import (
    DOWNLOADABLE_LICENCES,
    AppraisalStatus,
    FileRole,
    Licence,
    MonHoc,
    ProcessingStatus,
    ResourceType,
    TextbookSeries,
)


class DigitalResourceQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(appraisal_status=AppraisalStatus.APPROVED)

    def live(self):
        """Not withdrawn from the catalogue (the record is not a tombstone)."""
        return self.filter(record__deleted_at__isnull=True)

    def visible_to(self, who):
        """What `who` may open: staff see everything; others approved resources of their levels."""
        if viewer_for(who).is_staff:
            return self.live()
        return self.live().approved().filter(access_level__in=visible_levels(who))


class DigitalResource(models.Model):
    record = models.OneToOneField(
        "catalog.Record",
        on_delete=models.PROTECT,
        related_name="digital_resource",
        verbose_name=_("biểu ghi thư mục"),
    )
    resource_type = models.CharField(
        _("loại học liệu"), max_length=32, choices=ResourceType.choices, default=ResourceType.OTHER
    )
    grade_levels = models.JSONField(_("khối lớp"), default=list, blank=True)
    mon_hoc = models.JSONField(
        _("môn học"),
        default=list,
        blank=True,
        help_text=_("Mã môn học theo chương trình GDPT 2018"),
    )
    textbook_series = models.CharField(
        _("bộ sách giáo khoa"), max_length=16, choices=TextbookSeries.choices, blank=True
    )
    authors = models.JSONField(_("tác giả"), default=list, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    licence = models.CharField(
        _("giấy phép"),
        max_length=32,
        choices=Licence.choices,
        default=Licence.ALL_RIGHTS_RESERVED,
    )
    access_level = models.CharField(
        _("mức truy cập"), max_length=16, choices=AccessLevel.choices, default=AccessLevel.SCHOOL
    )

    appraisal_status = models.CharField(
        _("thẩm định"),
        max_length=16,
        choices=AppraisalStatus.choices,
        default=AppraisalStatus.DRAFT,
        db_index=True,
    )
    rejection_reason = models.TextField(_("lý do không đạt"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thẩm định"),
    )
    appraised_at = models.DateTimeField(_("thời điểm thẩm định"), null=True, blank=True)

    processing_status = models.CharField(
        _("trạng thái xử lý"),
        max_length=16,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.PENDING,
        db_index=True,
    )
    processing_step = models.CharField(_("bước đang xử lý"), max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(_("số trang đã xử lý"), default=0)
    progress_total = models.PositiveIntegerField(_("tổng số trang cần xử lý"), default=0)
    processing_error = models.TextField(_("lỗi xử lý"), blank=True)
    processing_warning = models.TextField(_("lưu ý khi xử lý"), blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    duration = models.FloatField(_("thời lượng (giây)"), null=True, blank=True)

    view_count = models.PositiveIntegerField(_("lượt xem"), default=0)
    download_count = models.PositiveIntegerField(_("lượt tải về"), default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày cập nhật"), auto_now=True)

    objects = DigitalResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("học liệu số")
        verbose_name_plural = _("học liệu số")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return f"/resources/{self.pk}/"

    @property
    def title(self) -> str:
        return self.record.title if self.record_id else ""

    @property
    def allows_download(self) -> bool:
        """Whether the licence lets the library hand out copies (access is checked separately)."""
        return self.licence in DOWNLOADABLE_LICENCES

    @property
    def is_approved(self) -> bool:
        return self.appraisal_status == AppraisalStatus.APPROVED

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.processing_status == ProcessingStatus.READY else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def mon_hoc_labels(self) -> list[str]:
        return [str(MonHoc(code).label) if code in MonHoc.values else code for code in self.mon_hoc]

    @property
    def original(self) -> DigitalFile | None:
        return self.files.filter(role=FileRole.ORIGINAL).first()

    @property
    def is_paged(self) -> bool:
        return bool(self.page_count)


class DigitalFile(models.Model):
    resource = models.ForeignKey(
        DigitalResource, on_delete=models.CASCADE, related_name="files", verbose_name=_("học liệu")
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=FileRole.choices)
    file = models.FileField(_("tệp"), max_length=500)
    original_name = models.CharField(_("tên tệp khi tải lên"), max_length=255, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    media_type = models.CharField(_("kiểu nội dung"), max_length=100)
    kind = models.CharField(_("định dạng"), max_length=16)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    duration = models.FloatField(_("thời lượng (giây)"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái xử lý"),
        max_length=16,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.PENDING,
    )
    error = models.TextField(_("lỗi xử lý"), blank=True)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("tệp số")
        verbose_name_plural = _("tệp số")
        ordering = ["resource", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "sha256"], name="digitalfile_unique_sha256_per_resource"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Page(models.Model):
    resource = models.ForeignKey(
        DigitalResource, on_delete=models.CASCADE, related_name="pages", verbose_name=_("học liệu")
    )
    number = models.PositiveIntegerField(_("số trang"))
    text = models.TextField(_("văn bản của trang"), blank=True)
    needs_ocr = models.BooleanField(_("trang ảnh (không có lớp chữ)"), default=False)
    is_ocr = models.BooleanField(_("chữ nhận dạng bằng OCR"), default=False)
    image = models.CharField(_("ảnh trang (đã lưu)"), max_length=500, blank=True)
    error = models.TextField(_("lỗi trích xuất"), blank=True)

    class Meta:
        verbose_name = _("trang")
        verbose_name_plural = _("trang")
        ordering = ["resource", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="page_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} · {self.number}"

    def get_absolute_url(self) -> str:
        return f"/resources/{self.resource_id}/read/?page={self.number}"
