"""`manage.py seed_demo`: the demo data, modelled on the two Dortmund helpathons of 2020.

"Leben und Wirtschaft im Quartier" (one day, about six months ago) is a past edition;
"Comeback stronger" (two days, a Saturday and Sunday at least two weeks ahead) is upcoming
and open for registration. Around them: the partners, an organizer, an admin and a
participant with a confirmed place.

Idempotent: rows are keyed by slug, name, email or (edition, kind). Dates are computed
from the clock only when a row is created; an existing edition or phase keeps its dates, so a
second run, today or next month, changes nothing. Texts are brought back to the seeded
wording; a row is only saved when a value differs.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from helpathon.accounts.models import Role, Sector, User
from helpathon.editions.models import Challenge, Edition, Partner, Phase, PhaseKind
from helpathon.registrations.models import Registration

BERLIN = ZoneInfo("Europe/Berlin")
SATURDAY = 5

# --- The facts ---------------------------------------------------------------------------------

WIFOE = "Wirtschaftsförderung Dortmund"
IHK = "IHK zu Dortmund"
HWK = "Handwerkskammer Dortmund"
TOURISMUS = "DORTMUNDtourismus"

PARTNERS = {
    WIFOE: (
        "https://www.wirtschaftsfoerderung-dortmund.de",
        "Initiatorin und Gastgeberin der Dortmunder Helpathons",
    ),
    IHK: ("https://www.ihk.de/dortmund", "Industrie- und Handelskammer zu Dortmund"),
    HWK: ("https://www.hwk-do.de", "Die Kammer des Handwerks in Dortmund und der Region"),
    TOURISMUS: ("https://www.dortmund-tourismus.de", "Tourismusförderung und Stadtmarketing für Dortmund"),
}

COMEBACK = {
    "slug": "comeback-stronger",
    "title": "Comeback stronger",
    "motto": "Stärker und krisenfester aus der Krise",
    "capacity": 150,
    "partners": [WIFOE, IHK, HWK, TOURISMUS],
    "description": (
        "Der zweite Dortmunder Helpathon dreht sich um eine Frage: Was lernen wir aus der "
        "Corona-Pandemie, damit unsere Stadt gestärkt und krisenfester aus ihr hervorgeht? Handel, "
        "Handwerk, Gastronomie, Freizeitwirtschaft und Tourismus stehen vor einem Neustart, und mit "
        "ihnen viele Arbeits- und Ausbildungsplätze.\n\n"
        "Dazu lädt die Wirtschaftsförderung Dortmund gemeinsam mit der IHK zu Dortmund, der "
        "Handwerkskammer Dortmund und DORTMUNDtourismus an zwei Tagen ins Netz ein. Mitmachen kann, "
        "wer etwas beitragen möchte: Menschen aus Wissenschaft, Wirtschaft, Verwaltung und "
        "Zivilgesellschaft, Studierende ebenso wie Gründerinnen, Unternehmer und engagierte "
        "Bürgerinnen und Bürger. Die Teilnahme ist kostenlos und läuft vollständig virtuell.\n\n"
        "In vier Themen sammeln wir Ideen, bewerten sie gemeinsam, finden uns in Teams zusammen und "
        "bauen über Nacht Prototypen. Was am Ende steht, geht als Innovationsvorlage an die Stadt "
        "und wird dort weiterentwickelt. Eine Live-Visualisierung zeigt währenddessen, wie die "
        "Ideen wachsen und sich verbinden."
    ),
    "challenges": [
        {
            "title": "Comeback Handel und lokale Wirtschaft",
            "partner": IHK,
            "description": (
                "Händlerinnen und Händler sowie viele kleine und mittlere Unternehmen müssen sich "
                "nach dem Lockdown neu aufstellen. Gesucht sind Ideen, die das Einkaufen und "
                "Wirtschaften vor Ort stärken und auch nach der Krise tragen."
            ),
            "questions": [
                "Wie kann eine neue Wirtschaftlichkeit für Händlerinnen, Händler und Unternehmen gelingen?",
                ("Gibt es ein neues Bewusstsein für lokales und nachhaltiges Wirtschaften, und wie können "
                 "wir es nach Corona erhalten, ausbauen und stärken?"),
                ("Welche Angebote, die spontan als Antwort auf Corona entstanden sind, bieten Kundinnen "
                 "und Kunden auch nach der Krise einen Nutzen?"),
            ],
        },
        {
            "title": "Comeback Ausbildung",
            "partner": HWK,
            "description": (
                "Ausbildungsplätze sind bedroht, Praktika und Berufsmessen fallen aus. Wie bleiben "
                "Betriebe und junge Menschen im Gespräch, und wie gelingt eine gute Ausbildung, "
                "wenn Abstand gehalten werden muss?"
            ),
            "questions": [
                "Wie lässt sich Ausbildung unter den veränderten Rahmenbedingungen erfolgreich gestalten?",
                "Können digitale Lernformen stärker genutzt werden?",
                "Wie finden Betriebe und an einer Ausbildung Interessierte künftig zueinander?",
                "Wie gelingt die berufliche Orientierung für Schülerinnen und Schüler?",
            ],
        },
        {
            "title": "Comeback Tourismus",
            "partner": TOURISMUS,
            "description": (
                "Hotels, Stadtführungen und Ausflugsziele haben monatelang kaum Gäste gesehen. "
                "Gesucht sind Ideen, die einen Besuch in Dortmund wieder zu etwas Besonderem machen."
            ),
            "questions": [
                "Wie wird ein Besuch in Dortmund trotz Corona zum Erlebnis?",
                "Wie holen wir in den besonders betroffenen Bereichen wieder auf?",
                "Welche neuen Akzente setzen wir für ein Erlebnis nach Corona?",
            ],
        },
        {
            "title": "Comeback Freizeit",
            "partner": WIFOE,
            "description": (
                "Gastronomie, Kultur, Sport und Veranstaltungen leben von Begegnung. Wie kann Freizeit "
                "in Dortmund mit Abstand und Hygieneregeln wieder funktionieren, und was davon wollen "
                "wir behalten?"
            ),
            "questions": [
                ("Wie können Freizeitangebote, Gastronomie und Veranstaltungen in Dortmund auch mit Corona "
                 "wieder funktionieren?"),
                ("Welche Änderungen und Anpassungen brauchen wir für eine funktionierende Normalität in "
                 "der Krise?"),
                "Welche neuen Ideen wollen wir uns für die Zeit nach der Krise bewahren?",
            ],
        },
    ],
}

QUARTIER = {
    "slug": "leben-und-wirtschaft-im-quartier",
    "title": "Leben und Wirtschaft im Quartier",
    "motto": "Für heute. Für morgen. Für uns alle.",
    "capacity": 100,
    "partners": [WIFOE],
    "description": (
        "Der erste Dortmunder Helpathon: ein Tag, rund acht Stunden, vollständig virtuell. Auf "
        "Einladung der Wirtschaftsförderung Dortmund haben engagierte Bürgerinnen und Bürger "
        "überlegt, wie ihr Viertel nach der Corona-Krise sozial und wirtschaftlich stabil und "
        "handlungsfähig bleibt.\n\n"
        "Es ging nicht darum, den alten Zustand wiederherzustellen, sondern die eigene Nachbarschaft "
        "ein Stück besser zu machen, als sie vorher war. Im Mittelpunkt stand die Stimme der "
        "Menschen, die im Quartier wohnen und arbeiten.\n\n"
        "Aus den Ideen des Tages sind Prototypen entstanden, die der Stadt als Innovationsvorlagen "
        "dienen und weiterbearbeitet werden."
    ),
    "challenges": [
        {
            "title": "Zusammenleben im Quartier",
            "partner": WIFOE,
            "description": (
                "In der Krise haben Nachbarschaften zusammengehalten: mit Einkaufshilfen, "
                "Balkonkonzerten und neuen Netzwerken. Was davon bleibt, und wie wird das Miteinander "
                "im Viertel noch besser?"
            ),
            "questions": [
                ("Was können wir schon jetzt anpacken, um die Welt nach der Krise ein Stückchen besser "
                 "zu machen?"),
                ("Wie wollen wir in Zukunft unter neuen Rahmenbedingungen in unserem Quartier "
                 "zusammenleben und wirtschaften?"),
                "Wie bleibt unser Quartier sozial stabil und handlungsfähig, wenn die nächste Krise kommt?",
            ],
        },
        {
            "title": "Wirtschaften im Quartier",
            "partner": WIFOE,
            "description": (
                "Der Laden an der Ecke, das Café, die Werkstatt: Lokale Betriebe machen ein Quartier "
                "lebendig. Wie bleiben sie nach der Krise stabil, und wie können die Menschen im "
                "Viertel sie stärken?"
            ),
            "questions": [
                ("Wie wollen wir in Zukunft unter neuen Rahmenbedingungen in unserem Quartier "
                 "zusammenleben und wirtschaften?"),
                "Welche bestehenden Geschäftsmodelle sollten wir überdenken?",
                "Welche Erfahrungen aus der Krise können wir jetzt umsetzen, um krisenfester zu werden?",
            ],
        },
    ],
}

# (kind, title, description) in agenda order; the times come from the schedules below.
COMEBACK_PHASES = [
    (PhaseKind.REGISTRATION, "Anmeldung",
     "Bis zum Freitagabend vor dem Helpathon sind die kostenlosen Plätze zu vergeben."),
    (PhaseKind.KICKOFF, "Auftakt",
     "Die Wirtschaftsförderung und ihre Partner begrüßen alle Teilnehmenden und stellen die vier Themen vor."),
    (PhaseKind.IDEATION, "Ideenfindung",
     "Alle reichen Ideen zu den Themen ein, kommentieren sie und entwickeln sie gemeinsam weiter."),
    (PhaseKind.EVALUATION, "Bewertung",
     ("Die Teilnehmenden unterstützen, bewerten und vergleichen die Ideen, bis die vielversprechendsten "
      "oben stehen.")),
    (PhaseKind.TEAM_BUILDING, "Teambildung",
     "Rund um die stärksten Ideen finden sich Teams, die sie gemeinsam weiterentwickeln."),
    (PhaseKind.PROTOTYPING, "Prototyping",
     "Die Teams arbeiten in ihren virtuellen Räumen über Nacht an ihren Prototypen."),
    (PhaseKind.PITCHES, "Pitches",
     "Jedes Team stellt seinen Prototypen in wenigen Minuten vor."),
    (PhaseKind.JURY, "Jury",
     "Eine Jury aus Wirtschaftsförderung und Partnern bewertet die Prototypen."),
    (PhaseKind.PUBLIC_FEEDBACK, "Stimme der Stadt",
     "Zwei Wochen lang können alle Dortmunderinnen und Dortmunder die Prototypen kommentieren und bewerten."),
    (PhaseKind.RESULTS, "Ergebnisse",
     "Die Ergebnisse stehen fest und gehen als Innovationsvorlagen an die Stadt."),
]

QUARTIER_PHASES = [
    (PhaseKind.REGISTRATION, "Anmeldung",
     "Bis zum Vorabend des Helpathons sind die kostenlosen Plätze zu vergeben."),
    (PhaseKind.KICKOFF, "Auftakt",
     ("Die Wirtschaftsförderung eröffnet den ersten Helpathon und stellt den Schwerpunkt "
      "Leben und Wirtschaft im Quartier vor.")),
    (PhaseKind.IDEATION, "Ideenfindung",
     "Alle sammeln Ideen, wie das Leben und Wirtschaften im Quartier nach der Krise besser werden kann."),
    (PhaseKind.EVALUATION, "Bewertung",
     "Die Teilnehmenden unterstützen und bewerten die Ideen gemeinsam."),
    (PhaseKind.TEAM_BUILDING, "Teambildung",
     "Nach der Mittagspause finden sich Teams um die Ideen mit dem meisten Zuspruch."),
    (PhaseKind.PROTOTYPING, "Prototyping",
     "Die Teams skizzieren am Nachmittag Prototypen für mögliche Zukunftsszenarien im Quartier."),
    (PhaseKind.PITCHES, "Pitches",
     "Zum Abschluss des Tages stellen die Teams ihre Prototypen vor."),
    (PhaseKind.RESULTS, "Ergebnisse",
     "Die Prototypen gehen als Innovationsvorlagen an die Stadt und werden dort weiterbearbeitet."),
]

DEMO_PASSWORD = "helpathon-demo"
ADMIN_PASSWORD = "helpathon-admin"
ORGANIZER_EMAIL = "organisation@helpathon.localhost"
ADMIN_EMAIL = "admin@helpathon.localhost"
PARTICIPANT_EMAIL = "teilnehmerin@helpathon.localhost"
PREFERRED_CHALLENGES = ["comeback-handel-und-lokale-wirtschaft", "comeback-freizeit"]


# --- Dates ---------------------------------------------------------------------------------------


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Wall-clock time in Dortmund on `day` (so DST changes keep 10:00 at 10:00)."""
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@dataclass(frozen=True)
class EditionDates:
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def comeback_dates(now: datetime) -> EditionDates:
    """Saturday 10:00 at least 14 days after `now` until Sunday 18:00; registration from a week
    ago (00:00) until the Friday before, 23:59."""
    local_now = now.astimezone(BERLIN)
    # Exactly 14 × 24 hours (not wall-clock days), so a DST change in between cannot cut it short.
    earliest = (now + timedelta(days=14)).astimezone(BERLIN)
    saturday = earliest.date() + timedelta(days=(SATURDAY - earliest.weekday()) % 7)
    if at(saturday, 10) < earliest:
        saturday += timedelta(days=7)
    return EditionDates(
        starts_at=at(saturday, 10),
        ends_at=at(saturday + timedelta(days=1), 18),
        registration_opens_at=at(local_now.date() - timedelta(days=7), 0),
        registration_closes_at=at(saturday - timedelta(days=1), 23, 59),
    )


def quartier_dates(now: datetime) -> EditionDates:
    """The Saturday on or before the day about six months before `now`, 10:00–18:00;
    registration for four weeks until the Friday before, 23:59."""
    day = now.astimezone(BERLIN).date() - timedelta(days=182)
    saturday = day - timedelta(days=(day.weekday() - SATURDAY) % 7)
    return EditionDates(
        starts_at=at(saturday, 10),
        ends_at=at(saturday, 18),
        registration_opens_at=at(saturday - timedelta(days=28), 0),
        registration_closes_at=at(saturday - timedelta(days=1), 23, 59),
    )


def comeback_phase_times(edition: Edition) -> dict[str, tuple[datetime, datetime]]:
    """The two-day agenda, derived from the edition's own (stored) dates."""
    saturday = edition.starts_at.astimezone(BERLIN).date()
    sunday = saturday + timedelta(days=1)
    feedback_ends = at(sunday + timedelta(days=14), 15, 30)
    return {
        PhaseKind.REGISTRATION: (edition.registration_opens_at, edition.registration_closes_at),
        PhaseKind.KICKOFF: (at(saturday, 10), at(saturday, 10, 30)),
        PhaseKind.IDEATION: (at(saturday, 10, 30), at(saturday, 13)),
        PhaseKind.EVALUATION: (at(saturday, 13, 30), at(saturday, 15)),
        PhaseKind.TEAM_BUILDING: (at(saturday, 15), at(saturday, 16)),
        PhaseKind.PROTOTYPING: (at(saturday, 16), at(sunday, 12)),
        PhaseKind.PITCHES: (at(sunday, 13), at(sunday, 14, 30)),
        PhaseKind.JURY: (at(sunday, 14, 30), at(sunday, 15, 30)),
        PhaseKind.PUBLIC_FEEDBACK: (at(sunday, 15, 30), feedback_ends),
        PhaseKind.RESULTS: (feedback_ends, at(sunday + timedelta(days=44), 15, 30)),
    }


def quartier_phase_times(edition: Edition) -> dict[str, tuple[datetime, datetime]]:
    """The one-day agenda (about eight hours with a lunch break), from the edition's dates."""
    day = edition.starts_at.astimezone(BERLIN).date()
    return {
        PhaseKind.REGISTRATION: (edition.registration_opens_at, edition.registration_closes_at),
        PhaseKind.KICKOFF: (at(day, 10), at(day, 10, 30)),
        PhaseKind.IDEATION: (at(day, 10, 30), at(day, 12)),
        PhaseKind.EVALUATION: (at(day, 12), at(day, 13)),
        PhaseKind.TEAM_BUILDING: (at(day, 13, 30), at(day, 14)),
        PhaseKind.PROTOTYPING: (at(day, 14), at(day, 16, 30)),
        PhaseKind.PITCHES: (at(day, 16, 30), at(day, 18)),
        PhaseKind.RESULTS: (at(day, 18), at(day + timedelta(days=30), 18)),
    }


# --- The command ---------------------------------------------------------------------------------


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "testserver"}


class Command(BaseCommand):
    help = (
        "Create the demo data: a past and an upcoming Dortmund helpathon with challenges, agenda "
        "and partners, an organizer, an admin and a participant. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any edition exists already."
        )
        parser.add_argument(
            "--allow-public-site", dest="allow_public", action="store_true",
            help="Seed even though SITE_URL is not a local address (the demo passwords are public).",
        )

    def handle(self, *args, **options):
        # The demo accounts have published passwords: never create them on a public site.
        host = urlsplit(settings.SITE_URL).hostname or ""
        if host not in LOCAL_HOSTS and not options["allow_public"]:
            raise CommandError(
                f"SITE_URL is {settings.SITE_URL}: the demo's published passwords must not reach a public "
                "site. Pass --allow-public-site if you really mean it."
            )
        if options["if_empty"] and Edition.objects.exists():
            self.stdout.write("Editions exist already; seed_demo left the database as it is.")
            return
        self.created: Counter = Counter()
        self.updated: Counter = Counter()
        self.fresh: set[tuple[str, int]] = set()
        now = timezone.now()
        with transaction.atomic():
            partners = {
                name: self.sync(Partner, {"name": name}, {"url": url, "description": description})
                for name, (url, description) in PARTNERS.items()
            }
            quartier = self.seed_edition(
                QUARTIER, quartier_dates, quartier_phase_times, QUARTIER_PHASES, partners, now
            )
            comeback = self.seed_edition(
                COMEBACK, comeback_dates, comeback_phase_times, COMEBACK_PHASES, partners, now
            )

            organizer = self.seed_user(
                ORGANIZER_EMAIL, DEMO_PASSWORD, display_name="Team Wirtschaftsförderung", is_staff=True
            )
            group = Group.objects.get(name=settings.ORGANIZERS_GROUP)
            if not organizer.groups.filter(pk=group.pk).exists():
                organizer.groups.add(group)
                self.touched(organizer)
            for edition in (quartier, comeback):
                if not edition.organizers.filter(pk=organizer.pk).exists():
                    edition.organizers.add(organizer)
                    self.touched(edition)

            self.seed_user(
                ADMIN_EMAIL, ADMIN_PASSWORD, display_name="Admin", is_staff=True, is_superuser=True
            )
            participant = self.seed_user(
                PARTICIPANT_EMAIL, DEMO_PASSWORD, display_name="Lea Beispiel",
                sector=Sector.CIVIL_SOCIETY, role=Role.CITIZEN,
            )
            self.seed_registration(comeback, participant, now)

        self.report(comeback, quartier)

    # --- helpers ---

    def touched(self, obj) -> None:
        """Count a change to a row that existed before this run."""
        key = (obj._meta.model_name, obj.pk)
        if key not in self.fresh:
            self.fresh.add(key)  # count each row once
            self.updated[obj._meta.model_name] += 1

    def made(self, obj) -> None:
        self.fresh.add((obj._meta.model_name, obj.pk))
        self.created[obj._meta.model_name] += 1

    def sync(self, model, lookup: dict, values: dict, create_only: dict | None = None):
        """Get the row by `lookup` or create it. An existing row gets `values` (saved only when
        something differs); `create_only` (dates, mostly) is used for a new row and never again."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values, **(create_only or {}))
            self.made(obj)
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.touched(obj)
        return obj

    def seed_edition(self, spec, dates, phase_times, phases, partners, now) -> Edition:
        edition = self.sync(
            Edition,
            {"slug": spec["slug"]},
            {
                "title": spec["title"],
                "motto": spec["motto"],
                "description": spec["description"],
                "capacity": spec["capacity"],
                "status": Edition.Status.PUBLISHED,
            },
            create_only=dates(now).as_dict(),
        )
        wanted = [partners[name] for name in spec["partners"]]
        missing = [p for p in wanted if not edition.partners.filter(pk=p.pk).exists()]
        if missing:
            edition.partners.add(*missing)
            self.touched(edition)
        for order, challenge in enumerate(spec["challenges"], start=1):
            self.sync(
                Challenge,
                {"edition": edition, "slug": slugify(challenge["title"])},
                {
                    "title": challenge["title"],
                    "description": challenge["description"],
                    "guiding_questions": "\n".join(challenge["questions"]),
                    "partner": partners[challenge["partner"]],
                    "order": order,
                },
            )
        times = phase_times(edition)
        for kind, title, description in phases:
            starts_at, ends_at = times[kind]
            self.sync(
                Phase,
                {"edition": edition, "kind": kind},
                {"title": title, "description": description},
                create_only={"starts_at": starts_at, "ends_at": ends_at},
            )
        return edition

    def seed_user(self, email: str, password: str, *, display_name: str, **flags) -> User:
        """Create the account with its password if it is new; an existing account keeps its
        password and profile and only gets the flags it needs (staff, superuser)."""
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=password, display_name=display_name, **flags
            )
            self.made(user)
        else:
            changed = [
                name for name in ("is_staff", "is_superuser") if flags.get(name) and not getattr(user, name)
            ]
            if not user.is_active:
                changed.append("is_active")
            if changed:
                for name in changed:
                    setattr(user, name, True)
                user.save(update_fields=changed)
                self.touched(user)
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
            self.made(
                EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=not has_primary)
            )
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
            self.touched(address)
        return user

    def seed_registration(self, edition: Edition, user: User, now) -> Registration:
        registration = Registration.objects.filter(edition=edition, user=user).first()
        if registration is None:
            registration = Registration.objects.create(
                edition=edition, user=user, status=Registration.Status.CONFIRMED,
                sector=user.sector or Sector.CIVIL_SOCIETY, role=user.role or Role.CITIZEN,
                consent_at=now, email_confirmed_at=now, confirmed_at=now,
            )
            self.made(registration)
            registration.preferred_challenges.add(
                *edition.challenges.filter(slug__in=PREFERRED_CHALLENGES)
            )
        elif registration.status != Registration.Status.CONFIRMED:
            registration.status = Registration.Status.CONFIRMED
            registration.email_confirmed_at = registration.email_confirmed_at or now
            registration.confirmed_at = now
            registration.cancelled_at = None
            registration.expires_at = None
            registration.queued_at = None
            registration.save(
                update_fields=[
                    "status", "email_confirmed_at", "confirmed_at", "cancelled_at", "expires_at", "queued_at"
                ]
            )
            self.touched(registration)
        return registration

    def report(self, comeback: Edition, quartier: Edition) -> None:
        def counts(counter: Counter) -> str:
            return ", ".join(f"{n} {label}" for label, n in sorted(counter.items()) if n) or "nothing"

        def local(moment: datetime) -> str:
            return moment.astimezone(BERLIN).strftime("%a %d.%m.%Y %H:%M")

        out = self.stdout
        out.write(self.style.SUCCESS("Demo data ready."))
        out.write(f"  created: {counts(self.created)}")
        out.write(f"  updated: {counts(self.updated)}")
        out.write(f"  upcoming: “{comeback.title}” {comeback.get_absolute_url()} "
                  f"{local(comeback.starts_at)} – {local(comeback.ends_at)}, "
                  f"registration until {local(comeback.registration_closes_at)}")
        out.write(f"  past:     “{quartier.title}” {quartier.get_absolute_url()} "
                  f"{local(quartier.starts_at)} – {local(quartier.ends_at)}")
        out.write("  logins (password as seeded unless the account existed before):")
        out.write(f"    organizer   {ORGANIZER_EMAIL} / {DEMO_PASSWORD}")
        out.write(f"    participant {PARTICIPANT_EMAIL} / {DEMO_PASSWORD}")
        out.write(f"    admin       {ADMIN_EMAIL} / {ADMIN_PASSWORD}  (/admin/)")
