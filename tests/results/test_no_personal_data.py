"""The issue's key test: no export of an edition contains personal data of anybody seeded.

An edition is seeded through the services with people who have distinctive email addresses and
display names, most of whom did not agree to be named in results; they register (sector and
role), write ideas, versions and comments, support, rate and compare, found and join teams,
keep private notes and drafts, submit prototypes, score as jury, give public feedback; the
organizer sets a follow-up status; one person deletes their account. Then every export format
is fetched, one test case each, and scanned for every email address (and its local part), for
the display names of people who did not agree to be named, and for what is private to a team.

A format that does not answer 200 fails: every export must exist.
"""

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.moderation.services import content_hide
from helpathon.registrations.models import Registration
from helpathon.results import services as result_services
from helpathon.results.models import InnovationTemplate
from helpathon.results.opendata import TABLES
from helpathon.teams import services as team_services
from helpathon.teams.models import Team
from tests.factories import make_user

DOMAIN = "leak-test.example"
# local part of the email, display name, agreed to be named in results
CAST = {
    "alice": ("alice.quietmouse", "Alice Quietmouse", False),
    "bert": ("bert.namedperson", "Bert Namedperson", True),
    "carla": ("carla.hiddenname", "Carla Hiddenname", False),
    "dora": ("dora.supporterin", "Dora Supporterin", False),
    "emil": ("emil.juryman", "Emil Juryman", False),
    "frieda": ("frieda.geloescht", "Frieda Geloescht", True),  # named, but deletes her account
    "nora": ("nora.namedone", "Nora Namedone", True),
}
PRIVATE_TEXTS = (
    "Geheime Teamnotiz 4711",
    "Privater Entwurfstext 0815",
    "Nachricht nur an das Team 2342",
    "Versteckte Geheimidee 1337",
    "Verborgener Kommentar 9999",
)


@pytest.fixture(autouse=True)
def _english_client(client):
    # Pseudonyms and "deleted account" are written in the reader's language.
    client.cookies["django_language"] = "en"

def _register(edition, user, *, sector, role):
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector=sector, role=role,
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def cast(edition):
    sectors = ("science", "business", "administration", "civil_society")
    people = {}
    for i, (key, (local, name, named)) in enumerate(CAST.items()):
        user = make_user(f"{local}@{DOMAIN}", display_name=name, named_in_results=named)
        people[key] = _register(edition, user, sector=sectors[i % 4], role="entrepreneur")
    return people


@pytest.fixture
def early(edition, go_to, organizer, lineage, cast):
    """Ideation, evaluation and a second team with its prototype, before the conftest's team
    (`template`) is founded and the agenda moves on to public feedback."""
    root, child = lineage
    challenge = root.challenge
    idea = idea_services.idea_create(actor=cast["alice"], challenge=challenge, title="Sitzbänke mit Solardach",
                                     body="Schatten und Strom am Marktplatz.", tags=["energie"])
    idea = idea_services.idea_update(actor=cast["alice"], idea=idea, title="Sitzbänke mit Solardach und USB",
                                     body="Schatten, Strom und Ladepunkte.", tags=["energie"], note="USB ergänzt")
    question = idea_services.comment_create(actor=cast["dora"], idea=idea, body="Wer wartet die Bänke?")
    idea_services.comment_create(actor=cast["alice"], idea=idea, body="Der Bauhof.", parent=question)
    idea_services.comment_create(actor=cast["nora"], idea=idea, body="Schöne Idee!")
    idea_services.comment_create(actor=cast["frieda"], idea=root, body="Ich helfe gern.")
    secret = idea_services.idea_create(actor=cast["carla"], challenge=challenge, title=PRIVATE_TEXTS[3], body="x")
    content_hide(actor=organizer, idea=secret, reason="Enthält persönliche Angaben")
    hidden = idea_services.comment_create(actor=cast["carla"], idea=root, body=PRIVATE_TEXTS[4])
    content_hide(actor=organizer, comment=hidden, reason="Enthält persönliche Angaben")

    evaluation_services.jury_appoint(actor=organizer, edition=edition, user=cast["emil"])
    go_to("evaluation")
    for target in Idea.objects.filter(pk__in=[idea.pk, root.pk, child.pk]):  # fresh: they know the phase
        evaluation_services.support_add(actor=cast["dora"], idea=target)
        evaluation_services.rating_set(actor=cast["dora"], kind="idea", target=target, panel="participants",
                                       values={"impact": 5, "feasibility": 3})
    pair = evaluation_services.pair_next(actor=cast["dora"], challenge=challenge)
    evaluation_services.comparison_answer(actor=cast["dora"], pk=pair.pk, outcome="left")

    go_to("team_building")
    idea = Idea.objects.get(pk=idea.pk)
    team = team_services.team_found(actor=cast["carla"], challenge=challenge, name="Die Bankdrücker", ideas=[idea],
                                    skills_needed="Schreinern")
    for key in ("bert", "frieda", "alice"):
        request = team_services.join_request_create(actor=cast[key], team=team, message=PRIVATE_TEXTS[2])
        team_services.join_request_decide(actor=cast["carla"], request=request, accept=True)
    team_services.notes_update(actor=cast["carla"], team=team, notes=PRIVATE_TEXTS[0])
    team_services.room_set(actor=organizer, team=team, url="https://rooms.leak-test.example/bankdruecker-geheim")
    go_to("prototyping")
    team = Team.objects.get(pk=team.pk)
    prototype = team_services.prototype_of(team)
    prototype = team_services.prototype_save(actor=cast["carla"], team=team, base_version=prototype.version, sections={
        "problem": "Zu wenig Schatten am Markt.", "solution": "Bänke mit Solardach.",
        "future_scenario": "Jeder Platz hat Schatten.",
    })
    team_services.draft_save(actor=cast["bert"], team=team, base_version=prototype.version,
                             sections={"problem": PRIVATE_TEXTS[1]})
    team_services.prototype_submit(actor=cast["carla"], team=team)
    return idea


@pytest.fixture
def seeded(edition, go_to, organizer, early, template, cast, idea_author):
    """The rest: jury scores, public feedback on the templates, a follow-up status, and a
    deleted account."""
    go_to("jury")
    evaluation_services.rating_set(actor=cast["emil"], kind="idea", target=Idea.objects.get(pk=early.pk), panel="jury",
                                   values={"impact": 4, "feasibility": 4, "novelty": 3, "sustainability": 5})
    go_to("public_feedback")
    templates = list(InnovationTemplate.objects.filter(edition=edition).select_related("edition"))
    assert len(templates) == 2
    for made in templates:
        result_services.template_support(actor=cast["dora"], template=made)
        result_services.template_comment(actor=cast["dora"], template=made, body="Das braucht unser Viertel.")
    result_services.template_status_set(actor=organizer, template=template, status="under_review",
                                        statement="Das Tiefbauamt prüft die Standorte.")
    User.objects.filter(pk=cast["frieda"].pk).update(deleted_at=timezone.now())
    return edition


# --- what must not appear ------------------------------------------------------------------------


def _forbidden() -> dict[str, str]:
    """What to look for -> why it must not be there."""
    found = {DOMAIN: "the seeded email domain"}
    for user in User.objects.all():
        found[user.email] = f"the email address of {user.display_name}"
        local = user.email.split("@")[0]
        if "." in local:  # plain words such as "participant" are ordinary words too
            found[local] = f"the local part of the email address of {user.display_name}"
        if user.display_name and (not user.named_in_results or user.deleted_at is not None):
            found[user.display_name] = f"the display name of {user.display_name}, who did not agree to be named"
    for team in Team.objects.all():
        found[team.room_secret] = f"the room of team {team.name}"
        if team.room_url:
            found[team.room_url] = f"the room link of team {team.name}"
    for text in PRIVATE_TEXTS:
        found[text] = "private or hidden content"
    return found


def _scan(label: str, text: str) -> None:
    lowered = text.lower()
    leaks = [f"{why}: {needle!r}" for needle, why in _forbidden().items() if needle.lower() in lowered]
    assert not leaks, f"{label} contains personal or private data:\n" + "\n".join(leaks)


# --- fetching every format ---------------------------------------------------------------------


def _get(client, url: str, name: str):
    response = client.get(url)
    assert response.status_code == 200, f"{name} ({url}) answered {response.status_code}; every export must exist"
    return response


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF"), "not a PDF"
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _template_api(client, template) -> str:
    return _get(client, f"/api/v1/templates/{template.pk}", "the template API").content.decode()


def _templates(edition):
    return list(InnovationTemplate.objects.filter(edition=edition).select_related("edition").order_by("pk"))


def _edition_url(name: str, edition) -> str:
    return reverse(name, kwargs={"slug": edition.slug})


def _template_url(name: str, template) -> str:
    return reverse(name, kwargs={"slug": template.edition.slug, "pk": template.pk})


def _open_data_zip(client, edition) -> zipfile.ZipFile:
    response = _get(client, _edition_url("results:open_data_csv", edition), "results:open_data_csv")
    return zipfile.ZipFile(io.BytesIO(response.content))


def fetch(fmt: str, client, edition) -> list[tuple[str, str]]:
    """[(label, text)] of export `fmt` of the edition (one per template for template formats)."""
    if fmt == "open_data_page":
        return [(fmt, _get(client, _edition_url("results:open_data", edition), fmt).content.decode())]
    if fmt == "open_data_json":
        return [(fmt, _get(client, _edition_url("results:open_data_json", edition), fmt).content.decode())]
    if fmt == "open_data_api":
        return [(fmt, _get(client, f"/api/v1/editions/{edition.slug}/open-data", fmt).content.decode())]
    if fmt.startswith("open_data_zip:"):
        name = fmt.split(":", 1)[1]
        return [(fmt, _open_data_zip(client, edition).read(name).decode("utf-8-sig"))]
    if fmt == "report":
        return [(fmt, _get(client, _edition_url("results:report", edition), fmt).content.decode())]
    if fmt == "report_pdf":
        return [(fmt, _pdf_text(_get(client, _edition_url("results:report_pdf", edition), fmt).content))]
    found = []
    for template in _templates(edition):
        label = f"{fmt} of template {template.pk}"
        if fmt == "template_api":
            found.append((label, _template_api(client, template)))
            continue
        response = _get(client, _template_url(f"results:{fmt}", template), f"results:{fmt}")
        text = _pdf_text(response.content) if fmt == "template_pdf" else response.content.decode()
        found.append((label, text))
    return found


ZIP_FILES = [f"{table}.csv" for table in TABLES] + ["datapackage.json", "README.md"]
FORMATS = [
    "open_data_page", "open_data_json", "open_data_api", *[f"open_data_zip:{name}" for name in ZIP_FILES],
    "template_markdown", "template_json", "template_pdf", "template_api", "report", "report_pdf",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_export_contains_personal_data(client, seeded, fmt):
    for label, text in fetch(fmt, client, seeded):
        assert text.strip(), f"{label} is empty"
        _scan(label, text)


def test_the_scan_finds_what_it_looks_for(seeded, cast):
    # The scan itself: a leak in any case and in the middle of other text is found.
    for needle in (cast["alice"].email.upper(), "carla.hiddenname", "Dora Supporterin", PRIVATE_TEXTS[0]):
        with pytest.raises(AssertionError):
            _scan("a test text", f"Vorher {needle} nachher")
    _scan("a test text", "Mia Member, Bert Namedperson, Nora Namedone")  # they agreed


def test_the_zip_holds_exactly_the_scanned_files(client, seeded):
    assert sorted(_open_data_zip(client, seeded).namelist()) == sorted(ZIP_FILES)


# --- consent works -------------------------------------------------------------------------------


def _one_text(fmt: str, client, edition) -> str:
    [(_label, text)] = fetch(fmt, client, edition)
    return text


@pytest.mark.parametrize("fmt", ["open_data_json", "open_data_api", "open_data_zip:teams.csv"])
def test_open_data_names_team_members_who_agreed(client, seeded, fmt):
    text = _one_text(fmt, client, seeded)
    assert "Mia Member" in text
    assert "Bert Namedperson" in text


@pytest.mark.parametrize("fmt", ["open_data_json", "open_data_zip:comments.csv"])
def test_open_data_names_authors_who_agreed_and_no_one_else(client, seeded, fmt):
    text = _one_text(fmt, client, seeded)
    assert "Nora Namedone" in text
    assert "deleted account" in text  # Frieda's comment stays, without her name
    assert re.search(r"Participant [0-9a-f]{6}", text)  # the others by pseudonym


@pytest.mark.parametrize("fmt", ["template_markdown", "template_json", "template_pdf", "template_api"])
def test_templates_name_team_members_who_agreed(client, seeded, fmt):
    texts = dict(fetch(fmt, client, seeded))
    joined = "\n".join(texts.values())
    assert "Mia Member" in joined
    assert "Bert Namedperson" in joined


def test_open_data_has_no_personal_fields(client, seeded):
    data = json.loads(fetch("open_data_json", client, seeded)[0][1])
    keys = set()

    def walk(value):
        if isinstance(value, dict):
            keys.update(value)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(data)
    personal = {"email", "user", "user_id", "rater", "voter", "sector", "role", "changed_by", "notes", "room_url",
                "room_secret", "ip", "registration"}
    assert not keys & personal
    # The evaluation is there, as totals only.
    assert sum(row["supports"] for row in data["evaluations"]) == 3
    assert data["jury"] and data["jury"][0]["jurors"] == 1
