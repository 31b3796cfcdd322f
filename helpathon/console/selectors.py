"""Reads for the organizers' console, with their queries tuned: a page costs the same number of
queries however many editions, registrations or reports there are."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from helpathon.editions.agenda import agenda_for, edition_timing
from helpathon.editions.models import Edition, Phase
from helpathon.moderation.models import Report
from helpathon.registrations.models import Registration

REGISTRATIONS_PER_PAGE = 50
SEARCH_MAX = 100


def editions_organized(user) -> list[Edition]:
    """The editions `user` organizes (superusers: all), newest first, each with its agenda,
    timing and confirmed / checked-in counts — three queries in all."""
    if not user.is_authenticated or not user.is_active:
        return []
    qs = Edition.objects.all() if user.is_superuser else Edition.objects.filter(organizers=user)
    editions = list(
        qs.annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
            checked_in=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
        )
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("starts_at", "pk")))
        .order_by("-starts_at", "pk")
    )
    for edition in editions:
        edition.agenda = agenda_for(edition)
        edition.timing = edition_timing(edition)
    return editions


def organizes_anything(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.organized_editions.exists()


def registration_counts(edition: Edition) -> dict:
    """Registrations by status and how many people checked in, in one query."""
    statuses = Registration.Status
    aggregates = {
        status.value: Count("pk", filter=Q(status=status.value)) for status in statuses
    }
    row = Registration.objects.filter(edition=edition).aggregate(
        total=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)), **aggregates
    )
    return {
        "total": row["total"],
        "checked_in": row["checked_in"],
        "by_status": [(status.value, status.label, row[status.value]) for status in statuses],
        **{status.value: row[status.value] for status in statuses},
    }


def open_reports_count(edition: Edition) -> int:
    return Report.objects.filter(edition=edition, status=Report.Status.OPEN).count()


def clean_search(search) -> str:
    return " ".join(str(search or "").replace("\x00", "").split())[:SEARCH_MAX]


def _filtered(qs: QuerySet[Registration], status: str, search: str) -> QuerySet[Registration]:
    if status in Registration.Status.values:
        qs = qs.filter(status=status)
    search = clean_search(search)
    if search:
        qs = qs.filter(Q(user__display_name__icontains=search) | Q(user__email__icontains=search))
    return qs.order_by("created_at", "pk")


def registrations_page(edition: Edition, *, status: str = "", search: str = "", page=1) -> Page:
    """One page of the edition's registrations (oldest first) with their people, filtered by
    status and by a search in display name and email address. Two queries (count and rows)."""
    qs = _filtered(Registration.objects.filter(edition=edition).select_related("user"), status, search)
    return Paginator(qs, REGISTRATIONS_PER_PAGE).get_page(page)


def registration_get(*, edition: Edition, pk: int) -> Registration:
    if not 0 < pk < 2**63:
        raise Http404  # no such row (and a number the database could not compare)
    registration = Registration.objects.select_related("user").filter(edition=edition, pk=pk).first()
    if registration is None:
        raise Http404
    registration.edition = edition
    return registration


def registrations_for_export(edition: Edition, *, status: str = "", search: str = "") -> QuerySet[Registration]:
    qs = Registration.objects.filter(edition=edition).select_related("user", "edition")
    return _filtered(qs.prefetch_related("preferred_challenges"), status, search)
