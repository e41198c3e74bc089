"""People: the custom user with its role, and the patron profile of teachers and students."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LIBRARIAN = "librarian", _("Thủ thư")
    TEACHER = "teacher", _("Giáo viên")
    STUDENT = "student", _("Học sinh")


class User(AbstractUser):
    """A person who signs in. Librarians are staff; teachers and students have a Patron."""

    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_librarian(self) -> bool:
        return self.is_active and (self.role == Role.LIBRARIAN or self.is_superuser)

    @property
    def is_member(self) -> bool:
        return self.is_active


class PatronCategory(models.TextChoices):
    STUDENT = "student", _("Học sinh")
    TEACHER = "teacher", _("Giáo viên")
    STAFF = "staff", _("Cán bộ, nhân viên")


class Patron(models.Model):
    """Borrower profile: only what the library needs to lend (Law 91/2025 on personal data)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="patron", verbose_name=_("người dùng")
    )
    category = models.CharField(_("đối tượng"), max_length=16, choices=PatronCategory.choices)
    school_class = models.CharField(_("lớp"), max_length=20, blank=True)
    # A teacher's class as giáo viên chủ nhiệm: they receive that class's overdue list.
    homeroom_class = models.CharField(_("lớp chủ nhiệm"), max_length=20, blank=True, db_index=True)
    grade = models.PositiveSmallIntegerField(_("khối"), null=True, blank=True)
    card_barcode = models.CharField(_("mã thẻ"), max_length=32, unique=True)
    student_identifier = models.CharField(
        _("mã định danh học sinh"), max_length=32, blank=True, db_index=True
    )
    expires_on = models.DateField(_("ngày hết hạn thẻ"), null=True, blank=True)
    blocked_reason = models.CharField(_("lý do khóa thẻ"), max_length=200, blank=True)
    # Optional personal data (Law 91/2025): kept only when needed, contact and reading history
    # only with the guardian's recorded consent.
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, blank=True)
    guardian_phone = models.CharField(_("SĐT phụ huynh"), max_length=20, blank=True)
    guardian_email = models.EmailField(_("email phụ huynh"), blank=True)
    consent_photo = models.BooleanField(_("đồng ý dùng ảnh"), default=False)
    consent_contact = models.BooleanField(_("đồng ý lưu liên lạc phụ huynh"), default=False)
    consent_reading_history = models.BooleanField(_("đồng ý lưu lịch sử đọc"), default=False)
    consent_recorded_at = models.DateTimeField(
        _("thời điểm ghi nhận đồng ý"), null=True, blank=True
    )
    consent_given_by = models.CharField(_("người đồng ý (phụ huynh)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bạn đọc")
        verbose_name_plural = _("bạn đọc")
        constraints = [
            models.UniqueConstraint(
                fields=["student_identifier"],
                condition=~models.Q(student_identifier=""),
                name="patron_unique_student_identifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.card_barcode})"
