from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "library.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")
    default_auto_field = "django.db.models.BigAutoField"
