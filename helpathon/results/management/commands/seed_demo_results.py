"""Demo results for the past edition "Leben und Wirtschaft im Quartier": three teams around the
demo ideas with submitted prototypes, their innovation templates, a follow-up with public
statements of the organizers, and a few supports and comments of Dortmund citizens.

Written through the services (teams, prototypes, templates, follow-up), with the edition's
phase moved by hand while the demo is written, as `seed_demo_ideas` does. Idempotent: teams
are founded only when the edition has none, the follow-up is set only on templates nobody has
moved yet, and feedback rows are keyed by template and person. Run after `seed_demo_ideas`."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.editions.models import Challenge, Edition
from helpathon.ideas.models import Idea
from helpathon.registrations.models import Registration
from helpathon.results.models import FollowUp, InnovationTemplate, StatusChange, TemplateComment, TemplateSupport
from helpathon.results.services import template_status_set, templates_ensure, voice_of
from helpathon.teams import services as teams
from helpathon.teams.models import Prototype, Team

EDITION = "leben-und-wirtschaft-im-quartier"

# (email, display name, sector, role, agreed to be named in results)
PEOPLE = [
    ("tobias@helpathon.localhost", "Tobias W.", "business", "entrepreneur", True),
    ("selin@helpathon.localhost", "Selin A.", "science", "student", True),
    ("karl@helpathon.localhost", "Karl M.", "administration", "employee", False),
    ("nina@helpathon.localhost", "Nina R.", "civil_society", "citizen", True),
]
CITIZENS = [
    ("buergerin1@helpathon.localhost", "Hanne aus der Nordstadt"),
    ("buerger2@helpathon.localhost", "Murat D."),
    ("buergerin3@helpathon.localhost", "Greta L."),
]

TEAMS = [
    {
        "name": "Lastenrad-Kollektiv Quartier",
        "idea": "Lastenrad-Lieferdienst der Läden",
        "lead": "jonas@helpathon.localhost",
        "members": ["teilnehmerin@helpathon.localhost", "tobias@helpathon.localhost"],
        "description": "Ein gemeinsamer Lieferdienst der Läden mit Lastenrädern.",
        "sections": {
            "problem": (
                "Kleine Läden im Quartier verlieren Kundschaft an große Onlinehändler, weil sie **nicht liefern** "
                "können. Ältere Menschen und Familien ohne Auto tragen ihre Einkäufe mühsam nach Hause."
            ),
            "target_group": "Inhabergeführte Geschäfte, ältere Menschen, Familien ohne Auto.",
            "solution": (
                "Ein Kollektiv betreibt drei Lastenräder für alle Läden:\n\n"
                "- Bestellung per Telefon oder über den digitalen Wochenmarkt\n"
                "- Lieferung am selben Tag bis 19 Uhr\n"
                "- Abrechnung über eine kleine Pauschale pro Laden"
            ),
            "future_scenario": "2027 liefern zwanzig Läden emissionsfrei; der Lieferverkehr im Viertel sinkt spürbar.",
            "stakeholders": "Wirtschaftsförderung, Werbegemeinschaft, Fahrradwerkstatt im Quartier.",
            "resources": "Drei Lastenräder, ein Abstellraum mit Ladestation, eine halbe Stelle für die Koordination.",
            "next_steps": "Standorte für die Räder mit dem Tiefbauamt prüfen; Pilot mit fünf Läden im Frühjahr.",
            "risks": "Zu wenige Bestellungen im Winter – Abhilfe: Kooperation mit dem Wochenmarkt.",
        },
        "follow_up": [
            (FollowUp.UNDER_REVIEW, 12, "Die Wirtschaftsförderung prüft die Vorlage gemeinsam mit der Werbegemeinschaft."),
            (FollowUp.BEING_IMPLEMENTED, 60,
             "Ein Pilot mit fünf Läden startet im Frühjahr; die Räder stellt ein Förderprogramm des Landes bereit."),
        ],
    },
    {
        "name": "Nachbarschaft verbindet",
        "idea": "Nachbarschaftshilfe-Brett",
        "lead": "amira@helpathon.localhost",
        "members": ["selin@helpathon.localhost", "karl@helpathon.localhost"],
        "description": "Hilfe unter Nachbarn, analog und digital.",
        "sections": {
            "problem": "Viele Menschen im Quartier brauchen kleine Hilfen, wissen aber nicht, wen sie fragen können.",
            "target_group": "Ältere und alleinstehende Menschen, Neuzugezogene, alle, die helfen möchten.",
            "solution": (
                "Ein Hilfe-Brett im Kiosk und eine einfache Webseite: Angebote und Gesuche auf Karten, "
                "vermittelt von Ehrenamtlichen des Quartierstreffs."
            ),
            "future_scenario": "Jede Woche finden zwanzig Nachbarinnen und Nachbarn über das Brett zueinander.",
            "stakeholders": "Quartiersmanagement, Kiosk am Marktplatz, Seniorenbüro.",
            "next_steps": "Pinnwand aufhängen, Webseite mit dem Quartierstreff testen.",
        },
        "follow_up": [
            (FollowUp.UNDER_REVIEW, 20, "Das Quartiersmanagement übernimmt die Vorlage."),
            (FollowUp.IMPLEMENTED, 90, "Das Hilfe-Brett hängt seit dem Sommer im Kiosk am Marktplatz und wird rege genutzt."),
        ],
    },
    {
        "name": "Pop-up Quartier",
        "idea": "Leerstand als Pop-up-Werkstatt",
        "lead": "nina@helpathon.localhost",
        "members": [],
        "description": "Leere Läden auf Zeit für Gründung und Handwerk.",
        "sections": {
            "problem": "Leere Ladenlokale machen die Einkaufsstraße unattraktiv, und Gründende finden keine bezahlbaren Flächen.",
            "target_group": "Eigentümerinnen und Eigentümer, Gründende, Handwerk und Initiativen.",
            "solution": (
                "Eine Agentur auf Zeit vermittelt Leerstände für jeweils acht Wochen; die Stadt übernimmt die "
                "Nebenkosten, die Nutzenden gestalten die Schaufenster."
            ),
            "future_scenario": "Die Einkaufsstraße hat keine dunklen Schaufenster mehr; zwei Pop-ups bleiben dauerhaft.",
            "risks": "Eigentümer zögern – Abhilfe: Mustervertrag und Haftungsübernahme.",
        },
        "follow_up": [
            (FollowUp.NOT_PURSUED, 45,
             "Die Idee wird im Programm „Zukunft Innenstadt“ weitergeführt und deshalb hier nicht eigens verfolgt."),
        ],
    },
]

COMMENTS = [
    (0, 0, "Super Sache! Würde ich sofort für meine Mutter nutzen."),
    (0, 1, "Bitte auch die Apotheke einbinden."),
    (1, 2, "Im Kiosk an der Ecke hängt so etwas schon – toll, dass es jetzt digital wird."),
    (2, 1, "Schade, die Pop-ups hätten der Straße gutgetan."),
]


class Command(BaseCommand):
    help = "Add demo teams, prototypes and innovation templates with follow-up to the past demo edition (idempotent)."

    def handle(self, *args, **options):
        edition = Edition.objects.filter(slug=EDITION).first()
        if edition is None or not edition.ideas.exists():
            self.stdout.write("Run seed_demo and seed_demo_ideas first.")
            return
        if not Team.objects.filter(edition=edition).exists():
            self._teams(edition)
        templates_ensure(edition=self._fresh(edition))
        templates = list(
            InnovationTemplate.objects.filter(edition=edition).select_related("prototype__team", "edition")
        )
        self._follow_up(edition, templates)
        self._feedback(templates)
        self.stdout.write(f"{len(templates)} innovation templates in {edition.title}.")

    @staticmethod
    def _fresh(edition: Edition) -> Edition:
        # A new instance: the agenda is cached on an edition, and the phase was just moved.
        return Edition.objects.prefetch_related("phases").get(pk=edition.pk)

    def _at_phase(self, edition: Edition, kind: str | None) -> Edition:
        edition.phase_override = edition.phases.get(kind=kind) if kind else None
        edition.save(update_fields=["phase_override"])
        return self._fresh(edition)

    def _teams(self, edition: Edition) -> None:
        """Found the teams during team building, write and submit their prototypes during
        prototyping, then let the edition be over again (all in one transaction, so that the
        templates are made after it, by the agenda)."""
        with transaction.atomic():
            for spec in PEOPLE:
                self._person(edition, *spec)
            people = {user.email: user for user in User.objects.filter(email__endswith="@helpathon.localhost")}
            ideas = {idea.title: idea for idea in Idea.objects.filter(edition=edition)}
            made = []
            edition = self._at_phase(edition, "team_building")
            for spec in TEAMS:
                idea = ideas.get(spec["idea"])
                lead = people.get(spec["lead"])
                if idea is None or lead is None or idea.status == Idea.Status.MERGED:
                    continue
                challenge = Challenge.objects.select_related("edition").get(pk=idea.challenge_id)
                challenge.edition = edition
                team = teams.team_found(actor=lead, challenge=challenge, name=spec["name"],
                                       description=spec["description"], ideas=[idea])
                team.edition = edition
                for email in spec["members"]:
                    member = people.get(email)
                    if member is None or not Registration.objects.filter(
                        edition=edition, user=member, status="confirmed"
                    ).exists():
                        continue
                    request = teams.join_request_create(actor=member, team=team, message="Ich bin dabei!")
                    teams.join_request_decide(actor=lead, request=request, accept=True)
                made.append((team, lead, spec))
            edition = self._at_phase(edition, "prototyping")
            for team, lead, spec in made:
                team.edition = edition
                prototype = teams.prototype_of(team)
                teams.prototype_save(actor=lead, team=team, sections=spec["sections"], base_version=prototype.version,
                                     note="Stand nach dem Pitch")
                teams.prototype_submit(actor=lead, team=team)
            self._at_phase(edition, None)
            self._as_on_the_day(edition)

    def _as_on_the_day(self, edition: Edition) -> None:
        """Give the demo's teams and prototypes the times of the event day (demo data only)."""
        day = edition.starts_at
        for index, team in enumerate(Team.objects.filter(edition=edition).order_by("pk")):
            Team.objects.filter(pk=team.pk).update(created_at=day + timedelta(hours=3, minutes=35 + 5 * index))
            Prototype.objects.filter(team=team).update(
                updated_at=day + timedelta(hours=6, minutes=10 + 5 * index),
                submitted_at=day + timedelta(hours=6, minutes=15 + 5 * index),
            )

    def _follow_up(self, edition: Edition, templates: list[InnovationTemplate]) -> None:
        """The organizers' follow-up, on templates nobody has moved yet: handed over at the end
        of the day, then the steps of `TEAMS`, dated after the event."""
        organizer = edition.organizers.first()
        if organizer is None:
            return
        steps = {spec["name"]: spec["follow_up"] for spec in TEAMS}
        handed_over = edition.ends_at
        for template in templates:
            if template.status_changes.count() != 1 or template.status != FollowUp.RECEIVED:
                continue
            InnovationTemplate.objects.filter(pk=template.pk).update(
                created_at=handed_over, status_date=timezone.localdate(handed_over)
            )
            StatusChange.objects.filter(template=template).update(
                changed_at=handed_over, status_date=timezone.localdate(handed_over)
            )
            template.refresh_from_db()
            for status, days, statement in steps.get(template.prototype.team.name, []):
                when = min(timezone.localdate(handed_over + timedelta(days=days)), timezone.localdate())
                template = template_status_set(
                    actor=organizer, template=template, status=status, statement=statement, status_date=when
                )

    def _feedback(self, templates: list[InnovationTemplate]) -> None:
        """Supports and comments of citizens. The past edition had no public feedback phase, so
        they are written as rows, with the voice the services would give them."""
        citizens = [self._citizen(email, name) for email, name in CITIZENS]
        by_name = {t.prototype.team.name: t for t in templates}
        ordered = [by_name[spec["name"]] for spec in TEAMS if spec["name"] in by_name]
        for index, template in enumerate(ordered):
            when = template.created_at + timedelta(days=2 + index)
            for citizen in citizens[: len(citizens) - index]:
                TemplateSupport.objects.get_or_create(
                    template=template, user=citizen,
                    defaults={"voice": voice_of(citizen, template), "created_at": when},
                )
        for template_index, citizen_index, body in COMMENTS:
            if template_index >= len(ordered):
                continue
            template, citizen = ordered[template_index], citizens[citizen_index]
            TemplateComment.objects.get_or_create(
                template=template, author=citizen, body=body,
                defaults={"voice": voice_of(citizen, template),
                          "created_at": template.created_at + timedelta(days=3, hours=citizen_index)},
            )

    def _person(self, edition, email, name, sector, role, named) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, display_name=name, sector=sector, role=role,
                                            named_in_results=named)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        now = timezone.now()
        Registration.objects.get_or_create(
            edition=edition, user=user,
            defaults={"status": "confirmed", "sector": sector, "role": role, "consent_at": now, "confirmed_at": now,
                      "email_confirmed_at": now},
        )
        return user

    def _citizen(self, email, name) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, display_name=name, role="citizen")
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
