"""The one NinjaAPI, mounted at /api/v1/ (see helpathon/urls.py)."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from helpathon.api.editions import router as editions_router

# No docs page: ninja's Swagger page loads its scripts from a CDN unless "ninja" is an
# installed app, and our Content-Security-Policy (rightly) allows no third-party scripts.
# The OpenAPI document at /api/v1/openapi.json is what clients and tools need.
api = NinjaAPI(title="Helpathon API", version="1", urls_namespace="api", docs_url="/docs")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Always the same body, also with DEBUG on (ninja's default appends the exception text):
    # a missing edition and a hidden draft must be indistinguishable.
    return api.create_response(request, {"detail": "Not Found"}, status=404)


api.add_router("", editions_router)
api.add_router("", "helpathon.api.ideas.router")
api.add_router("", "helpathon.api.evaluation.router")
api.add_router("", "helpathon.api.teams.router")
api.add_router("", "helpathon.api.prototypes.router")
api.add_router("", "helpathon.api.live.router")
api.add_router("", "helpathon.api.results.router")
api.add_router("", "helpathon.api.opendata.router")
