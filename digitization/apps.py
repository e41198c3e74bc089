from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitizationConfig(AppConfig):
    name = "digitization"
    label = "digitization"
    verbose_name = _("Tài liệu số")
    default_auto_field = "django.db.models.BigAutoField"
