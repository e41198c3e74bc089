"""Import jobs: one uploaded MARC file imported in the background, with progress and a report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang nhập")
    DONE = "done", _("Hoàn tất")
    FAILED = "failed", _("Thất bại")


class ImportAction(models.TextChoices):
    SKIP = "skip", _("Bỏ qua bản ghi trùng")
    OVERLAY = "overlay", _("Ghi đè bản ghi trùng")
    ADD = "add", _("Luôn thêm mới")


class MatchRule(models.TextChoices):
    CONTROL = "control", _("Số kiểm soát (001 + 003)")
    ISBN = "isbn", _("ISBN")
    TITLE_AUTHOR_YEAR = "title_author_year", _("Nhan đề + tác giả + năm")


def import_upload_path(job: ImportJob, filename: str) -> str:
    return f"imports/{filename}"


def import_report_path(job: ImportJob, filename: str) -> str:
    return f"imports/reports/{filename}"


class ImportJob(models.Model):
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.QUEUED,
        db_index=True,
    )
    filename = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(_("tệp MARC"), upload_to=import_upload_path, max_length=500)
    options = models.JSONField(_("tùy chọn"), default=dict, blank=True)
    dry_run = models.BooleanField(_("chạy thử"), default=False)
    bytes_total = models.BigIntegerField(_("tổng số byte"), default=0)
    bytes_done = models.BigIntegerField(_("số byte đã đọc"), default=0)
    records_done = models.PositiveIntegerField(_("số bản ghi đã xử lý"), default=0)
    counts = models.JSONField(_("thống kê"), default=dict, blank=True)
    report_rows = models.JSONField(_("báo cáo (các dòng đầu)"), default=list, blank=True)
    report_file = models.FileField(
        _("báo cáo CSV"), upload_to=import_report_path, max_length=500, blank=True
    )
    error = models.TextField(_("lỗi"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập MARC")
        verbose_name_plural = _("lượt nhập MARC")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        """Progress on bytes read, 0-100 (100 once done)."""
        if self.status == ImportJobStatus.DONE:
            return 100
        if not self.bytes_total:
            return 0
        return min(100, int(self.bytes_done * 100 / self.bytes_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
