"""Editions, read-only and public: the list and one edition with its program and numbers.

Drafts are visible to their organizers only; for everyone else a draft answers exactly like
a slug that does not exist (404), so that nobody learns it exists.
"""

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from helpathon.api.pagination import BoundedLimitOffsetPagination
from helpathon.api.schemas import EditionDetailOut, EditionListItemOut, ErrorOut, ValidationErrorOut
from helpathon.editions.models import Edition, Phase
from helpathon.editions.selectors import edition_get, editions_visible
from helpathon.registrations.selectors import registration_summary

router = Router(tags=["editions"])


def _editions_for_list(user) -> QuerySet[Edition]:
    # Three queries whatever the page size: the count, the page, its phases (for the current
    # phase). `distinct=True` because `editions_visible` may join the organizers.
    return (
        editions_visible(user)
        .annotate(challenge_count=Count("challenges", distinct=True))
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("starts_at", "pk")))
        .order_by("-starts_at", "-pk")
    )


@router.get(
    "/editions",
    response={200: list[EditionListItemOut], 422: ValidationErrorOut},
    operation_id="editions_list",
)
@paginate(BoundedLimitOffsetPagination)
def editions_list(request: HttpRequest):
    """Editions visible to the requester, latest first."""
    return _editions_for_list(request.user)


@router.get(
    "/editions/{slug}",
    response={200: EditionDetailOut, 404: ErrorOut},
    operation_id="editions_detail",
)
def editions_detail(request: HttpRequest, slug: str):
    """One edition with its partners, challenges, agenda and registration numbers."""
    edition = edition_get(slug=slug, user=request.user)
    # Not `registrations`: that name is the reverse relation of Registration.edition.
    edition.registration_counts = registration_summary(edition)
    return edition
