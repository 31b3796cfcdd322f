"""The edition report (results/report.py, charts.py, report_views.py): counts for a known
set-up, no personal data in the page or the PDF, accessible charts, drafts hidden, both
languages, and a query count that does not grow with the number of ideas."""

import io
import re
from xml.etree import ElementTree
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpathon.editions.models import Edition
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea, Theme
from helpathon.moderation.services import content_hide
from helpathon.registrations.models import Registration
from helpathon.registrations.services import registration_check_in
from helpathon.results.report import edition_report
from tests.factories import make_user


def _url(edition, name="results:report"):
    return reverse(name, kwargs={"slug": edition.slug})


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(autouse=True)
def _english_pages(client):
    # The assertions read the English source strings; pages speak German unless asked.
    client.cookies["django_language"] = "en"


@pytest.fixture
def waitlisted(edition):
    user = make_user("wanda.waiting@example.org", display_name="Wanda Waiting")
    now = timezone.now()
    Registration.objects.create(edition=edition, user=user, status=Registration.Status.WAITLISTED,
                                sector="administration", role="employee", consent_at=now)
    return user


@pytest.fixture
def activity(edition, go_to, organizer, participant, member, idea_author, waitlisted):
    """Three confirmed participants (business/founder, science/student checked in,
    civil society/citizen) and one on the waitlist; three ideas (two in the first challenge),
    one more hidden by moderation; two comments, one more deleted; three supports; a theme.
    The edition then moves on to team building, where rankings are public."""
    registration_check_in(actor=organizer, registration=Registration.objects.get(edition=edition, user=member))
    go_to("ideation")
    first, second = list(edition.challenges.all())[:2]
    bikes = idea_services.idea_create(actor=idea_author, challenge=first, title="Lastenräder leihen")
    benches = idea_services.idea_create(actor=idea_author, challenge=first, title="Mehr Bänke im Park")
    fountain = idea_services.idea_create(actor=participant, challenge=second, title="Trinkbrunnen am Markt")
    spam = idea_services.idea_create(actor=participant, challenge=second, title="Werbung für meinen Laden")
    content_hide(actor=organizer, idea=spam, reason="Werbung gehört nicht hierher.")
    idea_services.comment_create(actor=member, idea=bikes, body="Mit Ladestation bitte!")
    idea_services.comment_create(actor=idea_author, idea=fountain, body="Gute Idee für den Sommer.")
    withdrawn = idea_services.comment_create(actor=member, idea=fountain, body="Doch nicht.")
    idea_services.comment_delete(actor=member, comment=withdrawn)
    go_to("evaluation")
    for actor, idea in ((member, bikes), (participant, bikes), (member, fountain)):
        # A fresh idea: the one above remembers the agenda of ideation.
        evaluation_services.support_add(actor=actor, idea=Idea.objects.get(pk=idea.pk))
    Theme.objects.create(edition=edition, label="Rad · Lastenrad", keywords=["Rad"], size=2, computed_at=timezone.now())
    go_to("team_building")
    return {"bikes": bikes, "benches": benches, "fountain": fountain, "spam": spam}


SEEDED = [
    ("participant@example.org", "Paul Participant"),
    ("mia.member@example.org", "Mia Member"),
    ("ida.author@example.org", "Ida Author"),
    ("wanda.waiting@example.org", "Wanda Waiting"),
    ("organizer@example.org", "Olga Organizer"),
]


def test_it_counts_a_known_edition(edition, activity, visitor):
    report = edition_report(edition, user=visitor)

    assert (report.participants, report.checked_in) == (3, 1)
    assert {t.key: t.count for t in report.by_sector} == {
        "science": 1, "business": 1, "administration": 0, "civil_society": 1,
    }
    assert {t.key: t.count for t in report.by_role if t.count} == {"student": 1, "founder": 1, "citizen": 1}
    first, second = report.challenges[:2]
    assert (first.ideas, first.comments, first.supports) == (2, 1, 2)
    assert (second.ideas, second.comments, second.supports) == (1, 1, 1)
    assert (report.ideas, report.comments, report.supports) == (3, 2, 3)
    assert [i.title for i in first.top_ideas] == ["Lastenräder leihen"]
    assert [i.title for i in second.top_ideas] == ["Trinkbrunnen am Markt"]
    assert [t.label for t in report.themes] == ["Rad · Lastenrad"]
    assert report.activity.unit == "hour"
    assert sum(b.ideas for b in report.activity.buckets) == 3
    assert sum(b.comments for b in report.activity.buckets) == 2
    assert sum(b.supports for b in report.activity.buckets) == 3
    assert (report.teams, report.prototypes) == (0, [])


def test_it_shows_the_report_without_personal_data(client, edition, activity):
    response = client.get(_url(edition))

    assert response.status_code == 200
    html = response.content.decode()
    assert edition.title in html
    assert "Lastenräder leihen" in html and "Rad · Lastenrad" in html
    assert "Werbung für meinen Laden" not in html  # hidden by moderation
    for email, name in SEEDED:
        assert email not in html
        assert name not in html


def test_it_draws_accessible_charts_with_their_data(client, edition, activity):
    client.cookies["django_language"] = "en"
    html = client.get(_url(edition)).content.decode()

    charts = re.findall(r"<svg[^>]*>", html)
    labelled = [tag for tag in charts if 'role="img"' in tag and "aria-labelledby=" in tag]
    assert len(labelled) == 4  # sectors, roles, challenges, activity
    for chart_id in ("chart-sectors", "chart-roles", "chart-challenges", "chart-activity"):
        assert f'<title id="{chart_id}-title">' in html
        assert f'<desc id="{chart_id}-desc">' in html
    report = html.split('class="report"', 1)[1]
    # No web font: the text of the charts is drawn as paths.
    assert "<text" not in report
    # No style="" (the Content-Security-Policy blocks it); each chart is well-formed XML.
    assert "style=" not in report
    for svg in re.findall(r"<svg.*?</svg>", report, flags=re.S):
        ElementTree.fromstring(svg)
    # Ids are unique on the page although every chart defines its own glyphs and clip paths.
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # The data of each chart as a table, behind a disclosure on the page.
    assert html.count('<details class="chart-data">') == 3
    assert "Civil society" in html


def test_it_hides_top_ideas_while_rankings_are_hidden(client, edition, go_to, activity, organizer):
    go_to("evaluation")

    html = client.get(_url(edition)).content.decode()
    assert "Lastenräder leihen" not in html
    assert "The top ideas are shown when the evaluation has ended." in html
    client.force_login(organizer)
    assert "Lastenräder leihen" in client.get(_url(edition)).content.decode()


def test_it_lists_prototypes_with_their_follow_up(client, edition, template):
    html = client.get(_url(edition)).content.decode()

    assert "Die Radler" in html
    assert template.get_absolute_url() in html
    assert "Received" in html
    for name in ("Paul Participant", "Mia Member", "Ida Author", "participant@example.org"):
        assert name not in html


def test_it_makes_a_pdf(client, edition, activity):
    response = client.get(_url(edition, "results:report_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="helpathon-{edition.slug}-report.pdf"'
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert edition.title in text
    assert "Lastenräder leihen" in text
    assert "New ideas, comments and supports per hour" in text  # the chart's caption
    assert "Participants by sector" in text
    for email, name in SEEDED:
        assert email not in text
        assert name not in text


def test_the_pdf_holds_the_charts(client, edition, activity):
    """The charts are vector drawings in the PDF: a page with them draws many paths."""
    from pypdf import PdfReader

    with_charts = PdfReader(io.BytesIO(client.get(_url(edition, "results:report_pdf")).content))
    drawn = b"".join(page.get_contents().get_data() for page in with_charts.pages)
    # Glyphs drawn as paths: thousands of curve (c) and line (l) operators.
    assert len(re.findall(rb"\sc\n", drawn)) > 500


@pytest.mark.parametrize("name", ["results:report", "results:report_pdf"])
def test_a_draft_is_not_found_but_by_its_organizers(client, edition, participant, organizer, name):
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.DRAFT)

    assert client.get(_url(edition, name)).status_code == 404
    client.force_login(participant)
    assert client.get(_url(edition, name)).status_code == 404
    client.force_login(organizer)
    assert client.get(_url(edition, name)).status_code == 200


def test_an_empty_edition_has_a_report(client, edition):
    response = client.get(_url(edition))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nobody has a confirmed place yet." in html
    assert "<svg" not in html.split('class="report"', 1)[1]
    assert client.get(_url(edition, "results:report_pdf")).status_code == 200


def test_it_speaks_german_and_english(client, edition, activity):
    from django.utils import translation

    client.cookies["django_language"] = "de"
    with translation.override("de"):
        german = client.get(_url(edition)).content.decode()
    assert '<html lang="de">' in german
    assert "Aktivität im Zeitverlauf" in german
    assert "Ausgaben" in german  # the site's navigation in German
    assert re.search(r"\d{2}\.\d{2}\.\d{4}", german)  # dates the German way in the activity table

    client.cookies["django_language"] = "en"
    english = client.get(_url(edition)).content.decode()
    assert '<html lang="en">' in english
    assert "Activity over time" in english
    assert "Participants by role" in english


def test_a_title_with_dollar_signs_is_drawn_as_it_is(client, edition, activity):
    edition.challenges.filter(pk=activity["bikes"].challenge_id).update(title="Kosten $\\frac{ sparen $")

    response = client.get(_url(edition))

    assert response.status_code == 200
    assert "Kosten $\\frac{ sparen $" in response.content.decode()


def test_activity_over_weeks_is_counted_per_day(edition, organizer, idea_author, visitor):
    challenge = edition.challenges.first()
    start = timezone.now() - timedelta(days=20)
    for days in (0, 0, 3, 19):
        idea_services.idea_create(actor=idea_author, challenge=challenge, title=f"Idee vom Tag {days}",
                                  created_at=start + timedelta(days=days), check_permission=False)

    activity = edition_report(edition, user=visitor).activity

    assert activity.unit == "day"
    assert len(activity.buckets) in (20, 21)  # every day from the first to the last, empty ones too
    assert [b.ideas for b in activity.busy] == [2, 1, 1]


def _more_ideas(edition, author, commenter, n: int, *, offset: int = 0):
    challenges = list(edition.challenges.all())
    start = timezone.now() - timedelta(hours=30)
    for i in range(offset, offset + n):
        idea = idea_services.idea_create(
            actor=author, challenge=challenges[i % len(challenges)], title=f"Idee {i}",
            created_at=start + timedelta(minutes=37 * i), check_permission=False,
        )
        idea_services.comment_create(actor=commenter, idea=idea, body=f"Kommentar {i}")


def test_its_query_count_does_not_grow_with_the_ideas(client, edition, go_to, idea_author, member, participant,
                                                      django_assert_max_num_queries):
    # 1-4 the edition with its challenges, phases and partners; 5 confirmed registrations by
    # sector and role; 6-8 ideas, comments and supports per challenge and hour; 9 evaluation
    # settings (are rankings visible?); 10 top ideas (a window function); 11 themes; 12 teams;
    # 13 prototypes with their templates; 14 the announcements of the live banner.
    queries = 14
    go_to("ideation")
    _more_ideas(edition, idea_author, member, 5)
    with django_assert_max_num_queries(queries):
        assert client.get(_url(edition)).status_code == 200

    _more_ideas(edition, idea_author, member, 45, offset=5)
    with django_assert_max_num_queries(queries):
        response = client.get(_url(edition))
    assert response.status_code == 200
    assert edition_report(edition, user=participant).ideas == 50
