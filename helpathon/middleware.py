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

    def process_response(self, request, response):
        # A signed-in person who switches the language (Django's set_language view sets the
        # cookie) gets their mails in it from now on. Only a response that sets the cookie
        # costs anything here: other requests do not even load the user.
        chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        if chosen is not None and user is not None and user.is_authenticated:
            from helpathon.accounts.services import language_remember

            language_remember(user=user, language=chosen.value)
        return super().process_response(request, response)


def htmx_login_redirect(get_response):
    """A signed-out person's htmx request to a page that needs a login would follow the redirect
    and swap the whole login page into a button or a form. Tell htmx to load the login page
    instead (HX-Redirect), with the page the person was on as `next`."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import resolve_url
    from django_htmx.http import HttpResponseClientRedirect

    def middleware(request):
        response = get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code != 302:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if not response["Location"].startswith(login):
            return response
        back = htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(redirect_to_login(back)["Location"])

    return middleware
