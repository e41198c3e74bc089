from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterlibraryConfig(AppConfig):
    name = "interlibrary"
    label = "interlibrary"
    verbose_name = _("Liên thư viện")
    default_auto_field = "django.db.models.BigAutoField"
