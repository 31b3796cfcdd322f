from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class GermanFirstLocaleMiddleware(LocaleMiddleware):
    """German unless the person picked another language with the switch (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a city's platform
    speaks its city's language first, and the switch is one click away on every page.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
