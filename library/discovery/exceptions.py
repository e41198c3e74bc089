from django.utils.translation import gettext_lazy as _


class DiscoveryError(Exception):
    """Root of every search error."""

    default_message = _("Không tìm kiếm được. Hãy thử lại sau ít phút.")


class IndexOutOfSync(DiscoveryError):
    """The search index and the database disagree (see `search_check`)."""
