"""Vietnamese first: the interface is Vietnamese unless the visitor chose English."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but the browser's Accept-Language is not consulted.

    Many Vietnamese phones and school computers are set to English; the site should still
    speak Vietnamese until someone picks English with the language switch (a cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
