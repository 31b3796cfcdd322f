"""A populated edition for the bad-input tests, made through the services as a person would:
ideas with tags, versions, links and comments; a team in prototyping (led by the cast's
participant, with a saved draft); a second team whose prototype was submitted and became an
innovation template with a comment; an announcement. The fuzzers send their input into it, and
the script-injection test fills every text in it with a payload.

`text(field)` gives the text for a field: plain words by default, a payload in the injection test.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from helpathon.editions.models import Edition
from helpathon.editions.phases import Action
from helpathon.editions.services import announcement_create, phase_set
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Comment, Idea
from helpathon.registrations.models import Registration
from helpathon.results import services as result_services
from helpathon.results.models import InnovationTemplate
from helpathon.teams import services as team_services
from helpathon.teams.models import Team
from tests.factories import make_user

# Actions an edition may add to a phase (editions.phases.EXTENDABLE_ACTIONS): with them, one phase
# lets the fuzzers reach supports, ratings, comparisons and join requests besides its own writes.
EXTRA = [Action.SUPPORT, Action.RATE, Action.COMPARE, Action.COMMENT, Action.JOIN_TEAM, Action.JURY_SCORE]


@dataclass
class World:
    edition: Edition
    ideas: list[Idea]
    comments: list[Comment]
    team: Team  # led by the cast's participant, prototype in draft
    other_team: Team  # submitted; its template exists
    template: InnovationTemplate
    people: dict = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, list[int]]:
        """Existing ids by path parameter kind, for fuzzers that map random ids onto real rows."""
        return {
            "idea": [idea.pk for idea in self.ideas],
            "team": [self.team.pk, self.other_team.pk],
            "template": [self.template.pk],
        }


def confirmed(edition: Edition, email: str, name: str, **extra):
    user = make_user(email, display_name=name, **extra)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="science", role="student",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


def go_to(edition: Edition, organizer, kind: str, *, run_on_commit: Callable | None = None) -> Edition:
    """Move the agenda by hand. `run_on_commit` is pytest-django's
    django_capture_on_commit_callbacks: what follows the commit (templates) runs then."""
    if run_on_commit is None:
        phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    else:
        with run_on_commit(execute=True):
            phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    edition.refresh_from_db()
    edition.__dict__.pop("_agenda", None)
    return edition


def build_world(edition, organizer, participant, run_on_commit, text: Callable[[str], str] = lambda f: f"{f} text"):
    author = confirmed(edition, "ida.author@example.org", "Ida Author")
    builder = confirmed(edition, "bo.builder@example.org", text("display_name")[:80] or "Bo", named_in_results=True)
    first, second = list(edition.challenges.all())[:2]

    go_to(edition, organizer, "ideation", run_on_commit=run_on_commit)
    root = idea_services.idea_create(
        actor=author, challenge=first, title=text("idea_title")[:160] or "Idee", body=text("idea_body"),
        tags=[text("idea_tag")[:40] or "tag", "Verkehr"],
    )
    child = idea_services.idea_create(
        actor=builder, challenge=first, title="Lastenrad-Hubs", body="Stationen am Markt.", builds_on=[root],
    )
    own = idea_services.idea_create(actor=participant, challenge=first, title="Radwege", body="Mehr Radwege.")
    other = idea_services.idea_create(actor=author, challenge=second, title="Grünflächen", body="Mehr Bäume.")
    idea_services.idea_update(
        actor=author, idea=root, title=root.title, body=root.body + "\n\n" + text("idea_edit"), tags=["Verkehr"],
        note=text("idea_note")[:200],
    )
    comment = idea_services.comment_create(actor=builder, idea=root, body=text("comment"))
    reply = idea_services.comment_create(actor=author, idea=root, body="Danke!", parent=comment)

    go_to(edition, organizer, "team_building", run_on_commit=run_on_commit)
    other_team = team_services.team_found(
        actor=builder, challenge=first, name=text("team_name")[:120] or "Team", ideas=[root, child],
        description=text("team_description"), skills_needed=text("team_skills")[:200],
    )
    team = team_services.team_found(
        actor=participant, challenge=second, name="Die Radler", ideas=[other], skills_needed="Design",
    )
    go_to(edition, organizer, "prototyping", run_on_commit=run_on_commit)
    sections = {
        key: text(f"prototype_{key}")
        for key in ("problem", "target_group", "solution", "future_scenario", "stakeholders", "resources",
                    "next_steps", "risks")
    }
    prototype = team_services.prototype_of(other_team)
    team_services.prototype_save(actor=builder, team=other_team, base_version=prototype.version, sections=sections)
    team_services.prototype_submit(actor=builder, team=other_team)
    draft = team_services.prototype_of(team)
    team_services.prototype_save(actor=participant, team=team, base_version=draft.version, sections={
        "problem": "Zu viele Autos", "solution": "Räder", "future_scenario": "Ruhe",
    })
    go_to(edition, organizer, "public_feedback", run_on_commit=run_on_commit)
    template = InnovationTemplate.objects.get(prototype__team=other_team)
    result_services.template_comment(actor=author, template=template, body=text("template_comment"))
    announcement_create(actor=organizer, edition=edition, text=text("announcement")[:500])
    return World(
        edition=edition, ideas=[root, child, own, other], comments=[comment, reply], team=team,
        other_team=other_team, template=template, people={"author": author, "builder": builder},
    )


def open_phase(world: World, organizer, kind: str) -> Edition:
    """Hold the agenda in `kind`, with the extendable actions granted there too."""
    edition = world.edition
    edition.phase_actions_extra = {kind: [str(action) for action in EXTRA]}
    edition.save(update_fields=["phase_actions_extra"])
    return go_to(edition, organizer, kind)
