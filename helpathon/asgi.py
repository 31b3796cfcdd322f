import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpathon.settings")
django_application = get_asgi_application()

from helpathon.concurrency import limit_concurrency  # noqa: E402
from helpathon.live.asgi import mount  # noqa: E402  (needs the apps loaded)

application = mount(limit_concurrency(django_application))
