"""The shapes the API answers with. Public data only: no emails, user ids or names of people.

Fields that are not plain model columns (the agenda, the timing, URLs) are resolved from the
edition here, so that pages and API read them through the same functions
(`editions.agenda`). Resolvers run no queries: the endpoints prefetch what they need.
"""

from datetime import datetime
from typing import Literal

from ninja import Schema

from helpathon.accounts.models import Sector
from helpathon.editions.agenda import agenda_for, edition_timing, registration_is_open
from helpathon.editions.models import Challenge, Edition, Phase, PhaseKind

Timing = Literal["upcoming", "running", "past"]


class ErrorOut(Schema):
    detail: str


class PhaseBriefOut(Schema):
    kind: PhaseKind
    title: str
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def resolve_title(obj: Phase) -> str:
        return obj.display_title


class PhaseOut(PhaseBriefOut):
    kind_label: str
    description: str
    is_current: bool

    @staticmethod
    def resolve_kind_label(obj: Phase) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_is_current(obj: Phase) -> bool:
        # The prefetch sets `phase.edition`, and the agenda is cached on that edition.
        current = agenda_for(obj.edition).current
        return current is not None and current.pk == obj.pk


class PartnerOut(Schema):
    name: str
    url: str


class ChallengeOut(Schema):
    slug: str
    title: str
    description: str
    guiding_questions: list[str]
    partner: str | None
    url: str

    @staticmethod
    def resolve_guiding_questions(obj: Challenge) -> list[str]:
        return obj.question_list

    @staticmethod
    def resolve_partner(obj: Challenge) -> str | None:
        return obj.partner.name if obj.partner is not None else None

    @staticmethod
    def resolve_url(obj: Challenge) -> str:
        return obj.get_absolute_url()


class SectorCountOut(Schema):
    sector: Sector
    label: str
    count: int


class RegistrationCountsOut(Schema):
    confirmed: int
    waitlisted: int
    capacity: int
    places_left: int
    by_sector: list[SectorCountOut]


class EditionOut(Schema):
    slug: str
    title: str
    motto: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime
    registration_open: bool
    timing: Timing
    current_phase: PhaseBriefOut | None
    url: str

    @staticmethod
    def resolve_registration_open(obj: Edition) -> bool:
        return registration_is_open(obj)

    @staticmethod
    def resolve_timing(obj: Edition) -> str:
        return edition_timing(obj)

    @staticmethod
    def resolve_current_phase(obj: Edition) -> Phase | None:
        return agenda_for(obj).current

    @staticmethod
    def resolve_url(obj: Edition) -> str:
        return obj.get_absolute_url()


class EditionListItemOut(EditionOut):
    # Annotated by the list query.
    challenge_count: int


class EditionDetailOut(EditionOut):
    description: str
    capacity: int
    partners: list[PartnerOut]
    challenges: list[ChallengeOut]
    phases: list[PhaseOut]
    next_phase: PhaseBriefOut | None
    manual_phase: bool
    registrations: RegistrationCountsOut

    @staticmethod
    def resolve_partners(obj: Edition) -> list:
        return list(obj.partners.all())

    @staticmethod
    def resolve_challenges(obj: Edition) -> list:
        return list(obj.challenges.all())

    @staticmethod
    def resolve_phases(obj: Edition) -> list:
        return agenda_for(obj).phases

    @staticmethod
    def resolve_next_phase(obj: Edition) -> Phase | None:
        return agenda_for(obj).next

    @staticmethod
    def resolve_manual_phase(obj: Edition) -> bool:
        return agenda_for(obj).manual

    @staticmethod
    def resolve_registrations(obj: Edition) -> dict:
        # Set by the endpoint from `registrations.selectors.registration_summary`.
        return obj.registration_counts
