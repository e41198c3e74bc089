from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "library.discovery"
    label = "discovery"
    verbose_name = _("Tra cứu")
    default_auto_field = "django.db.models.BigAutoField"
