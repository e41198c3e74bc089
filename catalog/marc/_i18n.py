"""Translation for the pure MARC modules.

The source strings are Vietnamese (the default UI language). Django translates them when its
settings are configured; scripts and benchmarks that run without Django get the source text.
"""

from django.conf import settings
from django.utils.translation import gettext


def _(message: str) -> str:
    if settings.configured:
        return gettext(message)
    return message
