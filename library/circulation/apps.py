from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "library.circulation"
    label = "circulation"
    verbose_name = _("Mượn trả")
    default_auto_field = "django.db.models.BigAutoField"
