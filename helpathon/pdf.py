"""PDF from our own HTML and print stylesheet, with WeasyPrint (pure Python on top of Pango,
which the project's set-up installs from Debian). Nothing is fetched from the network: the
documents may only load our static files and data: URLs."""

import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")


def _static_file(name: str) -> str | None:
    """The file of a static URL's name: from the apps' static folders, or (after
    collectstatic, where `{% static %}` gives hashed names) from the collected files."""
    found = finders.find(name)
    if found:
        return found
    try:
        collected = staticfiles_storage.path(name)
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return collected if os.path.isfile(collected) else None


def _fetcher():
    """A WeasyPrint URL fetcher (WeasyPrint 70: a `URLFetcher` whose `fetch` answers a
    `URLFetcherResponse`) that serves data: URLs and our static files, and nothing else."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = url.split("://", 1)[-1]
            path = path[path.find("/"):] if "://" in url else path
            if path.startswith(STATIC_PREFIX):
                found = _static_file(path[len(STATIC_PREFIX):].split("?", 1)[0])
                if found:
                    with open(found, "rb") as handle:
                        body = handle.read()
                    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
            raise ValueError(_("PDF documents may only load the site's own static files."))

    return StaticOnly()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render `template_name` to HTML and print it to PDF bytes."""
    import weasyprint
    from PIL import ImageFile

    # Importing WeasyPrint makes Pillow accept truncated images process-wide; the upload checks
    # (teams/uploads.py) must refuse them, and our PDFs only embed images we re-encoded.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    html = render_to_string(template_name, context, request=request)
    base = settings.SITE_URL.rstrip("/") + "/"
    return weasyprint.HTML(string=html, base_url=base, url_fetcher=_fetcher()).write_pdf()
