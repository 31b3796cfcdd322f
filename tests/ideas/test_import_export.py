"""`import_ideas` and `export_ideas`: the real Bonn file, every bad row reported, all or nothing,
JSON, the round trip, and no email address in any export."""

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from helpathon.accounts.models import User
from helpathon.ideas import importing
from helpathon.ideas.models import Idea, IdeaVersion, Tag
from helpathon.ideas.services import idea_create
from helpathon.live.models import LiveEvent
from helpathon.moderation.services import content_hide
from tests.factories import make_edition

BONN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "citizen-ideas" / "de-bonn-raddialog-2017.csv"
BERLIN = ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.django_db


def run(command, *args):
    """Run a command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_file(path, *extra, edition="test-edition", challenge="challenge-1"):
    return run("import_ideas", str(path), "--edition", edition, "--challenge", challenge, "--no-progress", *extra)


def write_csv(tmp_path, rows, name="ideas.csv"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def write_json(tmp_path, data, name="ideas.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- The Bonn Raddialog -------------------------------------------------------------------------


@pytest.mark.skipif(not BONN.exists(), reason=f"the Bonn data set is not checked out beside the repository ({BONN})")
def test_it_imports_the_bonn_file(edition):
    out, err = import_file(BONN, "--tags-from", "category")

    assert "Imported 2314 idea(s) into test-edition/challenge-1 as Import." in out
    ideas = Idea.objects.filter(edition=edition)
    assert ideas.count() == 2314
    assert IdeaVersion.objects.filter(idea__edition=edition, number=1).count() == 2314
    assert LiveEvent.objects.filter(edition=edition, type="idea.created").count() == 2314
    # Every contribution keeps its CC BY attribution: the URL of the original contribution.
    assert ideas.exclude(body__contains="Quelle: <https://www.raddialog.bonn.de/").count() == 0
    assert ideas.filter(body_html__contains='href="https://www.raddialog.bonn.de/').count() == 2314
    # The human-assigned categories became tags.
    assert Tag.objects.get(name="cycling_traffic_management").ideas.count() == 1020
    assert Tag.objects.get(name="lighting").ideas.count() == 37
    # Ideas belong to the import account, which cannot log in, and appear as "Import".
    importer = User.objects.get(email=importing.IMPORT_USER_EMAIL)
    assert not importer.has_usable_password()
    assert set(ideas.values_list("author_id", flat=True)) == {importer.pk}
    assert set(ideas.values_list("author_name", flat=True)) == {"Import"}

    first = ideas.get(title="Radwege/ Radparkplätze")  # B1440: a title and no body
    assert first.created_at == datetime(2017, 9, 13, 8, 8, 40, tzinfo=BERLIN)
    assert first.body == "Quelle: <https://www.raddialog.bonn.de/dialoge/bonner-rad-dialog/radwege-radparkplaetze>"
    assert list(first.tags.values_list("name", flat=True)) == ["bicycle_parking"]

    # 14 titles are longer than 160 characters: shortened, the full title opens the body.
    assert err.count("title: longer than 160 characters") == 14
    long_titles = ideas.filter(title__endswith="…")
    assert long_titles.count() == 14
    for idea in long_titles:
        assert len(idea.title) <= 160
        assert idea.body.startswith(idea.title[:-1].rstrip())


# --- Checking every row -----------------------------------------------------------------------


def test_it_reports_every_bad_row_and_imports_nothing(edition, tmp_path):
    path = write_csv(tmp_path, [
        ["title", "body", "tags", "created_at"],
        ["Mehr Bänke am Rhein", "Zum Ausruhen.\nMit Blick aufs Wasser.", "rhein; ufer", "2024-05-01T10:00:00"],
        ["   ", "Ohne Titel", "", ""],
        ["Ein Markt für Reparaturen", "", "", "gestern"],
        ["Radweg am Wall", "", "a,b,c,d,e,f,g,h,i", ""],
        ["Kiosk am Park", "", "", "2024-05-02"],
        ["Ok", "Zu kurz: the site wants three characters", "", ""],
    ])

    with pytest.raises(CommandError) as caught:
        import_file(path)

    message = str(caught.value)
    assert "4 error(s); nothing was imported" in message
    assert "row 3: title: is required" in message
    assert "row 4: created_at: is not an ISO 8601 date and time: 'gestern'" in message
    assert "row 5: tags: At most 8 tags, please." in message
    assert "row 7: title: Please give your idea a title of at least 3 characters." in message
    assert "row 2:" not in message and "row 6:" not in message
    assert Idea.objects.count() == 0
    assert LiveEvent.objects.count() == 0


def test_it_rolls_back_every_idea_when_one_fails_during_the_import(edition, tmp_path, monkeypatch):
    path = write_csv(tmp_path, [["title"], ["Idee eins"], ["Idee zwei"], ["Idee drei"]])
    calls = []

    def failing_on_the_third(**kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 3:
            raise ValidationError({"title": "refused"})
        return idea_create(**kwargs)

    monkeypatch.setattr(importing, "idea_create", failing_on_the_third)

    with pytest.raises(CommandError, match="row 4: title: refused"):
        import_file(path)

    assert len(calls) == 3
    assert Idea.objects.count() == 0
    assert LiveEvent.objects.count() == 0


def test_it_refuses_an_email_address_as_author(edition, tmp_path):
    path = write_csv(tmp_path, [["title", "author"], ["Mehr Licht", "Erika <erika@example.org>"]])

    with pytest.raises(CommandError, match="row 2: author: looks like an email address"):
        import_file(path)

    assert Idea.objects.count() == 0


def test_it_reports_a_missing_title_column(edition, tmp_path):
    path = write_csv(tmp_path, [["name", "body"], ["Mehr Licht", "Bitte"]])

    with pytest.raises(CommandError, match="row 1: title: there is no 'title' column"):
        import_file(path)


def test_it_reports_an_unknown_tags_from_column(edition, tmp_path):
    path = write_csv(tmp_path, [["title"], ["Mehr Licht"]])

    with pytest.raises(CommandError, match="row 1: kategorie: there is no such column for --tags-from"):
        import_file(path, "--tags-from", "kategorie")


def test_it_dry_run_checks_and_imports_nothing(edition, tmp_path):
    path = write_csv(tmp_path, [["title", "body"], ["Mehr Licht", "Am Bahnhof"], ["Mehr Bäume", ""]])

    out, _err = import_file(path, "--dry-run")

    assert "2 idea(s) checked, no errors; nothing imported into test-edition/challenge-1 (dry run)." in out
    assert Idea.objects.count() == 0
    assert not User.objects.filter(email=importing.IMPORT_USER_EMAIL).exists()


# --- Details of the format --------------------------------------------------------------------


def test_it_imports_json_with_authors_tags_and_local_times(edition, tmp_path):
    path = write_json(tmp_path, {"ideas": [
        {"title": "Sitzbänke im Quartier", "body": "Mehr **Bänke**.", "author": "Erika M.",
         "tags": ["Quartier", "Sitzen"], "created_at": "2024-05-01T10:00:00"},
        {"title": "Trinkbrunnen", "created_at": "2024-07-01T12:00:00Z", "tags": "wasser; sommer"},
        {"title": "Leihräder", "author": None, "created_at": None},
    ]})

    out, _err = import_file(path)

    assert "Imported 3 idea(s)" in out
    benches = Idea.objects.get(title="Sitzbänke im Quartier")
    assert benches.public_author == "Erika M."
    assert benches.body_html == "<p>Mehr <strong>Bänke</strong>.</p>\n"
    assert sorted(benches.tags.values_list("name", flat=True)) == ["quartier", "sitzen"]
    # A time without an offset is Berlin time.
    assert benches.created_at == datetime(2024, 5, 1, 8, 0, tzinfo=ZoneInfo("UTC"))
    fountain = Idea.objects.get(title="Trinkbrunnen")
    assert fountain.created_at == datetime(2024, 7, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert sorted(fountain.tags.values_list("name", flat=True)) == ["sommer", "wasser"]
    assert Idea.objects.get(title="Leihräder").public_author == "Import"


def test_it_numbers_json_objects_from_one(edition, tmp_path):
    path = write_json(tmp_path, [{"title": "Gut"}, "kein Objekt", {"title": 42}])

    with pytest.raises(CommandError) as caught:
        import_file(path)

    message = str(caught.value)
    assert "row 2: item: expected an object" in message
    assert "row 3: title: must be text" in message
    assert "row 3: title: is required" not in message


def test_it_reads_semicolon_separated_csv_with_a_byte_order_mark(edition, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("\ufeffTitle;Body;Tags\nMehr Licht;Am Bahnhof, bitte;licht,sicherheit\n", encoding="utf-8")

    import_file(path)

    idea = Idea.objects.get()
    assert (idea.title, idea.body) == ("Mehr Licht", "Am Bahnhof, bitte")
    assert sorted(idea.tags.values_list("name", flat=True)) == ["licht", "sicherheit"]


def test_it_leaves_attribution_out_with_no_source(edition, tmp_path):
    path = write_csv(tmp_path, [["title", "source_url"], ["Mehr Licht", "https://example.org/1"]])

    import_file(path, "--no-source")

    assert Idea.objects.get().body == ""


def test_it_refuses_a_source_that_is_not_a_web_address(edition, tmp_path):
    path = write_csv(tmp_path, [["title", "source_url"], ["Mehr Licht", "javascript:alert(1)"]])

    with pytest.raises(CommandError, match="row 2: source_url: is not an http\\(s\\) URL"):
        import_file(path)


def test_it_imports_nothing_from_an_empty_file(edition, tmp_path):
    out, _err = import_file(write_json(tmp_path, []))

    assert "Imported 0 idea(s)" in out
    assert Idea.objects.count() == 0


def test_it_takes_the_format_from_the_option(edition, tmp_path):
    path = write_json(tmp_path, [{"title": "Mehr Licht"}], name="ideas.txt")

    import_file(path, "--format", "json")

    assert Idea.objects.get().title == "Mehr Licht"


def test_it_imports_as_a_named_user_without_showing_them(edition, organizer, tmp_path):
    path = write_csv(tmp_path, [["title"], ["Mehr Licht"]])

    out, _err = import_file(path, "--as", "ORGANIZER@example.org")

    idea = Idea.objects.get()
    assert idea.author == organizer
    assert idea.public_author == "Import"
    assert "as Olga Organizer" in out
    event = LiveEvent.objects.get(type="idea.created")
    assert event.payload["author"] == "Import"


def test_it_refuses_an_unknown_user(edition, tmp_path):
    path = write_csv(tmp_path, [["title"], ["Mehr Licht"]])

    with pytest.raises(CommandError, match="There is no user with the email address 'nobody@example.org'"):
        import_file(path, "--as", "nobody@example.org")


@pytest.mark.parametrize("command", ["import_ideas", "export_ideas"])
def test_it_names_an_unknown_edition(edition, command, tmp_path):
    args = [str(write_csv(tmp_path, [["title"], ["Mehr Licht"]]))] if command == "import_ideas" else []

    with pytest.raises(CommandError, match="There is no edition 'nope'. Editions: test-edition."):
        run(command, *args, "--edition", "nope", "--challenge", "challenge-1")


@pytest.mark.parametrize("command", ["import_ideas", "export_ideas"])
def test_it_names_an_unknown_challenge(edition, command, tmp_path):
    args = [str(write_csv(tmp_path, [["title"], ["Mehr Licht"]]))] if command == "import_ideas" else []

    with pytest.raises(CommandError, match="Edition 'test-edition' has no challenge 'nope'. "
                                           "Its challenges: challenge-1, challenge-2."):
        run(command, *args, "--edition", "test-edition", "--challenge", "nope")


# --- Export -----------------------------------------------------------------------------------


@pytest.fixture
def ideas(edition, participant, organizer):
    """Two visible ideas by people with email addresses, in two challenges, and a hidden one."""
    first, second = edition.challenges.order_by("order")
    made = [
        idea_create(actor=participant, challenge=first, title="Ein Laden für alle", body="Mit *Café*.\n\nUnd mehr.",
                    tags=["handel", "treffpunkt"], check_permission=False),
        idea_create(actor=organizer, challenge=second, title="Ausbildung digital", body="",
                    check_permission=False),
        idea_create(actor=participant, challenge=first, title="Spam spam spam", body="Kauft hier",
                    check_permission=False),
    ]
    content_hide(actor=organizer, idea=made[2], reason="Werbung")
    return made


def test_it_exports_csv_without_hidden_ideas_or_email_addresses(ideas):
    out, _err = run("export_ideas", "--edition", "test-edition")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["title"] for row in rows] == ["Ein Laden für alle", "Ausbildung digital"]
    assert rows[0]["author"] == "Paul Participant"
    assert rows[0]["tags"] == "handel, treffpunkt"
    assert rows[0]["challenge"] == "challenge-1"
    assert rows[0]["status"] == "open" and rows[0]["version"] == "1"
    assert rows[0]["supports"] == "0" and rows[0]["comments"] == "0"
    assert rows[0]["url"].endswith(f"/editions/test-edition/ideas/{ideas[0].pk}/")
    assert list(rows[0]) == list(importing.EXPORT_COLUMNS)
    assert "@" not in out
    assert "Spam" not in out


def test_it_exports_json_of_one_challenge_without_email_addresses(ideas, tmp_path):
    target = tmp_path / "export.json"

    out, _err = run("export_ideas", "--edition", "test-edition", "--challenge", "challenge-2", "-o", str(target))

    assert f"Exported 1 idea(s) to {target}." in out
    text = target.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["edition"] == "test-edition" and document["challenge"] == "challenge-2"
    assert [idea["title"] for idea in document["ideas"]] == ["Ausbildung digital"]
    assert document["ideas"][0]["author"] == "Olga Organizer"
    assert document["ideas"][0]["tags"] == []
    assert "@" not in text


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_it_imports_its_own_export(ideas, tmp_path, suffix):
    make_edition(slug="copy")
    target = tmp_path / f"export.{suffix}"
    run("export_ideas", "--edition", "test-edition", "--output", str(target))

    import_file(target, edition="copy")

    def public(edition_slug):
        return sorted(
            (idea.title, idea.body, idea.public_author, sorted(t.name for t in idea.tags.all()), idea.created_at)
            for idea in Idea.objects.filter(edition__slug=edition_slug, hidden_at__isnull=True)
        )

    assert public("copy") == public("test-edition")
    assert len(public("copy")) == 2


def test_it_writes_a_byte_order_mark_into_csv_files_only(ideas, tmp_path):
    run("export_ideas", "--edition", "test-edition", "--output", str(tmp_path / "a.csv"))
    run("export_ideas", "--edition", "test-edition", "--output", str(tmp_path / "a.json"))

    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbftitle,")
    assert (tmp_path / "a.json").read_bytes().startswith(b"{")


# --- The checks on their own ------------------------------------------------------------------


def test_it_shortens_a_long_title_at_a_word_boundary():
    title = "Wort " * 40  # 200 characters
    shortened = importing._shorten(title.strip(), 160)

    assert len(shortened) <= 160
    assert shortened.endswith("Wort…")
