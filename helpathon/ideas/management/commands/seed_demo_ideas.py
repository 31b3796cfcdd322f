"""Demo ideas for the past edition "Leben und Wirtschaft im Quartier", written through the
services so that versions, links, comments and live events are real. Idempotent: does nothing
when the edition has ideas already. Run after `seed_demo`."""

from allauth.account.models import EmailAddress
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.editions.models import Edition
from helpathon.ideas import services
from helpathon.registrations.models import Registration

EDITION = "leben-und-wirtschaft-im-quartier"
PEOPLE = [
    ("teilnehmerin@helpathon.localhost", "Lea Beispiel", "civil_society", "citizen"),
    ("jonas@helpathon.localhost", "Jonas K.", "business", "founder"),
    ("amira@helpathon.localhost", "Amira S.", "science", "student"),
]
IDEAS = [
    # (key, author index, challenge index, title, body, tags, builds on)
    ("markt", 0, 1, "Digitaler Wochenmarkt fürs Quartier",
     "Die Händlerinnen und Händler im Viertel bieten ihre Waren gemeinsam online an, **Abholung am Samstag** "
     "auf dem Marktplatz. So bleibt das Geld im Quartier.", ["handel", "digital"], []),
    ("lieferung", 1, 1, "Lastenrad-Lieferdienst der Läden",
     "Ein gemeinsamer Lieferdienst mit Lastenrädern für alle Geschäfte im Quartier: bestellt wird per Telefon "
     "oder online, geliefert am selben Tag.", ["handel", "mobilität"], ["markt"]),
    ("nachbarn", 2, 0, "Nachbarschaftshilfe-Brett",
     "Ein Brett – analog im Kiosk und digital – auf dem Nachbarinnen und Nachbarn Hilfe anbieten und suchen: "
     "Einkaufen, Hund ausführen, Formulare ausfüllen.", ["nachbarschaft"], []),
    ("nachbarn2", 1, 0, "Hilfe-Börse für Nachbarn",
     "Eine Plattform, auf der Nachbarn sich gegenseitig helfen können.", ["nachbarschaft"], []),
    ("leerstand", 0, 1, "Leerstand als Pop-up-Werkstatt",
     "Leere Ladenlokale werden für ein paar Wochen an Gründerinnen, Handwerk und Initiativen vergeben.",
     ["leerstand", "gründung"], ["markt"]),
]


class Command(BaseCommand):
    help = "Add demo ideas, comments, versions and a merge to the past demo edition (idempotent)."

    def handle(self, *args, **options):
        edition = Edition.objects.filter(slug=EDITION).first()
        if edition is None:
            self.stdout.write("Run seed_demo first.")
            return
        if edition.ideas.exists():
            self.stdout.write("The demo edition has ideas already; nothing to do.")
            return
        with transaction.atomic():
            people = [self._person(edition, *spec) for spec in PEOPLE]
            challenges = list(edition.challenges.order_by("order", "pk"))
            organizer = edition.organizers.first()
            # The edition is over; let its ideation phase be current while the demo is written.
            edition.phase_override = edition.phases.get(kind="ideation")
            edition.save(update_fields=["phase_override"])
            made = {}
            for index, (key, author, challenge, title, body, tags, builds_on) in enumerate(IDEAS):
                made[key] = services.idea_create(
                    actor=people[author], challenge=challenges[challenge], title=title, body=body, tags=tags,
                    builds_on=[made[k] for k in builds_on],
                    # As if written during the event's ideation phase.
                    created_at=edition.starts_at + timedelta(minutes=45 + 9 * index),
                )
            services.idea_update(
                actor=people[0], idea=made["markt"], title=made["markt"].title,
                body=made["markt"].body + "\n\nNeu: Auch die Bäckerei und der Bioladen machen mit.",
                tags=["handel", "digital", "lebensmittel"], note="Mitstreiter ergänzt",
            )
            first = services.comment_create(
                actor=people[1], idea=made["markt"], body="Könnten wir die Abholung mit dem Lieferdienst verbinden?"
            )
            services.comment_create(
                actor=people[0], idea=made["markt"], parent=first, body="Ja! Ich habe deine Idee verknüpft."
            )
            services.comment_create(actor=people[2], idea=made["nachbarn"], body="Im Kiosk gibt es dafür schon Platz.")
            if organizer is not None:
                edition.moderators.add(organizer)
                services.idea_merge(actor=organizer, idea=made["nachbarn2"], target=made["nachbarn"])
            self._evaluate(edition, people, made)
            edition.phase_override = None
            edition.save(update_fields=["phase_override"])
            self._spread_over_the_day(edition)
        self.stdout.write(f"{len(made)} demo ideas written to {edition.title}, with supports, ratings and comparisons.")

    def _evaluate(self, edition, people, made) -> None:
        """Supports, ratings and a few pairwise answers of the demo people, given during the
        edition's evaluation phase, so that its rankings page has something to show."""
        import numpy as np

        from helpathon.evaluation import services as evaluation

        edition.phase_override = edition.phases.get(kind="evaluation")
        edition.save(update_fields=["phase_override"])
        edition = Edition.objects.get(pk=edition.pk)
        from helpathon.ideas.models import Idea

        preferences = {"markt": 5, "lieferung": 4, "leerstand": 4, "nachbarn": 3}
        liking = {made[key].pk: value for key, value in preferences.items()}
        # Fresh rows: the ones above remember the edition in its ideation phase.
        ideas = list(Idea.objects.filter(pk__in=liking).select_related("edition", "challenge").order_by("pk"))
        for person in people:
            for idea in ideas:
                if idea.author_id == person.pk:
                    continue
                liked = liking[idea.pk]
                if liked >= 4:
                    evaluation.support_add(actor=person, idea=idea)
                evaluation.rating_set(
                    actor=person, kind="idea", target=idea, panel="participants",
                    values={"impact": liked, "feasibility": max(1, liked - 1), "novelty": 3, "sustainability": liked},
                )
            rng = np.random.default_rng(person.pk)
            for challenge in edition.challenges.all():
                while (pair := evaluation.pair_next(actor=person, challenge=challenge, rng=rng)) is not None:
                    left, right = liking[pair.left_id], liking[pair.right_id]
                    outcome = "tie" if left == right else ("left" if left > right else "right")
                    evaluation.comparison_answer(actor=person, pk=pair.pk, outcome=outcome)

    def _spread_over_the_day(self, edition) -> None:
        """The demo is written in a second; give its live events the times of an event day, so
        that the replay of the archive has a day to play back (demo data only: the log of a real
        edition is never rewritten)."""
        from helpathon.live.models import LiveEvent

        events = list(LiveEvent.objects.filter(edition=edition).order_by("seq"))
        span = edition.ends_at - edition.starts_at - timedelta(hours=1)
        for index, event in enumerate(events):
            event.created_at = edition.starts_at + timedelta(minutes=40) + span * index / max(len(events), 1)
        LiveEvent.objects.bulk_update(events, ["created_at"])

    def _person(self, edition, email, name, sector, role) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, display_name=name, sector=sector, role=role)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        now = timezone.now()
        Registration.objects.get_or_create(
            edition=edition, user=user,
            defaults={"status": "confirmed", "sector": sector, "role": role, "consent_at": now, "confirmed_at": now,
                      "email_confirmed_at": now},
        )
        return user
