"""PDF from our own HTML and print stylesheet, with WeasyPrint (pure Python on top of Pango,
which the project's set-up installs from Debian). Nothing is fetched from the network: the
documents may only load our static files and data: URLs."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")


def _fetch(url: str, timeout=10, ssl_context=None):
    import weasyprint

    if url.startswith("data:"):
        return weasyprint.default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    path = url.split("://", 1)[-1]
    path = path[path.find("/"):] if "://" in url else path
    if path.startswith(STATIC_PREFIX):
        found = finders.find(path[len(STATIC_PREFIX):].split("?", 1)[0])
        if found:
            with open(found, "rb") as handle:
                return {"string": handle.read(), "filename": found}
    raise ValueError(_("PDF documents may only load the site's own static files."))


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render `template_name` to HTML and print it to PDF bytes."""
    import weasyprint

    html = render_to_string(template_name, context, request=request)
    base = settings.SITE_URL.rstrip("/") + "/"
    return weasyprint.HTML(string=html, base_url=base, url_fetcher=_fetch).write_pdf()
