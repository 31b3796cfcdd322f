"""One populated edition for the permission walk and the personal-data scan, made through the
services as people would: the fixed cast of eight roles, ideas, comments, a report, two teams
(one led by the cast's team member with a draft prototype, one submitted and turned into an
innovation template), a juror, a moderator, a comparison, a join request, an announcement and
a mailing. Every person has a distinctive email address and name, so that the scan can look for
them in every answer; some of them do not want to be named in results.
"""

import io
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from helpathon.editions.models import Edition
from helpathon.editions.services import announcement_create, phase_set
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.moderation import services as moderation_services
from helpathon.notifications import services as notification_services
from helpathon.notifications.emails import unsubscribe_token
from helpathon.registrations.models import Registration
from helpathon.results import services as result_services
from helpathon.results.models import InnovationTemplate
from helpathon.teams import services as team_services
from tests.factories import make_edition, make_user, organizers_group

ROLES = ("visitor", "citizen", "participant", "member", "juror", "moderator", "stranger", "organizer")

# Distinctive addresses: neither the address nor its local part is a word any page could
# contain by chance, so finding one in an answer means it leaked.
EMAILS = {
    "citizen": "qx7-cora.citizen@pii-probe.test",
    "participant": "qx7-paula.part@pii-probe.test",
    "member": "qx7-mats.member@pii-probe.test",
    "juror": "qx7-jule.juror@pii-probe.test",
    "moderator": "qx7-moritz.mod@pii-probe.test",
    "stranger": "qx7-sven.stranger@pii-probe.test",
    "organizer": "qx7-orla.orga@pii-probe.test",
    "author": "qx7-ida.author@pii-probe.test",
    "builder": "qx7-bo.builder@pii-probe.test",
    "applicant": "qx7-anja.applicant@pii-probe.test",
}
# Display names; (name, named in results?)
NAMES = {
    "citizen": ("Cora Qitizenfeld", False),
    "participant": ("Paula Qartizipant", False),
    "member": ("Mats Qemberling", True),
    "juror": ("Jule Qurorsen", False),
    "moderator": ("Moritz Qoderat", False),
    "stranger": ("Sven Qtrangerson", False),
    "organizer": ("Orla Qrganisa", False),
    "author": ("Ida Qutorin", True),
    "builder": ("Bo Quilderbeck", False),
    "applicant": ("Anja Qpplicant", False),
}


@dataclass
class World:
    edition: Edition
    draft: Edition
    users: dict
    objects: dict = field(default_factory=dict)

    def user(self, role: str):
        return AnonymousUser() if role == "visitor" else self.users[role]


def _person(role: str, edition: Edition | None = None, **extra):
    name, named = NAMES[role]
    user = make_user(EMAILS[role], display_name=name, named_in_results=named, **extra)
    if edition is not None:
        now = timezone.now()
        Registration.objects.create(
            edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="science", role="student",
            consent_at=now, confirmed_at=now, email_confirmed_at=now,
        )
    return user


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def go_to(world_or_edition, organizer, kind: str) -> Edition:
    edition = getattr(world_or_edition, "edition", world_or_edition)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    edition.refresh_from_db()
    edition.__dict__.pop("_agenda", None)
    return edition


def build_world() -> World:
    edition = make_edition(slug="perm-edition")
    draft = make_edition(slug="perm-draft", status=Edition.Status.DRAFT)
    other = make_edition(slug="perm-other")

    organizer = _person("organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    draft.organizers.add(organizer)
    stranger = _person("stranger", is_staff=True)
    stranger.groups.add(organizers_group())
    other.organizers.add(stranger)
    citizen = _person("citizen")
    participant = _person("participant", edition)
    member = _person("member", edition)
    author = _person("author", edition)
    builder = _person("builder", edition)
    applicant = _person("applicant", edition)
    moderator = _person("moderator")
    edition.moderators.add(moderator)
    juror = _person("juror")
    jury_member = evaluation_services.jury_appoint(actor=organizer, edition=edition, user=juror)

    first, second = list(edition.challenges.order_by("order"))[:2]
    go_to(edition, organizer, "ideation")
    own_idea = idea_services.idea_create(
        actor=participant, challenge=first, title="Sitzbänke am Fluss", body="Mehr Bänke am Ufer.",
    )
    idea = idea_services.idea_create(
        actor=author, challenge=first, title="Lastenräder leihen", body="Ein Netz von Stationen.", tags=["Verkehr"],
    )
    idea_b = idea_services.idea_create(actor=builder, challenge=first, title="Grüne Dächer", body="Mehr Grün.")
    idea_m = idea_services.idea_create(actor=member, challenge=second, title="Offene Werkstatt", body="Reparieren.")
    comment_other = idea_services.comment_create(actor=author, idea=own_idea, body="Gute Idee, und wo genau?")
    comment_own = idea_services.comment_create(actor=participant, idea=idea, body="Das würde ich nutzen.")
    report = moderation_services.report_create(actor=citizen, idea=idea, reason="Das ist kopiert von woanders.")

    go_to(edition, organizer, "evaluation")
    comparison = evaluation_services.pair_next(actor=participant, challenge=first)

    go_to(edition, organizer, "team_building")
    other_team = team_services.team_found(
        actor=builder, challenge=first, name="Die Radler", ideas=[idea, idea_b], skills_needed="Design",
    )
    team = team_services.team_found(actor=member, challenge=second, name="Die Schrauber", ideas=[idea_m])
    join_request = team_services.join_request_create(actor=applicant, team=team, message="Ich kann löten.")

    go_to(edition, organizer, "prototyping")
    sections = {"problem": "Zu viele Autos", "solution": "Räder", "future_scenario": "Ruhe"}
    shown = team_services.prototype_of(other_team)
    team_services.prototype_save(actor=builder, team=other_team, base_version=shown.version, sections=sections)
    shown_image = team_services.image_add(
        actor=builder, team=other_team, upload=SimpleUploadedFile("a.png", _png()), alt="Skizze",
    )
    team_services.pitch_pdf_set(actor=builder, team=other_team, upload=SimpleUploadedFile("p.pdf", _pdf()))
    team_services.prototype_submit(actor=builder, team=other_team)
    draft_prototype = team_services.prototype_of(team)
    team_services.prototype_save(actor=member, team=team, base_version=draft_prototype.version, sections=sections)
    draft_image = team_services.image_add(
        actor=member, team=team, upload=SimpleUploadedFile("b.png", _png()), alt="Entwurf",
    )

    go_to(edition, organizer, "public_feedback")
    result_services.templates_ensure(edition=edition)  # what follows the phase change's commit
    template = InnovationTemplate.objects.get(prototype__team=other_team)
    template_comment = result_services.template_comment(actor=author, template=template, body="Bitte umsetzen!")
    announcement = announcement_create(actor=organizer, edition=edition, text="Willkommen zur Ausgabe!")
    mailing = notification_services.mailing_create(
        actor=organizer, edition=edition, audience="participants", subject="Hallo", body="Bis morgen.",
    )
    registration = Registration.objects.get(edition=edition, user=participant)

    users = {
        "citizen": citizen, "participant": participant, "member": member, "juror": juror,
        "moderator": moderator, "stranger": stranger, "organizer": organizer,
        "author": author, "builder": builder, "applicant": applicant,
    }
    objects = {
        "slug": edition.slug, "challenge_slug": first.slug, "challenge_pk": first.pk,
        "prototype_version": team_services.prototype_of(team).version, "challenge2_slug": second.slug,
        "own_idea": own_idea.pk, "idea": idea.pk, "idea_m": idea_m.pk,
        "comment_own": comment_own.pk, "comment_other": comment_other.pk, "report": report.pk,
        "comparison": comparison.pk if comparison else 0, "jury_member": jury_member.pk,
        "team": team.pk, "other_team": other_team.pk, "join_request": join_request.pk,
        "draft_image": draft_image.pk, "shown_image": shown_image.pk,
        "template": template.pk, "template_comment": template_comment.pk,
        "announcement": announcement.pk, "mailing": mailing.pk, "registration": registration.pk,
        "citizen_pk": citizen.pk,
        "unsubscribe_token": unsubscribe_token(citizen, "email_reminders"),
    }
    return World(edition=edition, draft=draft, users=users, objects=objects)
